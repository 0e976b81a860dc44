"""A spreading scheduler and host-local IPAM: where a new pod runs and which IP it gets."""

from __future__ import annotations

import heapq
import ipaddress
from collections import Counter
from collections.abc import Iterable, Mapping

from cluster.sim.objects import Obj, name_of, node_pod_cidr, node_ready

DEFAULT_MAX_PODS = 110  # the kubelet's --max-pods default, shown as status.allocatable.pods


def max_pods(node: Obj) -> int:
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    try:
        return int(allocatable.get("pods", DEFAULT_MAX_PODS))
    except (TypeError, ValueError):
        return DEFAULT_MAX_PODS


UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
CORDONED = "node(s) were unschedulable"
NOT_READY = "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"
TOO_MANY_PODS = "Too many pods"
# Filters that no preemption could satisfy (UnschedulableAndUnresolvable upstream).
_UNRESOLVABLE = {CORDONED, NOT_READY}


def tolerates_cordon(tolerations: Iterable[Obj]) -> bool:
    """Whether the pod tolerates node.kubernetes.io/unschedulable:NoSchedule (DaemonSet pods do),
    which lets it onto a cordoned node."""
    for toleration in tolerations:
        key, operator = toleration.get("key") or "", toleration.get("operator") or "Equal"
        if key not in ("", UNSCHEDULABLE_TAINT) or (not key and operator != "Exists"):
            continue
        if toleration.get("effect") in (None, "", "NoSchedule") and (operator == "Exists"
                                                                      or not toleration.get("value")):
            return True
    return False


def _why_not(node: Obj, pods_per_node: dict[str, int], cordon_ok: bool = False) -> str | None:
    """The scheduler's reason this node cannot take one more pod, or None if it can; in the
    order of its filters (NodeUnschedulable, TaintToleration, NodeResourcesFit)."""
    if (node.get("spec") or {}).get("unschedulable") and not cordon_ok:
        return CORDONED
    if not node_ready(node):
        return NOT_READY
    if pods_per_node.get(name_of(node), 0) >= max_pods(node):
        return TOO_MANY_PODS
    return None


def pick_node(nodes: Iterable[Obj], pods_per_node: dict[str, int], cordon_ok: bool = False) -> str | None:
    """The feasible node with the fewest pods; ties go to the name that sorts first (stable demos)."""
    feasible = [name_of(n) for n in nodes if _why_not(n, pods_per_node, cordon_ok) is None]
    if not feasible:
        return None
    return min(feasible, key=lambda name: (pods_per_node.get(name, 0), name))


def unschedulable_message(nodes: list[Obj], pods_per_node: dict[str, int], cordon_ok: bool = False) -> str:
    """The PodScheduled=False message, in kube-scheduler's words: why each node failed, then what
    preemption found (nothing to evict where a filter no eviction could satisfy failed)."""
    reasons = Counter(r for r in (_why_not(n, pods_per_node, cordon_ok) for n in nodes) if r)
    total = len(nodes)
    if not total:
        return "no nodes available to schedule pods"
    preemption = Counter("Preemption is not helpful for scheduling" if reason in _UNRESOLVABLE
                         else "No preemption victims found for incoming pod" for reason in reasons.elements())
    return (f"0/{total} nodes are available: {_histogram(reasons)}. "
            f"preemption: 0/{total} nodes are available: {_histogram(preemption)}.")


def _histogram(reasons: Counter) -> str:
    return ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))


def pick_pod_ip(node: Obj, used: set[str]) -> str | None:
    """The lowest free address of the node's pod CIDR, from .2 up (.1 is the node's bridge)."""
    cidr = node_pod_cidr(node)
    if not cidr:
        return None
    network = ipaddress.ip_network(cidr, strict=False)
    first = int(network.network_address) + 2
    last = int(network.broadcast_address) - 1
    for value in range(first, last + 1):
        ip = str(ipaddress.ip_address(value))
        if ip not in used:
            return ip
    return None


class Placement:
    """pick_node and pick_pod_ip for many new pods in a row (a ReplicaSet scaling up): the same
    answers, without rescanning every node and every address for each pod. Only the placement's
    caller adds pods to `pods_per_node` and addresses to `used` meanwhile, and only adds."""

    def __init__(self, nodes: Mapping[str, Obj], pods_per_node: Counter, used: set[str], cordon_ok: bool = False):
        self.nodes, self.pods_per_node, self.used, self.cordon_ok = nodes, pods_per_node, used, cordon_ok
        # Every node by name only: node() passes over the infeasible ones, so a node's body is
        # read only when its turn comes.
        self._heap = [(pods_per_node.get(name, 0), name) for name in nodes]
        heapq.heapify(self._heap)
        self._next_ip: dict[str, int] = {}

    def node(self) -> str | None:
        """pick_node(nodes, pods_per_node) as it would answer now."""
        while self._heap:
            count, name = self._heap[0]
            now = self.pods_per_node.get(name, 0)
            if count != now:  # a pod went there since: its place in the heap moves
                heapq.heapreplace(self._heap, (now, name))
            elif _why_not(self.nodes[name], self.pods_per_node, self.cordon_ok) is not None:
                heapq.heappop(self._heap)  # full or closed now, and stays so while pods are only added
            else:
                return name
        return None

    def pod_ip(self, node_name: str) -> str | None:
        """pick_pod_ip(node, used) as it would answer now."""
        cidr = node_pod_cidr(self.nodes[node_name])
        if not cidr:
            return None
        network = ipaddress.ip_network(cidr, strict=False)
        start = self._next_ip.get(node_name, int(network.network_address) + 2)
        for value in range(start, int(network.broadcast_address)):
            ip = str(ipaddress.ip_address(value))
            if ip not in self.used:
                self._next_ip[node_name] = value
                return ip
        return None
