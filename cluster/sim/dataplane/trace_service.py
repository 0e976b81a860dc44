"""A packet addressed to a Service, walked through one node's kube-proxy rules to a pod."""

from __future__ import annotations

from typing import Any

from cluster.sim.dataplane.kubeproxy import (
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
from cluster.sim.dataplane.trace_candidates import candidates
from cluster.sim.dataplane.trace_model import (
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
from cluster.sim.dataplane.trace_rules import (
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
from cluster.sim.dataplane.trace_text import Msg, msg
from cluster.sim.objects import Obj, name_of, namespace_of, pod_container_ports

ENTRY_FIELD = {
    "clusterIP": "port",
    "nodePort": "nodePort",
    "loadBalancer": "status.loadBalancer.ingress",
    "externalIP": "port",
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
        text = msg(
            "cluster_ip.entry", node=ctx.name, dst=pkt.dst, proto=spi.protocol, service=spi.key, chain=chain
        )
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
    walk: Walk, ctx: NodeContext, pkt: Packet, action: str, matched: Matched, text: Msg, **details: Any
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
    how = msg("firewall.nftables" if walk.mode == "nftables" else "firewall.iptables", chain=fw)
    text = msg("firewall.drop", src=pkt.src_ip, ranges=list(spi.source_ranges), how=how)
    _rule_hop(walk, ctx, pkt, "drop", matched, text, field=ENTRY_FIELD["loadBalancer"])
    return _outside_source_ranges(pkt)


def _outside_source_ranges(pkt: Packet) -> Ending:
    return Ending(DROPPED, msg("firewall.end", src=pkt.src_ip))


def _external_entry_text(
    ctx: NodeContext, pkt: Packet, plan: PortPlan, entry: str, source: str, ext: str
) -> Msg:
    spi = plan.spi
    if entry == "nodePort":
        via = msg("ext.via.map" if ext.startswith("external-") else "ext.via.chain")
        start = msg("ext.start.nodePort", node=ctx.name, node_port=spi.node_port, via=via, chain=ext)
    else:
        start = msg("ext.start.address", node=ctx.name, entry=msg(f"entry.{entry}"), dst=pkt.dst, chain=ext)
    if not spi.etp_local:
        rest = msg("ext.cluster")
    elif source == POD_SOURCE:
        rest = msg("ext.from_pod")
    elif source == HOST_SOURCE:
        rest = msg("ext.from_host")
    elif not plan.has_external:
        rest = msg("ext.local_none", node=ctx.name)
    else:
        rest = msg("ext.local", node=ctx.name)
    return msg("ext.entry", start=start, rest=rest)


def _reject(
    walk: Walk, ctx: NodeContext, pkt: Packet, matched: Matched, spi: ServicePort, field: str
) -> Ending:
    text = msg("no_endpoints.reject", service=spi.key, node=ctx.name, rule=matched.rules[0])
    _rule_hop(walk, ctx, pkt, "reject", matched, text, field=field)
    return Ending(REFUSED, msg("no_endpoints.end", service=spi.key))


def _drop_no_local(
    walk: Walk,
    ctx: NodeContext,
    pkt: Packet,
    matched: Matched,
    spi: ServicePort,
    field: str,
    policy_field: str,
) -> Ending:
    text = msg("no_local.drop", policy=policy_field, node=ctx.name, service=spi.key, rule=matched.rules[0])
    _rule_hop(walk, ctx, pkt, "drop", matched, text, field=field)
    return Ending(DROPPED, msg("no_local.end", node=ctx.name, service=spi.key, policy=policy_field))


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
    cands = candidates(plan, ctx, policy, endpoints, ep)
    chain = matched.rules[0]
    same = "" if entry == "clusterIP" else msg("select.same_chain", cluster_ip=spi.cluster_ip, port=spi.port)
    if hit:
        how = msg(
            "select.affinity", node=ctx.name, src=pkt.src_ip, endpoint=ep.key, seconds=spi.affinity_seconds
        )
    elif n == 1:
        how = msg("select.only", endpoint=ep.key)
    elif walk.mode == "nftables":
        how = msg("select.numgen", n=n, k=chosen + 1)
    else:
        how = msg("select.cascade", n=n, k=chosen + 1, endpoint=ep.key)
    text = msg("select", same=same, chain=chain, how=how)
    _rule_hop(
        walk,
        ctx,
        pkt,
        "forward",
        matched,
        text,
        field="port",
        **cands.hop_fields(),
        probability=probability,
    )
    _remember(walk, ctx, spi, ep, pkt.src_ip)


def _dnat_hop(
    walk: Walk, ctx: NodeContext, pkt: Packet, spi: ServicePort, ep: Endpoint, matched: Matched, entry: str
) -> Packet:
    after = pkt.to(ep.ip, ep.port)
    pod = walk.view.endpoint_pod(ep)
    who = msg("dnat.pod", name=f"{namespace_of(pod)}/{name_of(pod)}") if pod else msg("dnat.endpoint")
    direct = msg("dnat.direct") if entry != "clusterIP" else ""
    text = msg("dnat", rule=matched.rules[0], dst=pkt.dst, who=who, to=after.dst, direct=direct)
    _rule_hop(walk, ctx, pkt, "DNAT", matched, text, after=after, field="targetPort")
    walk.endpoint = endpoint_summary(ep, pod)
    return after


def _snat_hop(walk: Walk, ctx: NodeContext, pkt: Packet, matched: Matched, hairpin: bool) -> Packet:
    after = pkt.source(ctx.internal_ip)
    why = msg("snat.hairpin" if hairpin else "snat.marked")
    if after.src_ip == pkt.src_ip:
        result = msg("snat.stays", ip=ctx.internal_ip)
    else:
        result = msg("snat.becomes", src=pkt.src_ip, node=ctx.name, ip=ctx.internal_ip)
    text = msg("snat", rule=matched.rules[0], why=why, result=result)
    _rule_hop(walk, ctx, pkt, "SNAT", matched, text, after=after)
    return after


def pod_listens(pod: Obj, port: int, protocol: str) -> bool:
    """Declared containerPorts stand for what listens; a pod declaring none is assumed to listen."""
    declared = pod_container_ports(pod)
    return not declared or any(
        int(p.get("containerPort", 0)) == port and p.get("protocol", "TCP") == protocol for p in declared
    )


def route_to_node(walk: Walk, from_name: str, to_ctx: NodeContext, pkt: Packet, why: Msg) -> None:
    text = msg("route", source=from_name, node=to_ctx.name, ip=to_ctx.internal_ip, why=why)
    walk.hop(at=node_place(to_ctx), action="route", before=pkt, text=text)


def deliver_to_endpoint(walk: Walk, ctx: NodeContext, pkt: Packet, ep: Endpoint) -> Ending:
    pod = walk.view.endpoint_pod(ep)
    node_name = ep.node or _node_of_ip(walk, ep.ip)
    if node_name and node_name != ctx.name and walk.view.node(node_name):
        target = walk.view.node_context(node_name)
        why = msg("route.pod_cidr", cidr=target.pod_cidr) if target.pod_cidr else msg("route.endpoint_cidr")
        route_to_node(walk, ctx.name, target, pkt, why)
    if pod is None:
        text = msg("deliver.outside", endpoint=ep.key)
        walk.hop(at=pod_place(None, ep), action="deliver", before=pkt, text=text)
        return Ending(DELIVERED, msg("deliver.outside.end", endpoint=ep.key))
    return deliver_to_pod(walk, pkt, pod)


def _node_of_ip(walk: Walk, ip: str) -> str:
    node = walk.view.node_for_pod_ip(ip)
    return name_of(node) if node else ""


def deliver_to_pod(walk: Walk, pkt: Packet, pod: Obj) -> Ending:
    at = pod_place(pod)
    name = at["name"]
    if not pod_listens(pod, pkt.dst_port, pkt.proto):
        declared = [f"{p['containerPort']}/{p['protocol']}" for p in pod_container_ports(pod)]
        text = msg("deliver.not_listening", pod=name, port=pkt.dst_port, proto=pkt.proto, declared=declared)
        walk.hop(at=at, action="reject", before=pkt, text=text)
        return Ending(REFUSED, msg("deliver.not_listening.end", dst=pkt.dst, proto=pkt.proto, pod=name))
    text = msg("deliver", pod=name, dst=pkt.dst, src=pkt.src, note=_source_note(walk, pkt))
    walk.hop(at=at, action="deliver", before=pkt, text=text)
    return Ending(DELIVERED, msg("deliver.end", pod=name, dst=pkt.dst))


def _source_note(walk: Walk, pkt: Packet) -> Msg | str:
    if walk.client.kind == "external" and pkt.src_ip == walk.client.ip:
        return msg("deliver.client_ip")
    if pkt.src_ip != walk.client.ip:
        return msg("deliver.node_ip")
    return ""


# --- IPVS ---------------------------------------------------------------------------------------


def _ipvs_path(walk: Walk, ctx: NodeContext, pkt: Packet, plan: PortPlan, entry: str, source: str) -> Ending:
    spi, field = plan.spi, ENTRY_FIELD[entry]
    if entry == "loadBalancer" and spi.source_ranges and not source_allowed(spi, pkt.src_ip, ctx):
        text = msg("firewall.ipvs", src=pkt.src_ip)
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
    text = msg(
        "ipvs.virtual_server",
        ip=pkt.dst_ip,
        node=ctx.name,
        dst=pkt.dst,
        proto=spi.protocol,
        masq=msg("ipvs.marked") if masq else "",
    )
    _rule_hop(walk, ctx, pkt, "forward", _ipvs_mark_rules(ctx, entry, masq) + vs_matched, text, field=field)
    if not real:
        why = msg("ipvs.no_endpoints") if not plan.has_any else msg("ipvs.no_local", node=ctx.name)
        text = msg("ipvs.no_real_servers", service=spi.key, why=why)
        _rule_hop(walk, ctx, pkt, "reject", vs_matched, text, field=field)
        return Ending(REFUSED, msg("ipvs.no_real_servers.end", service=spi.key, why=why))

    chosen, persisted = _choose_ipvs(walk, ctx, spi, vs, real, pkt.src_ip)
    ep = real[chosen]
    local_only = spi.itp_local if entry == "clusterIP" else spi.etp_local
    policy = LOCAL if local_only and plan.cat.local else CLUSTER
    cands = candidates(plan, ctx, policy, real, ep, fallback=local_only and not plan.cat.local)
    if persisted:
        how = msg("ipvs.persistence", seconds=spi.affinity_seconds, src=pkt.src_ip, endpoint=ep.key)
    else:
        how = msg("ipvs.round_robin", endpoint=ep.key, k=chosen + 1, n=len(real))
    _rule_hop(
        walk,
        ctx,
        pkt,
        "forward",
        vs_matched + Matched([], _rs_lines(vs["real_servers"])),
        msg("ipvs.pick", how=how),
        field="port",
        **cands.hop_fields(),
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
    text = msg("ipvs.asymmetric", node=ctx.name, src=reply.src)
    walk.hop(at=client_place(walk.client), action="drop", before=reply, text=text)
    return Ending(DROPPED, msg("ipvs.asymmetric.end"))
