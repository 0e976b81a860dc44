"""kube-proxy as data: what each node's proxy knows about Services, and the rules it holds.

Pure core, no Django. The input is Kubernetes-shaped dicts; kube-proxy reads EndpointSlices
(merging every slice of a Service), never Pods. The shapes follow the upstream proxiers in
kubernetes/kubernetes pkg/proxy (iptables/proxier.go, nftables/proxier.go, ipvs/proxier.go,
endpointslicecache.go, topology.go), so chain names, comments and probabilities match what
`iptables-save` / `nft list table` / `ipvsadm -Ln` show on a real node.
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, NamedTuple

from cluster.sim.objects import (
    SERVICE_NAME_LABEL,
    ClusterSettings,
    Obj,
    ip_in_cidr,
    labels_of,
    name_of,
    namespace_of,
    node_external_ip,
    node_internal_ip,
    node_pod_cidr,
    node_ready,
    node_zone,
    pod_ip,
    service_cluster_ip,
    service_is_headless,
    service_lb_ips,
    service_ports,
    service_type,
)

MASQ_MARK = "0x4000"  # 1 << --iptables-masquerade-bit (14 by default)
LARGE_CLUSTER_ENDPOINTS = 1000  # largeClusterEndpointsThreshold: above it, per-endpoint comments go
DEFAULT_AFFINITY_SECONDS = 10800
IPVS_DUMMY_INTERFACE = "kube-ipvs0"
IPVS_SCHEDULER = "rr"
NFT_TABLE = "ip kube-proxy"
NFT_CHAIN_BASE_MAX = 240  # knftables.NameLengthMax (256) minus the longest prefix (16)
EXCLUDE_FROM_LB_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"

CLUSTER = "cluster"
LOCAL = "local"


# --- Names ----------------------------------------------------------------------------------------


@cache  # chain names are recomputed for every rule that jumps to them
def _b32_sha256(text: str, length: int) -> str:
    return base64.b32encode(hashlib.sha256(text.encode()).digest()).decode()[:length]


def service_port_name(namespace: str, service: str, port_name: str) -> str:
    """ServicePortName.String(): `ns/svc:port`, or `ns/svc` for an unnamed port."""
    base = f"{namespace}/{service}"
    return f"{base}:{port_name}" if port_name else base


def chain_hash(
    prefix: str, namespace: str, service: str, port_name: str, protocol: str, endpoint: str = ""
) -> str:
    """`KUBE-SVC-XPGD46QRK7WJZT7O`-style iptables chain name.

    portProtoHash / servicePortEndpointChainName: base32(sha256(svcPortName + protocol
    [+ "ip:port"])) cut to 16 characters. Upstream hashes the lower-case protocol.
    """
    if not prefix.endswith("-"):
        prefix += "-"
    text = service_port_name(namespace, service, port_name) + protocol.lower() + endpoint
    return prefix + _b32_sha256(text, 16)


def nft_chain_name(
    prefix: str, namespace: str, service: str, port_name: str, protocol: str, endpoint: str = ""
) -> str:
    """`service-ULMVA6XW-ns1/svc1/tcp/p80` (nftables servicePortChainNameBase + hashAndTruncate).

    With an endpoint "ip:port" the base becomes `ns/svc/proto/port__ip/port`.
    """
    if not prefix.endswith("-"):
        prefix += "-"
    base = f"{namespace}/{service}/{protocol.lower()}/{port_name}"
    if endpoint:
        ip, _, port = endpoint.rpartition(":")
        base += f"__{ip.replace(':', '.')}/{port}"
    base = f"{_b32_sha256(base, 8)}-{base}"
    if len(base) > NFT_CHAIN_BASE_MAX:
        base = base[: NFT_CHAIN_BASE_MAX - 3] + "..."
    return prefix + base


# --- What kube-proxy knows about one service port ---------------------------------------------------


@dataclass(frozen=True)
class ServicePort:
    """One Service port as kube-proxy's ServicePortInfo sees it (defaults already applied)."""

    namespace: str
    service: str
    port_name: str
    protocol: str  # upper-case, as in the API
    port: int
    target_port: int | str
    node_port: int
    cluster_ip: str
    service_type: str
    external_ips: tuple[str, ...]
    lb_ips: tuple[str, ...]
    source_ranges: tuple[str, ...]
    etp_local: bool
    itp_local: bool
    affinity_seconds: int | None  # set when sessionAffinity is ClientIP
    health_check_node_port: int

    @property
    def name(self) -> str:
        return service_port_name(self.namespace, self.service, self.port_name)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.service}"

    @property
    def proto(self) -> str:
        return self.protocol.lower()

    @property
    def externally_accessible(self) -> bool:
        return bool(self.node_port or self.lb_ips or self.external_ips)

    @property
    def uses_cluster_endpoints(self) -> bool:
        # Even with externalTrafficPolicy Local, pods on the node short-circuit to all endpoints.
        return not self.itp_local or self.externally_accessible

    @property
    def uses_local_endpoints(self) -> bool:
        return self.itp_local or (self.etp_local and self.externally_accessible)


def _service_externally_accessible(svc: Obj) -> bool:
    spec = svc.get("spec") or {}
    return service_type(svc) in ("NodePort", "LoadBalancer") or bool(spec.get("externalIPs"))


def health_check_node_port(svc: Obj) -> int:
    """The port kube-proxy serves the Service's health check on, and its filter rules accept:
    spec.healthCheckNodePort when apiservice.NeedsHealthCheck holds (type LoadBalancer with
    externalTrafficPolicy Local), else 0, whatever the field says (newBaseServiceInfo)."""
    spec = svc.get("spec") or {}
    if service_type(svc) != "LoadBalancer" or spec.get("externalTrafficPolicy") != "Local":
        return 0
    return int(spec.get("healthCheckNodePort") or 0)


def _affinity_seconds(svc: Obj) -> int | None:
    spec = svc.get("spec") or {}
    if spec.get("sessionAffinity") != "ClientIP":
        return None
    config = (spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}
    return int(config.get("timeoutSeconds") or DEFAULT_AFFINITY_SECONDS)


def service_port_infos(svc: Obj) -> list[ServicePort]:
    """Every port of a proxied Service (none for headless, ExternalName or IP-less services)."""
    cluster_ip = service_cluster_ip(svc)
    if not cluster_ip or service_is_headless(svc) or service_type(svc) == "ExternalName":
        return []
    spec = svc.get("spec") or {}
    etp_local = spec.get("externalTrafficPolicy") == "Local" and _service_externally_accessible(svc)
    lb_ips = tuple(service_lb_ips(svc)) if service_type(svc) == "LoadBalancer" else ()
    return [
        ServicePort(
            namespace=namespace_of(svc),
            service=name_of(svc),
            port_name=port.get("name") or "",
            protocol=port.get("protocol") or "TCP",
            port=int(port.get("port") or 0),
            target_port=port.get("targetPort") or port.get("port") or 0,
            node_port=int(port.get("nodePort") or 0),
            cluster_ip=cluster_ip,
            service_type=service_type(svc),
            external_ips=tuple(spec.get("externalIPs") or ()),
            lb_ips=lb_ips,
            source_ranges=tuple(spec.get("loadBalancerSourceRanges") or ()) if lb_ips else (),
            etp_local=etp_local,
            itp_local=spec.get("internalTrafficPolicy") == "Local",
            affinity_seconds=_affinity_seconds(svc),
            health_check_node_port=health_check_node_port(svc),
        )
        for port in service_ports(svc)
    ]


# --- Endpoints, as merged from EndpointSlices -------------------------------------------------------


class Endpoint(NamedTuple):
    """One endpoint of one service port (BaseEndpointInfo). A tuple: thousands are built per view."""

    ip: str
    port: int
    node: str
    zone: str
    ready: bool
    serving: bool
    terminating: bool
    pod: str  # targetRef name, "" for endpoints that are not pods
    namespace: str
    slice: str
    zone_hints: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        return f"{self.ip}:{self.port}"


def _slice_port(slice_obj: Obj, port_name: str, protocol: str) -> int:
    for port in slice_obj.get("ports") or []:
        name = port.get("name") or ""
        if name == port_name and (port.get("protocol") or "TCP") == protocol and port.get("port"):
            return int(port["port"])
    return 0


NO_HINTS: frozenset[str] = frozenset()


def _endpoint_from_slice(endpoint: Obj, port: int, namespace: str, slice_name: str) -> Endpoint:
    cond = endpoint.get("conditions") or {}
    ready = cond.get("ready") is not False  # nil means ready (endpointslicecache.go)
    serving = ready if cond.get("serving") is None else bool(cond["serving"])
    ref = endpoint.get("targetRef") or {}
    is_pod = ref.get("kind", "Pod") == "Pod"
    hints = endpoint.get("hints")
    zones = frozenset(h.get("name", "") for h in hints.get("forZones") or []) if hints else NO_HINTS
    return Endpoint(
        endpoint["addresses"][0],
        port,
        endpoint.get("nodeName") or "",
        endpoint.get("zone") or "",
        ready,
        serving,
        bool(cond.get("terminating")),
        ref.get("name", "") if is_pod else "",
        ref.get("namespace") or namespace,
        slice_name,
        zones,
    )


class Endpoints(tuple):
    """The endpoints of one service port, with a small memo of what the data plane derives from them
    (per node: the categorized sets, the candidates' groups). Kept by a process while the slices do
    not change (cluster/services/endpoint_cache.py), so a trace of a large Service derives it once."""

    MEMO_ENTRIES = 32  # one per node a trace went through, or so: a bound, not a working set

    def remember(self, key: tuple, make: Callable[[], Any]) -> Any:
        memo = self.__dict__.setdefault("memo", {})
        if key not in memo:
            if len(memo) >= self.MEMO_ENTRIES:
                memo.clear()
            memo[key] = make()
        return memo[key]


def merge_slice_endpoints(slices: list[Obj], port_name: str, protocol: str) -> Endpoints:
    """All endpoints of one service port across its slices, deduplicated by ip:port and sorted
    by that string, as endpointsMapFromEndpointInfo does (so "10.244.1.10" sorts before ".5")."""
    merged: dict[str, Endpoint] = {}
    for slice_obj in slices:
        if slice_obj.get("addressType", "IPv4") != "IPv4":
            continue  # this simulated proxier is single-stack IPv4; FQDN slices are ignored too
        port = _slice_port(slice_obj, port_name, protocol)
        if not port:
            continue
        namespace, slice_name = namespace_of(slice_obj), name_of(slice_obj)
        for endpoint in slice_obj.get("endpoints") or []:
            if endpoint.get("addresses"):
                ep = _endpoint_from_slice(endpoint, port, namespace, slice_name)
                merged.setdefault(ep.key, ep)
    return Endpoints(merged[key] for key in sorted(merged))


@dataclass(frozen=True)
class Categorized:
    """proxy.CategorizeEndpoints for one node."""

    cluster: tuple[Endpoint, ...]
    local: tuple[Endpoint, ...]
    reachable: tuple[Endpoint, ...]
    has_any: bool
    cluster_fallback: bool = False  # cluster set is serving+terminating endpoints
    local_fallback: bool = False
    topology_zone: str = ""  # set when zone hints narrowed the cluster set


def _topology_zone(endpoints: tuple[Endpoint, ...], zone: str) -> str:
    """PreferSameZone applies only if every ready endpoint has a zone hint and one names ours."""
    ready = [ep for ep in endpoints if ep.ready]
    if not ready or not zone or any(not ep.zone_hints for ep in ready):
        return ""
    return zone if any(zone in ep.zone_hints for ep in ready) else ""


def categorize_endpoints(
    endpoints: tuple[Endpoint, ...], spi: ServicePort, node_name: str, zone: str = ""
) -> Categorized:
    """Ready endpoints by default; serving+terminating ones only when a set has no ready one."""
    cluster: tuple[Endpoint, ...] = ()
    local: tuple[Endpoint, ...] = ()
    has_any = cluster_fallback = local_fallback = False
    topology = ""
    if spi.uses_cluster_endpoints:
        topology = _topology_zone(endpoints, zone)
        cluster = tuple(ep for ep in endpoints if ep.ready and (not topology or topology in ep.zone_hints))
        if not cluster:
            cluster = tuple(ep for ep in endpoints if ep.serving and ep.terminating)
            cluster_fallback = bool(cluster)
        has_any = bool(cluster)
    if not spi.uses_local_endpoints:
        return Categorized(cluster, (), cluster, has_any, cluster_fallback, False, topology)

    usable = [ep for ep in endpoints if ep.ready or (ep.serving and ep.terminating)]
    has_any = has_any or bool(usable)
    local_ready = tuple(ep for ep in endpoints if ep.node == node_name and ep.ready)
    if local_ready:
        local = local_ready
    else:
        local = tuple(ep for ep in endpoints if ep.node == node_name and ep.serving and ep.terminating)
        local_fallback = bool(local)
    seen = {ep.key for ep in cluster}
    reachable = tuple(sorted((*cluster, *(ep for ep in local if ep.key not in seen)), key=lambda e: e.key))
    return Categorized(cluster, local, reachable, has_any, cluster_fallback, local_fallback, topology)


# --- The cluster as kube-proxy reads it --------------------------------------------------------------


@dataclass(frozen=True)
class NodeContext:
    """The facts about one node that its kube-proxy uses."""

    name: str
    internal_ip: str
    external_ip: str
    pod_cidr: str
    zone: str
    ready: bool
    large_cluster: bool = False

    @property
    def ips(self) -> tuple[str, ...]:
        return tuple(ip for ip in (self.internal_ip, self.external_ip) if ip)

    def is_pod_source(self, ip: str) -> bool:
        """--detect-local-mode=NodeCIDR: traffic from this node's pod CIDR is "local"."""
        return bool(self.pod_cidr) and ip_in_cidr(ip, self.pod_cidr)

    def is_host_source(self, ip: str) -> bool:
        return ip in self.ips


@dataclass(frozen=True)
class VipTarget:
    """A (ip, port, protocol) that some Service captures, and how."""

    spi: ServicePort
    kind: str  # clusterIP | externalIP | loadBalancer


@dataclass(eq=False)
class ClusterView:
    """A read-only snapshot of the cluster with lazily built indexes (build one per request)."""

    settings: ClusterSettings
    nodes: list[Obj] = field(default_factory=list)
    pods: list[Obj] = field(default_factory=list)
    services: list[Obj] = field(default_factory=list)
    endpointslices: list[Obj] = field(default_factory=list)

    # Nodes

    @cached_property
    def _nodes_by_name(self) -> dict[str, Obj]:
        return {name_of(node): node for node in self.nodes}

    @cached_property
    def _nodes_by_ip(self) -> dict[str, Obj]:
        index: dict[str, Obj] = {}
        for node in self.nodes:
            for ip in (node_internal_ip(node), node_external_ip(node)):
                if ip:
                    index.setdefault(ip, node)
        return index

    def node(self, name: str) -> Obj | None:
        return self._nodes_by_name.get(name)

    def node_by_ip(self, ip: str) -> Obj | None:
        return self._nodes_by_ip.get(ip)

    def node_names(self) -> list[str]:
        return sorted(self._nodes_by_name)

    def node_for_pod_ip(self, ip: str) -> Obj | None:
        """The node whose podCIDR holds ip (how the pod network routes to it)."""
        for node in self.nodes:
            cidr = node_pod_cidr(node)
            if cidr and ip_in_cidr(ip, cidr):
                return node
        return None

    def node_context(self, name: str) -> NodeContext:
        node = self.node(name)
        if node is None:
            raise KeyError(f"no node named {name!r}")
        return NodeContext(
            name=name,
            internal_ip=node_internal_ip(node),
            external_ip=node_external_ip(node),
            pod_cidr=node_pod_cidr(node),
            zone=node_zone(node),
            ready=node_ready(node),
            large_cluster=self.total_endpoints > LARGE_CLUSTER_ENDPOINTS,
        )

    # Pods

    @cached_property
    def _pods_by_key(self) -> dict[tuple[str, str], Obj]:
        return {(namespace_of(pod), name_of(pod)): pod for pod in self.pods}

    @cached_property
    def _pods_by_ip(self) -> dict[str, Obj]:
        return {pod_ip(pod): pod for pod in self.pods if pod_ip(pod)}

    def pod(self, namespace: str, name: str) -> Obj | None:
        return self._pods_by_key.get((namespace, name))

    def pod_by_ip(self, ip: str) -> Obj | None:
        return self._pods_by_ip.get(ip)

    def endpoint_pod(self, ep: Endpoint) -> Obj | None:
        return (self.pod(ep.namespace, ep.pod) if ep.pod else None) or self.pod_by_ip(ep.ip)

    # Services and their slices

    @cached_property
    def _services_by_key(self) -> dict[tuple[str, str], Obj]:
        return {(namespace_of(svc), name_of(svc)): svc for svc in self.services}

    def service(self, namespace: str, name: str) -> Obj | None:
        return self._services_by_key.get((namespace, name))

    @cached_property
    def _slices_by_service(self) -> dict[tuple[str, str], list[Obj]]:
        index: dict[tuple[str, str], list[Obj]] = defaultdict(list)
        for slice_obj in self.endpointslices:
            service = labels_of(slice_obj).get(SERVICE_NAME_LABEL)
            if service:
                index[(namespace_of(slice_obj), service)].append(slice_obj)
        return index

    def slices_for(self, namespace: str, service: str) -> list[Obj]:
        return self._slices_by_service.get((namespace, service), [])

    @cached_property
    def _port_infos(self) -> dict[tuple[str, str], list[ServicePort]]:
        return {key: service_port_infos(svc) for key, svc in self._services_by_key.items()}

    def service_ports(self, svc: Obj) -> list[ServicePort]:
        return self._port_infos.get((namespace_of(svc), name_of(svc)), [])

    def proxied_ports(self) -> list[ServicePort]:
        """Every service port kube-proxy programs, in a stable order."""
        return [spi for key in sorted(self._port_infos) for spi in self._port_infos[key]]

    @cached_property
    def _endpoint_cache(self) -> dict[tuple[str, str, str, str], tuple[Endpoint, ...]]:
        return {}

    def endpoints(self, spi: ServicePort) -> tuple[Endpoint, ...]:
        key = (spi.namespace, spi.service, spi.port_name, spi.protocol)
        if key not in self._endpoint_cache:
            slices = self.slices_for(spi.namespace, spi.service)
            self._endpoint_cache[key] = merge_slice_endpoints(slices, spi.port_name, spi.protocol)
        return self._endpoint_cache[key]

    @cached_property
    def total_endpoints(self) -> int:
        """Endpoints across proxied services (what decides kube-proxy's large-cluster mode)."""
        proxied = {(spi.namespace, spi.service) for spi in self.proxied_ports()}
        return sum(
            len(slice_obj.get("endpoints") or []) for key in proxied for slice_obj in self.slices_for(*key)
        )

    # Addresses the data plane captures

    @cached_property
    def _vips(self) -> dict[tuple[str, int, str], VipTarget]:
        index: dict[tuple[str, int, str], VipTarget] = {}
        for spi in self.proxied_ports():
            index.setdefault((spi.cluster_ip, spi.port, spi.protocol), VipTarget(spi, "clusterIP"))
            for ip in spi.external_ips:
                index.setdefault((ip, spi.port, spi.protocol), VipTarget(spi, "externalIP"))
            for ip in spi.lb_ips:
                index.setdefault((ip, spi.port, spi.protocol), VipTarget(spi, "loadBalancer"))
        return index

    @cached_property
    def _vip_kinds(self) -> dict[str, VipTarget]:
        return {ip: target for (ip, _, _), target in reversed(self._vips.items())}

    @cached_property
    def _node_ports(self) -> dict[tuple[str, int], ServicePort]:
        return {(spi.protocol, spi.node_port): spi for spi in self.proxied_ports() if spi.node_port}

    @cached_property
    def _health_check_ports(self) -> dict[int, Obj]:
        index: dict[int, Obj] = {}
        for svc in self.services:
            port = health_check_node_port(svc)
            if port:
                index[port] = svc
        return index

    def vip(self, ip: str, port: int, protocol: str) -> VipTarget | None:
        return self._vips.get((ip, port, protocol))

    def vip_owner(self, ip: str) -> VipTarget | None:
        """Some service port using ip as a virtual IP, whatever the port (for error messages)."""
        return self._vip_kinds.get(ip)

    def node_port(self, protocol: str, port: int) -> ServicePort | None:
        return self._node_ports.get((protocol, port))

    def health_check_service(self, port: int) -> Obj | None:
        return self._health_check_ports.get(port)


# --- Per-node plan for one service port (shared by every proxy mode) ----------------------------------


@dataclass(frozen=True)
class PortPlan:
    """What one node's kube-proxy decides for one service port (syncProxyRules' local variables)."""

    spi: ServicePort
    endpoints: tuple[Endpoint, ...]
    cat: Categorized

    @property
    def has_any(self) -> bool:
        return self.cat.has_any

    @property
    def internal_policy(self) -> str:
        return LOCAL if self.spi.itp_local else CLUSTER

    @property
    def external_policy(self) -> str:
        return LOCAL if self.spi.etp_local else CLUSTER

    def policy_endpoints(self, policy: str) -> tuple[Endpoint, ...]:
        return self.cat.local if policy == LOCAL else self.cat.cluster

    @property
    def has_internal(self) -> bool:
        return self.has_any and bool(self.policy_endpoints(self.internal_policy))

    @property
    def has_external(self) -> bool:
        return self.has_any and bool(self.policy_endpoints(self.external_policy))

    @property
    def uses_cluster_chain(self) -> bool:
        return bool(self.cat.cluster) and self.spi.uses_cluster_endpoints

    @property
    def uses_local_chain(self) -> bool:
        return bool(self.cat.local) and self.spi.uses_local_endpoints

    @property
    def uses_external_chain(self) -> bool:
        return self.has_any and self.spi.externally_accessible

    @property
    def uses_firewall(self) -> bool:
        return self.has_any and bool(self.spi.lb_ips) and bool(self.spi.source_ranges)

    @property
    def internal_filter(self) -> str | None:
        """Filter-table verdict for clusterIP traffic: REJECT (no endpoints) or DROP (none local)."""
        if not self.has_any:
            return "REJECT"
        return None if self.has_internal else "DROP"

    @property
    def external_filter(self) -> str | None:
        if not self.has_any:
            return "REJECT"
        return None if self.has_external else "DROP"

    def filter_comment(self, verdict: str) -> str:
        suffix = "has no endpoints" if verdict == "REJECT" else "has no local endpoints"
        return f"{self.spi.name} {suffix}"


def plan_port(view: ClusterView, ctx: NodeContext, spi: ServicePort) -> PortPlan:
    endpoints = view.endpoints(spi)
    key = ("categorized", spi.uses_cluster_endpoints, spi.uses_local_endpoints, ctx.name, ctx.zone)
    return PortPlan(spi, endpoints, endpoints.remember(key, lambda: categorize_endpoints(endpoints, spi, ctx.name, ctx.zone)))


def source_allowed(spi: ServicePort, src_ip: str, ctx: NodeContext | None = None) -> bool:
    """loadBalancerSourceRanges, plus the node-to-own-VIP exception of the KUBE-FW chain."""
    if any(ip_in_cidr(src_ip, cidr) for cidr in spi.source_ranges):
        return True
    node_allowed = ctx is not None and any(ip_in_cidr(ctx.internal_ip, c) for c in spi.source_ranges)
    return node_allowed and src_ip in spi.lb_ips


def probability_text(n: int) -> str:
    """proxier.probability(n): 1/n printed with %0.10f."""
    return f"{1.0 / n:0.10f}"


# --- iptables --------------------------------------------------------------------------------------

IPT_CHAIN_PREFIXES = {"svc": "KUBE-SVC-", "svl": "KUBE-SVL-", "ext": "KUBE-EXT-", "fw": "KUBE-FW-"}
IPT_FILTER_CHAINS = (
    "KUBE-SERVICES",
    "KUBE-EXTERNAL-SERVICES",
    "KUBE-FORWARD",
    "KUBE-NODEPORTS",
    "KUBE-PROXY-FIREWALL",
)
IPT_NAT_CHAINS = ("KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ")
NODEPORTS_COMMENT = "kubernetes service nodeports; NOTE: this must be the last rule in this chain"


def ipt_chain(kind: str, spi: ServicePort) -> str:
    """kind: svc | svl | ext | fw."""
    return chain_hash(IPT_CHAIN_PREFIXES[kind], spi.namespace, spi.service, spi.port_name, spi.protocol)


def ipt_policy_chain(policy: str, spi: ServicePort) -> str:
    return ipt_chain("svl" if policy == LOCAL else "svc", spi)


def ipt_sep_chain(spi: ServicePort, ep: Endpoint) -> str:
    return chain_hash("KUBE-SEP-", spi.namespace, spi.service, spi.port_name, spi.protocol, ep.key)


def ipt_rule(
    chain: str,
    target: str,
    *,
    match: str = "",
    comment: str | None = None,
    probability: str | None = None,
    table: str = "nat",
) -> Obj:
    return {
        "table": table,
        "chain": chain,
        "match": match,
        "target": target,
        "comment": comment,
        "probability": probability,
    }


def _quote_comment(comment: str) -> str:
    return f'"{comment}"' if " " in comment else comment


def iptables_rule_line(rule: Obj) -> str:
    """One rule in iptables-save form: -A CHAIN [comment] [match] [statistic] [-j target]."""
    parts = ["-A", rule["chain"]]
    if rule.get("comment"):
        parts += ["-m comment --comment", _quote_comment(rule["comment"])]
    if rule.get("match"):
        parts.append(rule["match"])
    if rule.get("probability"):
        parts += ["-m statistic --mode random --probability", rule["probability"]]
    if rule.get("target"):
        parts += ["-j", rule["target"]]
    return " ".join(parts)


def iptables_save_text(rules: list[Obj]) -> str:
    """Render rules as `iptables-save` would print them: *filter then *nat, chains, rules, COMMIT."""
    lines: list[str] = []
    for table, base_chains in (("filter", IPT_FILTER_CHAINS), ("nat", IPT_NAT_CHAINS)):
        table_rules = [r for r in rules if r.get("table", "nat") == table]
        chains = dict.fromkeys(base_chains)
        chains.update(dict.fromkeys(r["chain"] for r in table_rules))
        lines.append(f"*{table}")
        lines += [f":{chain} - [0:0]" for chain in chains]
        lines += [iptables_rule_line(r) for r in table_rules]
        lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def _ipt_proto(spi: ServicePort) -> str:
    return f"-m {spi.proto} -p {spi.proto}"


def ipt_vip_rule(spi: ServicePort, ip: str, kind: str, target: str, *, table: str = "nat") -> Obj:
    """A KUBE-SERVICES rule capturing clusterIP / external IP / LB IP traffic."""
    label = {"clusterIP": "cluster IP", "externalIP": "external IP", "loadBalancer": "loadbalancer IP"}[kind]
    match = f"{_ipt_proto(spi)} -d {ip} --dport {spi.port}"
    return ipt_rule("KUBE-SERVICES", target, match=match, comment=f"{spi.name} {label}", table=table)


def ipt_nodeport_rule(spi: ServicePort, target: str) -> Obj:
    match = f"{_ipt_proto(spi)} --dport {spi.node_port}"
    return ipt_rule("KUBE-NODEPORTS", target, match=match, comment=spi.name)


def ipt_nodeports_jump_rule() -> Obj:
    return ipt_rule(
        "KUBE-SERVICES", "KUBE-NODEPORTS", match="-m addrtype --dst-type LOCAL", comment=NODEPORTS_COMMENT
    )


def ipt_no_endpoint_rule(plan: PortPlan, kind: str, ip: str = "") -> Obj | None:
    """The filter rule that REJECTs (no endpoints) or DROPs (no local endpoints) one destination.

    kind: clusterIP | externalIP | loadBalancer | nodePort (ip is needed for the middle two).
    """
    verdict = plan.internal_filter if kind == "clusterIP" else plan.external_filter
    if not verdict:
        return None
    spi = plan.spi
    if kind == "clusterIP":
        rule = ipt_vip_rule(spi, spi.cluster_ip, "clusterIP", verdict, table="filter")
        return {**rule, "comment": plan.filter_comment(verdict)}
    if kind == "nodePort":
        match = f"-m addrtype --dst-type LOCAL {_ipt_proto(spi)} --dport {spi.node_port}"
    else:
        match = f"{_ipt_proto(spi)} -d {ip} --dport {spi.port}"
    return _external_filter_rule(plan, verdict, match)


def ipt_filter_rules(plan: PortPlan) -> list[Obj]:
    """Filter-table rules of one service port: no-endpoint verdicts, health check, LB firewall."""
    spi = plan.spi
    wanted = [("clusterIP", spi.cluster_ip)]
    wanted += [("externalIP", ip) for ip in spi.external_ips] + [("loadBalancer", ip) for ip in spi.lb_ips]
    if spi.node_port:
        wanted.append(("nodePort", ""))
    rules = [rule for kind, ip in wanted if (rule := ipt_no_endpoint_rule(plan, kind, ip))]
    if spi.health_check_node_port:
        rules.append(
            ipt_rule(
                "KUBE-NODEPORTS",
                "ACCEPT",
                match=f"-m tcp -p tcp --dport {spi.health_check_node_port}",
                comment=f"{spi.name} health check node port",
                table="filter",
            )
        )
    if plan.uses_firewall:
        rules += [ipt_firewall_drop_rule(spi, ip) for ip in spi.lb_ips]
    return rules


def _external_filter_rule(plan: PortPlan, verdict: str, match: str) -> Obj:
    return ipt_rule(
        "KUBE-EXTERNAL-SERVICES", verdict, match=match, comment=plan.filter_comment(verdict), table="filter"
    )


def ipt_firewall_drop_rule(spi: ServicePort, lb_ip: str) -> Obj:
    return ipt_rule(
        "KUBE-PROXY-FIREWALL",
        "DROP",
        match=f"{_ipt_proto(spi)} -d {lb_ip} --dport {spi.port}",
        comment=f"{spi.name} traffic not accepted by {ipt_chain('fw', spi)}",
        table="filter",
    )


def ipt_capture_rules(plan: PortPlan) -> list[Obj]:
    """nat rules in KUBE-SERVICES / KUBE-NODEPORTS that send a packet into the service's chains."""
    spi, rules = plan.spi, []
    if plan.has_internal:
        rules.append(
            ipt_vip_rule(spi, spi.cluster_ip, "clusterIP", ipt_policy_chain(plan.internal_policy, spi))
        )
    if plan.has_any:
        ext = ipt_chain("ext", spi)
        rules += [ipt_vip_rule(spi, ip, "externalIP", ext) for ip in spi.external_ips]
        lb_target = ipt_chain("fw", spi) if plan.uses_firewall else ext
        rules += [ipt_vip_rule(spi, ip, "loadBalancer", lb_target) for ip in spi.lb_ips]
        if spi.node_port:
            rules.append(ipt_nodeport_rule(spi, ext))
    return rules


def ipt_svc_masq_rule(spi: ServicePort, ctx: NodeContext, chain: str) -> Obj:
    """First rule of the internal chain: masquerade clusterIP traffic not from this node's pods."""
    match = f"{_ipt_proto(spi)} -d {spi.cluster_ip} --dport {spi.port} ! -s {ctx.pod_cidr}"
    return ipt_rule(chain, "KUBE-MARK-MASQ", match=match, comment=f"{spi.name} cluster IP")


def ipt_ext_rules(plan: PortPlan, ctx: NodeContext) -> list[Obj]:
    """KUBE-EXT-…: masquerade decision, local short-circuits, then the external policy chain."""
    spi, ext = plan.spi, ipt_chain("ext", plan.spi)
    svc = ipt_chain("svc", spi)
    rules: list[Obj] = []
    if not spi.etp_local:
        comment = f"masquerade traffic for {spi.name} external destinations"
        rules.append(ipt_rule(ext, "KUBE-MARK-MASQ", comment=comment))
    else:
        if ctx.pod_cidr:
            comment = f"pod traffic for {spi.name} external destinations"
            rules.append(ipt_rule(ext, svc, match=f"-s {ctx.pod_cidr}", comment=comment))
        local = "-m addrtype --src-type LOCAL"
        comment = f"masquerade LOCAL traffic for {spi.name} external destinations"
        rules.append(ipt_rule(ext, "KUBE-MARK-MASQ", match=local, comment=comment))
        comment = f"route LOCAL traffic for {spi.name} external destinations"
        rules.append(ipt_rule(ext, svc, match=local, comment=comment))
    if plan.has_external:
        rules.append(ipt_rule(ext, ipt_policy_chain(plan.external_policy, spi)))
    return rules


def ipt_fw_rules(spi: ServicePort, ctx: NodeContext) -> list[Obj]:
    fw, ext = ipt_chain("fw", spi), ipt_chain("ext", spi)
    comment = f"{spi.name} loadbalancer IP"
    rules = [ipt_rule(fw, ext, match=f"-s {cidr}", comment=comment) for cidr in spi.source_ranges]
    if any(ip_in_cidr(ctx.internal_ip, cidr) for cidr in spi.source_ranges):
        rules += [ipt_rule(fw, ext, match=f"-s {ip}", comment=comment) for ip in spi.lb_ips]
    last = f"other traffic to {spi.name} will be dropped by KUBE-PROXY-FIREWALL"
    rules.append(ipt_rule(fw, "", comment=last))
    return rules


def ipt_affinity_rule(spi: ServicePort, chain: str, ep: Endpoint, large: bool) -> Obj:
    sep = ipt_sep_chain(spi, ep)
    match = f"-m recent --name {sep} --rcheck --seconds {spi.affinity_seconds} --reap"
    return ipt_rule(chain, sep, match=match, comment=None if large else f"{spi.name} -> {ep.key}")


def ipt_random_rule(
    spi: ServicePort, chain: str, endpoints: tuple[Endpoint, ...], i: int, large: bool
) -> Obj:
    """Rule i of n: matches with probability 1/(n-i); the last one always jumps."""
    n, ep = len(endpoints), endpoints[i]
    probability = probability_text(n - i) if i < n - 1 else None
    comment = None if large else f"{spi.name} -> {ep.key}"
    return ipt_rule(chain, ipt_sep_chain(spi, ep), comment=comment, probability=probability)


def ipt_dispatch_rules(
    spi: ServicePort, chain: str, endpoints: tuple[Endpoint, ...], large: bool
) -> list[Obj]:
    """writeServiceToEndpointRules: affinity checks first, then the random cascade."""
    rules = []
    if spi.affinity_seconds:
        rules += [ipt_affinity_rule(spi, chain, ep, large) for ep in endpoints]
    rules += [ipt_random_rule(spi, chain, endpoints, i, large) for i in range(len(endpoints))]
    return rules


def ipt_sep_rules(spi: ServicePort, ep: Endpoint, large: bool) -> list[Obj]:
    """KUBE-SEP-…: hairpin masquerade, then (affinity --set and) DNAT to the endpoint."""
    sep, comment = ipt_sep_chain(spi, ep), None if large else spi.name
    dnat_match = f"-m recent --name {sep} --set " if spi.affinity_seconds else ""
    return [
        ipt_rule(sep, "KUBE-MARK-MASQ", match=f"-s {ep.ip}", comment=comment),
        ipt_rule(sep, f"DNAT --to-destination {ep.key}", match=dnat_match + _ipt_proto(spi), comment=comment),
    ]


def ipt_port_nat_rules(plan: PortPlan, ctx: NodeContext) -> list[Obj]:
    """Every nat rule one service port gets on one node, in syncProxyRules' order."""
    spi, large = plan.spi, ctx.large_cluster
    rules = ipt_capture_rules(plan)
    if plan.has_internal and ctx.pod_cidr:
        rules.append(ipt_svc_masq_rule(spi, ctx, ipt_policy_chain(plan.internal_policy, spi)))
    if plan.uses_external_chain:
        rules += ipt_ext_rules(plan, ctx)
    if plan.uses_firewall:
        rules += ipt_fw_rules(spi, ctx)
    if plan.uses_cluster_chain:
        rules += ipt_dispatch_rules(spi, ipt_chain("svc", spi), plan.cat.cluster, large)
    if plan.uses_local_chain:
        rules += ipt_dispatch_rules(spi, ipt_chain("svl", spi), plan.cat.local, large)
    for ep in plan.cat.reachable:
        rules += ipt_sep_rules(spi, ep, large)
    return rules


def _ipt_static_rules() -> list[Obj]:
    forward = "KUBE-FORWARD"
    mark = f"-m mark --mark {MASQ_MARK}/{MASQ_MARK}"
    return [
        ipt_rule(forward, "DROP", match="-m conntrack --ctstate INVALID", table="filter"),
        ipt_rule(forward, "ACCEPT", match=mark, comment="kubernetes forwarding rules", table="filter"),
        ipt_rule(
            forward,
            "ACCEPT",
            match="-m conntrack --ctstate RELATED,ESTABLISHED",
            comment="kubernetes forwarding conntrack rule",
            table="filter",
        ),
        *_ipt_masquerade_chain_rules(),
    ]


def _ipt_masquerade_chain_rules() -> list[Obj]:
    """KUBE-POSTROUTING and KUBE-MARK-MASQ, the same in iptables and IPVS mode: marked packets are SNATed."""
    return [
        ipt_rule("KUBE-POSTROUTING", "RETURN", match=f"-m mark ! --mark {MASQ_MARK}/{MASQ_MARK}"),
        ipt_rule("KUBE-POSTROUTING", f"MARK --xor-mark {MASQ_MARK}"),
        ipt_masquerade_rule(),
        ipt_rule("KUBE-MARK-MASQ", f"MARK --or-mark {MASQ_MARK}"),
    ]


def ipt_masquerade_rule() -> Obj:
    return ipt_rule(
        "KUBE-POSTROUTING", "MASQUERADE --random-fully", comment="kubernetes service traffic requiring SNAT"
    )


def iptables_rules(view: ClusterView, ctx: NodeContext) -> list[Obj]:
    rules = _ipt_static_rules()
    for spi in view.proxied_ports():
        plan = plan_port(view, ctx, spi)
        rules += ipt_filter_rules(plan)
        rules += ipt_port_nat_rules(plan, ctx)
    rules.append(ipt_nodeports_jump_rule())
    return rules


# --- nftables --------------------------------------------------------------------------------------

NFT_PREFIXES = {
    "service": "service-",
    "local": "local-",
    "external": "external-",
    "firewall": "firewall-",
    "endpoint": "endpoint-",
    "affinity": "affinity-",
}


def nft_chain(kind: str, spi: ServicePort, ep: Endpoint | None = None) -> str:
    """kind: service | local | external | firewall | endpoint | affinity (the last two need ep)."""
    endpoint = ep.key if ep else ""
    return nft_chain_name(
        NFT_PREFIXES[kind], spi.namespace, spi.service, spi.port_name, spi.protocol, endpoint
    )


def nft_policy_chain(policy: str, spi: ServicePort) -> str:
    return nft_chain("local" if policy == LOCAL else "service", spi)


def nft_map_key(*parts: object) -> str:
    return " . ".join(str(p) for p in parts)


def nft_affinity_rule(spi: ServicePort, ep: Endpoint) -> str:
    return f"ip saddr @{nft_chain('affinity', spi, ep)} goto {nft_chain('endpoint', spi, ep)}"


def nft_numgen_rule(spi: ServicePort, endpoints: tuple[Endpoint, ...], shown: set[int] | None = None) -> str:
    """`numgen random mod N vmap { 0 : goto …, … }`; shown limits the written elements (traces)."""
    parts: list[str] = []
    last = -1
    for i, ep in enumerate(endpoints):
        if shown is not None and i not in shown:
            continue
        if i != last + 1:
            parts.append("…")
        parts.append(f"{i} : goto {nft_chain('endpoint', spi, ep)}")
        last = i
    if last != len(endpoints) - 1:
        parts.append("…")
    return f"numgen random mod {len(endpoints)} vmap {{ {', '.join(parts)} }}"


def nft_dispatch_rules(spi: ServicePort, endpoints: tuple[Endpoint, ...]) -> list[str]:
    """Affinity lookups, then one `numgen random mod N vmap {…}` rule: uniform in one step."""
    rules = [nft_affinity_rule(spi, ep) for ep in endpoints] if spi.affinity_seconds else []
    rules.append(nft_numgen_rule(spi, endpoints))
    return rules


def nft_endpoint_rules(spi: ServicePort, ep: Endpoint) -> list[str]:
    rules = [f"ip saddr {ep.ip} jump mark-for-masquerade"]
    if spi.affinity_seconds:
        rules.append(f"update @{nft_chain('affinity', spi, ep)} {{ ip saddr }}")
    rules.append(f"meta l4proto {spi.proto} dnat to {ep.key}")
    return rules


def nft_external_rules(plan: PortPlan, ctx: NodeContext) -> list[str]:
    spi = plan.spi
    rules: list[str] = []
    if not spi.etp_local:
        rules.append("jump mark-for-masquerade")
    else:
        service = nft_chain("service", spi)
        if ctx.pod_cidr:
            rules.append(f'ip saddr {ctx.pod_cidr} goto {service} comment "short-circuit pod traffic"')
        rules.append('fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"')
        rules.append(f'fib saddr type local goto {service} comment "short-circuit local traffic"')
    if plan.has_external:
        rules.append(f"goto {nft_policy_chain(plan.external_policy, spi)}")
    return rules


def nft_service_masq_rule(spi: ServicePort, ctx: NodeContext) -> str:
    return f"ip daddr {spi.cluster_ip} {spi.proto} dport {spi.port} ip saddr != {ctx.pod_cidr} jump mark-for-masquerade"


def nft_firewall_rule(spi: ServicePort, ctx: NodeContext) -> str:
    sources = list(spi.source_ranges)
    if any(ip_in_cidr(ctx.internal_ip, cidr) for cidr in spi.source_ranges):
        sources += list(spi.lb_ips)
    return f"ip saddr != {{ {', '.join(sources)} }} drop"


def _nft_skeleton() -> tuple[dict[str, list[str]], dict[str, list[Obj]], dict[str, Obj]]:
    chains = {
        "filter-prerouting": ["ct state new jump firewall-check"],
        "filter-input": [
            "ct state new jump nodeport-endpoints-check",
            "ct state new jump service-endpoints-check",
        ],
        "filter-forward": [
            "ct state new jump service-endpoints-check",
            "ct state new jump cluster-ips-check",
        ],
        "filter-output": ["ct state new jump service-endpoints-check", "ct state new jump firewall-check"],
        "filter-output-post-dnat": ["ct state new jump cluster-ips-check"],
        "nat-prerouting": ["jump services"],
        "nat-output": ["jump services"],
        "nat-postrouting": ["jump masquerading"],
        "services": [
            "ip daddr . meta l4proto . th dport vmap @service-ips",
            "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports",
        ],
        "service-endpoints-check": ["ip daddr . meta l4proto . th dport vmap @no-endpoint-services"],
        "nodeport-endpoints-check": [
            "ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports"
        ],
        "firewall-check": ["ip daddr . meta l4proto . th dport vmap @firewall-ips"],
        "reject-chain": ["reject"],
        "cluster-ips-check": [
            'ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"'
        ],
        "mark-for-masquerade": [f"mark set mark or {MASQ_MARK}"],
        "masquerading": [
            f"mark and {MASQ_MARK} == 0 return",
            f"mark set mark xor {MASQ_MARK}",
            "masquerade fully-random",
        ],
    }
    maps: dict[str, list[Obj]] = {
        name: []
        for name in (
            "service-ips",
            "service-nodeports",
            "no-endpoint-services",
            "no-endpoint-nodeports",
            "firewall-ips",
        )
    }
    sets: dict[str, Obj] = {"cluster-ips": {"type": "ipv4_addr", "elements": []}}
    return chains, maps, sets


def _map_element(key: str, value: str, comment: str | None = None) -> Obj:
    return {"key": key, "value": value, "comment": comment}


def _nft_port_maps(plan: PortPlan, maps: dict[str, list[Obj]], sets: dict[str, Obj]) -> None:
    spi = plan.spi
    sets["cluster-ips"]["elements"].append(spi.cluster_ip)
    vip_key = lambda ip: nft_map_key(ip, spi.proto, spi.port)  # noqa: E731
    if plan.has_internal:
        maps["service-ips"].append(
            _map_element(vip_key(spi.cluster_ip), f"goto {nft_policy_chain(plan.internal_policy, spi)}")
        )
    else:
        verdict = "goto reject-chain" if plan.internal_filter == "REJECT" else "drop"
        maps["no-endpoint-services"].append(_map_element(vip_key(spi.cluster_ip), verdict, spi.name))
    external = f"goto {nft_chain('external', spi)}"
    ext_verdict = {"REJECT": "goto reject-chain", "DROP": "drop"}.get(plan.external_filter or "")
    for ip in (*spi.external_ips, *spi.lb_ips):
        if plan.has_any:
            maps["service-ips"].append(_map_element(vip_key(ip), external))
        if ext_verdict:
            maps["no-endpoint-services"].append(_map_element(vip_key(ip), ext_verdict, spi.name))
    if spi.lb_ips and spi.source_ranges:
        for ip in spi.lb_ips:
            maps["firewall-ips"].append(_map_element(vip_key(ip), f"goto {nft_chain('firewall', spi)}"))
    if spi.node_port:
        key = nft_map_key(spi.proto, spi.node_port)
        if plan.has_any:
            maps["service-nodeports"].append(_map_element(key, external))
        if ext_verdict:
            maps["no-endpoint-nodeports"].append(_map_element(key, ext_verdict, spi.name))


def _nft_port_chains(
    plan: PortPlan, ctx: NodeContext, chains: dict[str, list[str]], sets: dict[str, Obj]
) -> None:
    spi = plan.spi
    if plan.uses_cluster_chain:
        chains[nft_chain("service", spi)] = []
    if plan.uses_local_chain:
        chains[nft_chain("local", spi)] = []
    if plan.has_internal and ctx.pod_cidr:
        chains[nft_policy_chain(plan.internal_policy, spi)].append(nft_service_masq_rule(spi, ctx))
    if plan.uses_external_chain:
        chains[nft_chain("external", spi)] = nft_external_rules(plan, ctx)
    if spi.lb_ips and spi.source_ranges:
        chains[nft_chain("firewall", spi)] = [nft_firewall_rule(spi, ctx)]
    if plan.uses_cluster_chain:
        chains[nft_chain("service", spi)] += nft_dispatch_rules(spi, plan.cat.cluster)
    if plan.uses_local_chain:
        chains[nft_chain("local", spi)] += nft_dispatch_rules(spi, plan.cat.local)
    for ep in plan.cat.reachable:
        chains[nft_chain("endpoint", spi, ep)] = nft_endpoint_rules(spi, ep)
        if spi.affinity_seconds:
            sets[nft_chain("affinity", spi, ep)] = {
                "type": "ipv4_addr",
                "flags": "dynamic,timeout",
                "timeout": f"{spi.affinity_seconds}s",
                "elements": [],
            }


def nftables_rules(view: ClusterView, ctx: NodeContext) -> Obj:
    chains, maps, sets = _nft_skeleton()
    for spi in view.proxied_ports():
        plan = plan_port(view, ctx, spi)
        _nft_port_maps(plan, maps, sets)
        _nft_port_chains(plan, ctx, chains, sets)
    return {"table": NFT_TABLE, "chains": chains, "maps": maps, "sets": sets}


NFT_MAP_TYPES = {
    "service-ips": "ipv4_addr . inet_proto . inet_service : verdict",
    "no-endpoint-services": "ipv4_addr . inet_proto . inet_service : verdict",
    "firewall-ips": "ipv4_addr . inet_proto . inet_service : verdict",
    "service-nodeports": "inet_proto . inet_service : verdict",
    "no-endpoint-nodeports": "inet_proto . inet_service : verdict",
}


def nft_text(rules: Obj) -> str:
    """Render the table roughly as `nft list table ip kube-proxy` prints it."""
    lines = [f"table {rules['table']} {{", '\tcomment "rules for kube-proxy"']
    for name, body in rules["sets"].items():
        lines += [f"\tset {name} {{", f"\t\ttype {body['type']}"]
        if body.get("flags"):
            lines += [f"\t\tflags {body['flags']}", f"\t\ttimeout {body['timeout']}"]
        if body["elements"]:
            lines.append(f"\t\telements = {{ {', '.join(body['elements'])} }}")
        lines.append("\t}")
    for name, elements in rules["maps"].items():
        lines += [f"\tmap {name} {{", f"\t\ttype {NFT_MAP_TYPES[name]}"]
        if elements:
            rendered = ", ".join(_nft_element_text(e) for e in elements)
            lines.append(f"\t\telements = {{ {rendered} }}")
        lines.append("\t}")
    for name, body in rules["chains"].items():
        lines.append(f"\tchain {name} {{")
        lines += [f"\t\t{rule}" for rule in body]
        lines.append("\t}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _nft_element_text(element: Obj) -> str:
    comment = f' comment "{element["comment"]}"' if element.get("comment") else ""
    return f"{element['key']} : {element['value']}{comment}"


# --- IPVS ------------------------------------------------------------------------------------------


def ipvs_real_servers(plan: PortPlan, kind: str) -> tuple[Endpoint, ...]:
    """syncEndpoint: local endpoints when the policy is Local, else (or when none) cluster ones.

    Unlike iptables, IPVS falls back to cluster endpoints when a Local policy finds none here
    (kubernetes#97081), so pods on this node still reach a NodePort/LB service. A ClusterIP-only
    service with internalTrafficPolicy Local has no cluster set, so its virtual server stays empty.
    """
    local_only = plan.spi.itp_local if kind == "clusterIP" else plan.spi.etp_local
    if local_only and plan.cat.local:
        return plan.cat.local
    return plan.cat.cluster


def ipvs_virtual_servers(plan: PortPlan, ctx: NodeContext) -> list[Obj]:
    spi, servers = plan.spi, []
    addresses = [(spi.cluster_ip, spi.port, "clusterIP")]
    addresses += [(ip, spi.port, "externalIP") for ip in spi.external_ips]
    addresses += [(ip, spi.port, "loadBalancer") for ip in spi.lb_ips]
    if spi.node_port:
        addresses += [(ip, spi.node_port, "nodePort") for ip in ctx.ips]
    for address, port, kind in addresses:
        real = ipvs_real_servers(plan, kind)
        servers.append(
            {
                "address": address,
                "port": port,
                "protocol": spi.protocol,
                "kind": kind,
                "service": spi.name,
                "scheduler": IPVS_SCHEDULER,
                "persistent": spi.affinity_seconds,
                "real_servers": [{"ip": ep.ip, "port": ep.port, "weight": 1} for ep in real],
            }
        )
    return servers


def _ipvs_ipsets(plans: list[PortPlan], ctx: NodeContext) -> dict[str, list[str]]:
    sets: dict[str, list[str]] = defaultdict(list)
    for plan in plans:
        spi = plan.spi

        def entry(ip: str, spi: ServicePort = spi) -> str:
            return f"{ip},{spi.proto}:{spi.port}"

        sets["KUBE-CLUSTER-IP"].append(entry(spi.cluster_ip))
        sets["KUBE-EXTERNAL-IP"] += [entry(ip) for ip in spi.external_ips]
        sets["KUBE-LOAD-BALANCER"] += [entry(ip) for ip in spi.lb_ips]
        if spi.etp_local:
            sets["KUBE-LOAD-BALANCER-LOCAL"] += [entry(ip) for ip in spi.lb_ips]
        if spi.source_ranges:
            sets["KUBE-LOAD-BALANCER-FW"] += [entry(ip) for ip in spi.lb_ips]
            sets["KUBE-LOAD-BALANCER-SOURCE-CIDR"] += [
                f"{ip},{spi.proto}:{spi.port},{cidr}" for ip in spi.lb_ips for cidr in spi.source_ranges
            ]
        if spi.node_port:
            sets[f"KUBE-NODE-PORT-{spi.protocol}"].append(str(spi.node_port))
            if spi.etp_local:
                sets[f"KUBE-NODE-PORT-LOCAL-{spi.protocol}"].append(str(spi.node_port))
        for ep in plan.cat.reachable:
            if ep.node == ctx.name:
                sets["KUBE-LOOP-BACK"].append(f"{ep.ip},{spi.proto}:{ep.port},{ep.ip}")
    return dict(sets)


IPVS_CLUSTER_IP_MASQ_COMMENT = "Kubernetes service cluster ip + port for masquerade purpose"


def ipvs_iptables_rules(ctx: NodeContext) -> list[Obj]:
    """The few iptables rules IPVS mode still needs: masquerade marks and hairpin SNAT."""
    rules = []
    if ctx.pod_cidr:
        match = f"-m set --match-set KUBE-CLUSTER-IP dst,dst ! -s {ctx.pod_cidr}"
        rules.append(
            ipt_rule("KUBE-SERVICES", "KUBE-MARK-MASQ", match=match, comment=IPVS_CLUSTER_IP_MASQ_COMMENT)
        )
    lb_comment = "Kubernetes service lb portal"
    rules += [
        ipt_rule(
            "KUBE-SERVICES",
            "KUBE-LOAD-BALANCER",
            match="-m set --match-set KUBE-LOAD-BALANCER dst,dst",
            comment=lb_comment,
        ),
        ipt_rule("KUBE-SERVICES", "KUBE-NODE-PORT", match="-m addrtype --dst-type LOCAL"),
        ipt_rule("KUBE-SERVICES", "ACCEPT", match="-m set --match-set KUBE-CLUSTER-IP dst,dst"),
        ipt_rule(
            "KUBE-LOAD-BALANCER",
            "RETURN",
            match="-m set --match-set KUBE-LOAD-BALANCER-LOCAL dst,dst",
            comment="Kubernetes service load balancer ip + port with externalTrafficPolicy=local",
        ),
        ipt_rule("KUBE-LOAD-BALANCER", "KUBE-MARK-MASQ"),
        ipt_rule(
            "KUBE-NODE-PORT",
            "RETURN",
            match="-p tcp -m set --match-set KUBE-NODE-PORT-LOCAL-TCP dst",
            comment="Kubernetes nodeport TCP port with externalTrafficPolicy=local",
        ),
        ipt_rule(
            "KUBE-NODE-PORT",
            "KUBE-MARK-MASQ",
            match="-p tcp -m set --match-set KUBE-NODE-PORT-TCP dst",
            comment="Kubernetes nodeport TCP port for masquerade purpose",
        ),
        ipt_rule(
            "KUBE-POSTROUTING",
            "MASQUERADE",
            match="-m set --match-set KUBE-LOOP-BACK dst,dst,src",
            comment="Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose",
        ),
        *_ipt_masquerade_chain_rules(),
    ]
    return rules


def ipvs_rules(view: ClusterView, ctx: NodeContext) -> Obj:
    plans = [plan_port(view, ctx, spi) for spi in view.proxied_ports()]
    servers = [vs for plan in plans for vs in ipvs_virtual_servers(plan, ctx)]
    bound = {vs["address"] for vs in servers if vs["kind"] != "nodePort"}
    return {
        "dummy_interface": {"name": IPVS_DUMMY_INTERFACE, "addresses": sorted(bound)},
        "virtual_servers": servers,
        "ipsets": _ipvs_ipsets(plans, ctx),
        "iptables": ipvs_iptables_rules(ctx),
    }


def ipvs_vs_line(vs: Obj) -> str:
    persistent = f" persistent {vs['persistent']}" if vs.get("persistent") else ""
    return f"{vs['protocol']}  {vs['address']}:{vs['port']} {vs['scheduler']}{persistent}"


def ipvs_rs_line(server: Obj) -> str:
    return f"  -> {server['ip'] + ':' + str(server['port']):<28}Masq    {server['weight']:<6} 0          0"


def ipvsadm_text(virtual_servers: list[Obj]) -> str:
    """Render virtual servers as `ipvsadm -Ln` prints them."""
    lines = [
        "IP Virtual Server version 1.2.1 (size=4096)",
        "Prot LocalAddress:Port Scheduler Flags",
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
    ]
    for vs in virtual_servers:
        lines.append(ipvs_vs_line(vs))
        lines += [ipvs_rs_line(server) for server in vs["real_servers"]]
    return "\n".join(lines) + "\n"


# --- Public entry point ----------------------------------------------------------------------------


def node_rules(view: ClusterView, node_name: str) -> Obj:
    """The rules node_name's kube-proxy holds, as data, for settings.proxy_mode."""
    ctx = view.node_context(node_name)
    mode = view.settings.proxy_mode
    if mode == "ipvs":
        rules = ipvs_rules(view, ctx)
        return {"mode": mode, "node": node_name, **rules, "text": ipvsadm_text(rules["virtual_servers"])}
    if mode == "nftables":
        rules = nftables_rules(view, ctx)
        return {"mode": mode, "node": node_name, **rules, "text": nft_text(rules)}
    rules = iptables_rules(view, ctx)
    return {"mode": "iptables", "node": node_name, "rules": rules, "text": iptables_save_text(rules)}
