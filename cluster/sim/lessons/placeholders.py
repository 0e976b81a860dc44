"""Placeholders in a lesson's requests and commands, filled from the learner's own sandbox.

`{clusterIP:kubia}` (a Service by name, or `{clusterIP:app=kubia}` by what it selects), `{port:kubia}`, `{nodePort:kubia-nodeport}`, `{lbIP:kubia-loadbalancer}`,
`{nodeIP:without=app=kubia}` / `{nodeIP:with=app=kubia}` / `{nodeIP:any}` (a node's ExternalIP
with or without a ready pod so labelled), `{pod:app=kubia}` (`namespace/name` of such a pod).
`{nodeIP:fewest=app=kubia}`: the node with the fewest ready pods so labelled (ties: by name).
`{clusterIP:*/kubia}`: the Service kubia in whichever namespace has ready endpoints (else
`default`). `{lbIP:kubia-loadbalancer|130.211.53.173}`: while the Service is `<pending>`, the
address after `|` (the one a client keeps calling).
"""

from __future__ import annotations

import re
from collections import Counter

from cluster.sim.lessons.state import LessonState, parse_pairs, subset
from cluster.sim.objects import (
    name_of,
    namespace_of,
    node_external_ip,
    pod_node,
    pod_ready,
    service_cluster_ip,
    service_lb_ips,
    service_ports,
)

_PLACEHOLDER = re.compile(r"\{(\w+):([^{}]*)\}")
NAMES = ("clusterIP", "port", "nodePort", "lbIP", "nodeIP", "pod")


class PlaceholderError(ValueError):
    """The sandbox has nothing a placeholder can stand for (e.g. the Service was deleted)."""


def _service(state: LessonState, ref: str):
    """By name, or (`app=kubia`) the first Service whose selector includes those labels."""
    if "=" in ref:
        wanted = parse_pairs(ref)
        found = sorted((s for s in state.services() if subset(wanted, (s.get("spec") or {}).get("selector"))),
                       key=lambda s: (namespace_of(s) != "default", name_of(s)))
        if not found:
            raise PlaceholderError(f"there is no Service selecting {ref}")
        return found[0]
    svc = state.service(ref)
    if svc is None:
        raise PlaceholderError(f'there is no Service "{ref}"')
    return svc


def _node_ip(state: LessonState, arg: str) -> str:
    mode, _, selector = arg.partition("=")
    nodes = sorted(state.nodes(), key=name_of)
    if mode == "fewest":
        ready = Counter(pod_node(p) for p in state.pods_matching(parse_pairs(selector)) if pod_ready(p))
        nodes.sort(key=lambda n: ready[name_of(n)])  # stable: ties stay in name order
    elif mode != "any":
        with_pod = state.nodes_with_ready_pod(state.pods_matching(parse_pairs(selector)))
        nodes = [n for n in nodes if (name_of(n) in with_pod) == (mode == "with")]
    if not nodes:
        raise PlaceholderError(f"no node {arg.replace('=', ' a ready pod with ', 1)}")
    return node_external_ip(nodes[0])


def _pod(state: LessonState, selector: str) -> str:
    pods = sorted(state.pods_matching(parse_pairs(selector)), key=lambda p: (not pod_ready(p), name_of(p)))
    if not pods:
        raise PlaceholderError(f"no pod with {selector}")
    return f"{namespace_of(pods[0])}/{name_of(pods[0])}"


def _serving(state: LessonState, name: str):
    """The Service `name` in any namespace: one with ready endpoints first, then `default`'s."""
    found = sorted((s for s in state.services() if name_of(s) == name),
                   key=lambda s: (not state.ready_addresses(s), namespace_of(s) != "default", namespace_of(s)))
    if not found:
        raise PlaceholderError(f'there is no Service "{name}" in any namespace')
    return found[0]


def _value(state: LessonState, name: str, arg: str) -> str:
    if name == "clusterIP":
        return service_cluster_ip(_serving(state, arg[2:]) if arg.startswith("*/") else _service(state, arg))
    if name == "port":
        return str(service_ports(_service(state, arg))[0]["port"])
    if name == "nodePort":
        ports = [p["nodePort"] for p in service_ports(_service(state, arg)) if p.get("nodePort")]
        if not ports:
            raise PlaceholderError(f'Service "{arg}" has no nodePort')
        return str(ports[0])
    if name == "lbIP":
        arg, _, pending = arg.partition("|")
        ips = service_lb_ips(_service(state, arg))
        if not ips and pending.strip():
            return pending.strip()
        if not ips:
            raise PlaceholderError(f'Service "{arg}" has no external IP yet')
        return ips[0]
    if name == "nodeIP":
        return _node_ip(state, arg)
    if name == "pod":
        return _pod(state, arg)
    raise PlaceholderError(f"unknown placeholder {name}")


def fill(text: str, state: LessonState) -> str:
    return _PLACEHOLDER.sub(lambda m: _value(state, m.group(1), m.group(2)), text)


def unknown_placeholders(text: str) -> list[str]:
    """Placeholder names a file uses that do not exist (for the loader)."""
    return [m.group(1) for m in _PLACEHOLDER.finditer(text) if m.group(1) not in NAMES]
