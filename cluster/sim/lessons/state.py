"""What a lesson's checks read: the sandbox's objects, its settings, its recent requests and what
the learner was seen doing that leaves no trace in the objects (a command run, a refused write)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cluster.sim.objects import (
    SERVICE_NAME_LABEL,
    ClusterSettings,
    Obj,
    labels_of,
    name_of,
    namespace_of,
    node_external_ip,
    node_internal_ip,
    pod_ip,
    pod_node,
    pod_ready,
    selector_matches,
    service_cluster_ip,
    service_lb_ips,
    service_ports,
)


def parse_pairs(text: str) -> dict[str, str]:
    """`app=kubia,tier=web` -> {"app": "kubia", "tier": "web"} (how lesson files write selectors)."""
    pairs: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f'"{part}" is not key=value')
        pairs[key.strip()] = value.strip()
    return pairs


def subset(wanted: Mapping[str, str], actual: Mapping[str, str] | None) -> bool:
    return all((actual or {}).get(k) == v for k, v in wanted.items())


@dataclass(frozen=True)
class LessonState:
    objects: Mapping[str, list[Obj]]
    settings: ClusterSettings
    traces: tuple[Obj, ...] = ()  # oldest first
    observations: tuple[Obj, ...] = ()  # oldest first
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def of(self, kind: str) -> list[Obj]:
        return list(self.objects.get(kind) or [])

    # --- Services and what they select --------------------------------------------------------

    def services(self) -> list[Obj]:
        return self.of("Service")

    def service(self, name: str, namespace: str = "") -> Obj | None:
        matches = [s for s in self.services() if name_of(s) == name and (not namespace or namespace_of(s) == namespace)]
        matches.sort(key=lambda s: namespace_of(s) != "default")
        return matches[0] if matches else None

    def selected_pods(self, service: Obj) -> list[Obj]:
        selector = (service.get("spec") or {}).get("selector")
        return [p for p in self.of("Pod")
                if namespace_of(p) == namespace_of(service) and selector_matches(selector, labels_of(p))]

    def pods_matching(self, selector: Mapping[str, str]) -> list[Obj]:
        return [p for p in self.of("Pod") if subset(selector, labels_of(p))]

    def endpoints_of(self, service: Obj) -> Obj | None:
        return next((e for e in self.of("Endpoints")
                     if name_of(e) == name_of(service) and namespace_of(e) == namespace_of(service)), None)

    def ready_addresses(self, service: Obj) -> list[str]:
        ep = self.endpoints_of(service) or {}
        return [a.get("ip", "") for s in ep.get("subsets") or [] if s.get("ports")
                for a in s.get("addresses") or []]

    def not_ready_addresses(self, service: Obj) -> list[str]:
        ep = self.endpoints_of(service) or {}
        return [a.get("ip", "") for s in ep.get("subsets") or [] for a in s.get("notReadyAddresses") or []]

    def slices_of(self, service: Obj) -> list[Obj]:
        return [s for s in self.of("EndpointSlice")
                if namespace_of(s) == namespace_of(service) and labels_of(s).get(SERVICE_NAME_LABEL) == name_of(service)]

    # --- Nodes ----------------------------------------------------------------------------------

    def nodes(self) -> list[Obj]:
        return self.of("Node")

    def nodes_with_ready_pod(self, pods: list[Obj]) -> set[str]:
        return {pod_node(p) for p in pods if pod_ready(p) and pod_node(p)}

    def node_by_ip(self, ip: str) -> Obj | None:
        return next((n for n in self.nodes() if ip in (node_internal_ip(n), node_external_ip(n))), None)

    # --- Addresses, for telling what a request was sent to -------------------------------------

    def address_kind(self, ip: str, port: int) -> str:
        """clusterIP | nodePort | loadBalancer | pod | node | other: what `ip:port` is in this sandbox."""
        for svc in self.services():
            ports = service_ports(svc)
            if ip == service_cluster_ip(svc) and any(p.get("port") == port for p in ports):
                return "clusterIP"
            if ip in service_lb_ips(svc) and any(p.get("port") == port for p in ports):
                return "loadBalancer"
        if self.node_by_ip(ip) is not None:
            if any(p.get("nodePort") == port for s in self.services() for p in service_ports(s)):
                return "nodePort"
            return "node"
        if any(pod_ip(p) == ip for p in self.of("Pod")):
            return "pod"
        return "other"
