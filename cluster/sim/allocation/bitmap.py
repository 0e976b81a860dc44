"""ClusterIP and nodePort allocation arithmetic (pkg/registry/core/service/ipallocator/bitmap.go,
portallocator/allocator.go, allocator/bitmap.go, storage/alloc.go).

Pure decisions only: which numbers a write needs, where dynamic picks land, which numbers it frees,
and the exact error texts. The database performs the reservations (a unique constraint decides races).
"""

from __future__ import annotations

import copy
import ipaddress
from bisect import bisect_left
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cluster.sim.api.fielderrors import FieldError, invalid
from cluster.sim.objects import Obj
from cluster.sim.validation.formats import IPNetwork, parse_ip_sloppy
from cluster.sim.validation.service import as_int, needs_health_check, needs_node_port

DYNAMIC = "dynamic"
IP_RANGE_FULL = "failed to allocate a serviceIP: range is full"
NODE_PORT_RANGE_FULL = "failed to allocate a nodePort: range is full"
# sic: upstream formats a freshly shadowed (zero) variable into this message.
HEALTH_CHECK_RANGE_FULL = "failed to allocate a HealthCheck NodePort 0: range is full"
IP_ALREADY_ALLOCATED = "provided IP is already allocated"
PORT_ALREADY_ALLOCATED = "provided port is already allocated"
_IPV6_BITMAP_LIMIT = 65536  # the bitmap allocator caps IPv6 ranges at this many addresses


class RandomSource(Protocol):
    def randrange(self, stop: int, /) -> int: ...


# --- band arithmetic ------------------------------------------------------------------------------


def _band_offset(size: int, step: int, upper: int) -> int:
    """min(max(16, size/step), upper); ranges of 16 or fewer are not split."""
    if size <= 16:
        return 0
    return min(max(16, size // step), upper)


def clusterip_offset(cidr_size: int) -> int:
    """Size of the static (lower) ClusterIP band for a CIDR of `cidr_size` addresses (KEP-3070)."""
    return _band_offset(cidr_size, 16, 256)


def nodeport_offset(range_size: int) -> int:
    """Size of the static (lower) nodePort band for a range of `range_size` ports (KEP-3668)."""
    return _band_offset(range_size, 32, 128)


def _network(cidr: str) -> IPNetwork:
    return ipaddress.ip_network(cidr, strict=False)


def usable_ips(cidr: str) -> tuple[int, int]:
    """First and last allocatable address as integers: never the network address, nor IPv4 broadcast."""
    net = _network(cidr)
    first = int(net.network_address) + 1
    if net.version == 4:
        return first, int(net.broadcast_address) - 1
    return first, int(net.network_address) + min(net.num_addresses, _IPV6_BITMAP_LIMIT) - 1


def _ip_bands(cidr: str) -> tuple[tuple[int, int], tuple[int, int]]:
    first, last = usable_ips(cidr)
    split = first + clusterip_offset(_network(cidr).num_addresses)
    return (first, split - 1), (split, last)


def _port_bands(lo: int, hi: int) -> tuple[tuple[int, int], tuple[int, int]]:
    split = lo + nodeport_offset(hi - lo + 1)
    return (lo, split - 1), (split, hi)


def _ip_text(cidr: str, value: int) -> str:
    return str(ipaddress.IPv4Address(value) if _network(cidr).version == 4 else ipaddress.IPv6Address(value))


def clusterip_bands(cidr: str) -> tuple[tuple[str, str] | None, tuple[str, str]]:
    """(static band, dynamic band) as inclusive address ranges; no static band when the CIDR is tiny."""
    (s_lo, s_hi), (d_lo, d_hi) = _ip_bands(cidr)
    static = (_ip_text(cidr, s_lo), _ip_text(cidr, s_hi)) if s_hi >= s_lo else None
    return static, (_ip_text(cidr, d_lo), _ip_text(cidr, d_hi))


def nodeport_bands(lo: int, hi: int) -> tuple[tuple[int, int] | None, tuple[int, int]]:
    """(static band, dynamic band) of the nodePort range, inclusive; 30000-32767 → (30000, 30085), (30086, 32767)."""
    static, dynamic = _port_bands(lo, hi)
    return (static if static[1] >= static[0] else None), dynamic


def kubernetes_service_ip(cidr: str) -> str:
    """The `kubernetes.default` ClusterIP: the first usable address (10.96.0.1 for 10.96.0.0/12)."""
    return _ip_text(cidr, usable_ips(cidr)[0])


def dns_service_ip(cidr: str) -> str:
    """kubeadm's cluster DNS address: the tenth address of the range (10.96.0.10 for 10.96.0.0/12)."""
    return _ip_text(cidr, int(_network(cidr).network_address) + 10)


# --- dynamic picks --------------------------------------------------------------------------------


def _first_free(start: int, hi: int, taken: Sequence[int]) -> int | None:
    """First number in [start, hi] not in the sorted `taken`; walks runs of taken numbers, not the range."""
    index = bisect_left(taken, start)
    candidate = start
    while index < len(taken) and taken[index] == candidate:
        candidate += 1
        index += 1
    return candidate if candidate <= hi else None


def _pick_in_band(lo: int, hi: int, taken: Sequence[int], rng: RandomSource) -> int | None:
    """bitmap randomScanStrategyWithOffset for one band: random start, scan forward, wrap once."""
    if hi < lo:
        return None
    start = lo + rng.randrange(hi - lo + 1)
    found = _first_free(start, hi, taken)
    if found is None and start > lo:
        found = _first_free(lo, start - 1, taken)
    return found


def _pick(
    bands: tuple[tuple[int, int], tuple[int, int]], used: Iterable[int], rng: RandomSource
) -> int | None:
    (s_lo, s_hi), (d_lo, d_hi) = bands
    taken = sorted(set(used))
    # The upper band serves dynamic requests first, so static requests rarely collide with them.
    found = _pick_in_band(d_lo, d_hi, taken, rng)
    return found if found is not None else _pick_in_band(s_lo, s_hi, taken, rng)


def _ip_ints(cidr: str, used: Iterable[str]) -> list[int]:
    family = _network(cidr).version
    ips = (parse_ip_sloppy(ip) for ip in used)
    return [int(ip) for ip in ips if ip is not None and ip.version == family]


def pick_dynamic_ip(cidr: str, used: Collection[str], rng: RandomSource) -> str | None:
    """A random free ClusterIP, from the dynamic band while it has room; None when the range is full."""
    found = _pick(_ip_bands(cidr), _ip_ints(cidr, used), rng)
    return None if found is None else _ip_text(cidr, found)


def pick_dynamic_port(lo: int, hi: int, used: Collection[int], rng: RandomSource) -> int | None:
    """A random free nodePort, from the dynamic band while it has room; None when the range is full."""
    return _pick(_port_bands(lo, hi), used, rng)


# --- static requests and their error texts --------------------------------------------------------


def static_ip_error(ip: str, cidr: str, used: Collection[str]) -> str | None:
    """Why a user-chosen ClusterIP cannot be reserved, in the bitmap allocator's words (None if it can)."""
    parsed = parse_ip_sloppy(ip)
    first, last = usable_ips(cidr)
    if parsed is None or parsed.version != _network(cidr).version or not first <= int(parsed) <= last:
        shown = parsed if parsed is not None else ip
        return (
            f"the provided IP ({shown}) is not in the valid range. The range of valid IPs is {_network(cidr)}"
        )
    if int(parsed) in set(_ip_ints(cidr, used)):
        return IP_ALREADY_ALLOCATED
    return None


def static_port_error(port: int, lo: int, hi: int, used: Collection[int] = ()) -> str | None:
    """Why a user-chosen nodePort cannot be reserved (None if it can)."""
    if not lo <= port <= hi:
        return f"provided port is not in the valid range. The range of valid ports is {lo}-{hi}"
    return PORT_ALREADY_ALLOCATED if port in used else None


def cluster_ip_field_error(cluster_ips: Sequence[str], ip: str, reason: str) -> FieldError:
    """`spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: <reason>`."""
    return invalid("spec.clusterIPs", list(cluster_ips), f"failed to allocate IP {ip}: {reason}")


def node_port_field_error(index: int, port: int, reason: str) -> FieldError:
    """`spec.ports[0].nodePort: Invalid value: 30123: <reason>`."""
    return invalid(f"spec.ports[{index}].nodePort", port, reason)


def health_check_error_message(port: int, reason: str) -> str:
    """A taken/out-of-range healthCheckNodePort is an *internal* error upstream (HTTP 500)."""
    return f"failed to allocate requested HealthCheck NodePort {port}: {reason}"


# --- what a write needs ---------------------------------------------------------------------------


@dataclass
class NodePortClaim:
    """One reservation: a requested number (or a dynamic pick) that one or more ports then carry."""

    field: str  # where a failure is reported: spec.ports[i].nodePort or spec.healthCheckNodePort
    port: int | None  # None: pick dynamically
    targets: list[int] = field(default_factory=list)  # spec.ports indexes that get the number

    @property
    def dynamic(self) -> bool:
        return self.port is None

    @property
    def health_check(self) -> bool:
        return self.field == "spec.healthCheckNodePort"

    @property
    def index(self) -> int | None:
        return self.targets[0] if self.targets else None


@dataclass
class NodePortPlan:
    claims: list[NodePortClaim]
    keep: list[int]  # numbers the old object holds and the new one still uses
    release: list[int]  # numbers the old object holds that are free once the write commits


def _spec(svc: Obj | None) -> Obj:
    return (svc or {}).get("spec") or {}


def _node_port(port: Obj) -> int:
    return as_int(port.get("nodePort"))


def _auto_allocates(spec: Obj) -> bool:
    """shouldAllocateNodePorts: LoadBalancers may opt out with allocateLoadBalancerNodePorts: false."""
    if spec.get("type") == "LoadBalancer":
        return spec.get("allocateLoadBalancerNodePorts") is not False
    return spec.get("type") == "NodePort"


def _held_ports(spec: Obj) -> list[int]:
    return [n for n in (_node_port(p) for p in spec.get("ports") or []) if n]


def _health_check_claim(spec: Obj) -> NodePortClaim:
    return NodePortClaim("spec.healthCheckNodePort", as_int(spec.get("healthCheckNodePort")) or None)


def _create_claims(spec: Obj) -> list[NodePortClaim]:
    """initNodePorts: ports sharing a `port` number (53/TCP + 53/UDP) share one nodePort."""
    ports = spec.get("ports") or []
    claims: list[NodePortClaim] = []
    by_port: dict[int, NodePortClaim] = {}
    for i, port in enumerate(ports):
        node_port, number = _node_port(port), port.get("port")
        if not node_port and not _auto_allocates(spec):
            continue  # explicit values are still honoured
        shared = by_port.get(number)
        if shared is None:
            # A value given on any port with this number is used for all of them.
            requested = next((_node_port(p) for p in ports if p.get("port") == number and _node_port(p)), 0)
            claim = NodePortClaim(f"spec.ports[{i}].nodePort", requested or None, [i])
            by_port[number] = claim
            claims.append(claim)
        elif not node_port or node_port == shared.port:
            shared.targets.append(i)
        else:
            claims.append(NodePortClaim(f"spec.ports[{i}].nodePort", node_port, [i]))
    return claims


def _update_claims(spec: Obj, old_held: list[int]) -> list[NodePortClaim]:
    """updateNodePorts: numbers the old object held are kept; no sharing for new dynamic ports."""
    claims: list[NodePortClaim] = []
    claimed: set[int] = set()
    for i, port in enumerate(spec.get("ports") or []):
        node_port = _node_port(port)
        if not node_port:
            if _auto_allocates(spec):
                claims.append(NodePortClaim(f"spec.ports[{i}].nodePort", None, [i]))
        elif node_port not in old_held and node_port not in claimed:
            claims.append(NodePortClaim(f"spec.ports[{i}].nodePort", node_port, [i]))
            claimed.add(node_port)
    return claims


def node_port_requests(svc: Obj, old: Obj | None = None) -> NodePortPlan:
    """The nodePort reservations a create (old=None) or update needs, and what it frees.

    Expects the prepared object (defaults.default_service / validation.prepare_service_update).
    """
    spec, old_spec = _spec(svc), _spec(old)
    old_held = _held_ports(old_spec)
    claims: list[NodePortClaim] = []
    release: list[int] = []
    if old is None:
        claims = _create_claims(spec) if needs_node_port(spec) else []
    elif needs_node_port(spec):
        claims = _update_claims(spec, old_held)
        release = [n for n in old_held if n not in _held_ports(spec)]
    elif needs_node_port(old_spec):
        release = list(old_held)  # switched to ClusterIP/ExternalName
    needed_before = old is not None and needs_health_check(old_spec)
    if needs_health_check(spec) and not needed_before:
        claims.append(_health_check_claim(spec))
    elif needed_before and not needs_health_check(spec) and old_spec.get("healthCheckNodePort"):
        release.append(old_spec["healthCheckNodePort"])
    keep = [n for n in dict.fromkeys(old_held) if n in _held_ports(spec)]
    return NodePortPlan(claims, keep, list(dict.fromkeys(release)))


def assign_node_ports(svc: Obj, plan: NodePortPlan, numbers: Sequence[int]) -> Obj:
    """Write reserved numbers (one per claim, in order) into a copy of the Service."""
    svc = copy.deepcopy(svc)
    spec = svc.setdefault("spec", {})
    for claim, number in zip(plan.claims, numbers, strict=True):
        if claim.health_check:
            spec["healthCheckNodePort"] = number
        for index in claim.targets:
            spec["ports"][index]["nodePort"] = number
    return svc


@dataclass(frozen=True)
class ClusterIPPlan:
    request: str | None  # a static IP, DYNAMIC, or None when nothing is allocated
    release: tuple[str, ...] = ()


def cluster_ip_plan(svc: Obj, old: Obj | None = None) -> ClusterIPPlan:
    """allocClusterIPs/updateClusterIPs: ExternalName and headless get none; leaving for ExternalName frees it."""
    spec, old_spec = _spec(svc), _spec(old)
    is_external = spec.get("type") == "ExternalName"
    if old is not None and old_spec.get("type") != "ExternalName":
        if is_external and (old_spec.get("clusterIPs") or ["None"])[0] != "None":
            return ClusterIPPlan(None, tuple(old_spec["clusterIPs"]))
        return ClusterIPPlan(None)  # kept; immutability is validation's job
    if is_external:
        return ClusterIPPlan(None)
    requested = (spec.get("clusterIPs") or [spec.get("clusterIP") or ""])[0]
    if requested == "None":
        return ClusterIPPlan(None)
    return ClusterIPPlan(requested or DYNAMIC)
