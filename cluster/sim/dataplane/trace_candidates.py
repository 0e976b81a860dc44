"""Which endpoints a service chain could have picked, and why each one is or is not in it.

A Service of 10,000 endpoints must not make a trace 10,000 rows long: a hop lists at most
LISTED endpoints (the chosen one always among them) and sums up every endpoint in groups that
share a reason. Endpoints that agree on node, conditions and zone hints are treated alike by
every chain kube-proxy builds, so the groups are counted per such signature, not per endpoint.
"""

from __future__ import annotations

from collections import Counter
from operator import itemgetter

from cluster.sim.dataplane.kubeproxy import LOCAL, Endpoint, Endpoints, NodeContext, PortPlan
from cluster.sim.dataplane.trace_model import candidate_why
from cluster.sim.dataplane.trace_text import Msg, msg
from cluster.sim.objects import Obj

# One full EndpointSlice's worth: a Service of up to 100 endpoints lists every one of them.
LISTED = 100

# What a chain looks at: node, ready, serving, terminating, zone hints (Endpoint's fields 2, 4-6, 10).
_signature = itemgetter(2, 4, 5, 6, 10)


class Candidates:
    """The candidates of one selection hop: `listed` rows, `groups` over all `total` endpoints,
    and `chosen`, the chosen endpoint's index in `listed`."""

    def __init__(self, listed: list[Obj], groups: list[Obj], total: int, chosen: int | None):
        self.listed, self.groups, self.total, self.chosen = listed, groups, total, chosen

    def hop_fields(self) -> Obj:
        return {"candidates": self.listed, "candidate_groups": self.groups, "candidates_total": self.total,
                "chosen": self.chosen}


def candidates(
    plan: PortPlan, ctx: NodeContext, policy: str, used: tuple[Endpoint, ...], chosen: Endpoint, *,
    fallback: bool = False,
) -> Candidates:
    """Every endpoint of the service port, with whether this chain uses it and why.

    fallback: IPVS found no local endpoint for a Local policy and uses every node's instead.
    """
    everyone = plan.endpoints
    shown = list(everyone[:LISTED])
    if chosen not in shown:  # endpoints are sorted by ip:port; the chosen one may lie beyond the list
        shown[-1] = chosen
    used_by_signature, groups = _summary(everyone, used, plan, ctx, policy, fallback)
    share = 1.0 / len(used) if used else 0.0
    rendered: dict[tuple, Obj] = {}  # most endpoints share one reason: render each reason once

    def why(ep: Endpoint, eligible: bool) -> Obj:
        key = (_signature(ep), eligible)
        if key not in rendered:
            rendered[key] = candidate_why(_why(ep, eligible, plan, ctx, policy, fallback))
        return rendered[key]

    listed = []
    for ep in shown:
        eligible = _signature(ep) in used_by_signature
        listed.append({
            "pod": ep.pod or None,
            "namespace": ep.namespace,
            "node": ep.node or None,
            "ip": ep.ip,
            "port": ep.port,
            "probability": share if eligible else 0.0,
            "eligible": eligible,
            **why(ep, eligible),
            "ready": ep.ready,
            "serving": ep.serving,
            "terminating": ep.terminating,
            "slice": ep.slice,
        })
    return Candidates(listed, groups, len(everyone), shown.index(chosen))


def _summary(
    everyone: tuple[Endpoint, ...], used: tuple[Endpoint, ...], plan: PortPlan, ctx: NodeContext, policy: str,
    fallback: bool,
) -> tuple[Counter, list[Obj]]:
    """The chain's endpoints counted by signature, and the groups; remembered with the endpoints for
    as long as they stay the same (the same `used` tuple comes back from the same categorized plan)."""

    def make() -> tuple[tuple[Endpoint, ...], Counter, list[Obj]]:
        used_by_signature = Counter(map(_signature, used))
        return used, used_by_signature, _groups(everyone, used_by_signature, plan, ctx, policy, fallback)

    if not isinstance(everyone, Endpoints):
        return make()[1:]
    key = ("candidates", id(used), policy, fallback, ctx.name, plan.spi.itp_local, plan.spi.etp_local,
           plan.cat.topology_zone)
    held, used_by_signature, groups = everyone.remember(key, make)
    return (used_by_signature, groups) if held is used else make()[1:]


def _groups(
    everyone: tuple[Endpoint, ...], used_by_signature: Counter, plan: PortPlan, ctx: NodeContext, policy: str,
    fallback: bool,
) -> list[Obj]:
    """How many endpoints are in or out of the chain for each reason, the largest group first.
    Endpoints on other nodes (a Local policy) make one group, however many nodes they run on."""
    counts = Counter(map(_signature, everyone))
    example = dict(zip(map(_signature, everyone), everyone, strict=True))
    tally: dict[tuple[bool, str], list] = {}  # (eligible, message id) -> [count, reason, nodes]
    for signature, count in counts.items():
        eligible = signature in used_by_signature
        reason = _why(example[signature], eligible, plan, ctx, policy, fallback)
        entry = tally.setdefault((eligible, reason.id), [0, reason, set()])
        entry[0] += count
        entry[2].add(signature[0])
    groups = []
    for (eligible, message_id), (count, reason, nodes) in tally.items():
        if message_id == "why.other_node" and len(nodes) > 1:
            reason = msg("why.other_nodes", count=len(nodes), node=ctx.name)
        groups.append({"count": count, "eligible": eligible, **candidate_why(reason)})
    return sorted(groups, key=lambda g: (not g["eligible"], -g["count"], g["why"]))


def _why(ep: Endpoint, used: bool, plan: PortPlan, ctx: NodeContext, policy: str, fallback: bool) -> Msg:
    if used and ep.terminating:
        return msg("why.terminating_used")
    if used and fallback:
        return msg("why.fallback", node=ctx.name)
    if used and policy == LOCAL:
        return msg("why.local", node=ctx.name)
    if used and (plan.spi.itp_local or plan.spi.etp_local):
        return msg("why.every_node")
    if used:
        return msg("why.ready")
    if ep.terminating and not ep.serving:
        return msg("why.terminated")
    if ep.terminating:
        return msg("why.terminating")
    if not ep.ready:
        return msg("why.not_ready")
    if policy == LOCAL and ep.node != ctx.name:
        where = msg("where.node", name=ep.node) if ep.node else msg("where.unknown")
        return msg("why.other_node", where=where, node=ctx.name)
    if plan.cat.topology_zone and plan.cat.topology_zone not in ep.zone_hints:
        return msg("why.zone", zone=plan.cat.topology_zone)
    return msg("why.unused")
