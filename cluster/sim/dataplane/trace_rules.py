"""Which rules a packet matches on its way through a node, named and printed per proxy mode.

The lines come from the same builders as dataplane.node_rules, so a hop's rule_text is exactly
what that node holds. Decisions (which policy, masquerade or not) are made by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cluster.sim.dataplane.kubeproxy import (
    CLUSTER,
    LOCAL,
    Endpoint,
    NodeContext,
    PortPlan,
    ServicePort,
    ipt_affinity_rule,
    ipt_chain,
    ipt_ext_rules,
    ipt_firewall_drop_rule,
    ipt_fw_rules,
    ipt_masquerade_rule,
    ipt_no_endpoint_rule,
    ipt_nodeport_rule,
    ipt_nodeports_jump_rule,
    ipt_policy_chain,
    ipt_random_rule,
    ipt_sep_rules,
    ipt_svc_masq_rule,
    ipt_vip_rule,
    iptables_rule_line,
    nft_affinity_rule,
    nft_chain,
    nft_endpoint_rules,
    nft_external_rules,
    nft_firewall_rule,
    nft_map_key,
    nft_numgen_rule,
    nft_policy_chain,
    nft_service_masq_rule,
)
from cluster.sim.objects import Obj, ip_in_cidr

# How a packet came to the node, as kube-proxy's rules tell sources apart.
POD_SOURCE = "pod"  # from this node's pod CIDR
HOST_SOURCE = "host"  # from one of this node's own addresses
REMOTE_SOURCE = "remote"  # anything else: the internet, another node, another node's pod


@dataclass(frozen=True)
class Matched:
    rules: list[str]
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def __add__(self, other: Matched) -> Matched:
        return Matched(self.rules + other.rules, self.lines + other.lines)


SHOWN_EACH_SIDE = 2  # long rule lists in a hop keep this many lines at each end


def _shown(count: int) -> set[int]:
    return {*range(min(count, SHOWN_EACH_SIDE)), *range(max(count - SHOWN_EACH_SIDE, 0), count)}


def elided(indices: range, line: Callable[[int], str], what: str) -> list[str]:
    """Lines for indices, keeping both ends and summarising the middle (1,000 endpoints → 5 lines)."""
    keep = {indices[i] for i in _shown(len(indices))}
    lines: list[str] = []
    skipped = 0
    for i in indices:
        if i not in keep:
            skipped += 1
            continue
        if skipped:
            lines.append(f"# … {skipped} more {what} …")
            skipped = 0
        lines.append(line(i))
    return lines


def _affinity_checked(spi: ServicePort, count: int, chosen: int, affinity_hit: bool) -> range:
    """The endpoints whose ClientIP-affinity memory is checked, in order: up to the one that
    remembers the client, else all of them; none without session affinity."""
    if not spi.affinity_seconds:
        return range(0)
    return range(chosen + 1) if affinity_hit else range(count)


class IptablesRules:
    """iptables mode: KUBE-SERVICES → KUBE-NODEPORTS → KUBE-EXT → KUBE-SVC/SVL → KUBE-SEP."""

    def policy_chain(self, policy: str, spi: ServicePort) -> str:
        return ipt_policy_chain(policy, spi)

    def external_chain(self, spi: ServicePort) -> str:
        return ipt_chain("ext", spi)

    def firewall_chain(self, spi: ServicePort) -> str:
        return ipt_chain("fw", spi)

    def cluster_ip_entry(self, plan: PortPlan) -> Matched:
        chain = self.policy_chain(plan.internal_policy, plan.spi)
        rule = ipt_vip_rule(plan.spi, plan.spi.cluster_ip, "clusterIP", chain)
        return Matched(["KUBE-SERVICES"], [iptables_rule_line(rule)])

    def external_entry(
        self, plan: PortPlan, ctx: NodeContext, entry: str, dst_ip: str, source: str
    ) -> Matched:
        spi = plan.spi
        ext = self.external_chain(spi)
        if entry == "nodePort":
            rules = [ipt_nodeports_jump_rule(), ipt_nodeport_rule(spi, ext)]
            names = ["KUBE-SERVICES", "KUBE-NODEPORTS"]
        elif entry == "loadBalancer" and plan.uses_firewall:
            fw = self.firewall_chain(spi)
            allowing = [r for r in ipt_fw_rules(spi, ctx) if r["target"] and _src_matches(r["match"], source)]
            rules = [ipt_vip_rule(spi, dst_ip, entry, fw), *allowing[:1]]
            names = ["KUBE-SERVICES", fw]
        else:
            rules = [ipt_vip_rule(spi, dst_ip, entry, ext)]
            names = ["KUBE-SERVICES"]
        ext_rules = _ipt_ext_matched(plan, ctx, source)
        return Matched([*names, ext], [iptables_rule_line(r) for r in rules + ext_rules])

    def no_endpoints(self, plan: PortPlan, entry: str, dst_ip: str) -> Matched:
        """The filter rule that REJECTs or DROPs (nothing in nat matched or nat fell through)."""
        rule = ipt_no_endpoint_rule(plan, entry, dst_ip)
        assert rule is not None
        return Matched([rule["chain"]], [iptables_rule_line(rule)])

    def firewall_drop(self, plan: PortPlan, ctx: NodeContext, dst_ip: str) -> Matched:
        spi = plan.spi
        fw = self.firewall_chain(spi)
        lines = [iptables_rule_line(ipt_vip_rule(spi, dst_ip, "loadBalancer", fw))]
        lines += [iptables_rule_line(r) for r in ipt_fw_rules(spi, ctx)]
        lines.append(iptables_rule_line(ipt_firewall_drop_rule(spi, dst_ip)))
        return Matched(["KUBE-SERVICES", fw, "KUBE-PROXY-FIREWALL"], lines)

    def dispatch(
        self,
        plan: PortPlan,
        ctx: NodeContext,
        policy: str,
        endpoints: tuple[Endpoint, ...],
        chosen: int,
        affinity_hit: bool,
        masq: bool,
    ) -> Matched:
        """The KUBE-SVC/SVL lines walked: masquerade mark, affinity checks, random cascade."""
        spi, large = plan.spi, ctx.large_cluster
        chain = self.policy_chain(policy, spi)
        lines = [iptables_rule_line(ipt_svc_masq_rule(spi, ctx, chain))] if masq else []
        lines += elided(
            _affinity_checked(spi, len(endpoints), chosen, affinity_hit),
            lambda i: iptables_rule_line(ipt_affinity_rule(spi, chain, endpoints[i], large)),
            "affinity checks did not match",
        )
        if not affinity_hit:
            lines += elided(
                range(chosen + 1),
                lambda i: iptables_rule_line(ipt_random_rule(spi, chain, endpoints, i, large)),
                "random rules did not match",
            )
        return Matched([chain], lines)

    def endpoint(self, spi: ServicePort, ep: Endpoint, hairpin: bool, large: bool) -> Matched:
        hairpin_rule, dnat_rule = ipt_sep_rules(spi, ep, large)
        rules = [hairpin_rule, dnat_rule] if hairpin else [dnat_rule]
        return Matched([dnat_rule["chain"]], [iptables_rule_line(r) for r in rules])

    def masquerade(self) -> Matched:
        return Matched(["KUBE-POSTROUTING"], [iptables_rule_line(ipt_masquerade_rule())])


def _src_matches(match: str, source_ip: str) -> bool:
    return match.startswith("-s ") and ip_in_cidr(source_ip, match.split()[1])


def _ipt_ext_matched(plan: PortPlan, ctx: NodeContext, source: str) -> list[Obj]:
    rules = ipt_ext_rules(plan, ctx)
    if not plan.spi.etp_local:
        return rules
    if source == POD_SOURCE:
        return [r for r in rules if r["match"].startswith("-s ")]
    if source == HOST_SOURCE:
        return [r for r in rules if "--src-type LOCAL" in r["match"]]
    return [r for r in rules if not r["match"]]


class NftablesRules:
    """nftables mode: services → @service-ips / @service-nodeports → external- → service-/local- → endpoint-."""

    def policy_chain(self, policy: str, spi: ServicePort) -> str:
        return nft_policy_chain(policy, spi)

    def external_chain(self, spi: ServicePort) -> str:
        return nft_chain("external", spi)

    def firewall_chain(self, spi: ServicePort) -> str:
        return nft_chain("firewall", spi)

    def cluster_ip_entry(self, plan: PortPlan) -> Matched:
        spi = plan.spi
        chain = self.policy_chain(plan.internal_policy, spi)
        key = nft_map_key(spi.cluster_ip, spi.proto, spi.port)
        lines = [
            "services: ip daddr . meta l4proto . th dport vmap @service-ips",
            f"@service-ips: {key} : goto {chain}",
        ]
        return Matched(["services", "service-ips"], lines)

    def external_entry(
        self, plan: PortPlan, ctx: NodeContext, entry: str, dst_ip: str, source: str
    ) -> Matched:
        spi = plan.spi
        ext = self.external_chain(spi)
        if entry == "nodePort":
            key = nft_map_key(spi.proto, spi.node_port)
            lines = [
                "services: fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports",
                f"@service-nodeports: {key} : goto {ext}",
            ]
            names = ["services", "service-nodeports"]
        else:
            key = nft_map_key(dst_ip, spi.proto, spi.port)
            lines = [
                "services: ip daddr . meta l4proto . th dport vmap @service-ips",
                f"@service-ips: {key} : goto {ext}",
            ]
            names = ["services", "service-ips"]
        if entry == "loadBalancer" and plan.uses_firewall:
            names = ["firewall-check", "firewall-ips", self.firewall_chain(spi), *names]
            lines = [*self._firewall_lines(spi, ctx, dst_ip), *lines]
        lines += [f"{ext}: {rule}" for rule in _nft_ext_matched(plan, ctx, source)]
        return Matched([*names, ext], lines)

    def _firewall_lines(self, spi: ServicePort, ctx: NodeContext, dst_ip: str) -> list[str]:
        fw = self.firewall_chain(spi)
        key = nft_map_key(dst_ip, spi.proto, spi.port)
        return [
            "firewall-check: ip daddr . meta l4proto . th dport vmap @firewall-ips",
            f"@firewall-ips: {key} : goto {fw}",
            f"{fw}: {nft_firewall_rule(spi, ctx)}",
        ]

    def no_endpoints(self, plan: PortPlan, entry: str, dst_ip: str) -> Matched:
        spi = plan.spi
        verdict = plan.internal_filter if entry == "clusterIP" else plan.external_filter
        value = "goto reject-chain" if verdict == "REJECT" else "drop"
        if entry == "nodePort":
            check, vmap, key = (
                "nodeport-endpoints-check",
                "no-endpoint-nodeports",
                nft_map_key(spi.proto, spi.node_port),
            )
            rule = f"ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @{vmap}"
        else:
            check, vmap, key = (
                "service-endpoints-check",
                "no-endpoint-services",
                nft_map_key(dst_ip, spi.proto, spi.port),
            )
            rule = f"ip daddr . meta l4proto . th dport vmap @{vmap}"
        lines = [f"{check}: {rule}", f'@{vmap}: {key} : {value} comment "{spi.name}"']
        names = [check, vmap]
        if verdict == "REJECT":
            lines.append("reject-chain: reject")
            names.append("reject-chain")
        return Matched(names, lines)

    def firewall_drop(self, plan: PortPlan, ctx: NodeContext, dst_ip: str) -> Matched:
        fw = self.firewall_chain(plan.spi)
        return Matched(["firewall-check", "firewall-ips", fw], self._firewall_lines(plan.spi, ctx, dst_ip))

    def dispatch(
        self,
        plan: PortPlan,
        ctx: NodeContext,
        policy: str,
        endpoints: tuple[Endpoint, ...],
        chosen: int,
        affinity_hit: bool,
        masq: bool,
    ) -> Matched:
        """The service-/local- chain lines walked: masquerade mark, affinity sets, numgen vmap."""
        spi = plan.spi
        chain = self.policy_chain(policy, spi)
        rules = [nft_service_masq_rule(spi, ctx)] if masq else []
        rules += elided(
            _affinity_checked(spi, len(endpoints), chosen, affinity_hit),
            lambda i: nft_affinity_rule(spi, endpoints[i]),
            "affinity sets did not match",
        )
        if not affinity_hit:
            rules.append(nft_numgen_rule(spi, endpoints, _shown(len(endpoints)) | {chosen}))
        return Matched([chain], [rule if rule.startswith("#") else f"{chain}: {rule}" for rule in rules])

    def endpoint(self, spi: ServicePort, ep: Endpoint, hairpin: bool, large: bool) -> Matched:
        chain = nft_chain("endpoint", spi, ep)
        rules = nft_endpoint_rules(spi, ep)
        if not hairpin:
            rules = rules[1:]
        return Matched([chain], [f"{chain}: {rule}" for rule in rules])

    def masquerade(self) -> Matched:
        return Matched(["masquerading"], ["masquerading: masquerade fully-random"])


def _nft_ext_matched(plan: PortPlan, ctx: NodeContext, source: str) -> list[str]:
    rules = nft_external_rules(plan, ctx)
    if not plan.spi.etp_local:
        return rules
    if source == POD_SOURCE:
        return [r for r in rules if r.startswith("ip saddr ")]
    if source == HOST_SOURCE:
        return [r for r in rules if r.startswith("fib saddr type local")]
    return [r for r in rules if r.startswith("goto ")]


def netfilter_rules(mode: str) -> IptablesRules | NftablesRules:
    return NftablesRules() if mode == "nftables" else IptablesRules()


def external_policy(spi: ServicePort, source: str) -> tuple[str, bool]:
    """(policy, masquerade) for NodePort / LB / external IP traffic, as the EXT chain decides."""
    if not spi.etp_local:
        return CLUSTER, True  # may cross nodes, so the reply must come back the same way
    if source == POD_SOURCE:
        return CLUSTER, False  # pods short-circuit to all endpoints, as if via the LB
    if source == HOST_SOURCE:
        return CLUSTER, True  # the node's own address would be the source anyway
    return LOCAL, False


def source_kind(ctx: NodeContext, src_ip: str) -> str:
    if ctx.is_pod_source(src_ip):
        return POD_SOURCE
    if ctx.is_host_source(src_ip):
        return HOST_SOURCE
    return REMOTE_SOURCE
