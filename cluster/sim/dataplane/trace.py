"""One request, hop by hop: from a client through DNS, a load balancer and kube-proxy to a pod.

Pure core, no Django. `trace_request` returns plain data the browser animates; `state` is the
caller's to persist between traces (session-affinity memory and IPVS round-robin cursors).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from cluster.sim.dataplane.kubeproxy import ClusterView, NodeContext, ServicePort, VipTarget
from cluster.sim.dataplane.trace_lb import health_check, through_load_balancer
from cluster.sim.dataplane.trace_model import (
    DELIVERED,
    EPHEMERAL_PORTS,
    REFUSED,
    UNROUTABLE,
    Ending,
    Packet,
    Walk,
    client_place,
    node_place,
)
from cluster.sim.dataplane.trace_resolve import is_ip, lookup, parse_destination, resolve_source
from cluster.sim.dataplane.trace_service import deliver_to_pod, route_to_node, through_node
from cluster.sim.dataplane.trace_text import Msg, msg, translations
from cluster.sim.objects import Obj, name_of, namespace_of, node_external_ip, pod_node

__all__ = ["health_check", "trace_request"]


def trace_request(
    view: ClusterView,
    *,
    source: str,
    destination: str,
    seed: int | None = None,
    state: dict | None = None,
    now: float = 0.0,
) -> Obj:
    """Follow one request. source: "external" | "node/<name>" | "pod/<ns>/<name>";
    destination: "<host>:<port>[/PROTO]" with host an IP or a Service DNS name."""
    host, port, proto = parse_destination(destination)
    rng = random.Random(seed)
    client = resolve_source(view, source)
    if isinstance(client, Msg):
        return _result(view, source, destination, proto, None, 0, Ending(UNROUTABLE, client))
    walk = Walk(view, rng, {} if state is None else state, now, client)
    src_port = rng.randint(*EPHEMERAL_PORTS)
    address = host if is_ip(host) else _resolve(walk, host)
    if isinstance(address, Ending):
        return _result(view, source, destination, proto, walk, src_port, address)
    ending = _route(walk, Packet(client.ip, src_port, address, port, proto))
    return _result(view, source, destination, proto, walk, src_port, ending)


def _result(
    view: ClusterView,
    source: str,
    destination: str,
    proto: str,
    walk: Walk | None,
    src_port: int,
    ending: Ending,
) -> Obj:
    return {
        "source": source,
        "destination": destination,
        "protocol": proto,
        "mode": view.settings.proxy_mode,
        "outcome": ending.outcome,
        "reason": ending.reason.render("en"),
        "reason_message": ending.reason.as_dict(),
        "i18n": translations("reason", ending.reason),
        "service": walk.service if walk else None,
        "endpoint": walk.endpoint if walk else None,
        "client": {"ip": walk.client.ip if walk else None, "port": src_port or None},
        "dns": walk.dns if walk else None,
        "hops": walk.hops if walk else [],
    }


# --- DNS ------------------------------------------------------------------------------------------


def _resolve(walk: Walk, name: str) -> str | Ending:
    """A pod asks cluster DNS; nodes and the internet cannot (their resolvers don't know it)."""
    client = walk.client
    if client.kind == "external":
        return Ending(UNROUTABLE, msg("dns.outside", name=name))
    if client.kind == "node":
        return Ending(UNROUTABLE, msg("dns.node", name=name, node=client.name))
    answer = lookup(walk.view, name, client.namespace)
    walk.dns = answer.as_dict()
    if answer.service is not None:
        walk.service = f"{namespace_of(answer.service)}/{name_of(answer.service)}"
    if answer.record == "NXDOMAIN":
        return Ending(UNROUTABLE, msg("dns.nxdomain", name=name))
    if answer.record == "CNAME":
        return Ending(UNROUTABLE, msg("dns.cname", fqdn=answer.fqdn, target=answer.target))
    if not answer.addresses:
        return Ending(UNROUTABLE, msg("dns.headless_empty", fqdn=answer.fqdn))
    # CoreDNS's loadbalance plugin shuffles the records; the client connects to the first.
    return answer.addresses[walk.rng.randrange(len(answer.addresses))]


# --- Where the address leads ------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    kind: str  # vip | vip-port | nodePort | healthCheck | nodeIP | pod | podNetwork | unknown
    vip: VipTarget | None = None
    spi: ServicePort | None = None
    node: Obj | None = None
    pod: Obj | None = None
    service: Obj | None = None


def classify(view: ClusterView, pkt: Packet) -> Target:
    vip = view.vip(pkt.dst_ip, pkt.dst_port, pkt.proto)
    if vip:
        return Target("vip", vip=vip, spi=vip.spi)
    owner = view.vip_owner(pkt.dst_ip)
    if owner:
        return Target("vip-port", vip=owner, spi=owner.spi)
    node = view.node_by_ip(pkt.dst_ip)
    if node is not None:
        spi = view.node_port(pkt.proto, pkt.dst_port)
        if spi:
            return Target("nodePort", spi=spi, node=node)
        hc = view.health_check_service(pkt.dst_port) if pkt.proto == "TCP" else None
        return Target("healthCheck", node=node, service=hc) if hc else Target("nodeIP", node=node)
    pod = view.pod_by_ip(pkt.dst_ip)
    if pod is not None:
        return Target("pod", pod=pod, node=view.node(pod_node(pod)))
    owner_node = view.node_for_pod_ip(pkt.dst_ip)
    return Target("podNetwork", node=owner_node) if owner_node else Target("unknown")


SEND_FIELD = {"clusterIP": "port", "externalIP": "port", "loadBalancer": "status.loadBalancer.ingress"}


def _send(walk: Walk, pkt: Packet, target: Target) -> None:
    client = walk.client
    field = SEND_FIELD.get(target.vip.kind) if target.kind == "vip" and target.vip else None
    field = "nodePort" if target.kind == "nodePort" else field
    note: Msg | str = ""
    if walk.dns and walk.dns["headless"]:
        note = msg("send.headless", fqdn=walk.dns["fqdn"], count=len(walk.dns["addresses"]))
    elif walk.dns:
        note = msg("send.resolved", fqdn=walk.dns["fqdn"])
    text = msg("send", client=client.label, ip=client.ip, proto=pkt.proto, dst=pkt.dst, note=note)
    walk.hop(at=client_place(client), action="send", before=pkt, field=field, text=text)


def _route(walk: Walk, pkt: Packet) -> Ending:
    target = classify(walk.view, pkt)
    _send(walk, pkt, target)
    if walk.client.kind == "external":
        return _from_outside(walk, pkt, target)
    return _from_inside(walk, pkt, target)


def _from_outside(walk: Walk, pkt: Packet, target: Target) -> Ending:
    view = walk.view
    if target.kind == "vip" and target.vip and target.spi:
        if target.vip.kind == "loadBalancer":
            return through_load_balancer(walk, pkt, target.spi)
        node = view.node_by_ip(pkt.dst_ip)
        if target.vip.kind == "externalIP" and node is not None and _private_to_outside(node, pkt.dst_ip):
            return _private_node_address(node, pkt)
        if target.vip.kind == "externalIP" and node is not None:
            return through_node(walk, view.node_context(name_of(node)), pkt, target.spi, "externalIP")
        if target.vip.kind == "externalIP":
            return Ending(UNROUTABLE, msg("out.external_ip", ip=pkt.dst_ip))
        return Ending(UNROUTABLE, msg("out.cluster_ip", ip=pkt.dst_ip))
    if target.kind == "vip-port" and target.vip:
        if target.vip.kind == "loadBalancer":
            return Ending(
                UNROUTABLE, msg("out.lb_no_listener", ip=pkt.dst_ip, port=pkt.dst_port, proto=pkt.proto)
            )
        return Ending(UNROUTABLE, msg("out.cluster_ip", ip=pkt.dst_ip))
    if target.kind in ("nodePort", "healthCheck", "nodeIP") and target.node is not None:
        if _private_to_outside(target.node, pkt.dst_ip):
            return _private_node_address(target.node, pkt)
        return _at_node(walk, view.node_context(name_of(target.node)), pkt, target)
    if target.kind in ("pod", "podNetwork"):
        return Ending(UNROUTABLE, msg("out.pod_address", ip=pkt.dst_ip))
    return Ending(UNROUTABLE, msg("out.nothing", ip=pkt.dst_ip))


def _private_to_outside(node: Obj, ip: str) -> bool:
    """A node with an ExternalIP (a cloud VM) has its InternalIP on the cluster's private network,
    which nothing outside routes to. A node with only an InternalIP (bare metal on a LAN) is
    reached at that address."""
    external = node_external_ip(node)
    return bool(external) and ip != external


def _private_node_address(node: Obj, pkt: Packet) -> Ending:
    return Ending(
        UNROUTABLE,
        msg(
            "out.private_node",
            ip=pkt.dst_ip,
            node=name_of(node),
            external=node_external_ip(node),
            port=pkt.dst_port,
        ),
    )


def _from_inside(walk: Walk, pkt: Packet, target: Target) -> Ending:
    view, home = walk.view, walk.view.node_context(walk.client.node)
    if target.kind == "vip" and target.vip and target.spi:
        return through_node(walk, home, pkt, target.spi, target.vip.kind)
    if target.kind == "vip-port" and target.vip:
        return _wrong_vip_port(walk, home, pkt, target.vip)
    if target.node is not None and target.kind in ("nodePort", "healthCheck", "nodeIP"):
        ctx = view.node_context(name_of(target.node))
        if ctx.name != home.name:
            route_to_node(walk, home.name, ctx, pkt, msg("route.owner"))
        return _at_node(walk, ctx, pkt, target)
    if target.kind == "pod" and target.pod is not None:
        if target.node is not None and name_of(target.node) != home.name:
            ctx = view.node_context(name_of(target.node))
            route_to_node(walk, home.name, ctx, pkt, msg("route.pod_cidr", cidr=ctx.pod_cidr))
        ending = deliver_to_pod(walk, pkt, target.pod)
        walk.endpoint = walk.endpoint or _pod_summary(target.pod, pkt.dst_port)
        return ending
    if target.kind == "podNetwork":
        return Ending(UNROUTABLE, msg("in.pod_cidr_unused", ip=pkt.dst_ip))
    return Ending(UNROUTABLE, msg("in.nothing", ip=pkt.dst_ip))


def _pod_summary(pod: Obj, port: int) -> Obj:
    return {
        "pod": name_of(pod),
        "namespace": namespace_of(pod),
        "node": pod_node(pod) or None,
        "ip": (pod.get("status") or {}).get("podIP"),
        "port": port,
    }


def _wrong_vip_port(walk: Walk, ctx: NodeContext, pkt: Packet, owner: VipTarget) -> Ending:
    """A Service's IP on a port it does not serve: the answer depends on the proxy mode."""
    if owner.kind != "clusterIP" or walk.mode == "iptables":
        return Ending(
            UNROUTABLE, msg("vip_port.no_rule", dst=pkt.dst, proto=pkt.proto, service=owner.spi.key)
        )
    if walk.mode == "nftables":
        rules, line = (
            ["cluster-ips-check"],
            'cluster-ips-check: ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"',
        )
        text = msg(
            "vip_port.nftables", ip=pkt.dst_ip, service=owner.spi.key, port=pkt.dst_port, proto=pkt.proto
        )
    else:
        rules, line = ["kube-ipvs0"], f"{pkt.dst_ip} is bound to kube-ipvs0"
        text = msg("vip_port.ipvs", ip=pkt.dst_ip, port=pkt.dst_port)
    walk.service = owner.spi.key
    walk.hop(at=node_place(ctx), action="reject", before=pkt, rules=rules, rule_text=line, text=text)
    return Ending(
        REFUSED, msg("vip_port.refused", service=owner.spi.key, port=pkt.dst_port, proto=pkt.proto)
    )


def _at_node(walk: Walk, ctx: NodeContext, pkt: Packet, target: Target) -> Ending:
    """A packet addressed to a node's own IP: a nodePort, a health check port, or nothing."""
    if target.kind == "nodePort" and target.spi:
        return through_node(walk, ctx, pkt, target.spi, "nodePort")
    if target.kind == "healthCheck" and target.service is not None:
        result = health_check(walk.view, target.service, ctx.name)
        body = result["body"]
        text = msg(
            "node.health_check",
            node=ctx.name,
            service=f"{namespace_of(target.service)}/{name_of(target.service)}",
            status=result["status"],
            count=body["localEndpoints"],
        )
        walk.hop(at=node_place(ctx), action="deliver", before=pkt, field="nodePort", text=text)
        return Ending(DELIVERED, msg("node.health_check.end", status=result["status"]))
    answer = msg("answer.tcp_reset" if pkt.proto == "TCP" else "answer.icmp_unreachable")
    text = msg("node.nothing_listens", dst=pkt.dst, proto=pkt.proto, node=ctx.name, answer=answer)
    walk.hop(at=node_place(ctx), action="reject", before=pkt, text=text)
    return Ending(REFUSED, msg("node.refused", port=pkt.dst_port, proto=pkt.proto, node=ctx.name))
