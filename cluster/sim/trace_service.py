"""A packet addressed to a Service, walked through one node's kube-proxy rules to a pod."""

from __future__ import annotations

from typing import Any

from cluster.sim.dataplane import (
    CLUSTER,
    IPVS_SCHEDULER,
    LOCAL,
    Endpoint,
    NodeContext,
    PortPlan,
    ServicePort,
    iptables_rule_line,
    ipvs_iptables_rules,
    ipvs_real_servers,
    ipvs_rs_line,
    ipvs_vs_line,
    plan_port,
    source_allowed,
)
from cluster.sim.objects import Obj, name_of, namespace_of, pod_container_ports
from cluster.sim.trace_model import (
    DELIVERED,
    DROPPED,
    REFUSED,
    Ending,
    Packet,
    Walk,
    client_place,
    endpoint_summary,
    node_place,
    pod_place,
)
from cluster.sim.trace_rules import (
    HOST_SOURCE,
    POD_SOURCE,
    REMOTE_SOURCE,
    IptablesRules,
    Matched,
    NftablesRules,
    elided,
    external_policy,
    netfilter_rules,
    source_kind,
)

ENTRY_FIELD = {
    "clusterIP": "port",
    "nodePort": "nodePort",
    "loadBalancer": "status.loadBalancer.ingress",
    "externalIP": "port",
}
ENTRY_LABEL = {
    "clusterIP": "clusterIP",
    "nodePort": "nodePort",
    "loadBalancer": "load-balancer IP",
    "externalIP": "external IP",
}


def through_node(walk: Walk, ctx: NodeContext, pkt: Packet, spi: ServicePort, entry: str) -> Ending:
    """entry: how the packet addresses the Service (clusterIP | nodePort | loadBalancer | externalIP)."""
    walk.service = spi.key
    plan = plan_port(walk.view, ctx, spi)
    source = source_kind(ctx, pkt.src_ip)
    if walk.mode == "ipvs":
        return _ipvs_path(walk, ctx, pkt, plan, entry, source)
    return _netfilter_path(walk, ctx, pkt, plan, entry, source)


# --- iptables and nftables ------------------------------------------------------------------------


def _netfilter_path(
    walk: Walk, ctx: NodeContext, pkt: Packet, plan: PortPlan, entry: str, source: str
) -> Ending:
    rules = netfilter_rules(walk.mode)
    spi, field = plan.spi, ENTRY_FIELD[entry]
    if not plan.has_any:
        return _reject(walk, ctx, pkt, rules.no_endpoints(plan, entry, pkt.dst_ip), spi, field)
    if entry == "loadBalancer" and plan.uses_firewall and not source_allowed(spi, pkt.src_ip, ctx):
        return _firewall_drop(walk, ctx, pkt, plan, rules)
    if entry == "clusterIP":
        policy, masq = plan.internal_policy, _cluster_ip_masquerades(ctx, source)
        if not plan.has_internal:
            matched = rules.no_endpoints(plan, entry, pkt.dst_ip)
            return _drop_no_local(walk, ctx, pkt, matched, spi, field, "internalTrafficPolicy")
        chain = rules.policy_chain(policy, spi)
        text = f"{ctx.name} matches {pkt.dst}/{spi.protocol}, the clusterIP and port of {spi.key}, and jumps to {chain}."
        _rule_hop(walk, ctx, pkt, "forward", rules.cluster_ip_entry(plan), text, field=field)
    else:
        policy, masq = external_policy(spi, source)
        text = _external_entry_text(ctx, pkt, plan, entry, source, rules.external_chain(spi))
        matched = rules.external_entry(plan, ctx, entry, pkt.dst_ip, source)
        _rule_hop(walk, ctx, pkt, "forward", matched, text, field=field)
        if policy == LOCAL and not plan.has_external:
            matched = rules.no_endpoints(plan, entry, pkt.dst_ip)
            return _drop_no_local(walk, ctx, pkt, matched, spi, field, "externalTrafficPolicy")
    return _dispatch_and_deliver(walk, ctx, pkt, plan, policy, masq, entry)


def _cluster_ip_masquerades(ctx: NodeContext, source: str) -> bool:
    """kube-proxy marks clusterIP traffic for masquerading unless it comes from this node's pod CIDR."""
    return bool(ctx.pod_cidr) and source != POD_SOURCE


def _rule_hop(
    walk: Walk, ctx: NodeContext, pkt: Packet, action: str, matched: Matched, text: str, **details: Any
) -> None:
    """A hop on this node that shows the rules the packet matched there (details: field, after...)."""
    walk.hop(
        at=node_place(ctx),
        action=action,
        before=pkt,
        rules=matched.rules,
        rule_text=matched.text,
        text=text,
        **details,
    )


def _dispatch_and_deliver(
    walk: Walk, ctx: NodeContext, pkt: Packet, plan: PortPlan, policy: str, masq: bool, entry: str
) -> Ending:
    """The service chain picks an endpoint, the endpoint chain DNATs, POSTROUTING may SNAT."""
    rules, spi = netfilter_rules(walk.mode), plan.spi
    endpoints = plan.policy_endpoints(policy)
    chosen, probability, hit = _choose_netfilter(walk, ctx, spi, endpoints, pkt.src_ip)
    matched = rules.dispatch(plan, ctx, policy, endpoints, chosen, hit, masq and entry == "clusterIP")
    _selection_hop(walk, ctx, pkt, plan, policy, endpoints, chosen, probability, hit, matched, entry)
    ep = endpoints[chosen]
    hairpin = pkt.src_ip == ep.ip
    pkt = _dnat_hop(walk, ctx, pkt, spi, ep, rules.endpoint(spi, ep, hairpin, ctx.large_cluster), entry)
    if masq or hairpin:
        pkt = _snat_hop(walk, ctx, pkt, rules.masquerade(), hairpin)
    return deliver_to_endpoint(walk, ctx, pkt, ep)


def _firewall_drop(
    walk: Walk, ctx: NodeContext, pkt: Packet, plan: PortPlan, rules: IptablesRules | NftablesRules
) -> Ending:
    spi = plan.spi
    matched = rules.firewall_drop(plan, ctx, pkt.dst_ip)
    fw = rules.firewall_chain(spi)
    if walk.mode == "nftables":
        how = f"{fw} drops it"
    else:
        how = f"{fw} lets it fall through and KUBE-PROXY-FIREWALL drops it"
    text = f"{pkt.src_ip} is outside loadBalancerSourceRanges ({', '.join(spi.source_ranges)}), so {how}."
    _rule_hop(walk, ctx, pkt, "drop", matched, text, field=ENTRY_FIELD["loadBalancer"])
    return _outside_source_ranges(pkt)


def _outside_source_ranges(pkt: Packet) -> Ending:
    reason = f"The source {pkt.src_ip} is not allowed by loadBalancerSourceRanges; the client times out."
    return Ending(DROPPED, reason)


def _external_entry_text(
    ctx: NodeContext, pkt: Packet, plan: PortPlan, entry: str, source: str, ext: str
) -> str:
    spi = plan.spi
    if entry == "nodePort":
        via = "the service-nodeports map" if ext.startswith("external-") else "KUBE-NODEPORTS"
        start = f"{ctx.name} receives the packet on nodePort {spi.node_port}, which {via} sends to {ext}"
    else:
        start = f"{ctx.name} catches the {ENTRY_LABEL[entry]} {pkt.dst} itself and sends it to {ext}"
    if not spi.etp_local:
        return f"{start}; it is marked for masquerading because externalTrafficPolicy is Cluster, so it may cross nodes."
    if source == POD_SOURCE:
        return f"{start}; traffic from a pod on this node short-circuits to every endpoint, as if it went out to the LB."
    if source == HOST_SOURCE:
        return f"{start}; traffic from the node itself is masqueraded and may use every endpoint."
    if not plan.has_external:
        return f"{start}; externalTrafficPolicy is Local and {ctx.name} has no local endpoint, so no rule takes it."
    return f"{start}; externalTrafficPolicy is Local, so only endpoints on {ctx.name} are used and the client IP is kept."


def _reject(
    walk: Walk, ctx: NodeContext, pkt: Packet, matched: Matched, spi: ServicePort, field: str
) -> Ending:
    text = (
        f"{spi.key} has no ready endpoints (and none terminating but still serving), so {ctx.name} has no NAT rule "
        "for it and "
        f"{matched.rules[0]} rejects the packet with ICMP port unreachable."
    )
    _rule_hop(walk, ctx, pkt, "reject", matched, text, field=field)
    return Ending(REFUSED, f"{spi.key} has no endpoints, so the connection is refused immediately.")


def _drop_no_local(
    walk: Walk,
    ctx: NodeContext,
    pkt: Packet,
    matched: Matched,
    spi: ServicePort,
    field: str,
    policy_field: str,
) -> Ending:
    text = (
        f"{policy_field} is Local and {ctx.name} runs no endpoint of {spi.key}, so {matched.rules[0]} "
        "drops the packet silently."
    )
    _rule_hop(walk, ctx, pkt, "drop", matched, text, field=field)
    return Ending(
        DROPPED,
        f"{ctx.name} has no local endpoint for {spi.key} ({policy_field}: Local); the client times out.",
    )


def _choose_netfilter(
    walk: Walk, ctx: NodeContext, spi: ServicePort, endpoints: tuple[Endpoint, ...], client_ip: str
) -> tuple[int, float, bool]:
    """(index, probability of that choice, affinity hit). iptables cascades 1/(n-i) rules;
    nftables draws once with numgen; both give every endpoint 1/n."""
    remembered = _remembered(walk, ctx, spi, endpoints, client_ip)
    if remembered is not None:
        return remembered, 1.0, True
    n = len(endpoints)
    if walk.mode == "nftables":
        return walk.rng.randrange(n), 1.0 / n, False
    for i in range(n - 1):
        if walk.rng.random() < 1.0 / (n - i):
            return i, 1.0 / n, False
    return n - 1, 1.0 / n, False


def _affinity_key(ctx: NodeContext, spi: ServicePort, client_ip: str) -> str:
    # The recent-list / nft set lives in this node's kernel, per service port and client IP.
    return f"{ctx.name}|{spi.name}/{spi.protocol}|{client_ip}"


def _remembered(
    walk: Walk, ctx: NodeContext, spi: ServicePort, endpoints: tuple[Endpoint, ...], client_ip: str
) -> int | None:
    if not spi.affinity_seconds:
        return None
    memory = walk.state_bucket("affinity")
    key = _affinity_key(ctx, spi, client_ip)
    entry = memory.get(key)
    if entry and walk.now - entry["seen"] > spi.affinity_seconds:
        del memory[key]  # --reap: expired entries are forgotten
        return None
    if not entry:
        return None
    keys = [ep.key for ep in endpoints]
    return keys.index(entry["endpoint"]) if entry["endpoint"] in keys else None


def _remember(walk: Walk, ctx: NodeContext, spi: ServicePort, ep: Endpoint, client_ip: str) -> None:
    if spi.affinity_seconds:
        key = _affinity_key(ctx, spi, client_ip)
        walk.state_bucket("affinity")[key] = {"endpoint": ep.key, "seen": walk.now}


# --- Shared steps ---------------------------------------------------------------------------------


def candidates(
    plan: PortPlan, ctx: NodeContext, policy: str, used: tuple[Endpoint, ...], *, fallback: bool = False
) -> list[Obj]:
    """Every endpoint of the service port, with whether this chain uses it and why.

    fallback: IPVS found no local endpoint for a Local policy and uses every node's instead.
    """
    used_keys = {ep.key for ep in used}
    share = 1.0 / len(used) if used else 0.0
    return [
        {
            "pod": ep.pod or None,
            "namespace": ep.namespace,
            "node": ep.node or None,
            "ip": ep.ip,
            "port": ep.port,
            "probability": share if ep.key in used_keys else 0.0,
            "eligible": ep.key in used_keys,
            "why": _why(ep, ep.key in used_keys, plan, ctx, policy, fallback),
            "ready": ep.ready,
            "serving": ep.serving,
            "terminating": ep.terminating,
            "slice": ep.slice,
        }
        for ep in plan.endpoints
    ]


def _candidate_index(cands: list[Obj], ep: Endpoint) -> int:
    return next(i for i, c in enumerate(cands) if c["ip"] == ep.ip and c["port"] == ep.port)


def _why(ep: Endpoint, used: bool, plan: PortPlan, ctx: NodeContext, policy: str, fallback: bool) -> str:
    where = ep.node or "an unknown node"
    if used and ep.terminating:
        return "Terminating but still serving; used only because no endpoint is ready."
    if used and fallback:
        return f"Ready; {ctx.name} has no local endpoint, so IPVS falls back to endpoints on every node."
    if used and policy == LOCAL:
        return f"Ready and running on {ctx.name}, so the Local policy uses it."
    if used and (plan.spi.itp_local or plan.spi.etp_local):
        return "Ready; this traffic may use endpoints on every node."
    if used:
        return "Ready, so kube-proxy gave it a rule in this chain."
    if ep.terminating and not ep.serving:
        return "Terminating and no longer serving, so it gets no new connections."
    if ep.terminating:
        return "Terminating; kube-proxy uses such endpoints only when no endpoint is ready."
    if not ep.ready:
        return "Not ready (failing its readiness probe or still starting), so kube-proxy gives it no rule."
    if policy == LOCAL and ep.node != ctx.name:
        return f"Ready, but it runs on {where}; the Local policy only uses endpoints on {ctx.name}."
    if plan.cat.topology_zone and plan.cat.topology_zone not in ep.zone_hints:
        return f"Ready, but its topology hints name other zones than {plan.cat.topology_zone}."
    return "Not used by this chain."


def _selection_hop(
    walk: Walk,
    ctx: NodeContext,
    pkt: Packet,
    plan: PortPlan,
    policy: str,
    endpoints: tuple[Endpoint, ...],
    chosen: int,
    probability: float,
    hit: bool,
    matched: Matched,
    entry: str,
) -> None:
    spi, ep, n = plan.spi, endpoints[chosen], len(endpoints)
    cands = candidates(plan, ctx, policy, endpoints)
    chain = matched.rules[0]
    same = "" if entry == "clusterIP" else f"It is the same chain {spi.cluster_ip}:{spi.port} uses; "
    if hit:
        how = (
            f"ClientIP session affinity: {ctx.name} remembers {pkt.src_ip} went to {ep.key} within the last "
            f"{spi.affinity_seconds}s, so the affinity rule sends it there again"
        )
    elif n == 1:
        how = f"{ep.key} is the only endpoint in the chain, so it gets every connection"
    elif walk.mode == "nftables":
        how = f"one `numgen random mod {n}` lookup picks endpoint {chosen + 1} of {n} (each has 1/{n})"
    else:
        how = f"rule {chosen + 1} of the random cascade matched, picking {ep.key} (each of the {n} has 1/{n})"
    text = f"{same}{chain} chooses an endpoint: {how}; the packet itself is unchanged."
    _rule_hop(
        walk,
        ctx,
        pkt,
        "forward",
        matched,
        text,
        field="port",
        candidates=cands,
        chosen=_candidate_index(cands, ep),
        probability=probability,
    )
    _remember(walk, ctx, spi, ep, pkt.src_ip)


def _dnat_hop(
    walk: Walk, ctx: NodeContext, pkt: Packet, spi: ServicePort, ep: Endpoint, matched: Matched, entry: str
) -> Packet:
    after = pkt.to(ep.ip, ep.port)
    pod = walk.view.endpoint_pod(ep)
    who = f"pod {namespace_of(pod)}/{name_of(pod)}" if pod else "the endpoint"
    direct = " in one step (it never passes through the clusterIP)" if entry != "clusterIP" else ""
    text = (
        f"{matched.rules[0]} rewrites the destination {pkt.dst} to {who} at {after.dst} (targetPort){direct}."
    )
    _rule_hop(walk, ctx, pkt, "DNAT", matched, text, after=after, field="targetPort")
    walk.endpoint = endpoint_summary(ep, pod)
    return after


def _snat_hop(walk: Walk, ctx: NodeContext, pkt: Packet, matched: Matched, hairpin: bool) -> Packet:
    after = pkt.source(ctx.internal_ip)
    if hairpin:
        why = "the pod is talking to itself through the Service (hairpin), so the reply must come back via the node"
    else:
        why = "the packet was marked for masquerading, so replies return through this node"
    if after.src_ip == pkt.src_ip:
        result = f"the source stays {ctx.internal_ip}, the node's own address"
    else:
        result = f"the source {pkt.src_ip} becomes {ctx.name}'s address {ctx.internal_ip}"
    text = f"{matched.rules[0]} MASQUERADEs: {why}; {result}."
    _rule_hop(walk, ctx, pkt, "SNAT", matched, text, after=after)
    return after


def pod_listens(pod: Obj, port: int, protocol: str) -> bool:
    """Declared containerPorts stand for what listens; a pod declaring none is assumed to listen."""
    declared = pod_container_ports(pod)
    return not declared or any(
        int(p.get("containerPort", 0)) == port and p.get("protocol", "TCP") == protocol for p in declared
    )


def route_to_node(walk: Walk, from_name: str, to_ctx: NodeContext, pkt: Packet, why: str) -> None:
    text = f"The network carries the packet from {from_name} to {to_ctx.name} ({to_ctx.internal_ip}), {why}."
    walk.hop(at=node_place(to_ctx), action="route", before=pkt, text=text)


def deliver_to_endpoint(walk: Walk, ctx: NodeContext, pkt: Packet, ep: Endpoint) -> Ending:
    pod = walk.view.endpoint_pod(ep)
    node_name = ep.node or _node_of_ip(walk, ep.ip)
    if node_name and node_name != ctx.name and walk.view.node(node_name):
        target = walk.view.node_context(node_name)
        route_to_node(
            walk, ctx.name, target, pkt, f"which owns pod CIDR {target.pod_cidr or 'of the endpoint'}"
        )
    if pod is None:
        text = f"The packet leaves for {ep.key}, an endpoint outside the cluster's pods (a manually listed address)."
        walk.hop(at=pod_place(None, ep), action="deliver", before=pkt, text=text)
        return Ending(DELIVERED, f"The request reached {ep.key}.")
    return deliver_to_pod(walk, pkt, pod)


def _node_of_ip(walk: Walk, ip: str) -> str:
    node = walk.view.node_for_pod_ip(ip)
    return name_of(node) if node else ""


def deliver_to_pod(walk: Walk, pkt: Packet, pod: Obj) -> Ending:
    at = pod_place(pod)
    who = f"pod {at['name']}"
    if not pod_listens(pod, pkt.dst_port, pkt.proto):
        declared = ", ".join(f"{p['containerPort']}/{p['protocol']}" for p in pod_container_ports(pod))
        text = (
            f"The packet reaches {who}, but nothing listens on port {pkt.dst_port}/{pkt.proto} there "
            f"(it declares {declared}), so it answers with a reset."
        )
        walk.hop(at=at, action="reject", before=pkt, text=text)
        return Ending(
            REFUSED,
            f"Nothing listens on {pkt.dst}/{pkt.proto} in {who}: connection refused (check targetPort).",
        )
    text = f"Pod {at['name']} receives the request on {pkt.dst} from {pkt.src}{_source_note(walk, pkt)}."
    walk.hop(at=at, action="deliver", before=pkt, text=text)
    return Ending(DELIVERED, f"The request reached {who} at {pkt.dst}.")


def _source_note(walk: Walk, pkt: Packet) -> str:
    if walk.client.kind == "external" and pkt.src_ip == walk.client.ip:
        return ": the client's own address, because nothing masqueraded it"
    if pkt.src_ip != walk.client.ip:
        return ": a node's address, not the client's, because the packet was masqueraded"
    return ""


# --- IPVS ---------------------------------------------------------------------------------------


def _ipvs_path(walk: Walk, ctx: NodeContext, pkt: Packet, plan: PortPlan, entry: str, source: str) -> Ending:
    spi, field = plan.spi, ENTRY_FIELD[entry]
    if entry == "loadBalancer" and spi.source_ranges and not source_allowed(spi, pkt.src_ip, ctx):
        text = f"{pkt.src_ip} is outside loadBalancerSourceRanges, so the KUBE-SOURCE-RANGES-FIREWALL chain drops it."
        chains = Matched(["KUBE-LOAD-BALANCER-FW", "KUBE-SOURCE-RANGES-FIREWALL"], [])  # ipsets: no lines shown
        _rule_hop(walk, ctx, pkt, "drop", chains, text, field=field)
        return _outside_source_ranges(pkt)
    if entry == "clusterIP":
        masq = _cluster_ip_masquerades(ctx, source)
    else:
        masq = not spi.etp_local or source == HOST_SOURCE
    real = ipvs_real_servers(plan, entry)
    vs = _ipvs_vs(spi, pkt, real)
    vs_matched = Matched([f"IPVS {pkt.dst}/{spi.protocol}"], [ipvs_vs_line(vs)])
    text = (
        f"{pkt.dst_ip} is a local address on {ctx.name} (bound to kube-ipvs0, or a node IP), so IPVS virtual server "
        f"{pkt.dst}/{spi.protocol} (scheduler rr) takes the packet"
        + ("; iptables has marked it for masquerading." if masq else ".")
    )
    _rule_hop(walk, ctx, pkt, "forward", _ipvs_mark_rules(ctx, entry, masq) + vs_matched, text, field=field)
    if not real:
        why = (
            "has no endpoints"
            if not plan.has_any
            else f"has no endpoint that {ctx.name} may use (Local policy)"
        )
        text = f"{spi.key} {why}, so the virtual server has no real servers and IPVS answers ICMP port unreachable."
        _rule_hop(walk, ctx, pkt, "reject", vs_matched, text, field=field)
        return Ending(REFUSED, f"{spi.key} {why}, so the connection is refused immediately.")

    chosen, persisted = _choose_ipvs(walk, ctx, spi, vs, real, pkt.src_ip)
    ep = real[chosen]
    local_only = spi.itp_local if entry == "clusterIP" else spi.etp_local
    policy = LOCAL if local_only and plan.cat.local else CLUSTER
    cands = candidates(plan, ctx, policy, real, fallback=local_only and not plan.cat.local)
    if persisted:
        how = f"persistence ({spi.affinity_seconds}s) keeps {pkt.src_ip} on {ep.key}"
    else:
        how = f"round robin hands out real servers in turn; this connection gets {ep.key} ({chosen + 1} of {len(real)})"
    _rule_hop(
        walk,
        ctx,
        pkt,
        "forward",
        vs_matched + Matched([], _rs_lines(vs["real_servers"])),
        f"IPVS picks a real server: {how}; the packet itself is unchanged.",
        field="port",
        candidates=cands,
        chosen=_candidate_index(cands, ep),
        probability=1.0,  # rr and persistence are deterministic given the node's IPVS state
    )
    rs_line = ipvs_rs_line({"ip": ep.ip, "port": ep.port, "weight": 1})
    pkt = _dnat_hop(walk, ctx, pkt, spi, ep, vs_matched + Matched([], [rs_line]), entry)
    hairpin = pkt.src_ip == ep.ip
    if masq or hairpin:
        pkt = _snat_hop(walk, ctx, pkt, _ipvs_masquerade(ctx, hairpin), hairpin)
    ending = deliver_to_endpoint(walk, ctx, pkt, ep)
    asymmetric = entry != "clusterIP" and spi.etp_local and source == REMOTE_SOURCE and not plan.cat.local
    if ending.outcome == DELIVERED and asymmetric:
        return _asymmetric_reply(walk, pkt, ctx)
    return ending


def _rs_lines(servers: list[Obj]) -> list[str]:
    return elided(range(len(servers)), lambda i: ipvs_rs_line(servers[i]), "real servers")


def _ipvs_vs(spi: ServicePort, pkt: Packet, real: tuple[Endpoint, ...]) -> Obj:
    return {
        "address": pkt.dst_ip,
        "port": pkt.dst_port,
        "protocol": spi.protocol,
        "scheduler": IPVS_SCHEDULER,
        "persistent": spi.affinity_seconds,
        "real_servers": [{"ip": ep.ip, "port": ep.port, "weight": 1} for ep in real],
    }


def _pick_rules(ctx: NodeContext, wanted: list[tuple[str, str]]) -> list[Obj]:
    rules = ipvs_iptables_rules(ctx)
    return [next(r for r in rules if (r["chain"], r["target"]) == pair) for pair in wanted]


def _ipvs_mark_rules(ctx: NodeContext, entry: str, masq: bool) -> Matched:
    """The iptables rules IPVS mode walks before IPVS: masquerade marks only."""
    if entry == "clusterIP":
        rules = _pick_rules(ctx, [("KUBE-SERVICES", "KUBE-MARK-MASQ")]) if masq else []
        return Matched(["KUBE-SERVICES"], [iptables_rule_line(r) for r in rules])
    if entry == "externalIP":  # marked through the KUBE-EXTERNAL-IP ipset; not modelled line by line
        return Matched(["KUBE-SERVICES"], [])
    verdict = "KUBE-MARK-MASQ" if masq else "RETURN"
    if entry == "nodePort":
        chain, pairs = "KUBE-NODE-PORT", [("KUBE-SERVICES", "KUBE-NODE-PORT"), ("KUBE-NODE-PORT", verdict)]
    else:
        chain, pairs = (
            "KUBE-LOAD-BALANCER",
            [("KUBE-SERVICES", "KUBE-LOAD-BALANCER"), ("KUBE-LOAD-BALANCER", verdict)],
        )
    return Matched(["KUBE-SERVICES", chain], [iptables_rule_line(r) for r in _pick_rules(ctx, pairs)])


def _ipvs_masquerade(ctx: NodeContext, hairpin: bool) -> Matched:
    target = (
        ("KUBE-POSTROUTING", "MASQUERADE") if hairpin else ("KUBE-POSTROUTING", "MASQUERADE --random-fully")
    )
    return Matched(["KUBE-POSTROUTING"], [iptables_rule_line(r) for r in _pick_rules(ctx, [target])])


def _choose_ipvs(
    walk: Walk, ctx: NodeContext, spi: ServicePort, vs: Obj, real: tuple[Endpoint, ...], client_ip: str
) -> tuple[int, bool]:
    """(index, persisted): a live persistence template wins, else this node's rr cursor moves on."""
    vs_key = f"{ctx.name}|{vs['address']}:{vs['port']}/{vs['protocol']}"
    templates, keys = walk.state_bucket("ipvs_persist"), [ep.key for ep in real]
    template = templates.get(f"{vs_key}|{client_ip}")
    live = bool(spi.affinity_seconds and template and walk.now - template["seen"] <= spi.affinity_seconds)
    if live and template["endpoint"] in keys:
        index, persisted = keys.index(template["endpoint"]), True
    else:
        cursors = walk.state_bucket("ipvs_rr")
        index, persisted = cursors.get(vs_key, 0) % len(real), False
        cursors[vs_key] = index + 1
    if spi.affinity_seconds:
        templates[f"{vs_key}|{client_ip}"] = {"endpoint": keys[index], "seen": walk.now}
    return index, persisted


def _asymmetric_reply(walk: Walk, pkt: Packet, ctx: NodeContext) -> Ending:
    reply = Packet(pkt.dst_ip, pkt.dst_port, pkt.src_ip, pkt.src_port, pkt.proto)
    text = (
        f"{ctx.name} had no local endpoint, so IPVS fell back to a pod on another node without masquerading; "
        f"the reply goes straight back from {reply.src}, not from the address the client called, and is discarded."
    )
    walk.hop(at=client_place(walk.client), action="drop", before=reply, text=text)
    return Ending(
        DROPPED,
        "externalTrafficPolicy is Local and the node had no local endpoint; the reply never matches, so the client times out.",
    )
