"""What a request trace is made of: packets, places, hops, and the walk that records them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from cluster.sim.dataplane.kubeproxy import ClusterView, Endpoint, NodeContext
from cluster.sim.dataplane.trace_text import Msg, msg, translations
from cluster.sim.objects import Obj, name_of, namespace_of, pod_ip

EXTERNAL_CLIENT_IP = "203.0.113.10"  # TEST-NET-3: a client somewhere on the internet
EPHEMERAL_PORTS = (32768, 60999)  # Linux net.ipv4.ip_local_port_range default

DELIVERED = "delivered"
REFUSED = "refused"
DROPPED = "dropped"
UNROUTABLE = "unroutable"


@dataclass(frozen=True)
class Packet:
    src_ip: str
    src_port: int
    dst_ip: str
    dst_port: int
    proto: str

    @property
    def src(self) -> str:
        return f"{self.src_ip}:{self.src_port}"

    @property
    def dst(self) -> str:
        return f"{self.dst_ip}:{self.dst_port}"

    def as_dict(self) -> Obj:
        return {"src": self.src, "dst": self.dst, "proto": self.proto}

    def to(self, ip: str, port: int) -> Packet:
        return replace(self, dst_ip=ip, dst_port=port)

    def source(self, ip: str, port: int | None = None) -> Packet:
        return replace(self, src_ip=ip, src_port=self.src_port if port is None else port)


def changed_fields(before: Packet, after: Packet) -> list[str]:
    changed = []
    if before.src != after.src:
        changed.append("src")
    if before.dst != after.dst:
        changed.append("dst")
    return changed


@dataclass(frozen=True)
class Client:
    """Who sends the request: the internet, a node's host network, or a pod."""

    kind: str  # external | node | pod
    name: str  # "external", the node name, or "namespace/pod"
    ip: str
    node: str = ""  # the node the client runs on
    namespace: str = ""

    @property
    def label(self) -> Msg:
        return msg(f"client.{self.kind}", name=self.name)


@dataclass(frozen=True)
class Ending:
    outcome: str
    reason: Msg


def place(kind: str, name: str, ip: str) -> Obj:
    return {"kind": kind, "name": name, "ip": ip}


def node_place(ctx: NodeContext) -> Obj:
    return place("node", ctx.name, ctx.internal_ip)


def pod_place(pod: Obj | None, ep: Endpoint | None = None) -> Obj:
    if pod is not None:
        return place("pod", f"{namespace_of(pod)}/{name_of(pod)}", pod_ip(pod))
    assert ep is not None
    return place("pod", ep.ip, ep.ip)


def client_place(client: Client) -> Obj:
    return place("client" if client.kind == "external" else client.kind, client.name, client.ip)


def candidate_why(why: Msg) -> Obj:
    """A candidate's `why` in English and its `i18n` (one list entry per endpoint: no message ids)."""
    return {"why": why.render("en"), "i18n": translations("why", why)}


def endpoint_summary(ep: Endpoint, pod: Obj | None) -> Obj:
    return {
        "pod": name_of(pod) if pod else (ep.pod or None),
        "namespace": namespace_of(pod) if pod else ep.namespace,
        "node": ep.node or None,
        "ip": ep.ip,
        "port": ep.port,
    }


@dataclass
class Walk:
    """One request in flight: the inputs that stay fixed, and the hops recorded so far."""

    view: ClusterView
    rng: random.Random
    state: dict
    now: float
    client: Client
    hops: list[Obj] = field(default_factory=list)
    service: str | None = None
    endpoint: Obj | None = None
    dns: Obj | None = None

    @property
    def mode(self) -> str:
        return self.view.settings.proxy_mode

    def hop(
        self,
        *,
        at: Obj,
        action: str,
        before: Packet,
        text: Msg,
        after: Packet | None = None,
        rules: list[str] | None = None,
        rule_text: str = "",
        field: str | None = None,
        candidates: list[Obj] | None = None,
        candidate_groups: list[Obj] | None = None,
        candidates_total: int | None = None,
        chosen: int | None = None,
        probability: float | None = None,
    ) -> Obj:
        after = after or before
        hop = {
            "index": len(self.hops),
            "at": at,
            "action": action,
            "before": before.as_dict(),
            "after": after.as_dict(),
            "changed": changed_fields(before, after),
            "rules": list(rules or []),
            "rule_text": rule_text,
            "field": field,
            "candidates": candidates or [],
            "candidate_groups": candidate_groups or [],
            "candidates_total": len(candidates or []) if candidates_total is None else candidates_total,
            "chosen": chosen,
            "probability": probability,
            "text": text.render("en"),
            "message": text.as_dict(),
            "i18n": translations("text", text),
        }
        self.hops.append(hop)
        return hop

    def state_bucket(self, name: str) -> dict:
        return self.state.setdefault(name, {})
