"""The EndpointSlice controller and EndpointSlice mirroring, as pure planning functions.

`reconcile_slices` reproduces staging/src/k8s.io/endpointslice/reconciler.go (Reconcile,
reconcileByAddressType, reconcileByPortMapping, finalize) and utils.go; `mirror_endpoints`
reproduces pkg/controller/endpointslicemirroring/reconciler.go. Both return a SlicePlan that the
caller applies to its store: creates first, then updates, then deletes, as upstream does.

Determinism: where upstream is arbitrary (map iteration, EndpointSet.PopAny, lister order) we
use fixed orders instead (desired endpoints in pod-name order, existing slices in name order,
port groups in order of first appearance) so that the same input always yields the same plan.
"""

from __future__ import annotations

import copy
import ipaddress
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cluster.sim.api.names import generate_name, slice_prefix
from cluster.sim.endpoints.endpoints import (
    TRIGGER_TIME_ANNOTATION,
    is_ipv6,
    manages_endpoints,
    pod_ips,
    pod_target_ref,
    same_namespace,
    selected_pods,
    service_ip_families,
    service_ip_set,
    should_set_hostname,
    target_port_of,
)
from cluster.sim.objects import (
    HEADLESS_LABEL,
    MANAGED_BY_LABEL,
    MIRROR_CONTROLLER,
    SERVICE_NAME_LABEL,
    SLICE_CONTROLLER,
    Obj,
    labels_of,
    name_of,
    namespace_of,
    node_zone,
    pod_node,
    pod_ready,
    pod_terminal,
    pod_terminating,
    resolve_target_port,
    service_ports,
    uid_of,
)

DISCOVERY_API_VERSION = "discovery.k8s.io/v1"
MIN_MAX_ENDPOINTS_PER_SLICE = 1
MAX_MAX_ENDPOINTS_PER_SLICE = 1000
MIRROR_MAX_ENDPOINTS_PER_SUBSET = 1000
SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror"
LEADER_ELECTION_ANNOTATION = "control-plane.alpha.kubernetes.io/leader"
LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"

_RESERVED_LABELS = frozenset({SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL})
# Fields the apiserver owns; an update keeps them from the stored object.
_SERVER_FIELDS = ("name", "uid", "resourceVersion", "creationTimestamp", "generation")

PortKey = frozenset[tuple[Any, ...]]
EndpointKey = tuple[tuple[str, ...], str, str, str]
PortGroups = dict[PortKey, tuple[list[Obj], list[Obj]]]


@dataclass
class SlicePlan:
    """Writes one sync needs: `create` items carry a fresh name, `update` items are full objects."""

    create: list[Obj] = field(default_factory=list)
    update: list[Obj] = field(default_factory=list)
    delete: list[Obj] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return len(self.create) + len(self.update) + len(self.delete)

    @property
    def empty(self) -> bool:
        return self.writes == 0

    def extend(self, other: SlicePlan) -> None:
        self.create += other.create
        self.update += other.update
        self.delete += other.delete


def max_endpoints_per_slice_error(value: int) -> str | None:
    """kube-controller-manager's startup check of --max-endpoints-per-slice (None when valid)."""
    if value < MIN_MAX_ENDPOINTS_PER_SLICE:
        return f"max-endpoints-per-slice must not be less than {MIN_MAX_ENDPOINTS_PER_SLICE}, but got {value}"
    if value > MAX_MAX_ENDPOINTS_PER_SLICE:
        return f"max-endpoints-per-slice must not be more than {MAX_MAX_ENDPOINTS_PER_SLICE}, but got {value}"
    return None


# --- Keys and comparisons ------------------------------------------------------------------------


def port_key(ports: Iterable[Obj]) -> PortKey:
    """NewPortMapKey: order-insensitive identity of a port list.

    A missing name differs from "" (a nil pointer hashes differently upstream), so slices written
    without names fall out of their group and get replaced by well-formed ones.
    """
    return frozenset((p.get("name"), p.get("port"), p.get("protocol"), p.get("appProtocol")) for p in ports)


def endpoint_key(endpoint: Obj) -> EndpointKey:
    """hashEndpoint: addresses, hostname and the target's namespace/name identify an endpoint.

    Everything else (conditions, node, zone, uid) is updated in place, not re-placed.
    """
    ref = endpoint.get("targetRef") or {}
    addresses = endpoint.get("addresses") or ()
    return (
        tuple(addresses) if len(addresses) < 2 else tuple(sorted(addresses)),
        endpoint.get("hostname") or "",
        ref.get("namespace", ""),
        ref.get("name", ""),
    )


_CONDITIONS = ("ready", "serving", "terminating")


def endpoints_equal_beyond_key(a: Obj, b: Obj) -> bool:
    """EndpointsEqualBeyondHash: node, zone, conditions and targetRef (minus resourceVersion)."""
    if a == b:  # the common case, decided in C
        return True
    if a.get("nodeName") != b.get("nodeName") or a.get("zone") != b.get("zone"):
        return False
    cond_a, cond_b = a.get("conditions") or {}, b.get("conditions") or {}
    if any(cond_a.get(c) != cond_b.get(c) for c in _CONDITIONS):
        return False
    ref_a, ref_b = a.get("targetRef"), b.get("targetRef")
    return ref_a == ref_b or _without_resource_version(ref_a) == _without_resource_version(ref_b)


def _without_resource_version(ref: Obj | None) -> Obj | None:
    return None if ref is None else {k: v for k, v in ref.items() if k != "resourceVersion"}


# --- Desired state -------------------------------------------------------------------------------


def _endpoint_ports(service: Obj, pod: Obj) -> list[Obj]:
    """getEndpointPorts: service ports resolved on this pod; unresolvable ports are left out."""
    ports = []
    for service_port in service_ports(service):
        protocol = service_port.get("protocol") or "TCP"
        number = resolve_target_port(pod, target_port_of(service_port), protocol)
        if number is None:
            continue
        item: Obj = {"name": service_port.get("name") or "", "port": number, "protocol": protocol}
        if service_port.get("appProtocol"):
            item["appProtocol"] = service_port["appProtocol"]
        ports.append(item)
    return ports


def _has_named_target_port(service: Obj) -> bool:
    targets = (target_port_of(p) for p in service_ports(service))
    return any(isinstance(t, str) and not t.isdigit() for t in targets)


@dataclass(frozen=True, slots=True)
class _ServiceView:
    """What the per-pod loop needs from the Service, computed once per sync (that loop is hot)."""

    publish_not_ready: bool
    # Numeric target ports resolve the same on every pod; a named one makes ports per pod (None).
    shared_ports: list[Obj] | None
    shared_key: PortKey

    @classmethod
    def of(cls, service: Obj) -> _ServiceView:
        shared = None if _has_named_target_port(service) else _endpoint_ports(service, {})
        return cls(
            publish_not_ready=bool((service.get("spec") or {}).get("publishNotReadyAddresses")),
            shared_ports=shared,
            shared_key=port_key(shared or []),
        )

    def ports_for(self, service: Obj, pod: Obj) -> tuple[list[Obj], PortKey]:
        if self.shared_ports is not None:
            return self.shared_ports, self.shared_key
        ports = _endpoint_ports(service, pod)
        return ports, port_key(ports)


def _pod_endpoint(
    pod: Obj, node_name: str, node: Obj | None, service: Obj, view: _ServiceView, addresses: list[str]
) -> Obj:
    """podToEndpoint: ready = publishNotReadyAddresses or (serving and not terminating)."""
    serving = pod_ready(pod)
    terminating = pod_terminating(pod)
    endpoint: Obj = {
        "addresses": addresses,
        "conditions": {
            "ready": view.publish_not_ready or (serving and not terminating),
            "serving": serving,
            "terminating": terminating,
        },
    }
    if should_set_hostname(pod, service):
        endpoint["hostname"] = pod["spec"]["hostname"]
    endpoint["targetRef"] = pod_target_ref(pod)
    if node_name:
        endpoint["nodeName"] = node_name
    if node is not None:
        zone = node_zone(node)
        if zone:
            endpoint["zone"] = zone
    return endpoint


_KeyedGroups = dict[PortKey, tuple[list[Obj], dict[EndpointKey, Obj]]]


def _desired_groups(service: Obj, pods: list[Obj], nodes: dict[str, Obj], address_type: str) -> _KeyedGroups:
    """desired_slice_endpoints, keyed by endpoint identity for the reconciler."""
    view = _ServiceView.of(service)
    want_v6 = address_type == "IPv6"
    groups: _KeyedGroups = {}
    for pod in sorted(selected_pods(service, pods), key=name_of):
        if pod_terminal(pod):
            continue
        ips = pod_ips(pod)
        if not ips:
            continue
        ports, group_key = view.ports_for(service, pod)
        group = groups.get(group_key)
        if group is None:
            group = groups[group_key] = (copy.deepcopy(ports), {})
        node_name = pod_node(pod)
        node = nodes.get(node_name)
        if node is None and not view.publish_not_ready:
            continue  # upstream also requeues the service; the pod appears once its Node does
        addresses = [ip for ip in ips if is_ipv6(ip) == want_v6]
        if addresses:
            endpoint = _pod_endpoint(pod, node_name, node, service, view, addresses)
            ref = endpoint["targetRef"]
            identity = (tuple(sorted(addresses)), endpoint.get("hostname", ""), ref["namespace"], ref["name"])
            group[1][identity] = endpoint  # == endpoint_key(endpoint), without re-reading the dict
    return groups


def desired_slice_endpoints(
    service: Obj, pods: list[Obj], nodes: dict[str, Obj], address_type: str = "IPv4"
) -> PortGroups:
    """Desired (ports, endpoints) per port set for one address type, endpoints in pod-name order.

    Terminating pods stay (ready=false); terminal and IP-less pods are skipped, and so are pods
    whose Node is unknown unless the service publishes not-ready addresses. A group may end up
    with no endpoints (as upstream, which registers the port set before those checks).
    """
    groups = _desired_groups(service, pods, nodes, address_type)
    return {key: (ports, list(endpoints.values())) for key, (ports, endpoints) in groups.items()}


# --- Slice objects -------------------------------------------------------------------------------


def _service_owner_ref(service: Obj) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "name": name_of(service),
        "uid": uid_of(service),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def owned_by(endpoint_slice: Obj, service: Obj) -> bool:
    refs = (endpoint_slice.get("metadata") or {}).get("ownerReferences") or []
    return any(
        r.get("uid") == uid_of(service) and r.get("kind") == "Service" and r.get("apiVersion") == "v1"
        for r in refs
    )


def slice_labels(endpoint_slice: Obj | None, service: Obj) -> tuple[dict[str, str], bool]:
    """setEndpointSliceLabels: the labels a slice should carry and whether the service's drifted.

    Only non-reserved labels are compared, so tampering with reserved labels is not "drift".
    """
    current = {k: v for k, v in labels_of(endpoint_slice or {}).items() if k not in _RESERVED_LABELS}
    wanted = {k: v for k, v in labels_of(service).items() if k not in _RESERVED_LABELS}
    changed = current != wanted
    if not service_ip_set(service):
        wanted[HEADLESS_LABEL] = ""
    wanted[SERVICE_NAME_LABEL] = name_of(service)
    wanted[MANAGED_BY_LABEL] = SLICE_CONTROLLER
    return wanted, changed


def _new_service_slice(service: Obj, ports: list[Obj], address_type: str) -> Obj:
    """newEndpointSlice: unnamed until the plan is finalized (generateName is set)."""
    labels, _ = slice_labels(None, service)
    return {
        "apiVersion": DISCOVERY_API_VERSION,
        "kind": "EndpointSlice",
        "metadata": {
            "generateName": slice_prefix(name_of(service)),
            "namespace": namespace_of(service),
            "labels": labels,
            "ownerReferences": [_service_owner_ref(service)],
        },
        "addressType": address_type,
        "ports": copy.deepcopy(ports),
        "endpoints": [],
    }


def _copy_slice(endpoint_slice: Obj, endpoints: list[Obj]) -> Obj:
    """A deep copy of the slice carrying `endpoints` (the stored endpoint list is never shared)."""
    copied = copy.deepcopy({k: v for k, v in endpoint_slice.items() if k != "endpoints"})
    copied["endpoints"] = endpoints
    return copied


def _rewrite_slice(stored: Obj, content: Obj) -> Obj:
    """An update that replaces the whole object but keeps the identity fields of the stored one."""
    rewritten = copy.deepcopy({k: v for k, v in content.items() if k != "endpoints"})
    rewritten["endpoints"] = list(content.get("endpoints") or [])
    old_meta = stored.get("metadata") or {}
    for key in _SERVER_FIELDS:
        if key in old_meta:
            rewritten["metadata"][key] = copy.deepcopy(old_meta[key])
    return rewritten


def is_placeholder(endpoint_slice: Obj) -> bool:
    return not endpoint_slice.get("ports") and not endpoint_slice.get("endpoints")


def _placeholder_equal(existing: Obj, placeholder: Obj) -> bool:
    """placeholderSliceCompare: namespace, labels, owner refs, address type, no ports/endpoints."""
    meta_a, meta_b = existing.get("metadata") or {}, placeholder["metadata"]
    return (
        is_placeholder(existing)
        and meta_a.get("namespace", "") == meta_b["namespace"]
        and (meta_a.get("labels") or {}) == meta_b["labels"]
        and (meta_a.get("ownerReferences") or []) == meta_b["ownerReferences"]
        and existing.get("addressType") == placeholder["addressType"]
    )


def _set_trigger_time(endpoint_slice: Obj, trigger_time: str | None) -> None:
    annotations = endpoint_slice["metadata"].setdefault("annotations", {})
    if trigger_time:
        annotations[TRIGGER_TIME_ANNOTATION] = trigger_time
    else:  # upstream clears a stale trigger time when it has none for this sync
        annotations.pop(TRIGGER_TIME_ANNOTATION, None)
    if not annotations:
        del endpoint_slice["metadata"]["annotations"]


def _assign_names(
    creates: list[Obj], existing: list[Obj], rng: random.Random, taken: set[str] | None
) -> None:
    """The apiserver's generateName, which never reuses a name present in the namespace."""
    used = set(taken or ()) | {name_of(s) for s in existing}
    for endpoint_slice in creates:
        meta = endpoint_slice["metadata"]
        meta["name"] = generate_name(meta["generateName"], rng, used)
        used.add(meta["name"])


# --- The EndpointSlice controller ------------------------------------------------------------------


def _fill(endpoint_slice: Obj, remaining: list[Obj], start: int, max_per_slice: int) -> int:
    room = max(max_per_slice - len(endpoint_slice["endpoints"]), 0)
    taken = remaining[start : start + room]
    endpoint_slice["endpoints"].extend(taken)
    return start + len(taken)


def _closest_fit(candidates: list[Obj], count: int, max_per_slice: int) -> Obj | None:
    """getSliceToFill: the slice left closest to full after adding `count`; first exact fit wins."""
    best, best_gap = None, max_per_slice
    for candidate in candidates:
        gap = max_per_slice - (count + len(candidate.get("endpoints") or []))
        if 0 <= gap < best_gap:
            best, best_gap = candidate, gap
            if gap == 0:
                break
    return best


def _relabelled_copy(endpoint_slice: Obj, endpoints: list[Obj], labels: dict[str, str]) -> Obj:
    updated = _copy_slice(endpoint_slice, endpoints)
    updated.setdefault("metadata", {})["labels"] = labels
    return updated


def _prune_existing(
    service: Obj, existing: list[Obj], desired: dict[EndpointKey, Obj]
) -> tuple[list[Obj], dict[str, Obj], list[Obj]]:
    """Step 1: keep still-desired endpoints (new versions) in place, drop the rest.

    Pops every endpoint found from `desired`. Returns (unchanged, to_update by name, to_delete).
    """
    unchanged: list[Obj] = []
    to_update: dict[str, Obj] = {}
    to_delete: list[Obj] = []
    for endpoint_slice in existing:
        current = endpoint_slice.get("endpoints") or []
        kept: list[Obj] = []
        endpoint_changed = False
        for endpoint in current:
            wanted = desired.pop(endpoint_key(endpoint), None)
            if wanted is not None:
                kept.append(wanted)
                endpoint_changed = endpoint_changed or not endpoints_equal_beyond_key(wanted, endpoint)
        file_slice(endpoint_slice, service, kept, endpoint_changed, unchanged, to_update, to_delete)
    return unchanged, to_update, to_delete


def file_slice(endpoint_slice: Obj, service: Obj, kept: list[Obj], endpoint_changed: bool,
               unchanged: list[Obj], to_update: dict[str, Obj], to_delete: list[Obj]) -> None:
    """File one existing slice by the endpoints it keeps: deleted when none are left, updated when
    its endpoints or labels changed, else unchanged."""
    labels, labels_changed = slice_labels(endpoint_slice, service)
    if endpoint_changed or len(kept) != len(endpoint_slice.get("endpoints") or []):
        if not kept:
            to_delete.append(endpoint_slice)
        else:
            to_update[name_of(endpoint_slice)] = _relabelled_copy(endpoint_slice, kept, labels)
    elif labels_changed:
        to_update[name_of(endpoint_slice)] = _relabelled_copy(endpoint_slice, kept, labels)
    else:
        unchanged.append(endpoint_slice)


def _reconcile_port_group(
    service: Obj,
    existing: list[Obj],
    ports: list[Obj],
    desired: dict[EndpointKey, Obj],
    address_type: str,
    max_per_slice: int,
) -> SlicePlan:
    """reconcileByPortMapping for one port set: prune in place, refill, then place the rest.

    `desired` is consumed: step 1 pops every endpoint it finds in an existing slice.
    """
    unchanged, to_update, to_delete = _prune_existing(service, existing, desired)
    remaining = list(desired.values())
    next_index = 0

    # Step 2: top up slices that are being written anyway, fullest first (stable: name order).
    if remaining and to_update:
        for endpoint_slice in sorted(to_update.values(), key=lambda s: -len(s["endpoints"])):
            next_index = _fill(endpoint_slice, remaining, next_index, max_per_slice)

    # Step 3: a small remainder goes into the unchanged slice it fills best; otherwise new slices.
    creates: list[Obj] = []
    while next_index < len(remaining):
        left = len(remaining) - next_index
        target = _closest_fit(unchanged, left, max_per_slice) if left < max_per_slice else None
        if target is None:
            target = _new_service_slice(service, ports, address_type)
            creates.append(target)
        else:
            unchanged = [s for s in unchanged if s is not target]
            target = _copy_slice(target, copy.deepcopy(target.get("endpoints") or []))
            to_update[name_of(target)] = target
        next_index = _fill(target, remaining, next_index, max_per_slice)
    return SlicePlan(creates, list(to_update.values()), to_delete)


def _finalize(service: Obj, plan: SlicePlan) -> None:
    """Turn creates into updates of slices otherwise deleted, reusing their names (less churn)."""
    index = 0
    while index < len(plan.delete) and plan.create:
        doomed = plan.delete[index]
        fresh = plan.create[-1]
        if doomed.get("addressType") == fresh["addressType"] and owned_by(doomed, service):
            plan.create.pop()
            plan.update.append(_rewrite_slice(doomed, fresh))
            plan.delete.pop(index)
        else:
            index += 1


def _reconcile_address_type(
    service: Obj,
    pods: list[Obj],
    nodes: dict[str, Obj],
    existing: list[Obj],
    address_type: str,
    max_per_slice: int,
) -> SlicePlan:
    """reconcileByAddressType, including the placeholder rule and finalize's recycling."""
    plan = SlicePlan()
    existing_by_key: dict[PortKey, list[Obj]] = {}
    for endpoint_slice in existing:
        if owned_by(endpoint_slice, service):
            existing_by_key.setdefault(port_key(endpoint_slice.get("ports") or []), []).append(endpoint_slice)
        else:
            plan.delete.append(endpoint_slice)  # e.g. left over from a deleted namesake service

    desired = _desired_groups(service, pods, nodes, address_type)
    for key, (ports, endpoints) in desired.items():
        result = _reconcile_port_group(
            service, existing_by_key.get(key, []), ports, endpoints, address_type, max_per_slice
        )
        plan.extend(result)
    for key, slices in existing_by_key.items():
        if key not in desired:
            plan.delete += slices

    if len(existing) == len(plan.delete) and not plan.create:
        placeholder = _new_service_slice(service, [], address_type)
        if len(plan.delete) == 1 and _placeholder_equal(plan.delete[0], placeholder):
            plan.delete.clear()  # the right placeholder is already there
        else:
            plan.create.append(placeholder)

    _finalize(service, plan)
    return plan


def _is_candidate(endpoint_slice: Obj, owner_name: str, namespace: str, controller: str) -> bool:
    """What the controller's lister sees: its own label pair in the namespace, not being deleted."""
    meta = endpoint_slice.get("metadata") or {}
    labels = meta.get("labels") or {}
    return (
        labels.get(SERVICE_NAME_LABEL) == owner_name
        and labels.get(MANAGED_BY_LABEL) == controller
        and same_namespace(endpoint_slice, namespace)
        and not meta.get("deletionTimestamp")
    )


def reconcile_slices(
    service: Obj,
    pods: list[Obj],
    nodes: dict[str, Obj],
    existing: list[Obj],
    *,
    max_per_slice: int,
    rng: random.Random,
    taken_names: set[str] | None = None,
    trigger_time: str | None = None,
) -> SlicePlan:
    """One EndpointSlice controller sync for `service`.

    `pods` may be every pod of the namespace and `existing` every slice of it: like the real
    controller we only consider slices labelled for this service and managed by this controller
    (others, e.g. user-made or mirrored slices, are never touched). Among those, slices not owned
    by the service's UID are deleted. New slices get names from `rng`, avoiding `taken_names`
    and every existing name; `taken_names` itself is not modified.
    """
    error = max_endpoints_per_slice_error(max_per_slice)
    if error:
        raise ValueError(error)
    if not manages_endpoints(service):
        return SlicePlan()
    namespace = namespace_of(service)
    candidates = sorted(
        (s for s in existing if _is_candidate(s, name_of(service), namespace, SLICE_CONTROLLER)),
        key=name_of,
    )
    address_types = service_ip_families(service)  # getAddressTypesForService
    plan = SlicePlan()
    for address_type in address_types:
        of_type = [s for s in candidates if s.get("addressType") == address_type]
        plan.extend(_reconcile_address_type(service, pods, nodes, of_type, address_type, max_per_slice))
    # Families the service dropped: deleted after the per-family work, never recycled.
    plan.delete += [s for s in candidates if s.get("addressType") not in address_types]

    if (service.get("metadata") or {}).get("deletionTimestamp"):
        plan.create.clear()  # avoid racing the garbage collector
    for endpoint_slice in plan.create + plan.update:
        _set_trigger_time(endpoint_slice, trigger_time)
    _assign_names(plan.create, existing, rng, taken_names)
    return plan


# --- EndpointSlice mirroring ---------------------------------------------------------------------


def should_mirror(endpoints: Obj) -> bool:
    """shouldMirror: not labelled skip-mirror and not a leader-election lock.

    Upstream additionally requires a Service of the same name without a selector; that check is
    the caller's (it holds the Service), who otherwise deletes `mirrored_slices(...)`.
    """
    annotations = (endpoints.get("metadata") or {}).get("annotations") or {}
    return (
        labels_of(endpoints).get(SKIP_MIRROR_LABEL) != "true"
        and LEADER_ELECTION_ANNOTATION not in annotations
    )


def _mirror_address(address: Obj, ready: bool) -> tuple[Obj, str] | None:
    """addressToEndpoint: (endpoint, address type), or None for an invalid IP."""
    try:
        ip = ipaddress.ip_address(address.get("ip", ""))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # Go's To4() treats v4-in-v6 as IPv4
    endpoint: Obj = {"addresses": [str(ip)], "conditions": {"ready": ready}}
    if address.get("hostname"):
        endpoint["hostname"] = address["hostname"]
    if address.get("targetRef") is not None:
        endpoint["targetRef"] = copy.deepcopy(address["targetRef"])
    if address.get("nodeName") is not None:
        endpoint["nodeName"] = address["nodeName"]
    return endpoint, "IPv6" if ip.version == 6 else "IPv4"


def _mirror_ports(subset_ports: list[Obj]) -> list[Obj]:
    ports = []
    for port in subset_ports:
        item: Obj = {
            "name": port.get("name") or "",
            "port": port.get("port"),
            "protocol": port.get("protocol") or "TCP",
        }
        if port.get("appProtocol"):
            item["appProtocol"] = port["appProtocol"]
        ports.append(item)
    return ports


MirrorKey = tuple[str, PortKey]


def _mirror_desired(
    endpoints: Obj, max_per_subset: int
) -> tuple[dict[MirrorKey, list[Obj]], dict[MirrorKey, dict[EndpointKey, Obj]]]:
    """desiredCalc: endpoints per (address type, port set); at most `max_per_subset` per subset."""
    ports_by_key: dict[MirrorKey, list[Obj]] = {}
    endpoints_by_key: dict[MirrorKey, dict[EndpointKey, Obj]] = {}
    for subset in endpoints.get("subsets") or []:
        ports = _mirror_ports(subset.get("ports") or [])
        for address_type in ("IPv4", "IPv6"):
            key = (address_type, port_key(ports))
            endpoints_by_key.setdefault(key, {})
            ports_by_key[key] = ports
        added = 0
        labelled = [(a, True) for a in subset.get("addresses") or []]
        labelled += [(a, False) for a in subset.get("notReadyAddresses") or []]
        for address, ready in labelled:
            if added >= max_per_subset:
                break
            converted = _mirror_address(address, ready)
            if converted is None:
                continue  # invalid IPs are skipped (upstream records an event)
            endpoint, address_type = converted
            endpoints_by_key[(address_type, port_key(ports))][endpoint_key(endpoint)] = endpoint
            added += 1
    return ports_by_key, endpoints_by_key


def _mirrored_annotations(endpoints: Obj) -> dict[str, str]:
    annotations = (endpoints.get("metadata") or {}).get("annotations") or {}
    skipped = (TRIGGER_TIME_ANNOTATION, LAST_APPLIED_ANNOTATION)
    return {k: v for k, v in annotations.items() if k not in skipped}


def _new_mirrored_slice(endpoints: Obj, ports: list[Obj], address_type: str, members: list[Obj]) -> Obj:
    labels = dict(labels_of(endpoints))
    labels[SERVICE_NAME_LABEL] = name_of(endpoints)
    labels[MANAGED_BY_LABEL] = MIRROR_CONTROLLER
    owner = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "name": name_of(endpoints),
        "uid": uid_of(endpoints),
        "controller": True,
        "blockOwnerDeletion": True,
    }
    metadata: Obj = {
        "generateName": slice_prefix(name_of(endpoints)),
        "namespace": namespace_of(endpoints),
        "labels": labels,
        "ownerReferences": [owner],
    }
    annotations = _mirrored_annotations(endpoints)
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": DISCOVERY_API_VERSION,
        "kind": "EndpointSlice",
        "metadata": metadata,
        "addressType": address_type,
        "ports": copy.deepcopy(ports),
        "endpoints": members,
    }


def _mirror_in_sync(endpoints: Obj, endpoint_slice: Obj, desired: dict[EndpointKey, Obj]) -> bool:
    """totalChanges == 0 plus matching labels and annotations (the early return upstream)."""
    current = endpoint_slice.get("endpoints") or []
    if len(current) != len(desired):
        return False
    for endpoint in current:
        wanted = desired.get(endpoint_key(endpoint))
        if wanted is None or not endpoints_equal_beyond_key(wanted, endpoint):
            return False
    reserved = (SERVICE_NAME_LABEL, MANAGED_BY_LABEL)
    copied_labels = {k: v for k, v in labels_of(endpoint_slice).items() if k not in reserved}
    copied_annotations = (endpoint_slice.get("metadata") or {}).get("annotations") or {}
    return labels_of(endpoints) == copied_labels and _mirrored_annotations(endpoints) == copied_annotations


def _recycle(plan: SlicePlan) -> None:
    """recycleSlices: per address type, the i-th create takes over the i-th doomed slice's name."""
    for address_type in ("IPv4", "IPv6"):
        creates = [s for s in plan.create if s["addressType"] == address_type]
        doomed = [s for s in plan.delete if s.get("addressType") == address_type]
        pairs = list(zip(creates, doomed, strict=False))
        recycled_creates = {id(fresh) for fresh, _ in pairs}
        recycled_deletes = {id(old) for _, old in pairs}
        plan.create = [s for s in plan.create if id(s) not in recycled_creates]
        plan.delete = [s for s in plan.delete if id(s) not in recycled_deletes]
        plan.update += [_rewrite_slice(old, fresh) for fresh, old in pairs]


def mirror_endpoints(
    endpoints: Obj,
    existing: list[Obj],
    *,
    rng: random.Random,
    taken_names: set[str] | None = None,
    max_per_subset: int = MIRROR_MAX_ENDPOINTS_PER_SUBSET,
) -> SlicePlan:
    """One EndpointSliceMirroring sync for a user-managed Endpoints object.

    Call it only for Endpoints whose Service exists and has no selector; for any other Endpoints
    the real controller deletes what it mirrored (`SlicePlan(delete=mirrored_slices(...))`).
    """
    mine = mirrored_slices(name_of(endpoints), namespace_of(endpoints), existing)
    if not should_mirror(endpoints):
        return SlicePlan(delete=mine)

    ports_by_key, desired_by_key = _mirror_desired(endpoints, max_per_subset)
    existing_by_key: dict[MirrorKey, list[Obj]] = {}
    for endpoint_slice in mine:
        key = (endpoint_slice.get("addressType", ""), port_key(endpoint_slice.get("ports") or []))
        existing_by_key.setdefault(key, []).append(endpoint_slice)

    plan = SlicePlan()
    for key, desired in desired_by_key.items():
        current = existing_by_key.get(key, [])
        if not desired:
            plan.delete += current
            continue
        plan.delete += current[1:]  # one slice per port set: everything but the first goes
        if current and _mirror_in_sync(endpoints, current[0], desired):
            continue
        members = list(desired.values())[:max_per_subset]
        fresh = _new_mirrored_slice(endpoints, ports_by_key[key], key[0], members)
        if current:
            plan.update.append(_rewrite_slice(current[0], fresh))
        else:
            plan.create.append(fresh)
    for key, slices in existing_by_key.items():
        if key not in desired_by_key:
            plan.delete += slices

    _recycle(plan)
    if (endpoints.get("metadata") or {}).get("deletionTimestamp"):
        plan.create.clear()
    _assign_names(plan.create, existing, rng, taken_names)
    return plan


def mirrored_slices(endpoints_name: str, namespace: str, existing: list[Obj]) -> list[Obj]:
    """The slices the mirroring controller owns for an Endpoints name (to delete them all)."""
    return sorted(
        (s for s in existing if _is_candidate(s, endpoints_name, namespace, MIRROR_CONTROLLER)),
        key=name_of,
    )
