"""The cloud load balancer in front of a LoadBalancer Service, and kube-proxy's health check."""

from __future__ import annotations

from cluster.sim.dataplane.kubeproxy import (
    EXCLUDE_FROM_LB_LABEL,
    ClusterView,
    ServicePort,
    ipt_chain,
    nft_chain,
)
from cluster.sim.dataplane.trace_model import DROPPED, Ending, Packet, Walk, candidate_why, place
from cluster.sim.dataplane.trace_service import through_node
from cluster.sim.dataplane.trace_text import Msg, msg
from cluster.sim.objects import (
    Obj,
    ip_in_cidr,
    labels_of,
    name_of,
    namespace_of,
    node_internal_ip,
    node_ready,
)


def local_ready_endpoint_count(view: ClusterView, service: Obj, node_name: str) -> int:
    """EndpointsMap.LocalReadyEndpoints: distinct ready endpoint IPs of the service on the node."""
    return len(
        {
            ep.ip
            for spi in view.service_ports(service)
            for ep in view.endpoints(spi)
            if ep.node == node_name and ep.ready
        }
    )


def health_check(view: ClusterView, service: Obj, node_name: str) -> Obj:
    """What kube-proxy on node_name answers on the Service's healthCheckNodePort (service_health.go)."""
    count = local_ready_endpoint_count(view, service, node_name)
    node = view.node(node_name)
    healthy = node is not None and node_ready(node)  # stands in for kube-proxy's own healthz
    return {
        "status": 200 if count and healthy else 503,
        "port": int((service.get("spec") or {}).get("healthCheckNodePort") or 0) or None,
        "headers": {
            "Content-Type": "application/json",
            "X-Content-Type-Options": "nosniff",
            "X-Load-Balancing-Endpoint-Weight": str(count),
        },
        "body": {
            "service": {"namespace": namespace_of(service), "name": name_of(service)},
            "localEndpoints": count,
            "serviceProxyHealthy": healthy,
        },
    }


def _backend(view: ClusterView, service: Obj, spi: ServicePort, node: Obj) -> tuple[bool, Msg]:
    """Whether the LB sends traffic to node, and why."""
    name = name_of(node)
    if EXCLUDE_FROM_LB_LABEL in labels_of(node):
        return False, msg("lb.excluded", label=EXCLUDE_FROM_LB_LABEL)
    if not node_ready(node):
        return False, msg("lb.not_ready")
    if not spi.etp_local:
        return True, msg("lb.cluster")
    result = health_check(view, service, name)
    local = result["body"]["localEndpoints"]
    if result["status"] == 200:
        return True, msg("lb.healthy", port=result["port"], count=local)
    return False, msg("lb.unhealthy", port=result["port"], count=local)


def _candidate(node: Obj, spi: ServicePort, eligible: bool, why: Msg, share: float) -> Obj:
    return {
        "pod": None,
        "namespace": None,
        "node": name_of(node),
        "ip": node_internal_ip(node),
        "port": spi.node_port or spi.port,
        "probability": share if eligible else 0.0,
        "eligible": eligible,
        **candidate_why(why),
        "ready": node_ready(node),
        "serving": None,
        "terminating": None,
        "slice": None,
    }


def _firewall_rule_name(mode: str, spi: ServicePort) -> str:
    if mode == "nftables":
        return nft_chain("firewall", spi)
    if mode == "ipvs":
        return "KUBE-SOURCE-RANGES-FIREWALL"
    return ipt_chain("fw", spi)


def through_load_balancer(walk: Walk, pkt: Packet, spi: ServicePort) -> Ending:
    """A proxy-style cloud LB: it keeps the client's address and forwards to nodeIP:nodePort.

    Without a nodePort (allocateLoadBalancerNodePorts: false) it behaves VIP-style instead and
    hands the packet, still addressed to the LB IP, to a node whose kube-proxy captures it.
    """
    view, at = walk.view, place("loadbalancer", f"{spi.key} load balancer", pkt.dst_ip)
    walk.service = spi.key
    service = view.service(spi.namespace, spi.service) or {}
    if spi.node_port and spi.source_ranges and not any(ip_in_cidr(pkt.src_ip, c) for c in spi.source_ranges):
        rule = _firewall_rule_name(walk.mode, spi)
        text = msg("lb.source_ranges", ranges=list(spi.source_ranges), src=pkt.src_ip, rule=rule)
        walk.hop(
            at=at, action="drop", before=pkt, rules=[rule], field="status.loadBalancer.ingress", text=text
        )
        return Ending(DROPPED, msg("lb.source_ranges.end", src=pkt.src_ip))

    nodes = [view.node(name) for name in view.node_names()]
    verdicts = [(node, *_backend(view, service, spi, node)) for node in nodes if node]
    eligible = [node for node, ok, _ in verdicts if ok]
    share = 1.0 / len(eligible) if eligible else 0.0
    cands = [_candidate(node, spi, ok, why, share) for node, ok, why in verdicts]
    if not eligible:
        text = msg("lb.no_backend")
        walk.hop(
            at=at, action="drop", before=pkt, candidates=cands, field="status.loadBalancer.ingress", text=text
        )
        return Ending(DROPPED, msg("lb.no_backend.end", service=spi.key))

    node = eligible[walk.rng.randrange(len(eligible))]
    ctx = view.node_context(name_of(node))
    after = pkt.to(ctx.internal_ip, spi.node_port) if spi.node_port else pkt
    how = msg("lb.forward.node_port", to=after.dst) if spi.node_port else msg("lb.forward.vip")
    text = msg("lb.forward", dst=pkt.dst, node=ctx.name, n=len(eligible), how=how)
    walk.hop(
        at=at,
        action="forward",
        before=pkt,
        after=after,
        field="status.loadBalancer.ingress",
        candidates=cands,
        chosen=next(i for i, c in enumerate(cands) if c["node"] == ctx.name),
        probability=share,
        text=text,
    )
    return through_node(walk, ctx, after, spi, "nodePort" if spi.node_port else "loadBalancer")
