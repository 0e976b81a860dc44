"""Turning a trace's source and destination strings into a client and an address."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from cluster.sim.dataplane.kubeproxy import ClusterView
from cluster.sim.dataplane.trace_model import EXTERNAL_CLIENT_IP, Client
from cluster.sim.dataplane.trace_text import Msg, TraceInputError, msg
from cluster.sim.objects import (
    Obj,
    name_of,
    namespace_of,
    node_internal_ip,
    pod_ip,
    pod_node,
    service_cluster_ip,
    service_is_headless,
    service_type,
)

PROTOCOLS = ("TCP", "UDP", "SCTP")
NDOTS = 5  # the ndots option kubelet writes into every pod's resolv.conf


def parse_destination(destination: str) -> tuple[str, int, str]:
    """ "host:port" or "host:port/PROTO" → (host, port, protocol)."""
    text, _, proto = destination.strip().partition("/")
    proto = (proto or "TCP").upper()
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise TraceInputError(msg("input.destination", value=repr(destination)))
    if proto not in PROTOCOLS:
        raise TraceInputError(msg("input.protocol", value=repr(proto)))
    return host, int(port), proto


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def resolve_source(view: ClusterView, source: str) -> Client | Msg:
    """The client for "external", "node/<name>" or "pod/<ns>/<name>", or why there is none."""
    if source == "external":
        return Client("external", "external", EXTERNAL_CLIENT_IP)
    kind, _, rest = source.partition("/")
    if kind == "node" and rest:
        node = view.node(rest)
        if node is None:
            return msg("source.no_node", name=rest)
        return Client("node", rest, node_internal_ip(node), node=rest)
    if kind == "pod" and rest.count("/") == 1:
        namespace, name = rest.split("/")
        pod = view.pod(namespace, name)
        if pod is None:
            return msg("source.no_pod", namespace=namespace, name=name)
        if not pod_ip(pod) or not pod_node(pod):
            return msg("source.pod_no_ip", namespace=namespace, name=name)
        if view.node(pod_node(pod)) is None:
            return msg("source.pod_node_missing", namespace=namespace, name=name, node=pod_node(pod))
        return Client("pod", f"{namespace}/{name}", pod_ip(pod), node=pod_node(pod), namespace=namespace)
    raise TraceInputError(msg("input.source", value=repr(source)))


@dataclass
class DnsAnswer:
    """What cluster DNS answered for one name."""

    query: str
    fqdn: str = ""
    record: str = "NXDOMAIN"  # A | CNAME | NXDOMAIN
    addresses: list[str] = field(default_factory=list)
    target: str = ""  # the CNAME target
    service: Obj | None = None
    tried: list[str] = field(default_factory=list)

    def as_dict(self) -> Obj:
        return {
            "query": self.query,
            "fqdn": self.fqdn or None,
            "record": self.record,
            "addresses": self.addresses,
            "target": self.target or None,
            "headless": bool(self.service) and service_is_headless(self.service or {}),
            "tried": self.tried,
        }


def search_names(name: str, namespace: str, domain: str) -> list[str]:
    """resolv.conf search order for a pod: ndots:5, so short names try the search list first."""
    if name.endswith("."):
        return [name.rstrip(".")]
    search = [f"{namespace}.svc.{domain}", f"svc.{domain}", domain]
    expanded = [f"{name}.{suffix}" for suffix in search]
    return [*expanded, name] if name.count(".") < NDOTS else [name, *expanded]


def _service_for_fqdn(view: ClusterView, fqdn: str, domain: str) -> Obj | None:
    suffix = f".svc.{domain}"
    if not fqdn.endswith(suffix):
        return None
    parts = fqdn[: -len(suffix)].split(".")
    return view.service(parts[1], parts[0]) if len(parts) == 2 else None


def lookup(view: ClusterView, name: str, namespace: str) -> DnsAnswer:
    """Cluster DNS (CoreDNS's kubernetes plugin) for a Service name, from a pod in namespace."""
    domain = view.settings.cluster_domain
    answer = DnsAnswer(query=name)
    for fqdn in search_names(name.lower(), namespace, domain):
        answer.tried.append(fqdn)
        svc = _service_for_fqdn(view, fqdn, domain)
        if svc is not None:
            answer.fqdn, answer.service = fqdn, svc
            _fill_records(view, answer, svc)
            return answer
    return answer


def _fill_records(view: ClusterView, answer: DnsAnswer, svc: Obj) -> None:
    if service_type(svc) == "ExternalName":
        answer.record, answer.target = "CNAME", (svc.get("spec") or {}).get("externalName", "")
    elif service_is_headless(svc):
        answer.record, answer.addresses = "A", headless_addresses(view, svc)
    elif service_cluster_ip(svc):
        answer.record, answer.addresses = "A", [service_cluster_ip(svc)]


def headless_addresses(view: ClusterView, svc: Obj) -> list[str]:
    """A headless Service's A records: the ready endpoints' addresses, from its slices."""
    addresses = {
        ep["addresses"][0]
        for slice_obj in view.slices_for(namespace_of(svc), name_of(svc))
        for ep in slice_obj.get("endpoints") or []
        if ep.get("addresses") and (ep.get("conditions") or {}).get("ready") is not False
    }
    return sorted(addresses, key=ipaddress.ip_address)
