"""The v1 Endpoints controller as a pure function: the Endpoints object a Service should have.

Follows pkg/controller/endpoint/endpoints_controller.go (syncService, truncateEndpoints) and
pkg/api/v1/endpoints/util.go (RepackSubsets). Also home to the pod/service helpers that the
EndpointSlice controller shares with it (pod IPs, hostname rule, target ports).
"""

from __future__ import annotations

import math
from typing import Any

from cluster.sim.objects import (
    HEADLESS_LABEL,
    Obj,
    labels_of,
    name_of,
    namespace_of,
    pod_node,
    pod_ready,
    pod_terminal,
    pod_terminating,
    resolve_target_port,
    selector_matches,
    service_cluster_ip,
    service_ports,
    service_type,
)

MAX_ENDPOINTS = 1000
OVER_CAPACITY_ANNOTATION = "endpoints.kubernetes.io/over-capacity"
TRUNCATED = "truncated"
TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time"

# (service port index, name, port, protocol, appProtocol): the index only orders ports and subsets
# deterministically (upstream orders them by an md5 of their Go dump, which we do not reproduce).
PortRef = tuple[int, str, int, str, Any]
AddressKey = tuple[str, str]  # (ip, pod uid): upstream de-duplicates addresses on this pair


# --- Helpers shared with the EndpointSlice controller ------------------------------------------


def is_ipv6(ip: str) -> bool:
    return ":" in ip


def pod_ips(pod: Obj) -> list[str]:
    """status.podIPs, falling back to status.podIP (the simulator often sets only the latter)."""
    status = pod.get("status") or {}
    entries = status.get("podIPs")
    ips = [entry["ip"] for entry in entries if entry.get("ip")] if entries else []
    if not ips and status.get("podIP"):
        ips = [status["podIP"]]
    return ips


def service_ip_families(service: Obj) -> list[str]:
    """spec.ipFamilies, or (as the apiserver would default it) the cluster IP's family, else IPv4.

    Upstream controllers carry extra fallbacks for old apiservers that left ipFamilies unset
    (e.g. dual-stack for headless services); the simulator's apiserver always defaults it.
    """
    families = [f for f in (service.get("spec") or {}).get("ipFamilies") or [] if f in ("IPv4", "IPv6")]
    if families:
        return list(dict.fromkeys(families))
    cluster_ip = service_cluster_ip(service)
    return ["IPv6" if cluster_ip not in ("", "None") and is_ipv6(cluster_ip) else "IPv4"]


def service_ip_set(service: Obj) -> bool:
    """helper.IsServiceIPSet: a Service without a cluster IP ("" or "None") is labelled headless."""
    return service_cluster_ip(service) not in ("", "None")


def manages_endpoints(service: Obj) -> bool:
    """Both controllers skip ExternalName services and services without a selector.

    An empty selector counts as none: the apiserver round-trips `{}` to nil.
    """
    return service_type(service) != "ExternalName" and bool((service.get("spec") or {}).get("selector"))


def selected_pods(service: Obj, pods: list[Obj]) -> list[Obj]:
    """The pods of the service's namespace that its selector (objects.selector_matches) picks."""
    selector = (service.get("spec") or {}).get("selector")
    namespace = namespace_of(service)
    return [
        pod for pod in pods if same_namespace(pod, namespace) and selector_matches(selector, labels_of(pod))
    ]


def same_namespace(obj: Obj, namespace: str) -> bool:
    # Lenient when either side leaves the namespace out (callers pass one namespace's pods anyway).
    other = namespace_of(obj)
    return not other or not namespace or other == namespace


def should_set_hostname(pod: Obj, service: Obj) -> bool:
    spec = pod.get("spec") or {}
    return (
        bool(spec.get("hostname"))
        and spec.get("subdomain") == name_of(service)
        and namespace_of(pod) == namespace_of(service)
    )


def target_port_of(service_port: Obj) -> int | str:
    # The apiserver defaults an absent targetPort to the port itself.
    target = service_port.get("targetPort")
    return service_port.get("port", 0) if target in (None, "", 0) else target


def pod_target_ref(pod: Obj) -> Obj:
    meta = pod.get("metadata") or {}  # read once: this runs for every pod of every sync
    return {
        "kind": "Pod",
        "namespace": meta.get("namespace", ""),
        "name": meta.get("name", ""),
        "uid": meta.get("uid", ""),
    }


# --- Desired Endpoints ---------------------------------------------------------------------------


def _ip_of_family(ips: list[str], family: str) -> str:
    """podToEndpointAddressForService picks the first pod IP of the family ("" when none)."""
    want_v6 = family == "IPv6"
    for ip in ips:
        if is_ipv6(ip) == want_v6:
            return ip
    return ""


def _pod_address(service: Obj, pod: Obj, ip: str) -> Obj:
    address: Obj = {"ip": ip}
    if should_set_hostname(pod, service):
        address["hostname"] = pod["spec"]["hostname"]
    node_name = pod_node(pod)
    if node_name:
        address["nodeName"] = node_name
    address["targetRef"] = pod_target_ref(pod)
    return address


def _port_ref(index: int, service_port: Obj, number: int) -> PortRef:
    return (
        index,
        service_port.get("name") or "",
        number,
        service_port.get("protocol") or "TCP",
        service_port.get("appProtocol"),
    )


def _address_entries(service: Obj, pods: list[Obj]) -> list[tuple[Obj, PortRef | None, bool]]:
    """One (address, port, ready) entry per selected pod and resolvable service port.

    Eligibility is ShouldPodBeInEndpoints with includeTerminating = publishNotReadyAddresses.
    """
    spec = service.get("spec") or {}
    publish = bool(spec.get("publishNotReadyAddresses"))
    ports = service_ports(service)
    headless = service_cluster_ip(service) == "None"
    family = service_ip_families(service)[0]  # Endpoints only ever carry the primary family
    entries: list[tuple[Obj, PortRef | None, bool]] = []
    for pod in selected_pods(service, pods):
        ips = pod_ips(pod)
        if not ips or pod_terminal(pod) or (pod_terminating(pod) and not publish):
            continue
        ip = _ip_of_family(ips, family)
        if not ip:
            continue  # e.g. a single-stack pod behind a service of the other family
        address = _pod_address(service, pod, ip)
        ready = publish or pod_ready(pod)
        if not ports:
            if headless:  # a headless service may have no ports: addresses without ports
                entries.append((address, None, ready))
            continue
        for index, service_port in enumerate(ports):
            protocol = service_port.get("protocol") or "TCP"
            number = resolve_target_port(pod, target_port_of(service_port), protocol)
            if number is not None:
                entries.append((address, _port_ref(index, service_port, number), ready))
    return entries


def _address_key(address: Obj) -> AddressKey:
    return (address["ip"], (address.get("targetRef") or {}).get("uid", ""))


def _port_item(ref: PortRef) -> Obj:
    _, name, number, protocol, app_protocol = ref
    item: Obj = {"name": name} if name else {}
    item.update(port=number, protocol=protocol)
    if app_protocol:
        item["appProtocol"] = app_protocol
    return item


def _copy_address(address: Obj) -> Obj:
    copied = dict(address)
    if "targetRef" in copied:
        copied["targetRef"] = dict(copied["targetRef"])
    return copied


def _repack(entries: list[tuple[Obj, PortRef | None, bool]]) -> list[Obj]:
    """RepackSubsets: one subset per group of ports served by exactly the same (address, ready) set.

    An address that is not ready on any port is not ready for that port (not-ready trumps ready).
    Note this groups *ports* by address set, so one address can appear in several subsets.
    """
    addresses: dict[AddressKey, Obj] = {}
    readiness_by_port: dict[PortRef | None, dict[AddressKey, bool]] = {}
    for address, port, ready in entries:
        key = _address_key(address)
        addresses.setdefault(key, address)
        readiness = readiness_by_port.setdefault(port, {})
        readiness[key] = readiness.get(key, True) and ready
    ports_by_members: dict[frozenset[tuple[AddressKey, bool]], list[PortRef]] = {}
    for port, readiness in readiness_by_port.items():
        group = ports_by_members.setdefault(frozenset(readiness.items()), [])
        if port is not None:  # None is the "no ports" sentinel of a headless service
            group.append(port)
    subsets = [_subset(members, sorted(ports), addresses) for members, ports in ports_by_members.items()]
    return [subset for _, subset in sorted(subsets, key=lambda pair: pair[0])]


def _subset(
    members: frozenset[tuple[AddressKey, bool]], ports: list[PortRef], addresses: dict[AddressKey, Obj]
) -> tuple[tuple[Any, ...], Obj]:
    # Upstream sorts addresses by the bytes of the IP string, then the pod UID.
    ready = sorted(key for key, is_ready in members if is_ready)
    not_ready = sorted(key for key, is_ready in members if not is_ready)
    subset: Obj = {}
    if ready:
        subset["addresses"] = [_copy_address(addresses[key]) for key in ready]
    if not_ready:
        subset["notReadyAddresses"] = [_copy_address(addresses[key]) for key in not_ready]
    if ports:
        subset["ports"] = [_port_item(ref) for ref in ports]
    sort_key = (tuple((ref[0], ref[2]) for ref in ports), min(ready + not_ready, default=("", "")))
    return sort_key, subset


def _truncate(subsets: list[Obj]) -> bool:
    """truncateEndpoints: keep at most MAX_ENDPOINTS addresses, ready ones first.

    Each subset keeps ceil(its share x budget) of the trimmed kind, capped by what is left, so
    the last subsets absorb the rounding. Returns whether anything had to be cut.
    """
    total_ready = sum(len(s.get("addresses", [])) for s in subsets)
    total_not_ready = sum(len(s.get("notReadyAddresses", [])) for s in subsets)
    if total_ready + total_not_ready <= MAX_ENDPOINTS:
        return False
    trim_ready = total_ready > MAX_ENDPOINTS
    field = "addresses" if trim_ready else "notReadyAddresses"
    budget = MAX_ENDPOINTS if trim_ready else MAX_ENDPOINTS - total_ready
    total = total_ready if trim_ready else total_not_ready
    left = budget
    for subset in subsets:
        current = subset.get(field, [])
        keep = min(math.ceil(len(current) / total * budget), left)
        _set_or_drop(subset, field, current[:keep])
        if trim_ready:
            subset.pop("notReadyAddresses", None)
        left -= min(keep, len(current))
    return True


def _set_or_drop(obj: Obj, key: str, values: list[Obj]) -> None:
    if values:
        obj[key] = values
    else:
        obj.pop(key, None)


def _endpoints_labels(service: Obj) -> dict[str, str]:
    labels = dict(labels_of(service))
    if service_ip_set(service):
        labels.pop(HEADLESS_LABEL, None)
    else:
        labels[HEADLESS_LABEL] = ""
    return labels


def desired_endpoints(service: Obj, pods: list[Obj], *, trigger_time: str) -> Obj | None:
    """The Endpoints object the endpoints controller writes for `service` (None: it writes none).

    `pods` may be every pod of the namespace; the service selector is applied here.
    """
    if not manages_endpoints(service):
        return None
    return endpoints_of_entries(service, _address_entries(service, pods), trigger_time=trigger_time)


def endpoints_of_entries(service: Obj, entries: list[tuple[Obj, PortRef | None, bool]], *,
                         trigger_time: str) -> Obj:
    """The Endpoints object of the (address, port, ready) entries: repacked, then truncated."""
    subsets = _repack(entries)
    annotations: dict[str, str] = {}
    if trigger_time:
        annotations[TRIGGER_TIME_ANNOTATION] = trigger_time
    if _truncate(subsets):
        annotations[OVER_CAPACITY_ANNOTATION] = TRUNCATED
    return {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {
            "name": name_of(service),
            "namespace": namespace_of(service),
            "labels": _endpoints_labels(service),
            "annotations": annotations,
        },
        "subsets": subsets,
    }


# --- Change detection ----------------------------------------------------------------------------


def _comparable_subsets(endpoints: Obj) -> list[Obj]:
    """Subsets with empty lists dropped and targetRef.resourceVersion ignored, as upstream compares."""
    result = []
    for subset in endpoints.get("subsets") or []:
        normalized: Obj = {}
        for field in ("addresses", "notReadyAddresses"):
            if subset.get(field):
                normalized[field] = [_without_resource_version(a) for a in subset[field]]
        if subset.get("ports"):
            normalized["ports"] = subset["ports"]
        result.append(normalized)
    return result


def _without_resource_version(address: Obj) -> Obj:
    ref = address.get("targetRef")
    if not ref or "resourceVersion" not in ref:
        return address
    return {**address, "targetRef": {k: v for k, v in ref.items() if k != "resourceVersion"}}


def _comparable_labels(endpoints: Obj) -> dict[str, str]:
    # Upstream strips the headless label before comparing, so drift of that label alone never
    # triggers a write (it is corrected on the next real change).
    return {k: v for k, v in labels_of(endpoints).items() if k != HEADLESS_LABEL}


def _over_capacity(endpoints: Obj) -> str | None:
    return ((endpoints.get("metadata") or {}).get("annotations") or {}).get(OVER_CAPACITY_ANNOTATION)


def endpoints_differ(existing: Obj | None, desired: Obj) -> bool:
    """Whether the controller must write `desired` over `existing`.

    Compares subsets, labels and the over-capacity annotation; the trigger-time annotation and
    server metadata (uid, resourceVersion, creationTimestamp) never force a write. Upstream would
    also re-send a truncated object every sync (it compares against the untruncated subsets), but
    the apiserver turns that into a no-op, so an identical truncated object counts as no change.
    """
    if existing is None:
        return True
    return (
        _comparable_subsets(existing) != _comparable_subsets(desired)
        or _comparable_labels(existing) != _comparable_labels(desired)
        or _over_capacity(existing) != _over_capacity(desired)
    )
