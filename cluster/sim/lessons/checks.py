"""The checks a lesson step can name: pure functions of a LessonState and keyword parameters.

A lesson file writes a check as `{name: {param: value}}` with camelCase parameters
(`nodePort: 30123`); the loader checks names and types against the signatures below, so a typo in
a file is refused at start-up. Each check asks "is there something in the sandbox that…", so it
holds however the learner got there: a form, YAML, the console or the real kubectl.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cluster.sim.lessons.state import LessonState, parse_pairs, subset
from cluster.sim.objects import (
    Obj,
    name_of,
    namespace_of,
    pod_container_ports,
    pod_ready,
    resolve_target_port,
    service_lb_ips,
    service_ports,
    service_type,
)

CheckFn = Callable[..., bool]
CHECKS: dict[str, CheckFn] = {}


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        return fn

    return register


def _port_range(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition("-")
    return int(lo), int(hi)


def _target_listens(state: LessonState, svc: Obj) -> bool:
    """Every port's targetPort is a port the selected pods declare (by number or by name)."""
    pods = state.selected_pods(svc)
    if not pods:
        return False
    for port in service_ports(svc):
        protocol = port.get("protocol", "TCP")
        target = port.get("targetPort", port.get("port"))
        for pod in pods:
            number = resolve_target_port(pod, target, protocol)
            declared = {(int(p["containerPort"]), p.get("protocol", "TCP")) for p in pod_container_ports(pod)}
            if number is None or (declared and (number, protocol) not in declared):
                return False
    return True


@check("service")
def service_exists(
    state: LessonState, *, name: str = "", namespace: str = "", not_name: str = "", type: str = "",
    selector: str = "", no_selector: bool = False, port: int = 0, target_port: str = "", node_port: int = 0,
    protocol: str = "", external_traffic_policy: str = "", session_affinity: str = "", ready_endpoints: int = 0,
    external_ip: bool | None = None, node_port_in_range: bool = False, node_port_outside: str = "",
    target_port_listens: bool = False,
) -> bool:
    """Some Service has every property asked for (ports: any one port has all the port properties)."""
    wanted_selector = parse_pairs(selector)

    def port_ok(p: Obj) -> bool:
        if port and p.get("port") != port:
            return False
        if target_port and str(p.get("targetPort", p.get("port"))) != target_port:
            return False
        if node_port and p.get("nodePort") != node_port:
            return False
        if protocol and p.get("protocol", "TCP") != protocol:
            return False
        if node_port_in_range:
            lo, hi = state.settings.node_port_min, state.settings.node_port_max
            if not (p.get("nodePort") and lo <= p["nodePort"] <= hi):
                return False
        if node_port_outside:
            lo, hi = _port_range(node_port_outside)
            if not p.get("nodePort") or lo <= p["nodePort"] <= hi:
                return False
        return True

    def ok(svc: Obj) -> bool:
        spec = svc.get("spec") or {}
        checks = [
            not name or name_of(svc) == name,
            not namespace or namespace_of(svc) == namespace,
            not not_name or name_of(svc) != not_name,
            not type or service_type(svc) == type,
            not wanted_selector or subset(wanted_selector, spec.get("selector")),
            not no_selector or not spec.get("selector"),
            not external_traffic_policy or spec.get("externalTrafficPolicy", "Cluster") == external_traffic_policy,
            not session_affinity or spec.get("sessionAffinity", "None") == session_affinity,
            any(port_ok(p) for p in service_ports(svc)),
            len(state.ready_addresses(svc)) >= ready_endpoints,
            external_ip is None or bool(service_lb_ips(svc)) == external_ip,
            not target_port_listens or _target_listens(state, svc),
        ]
        return all(checks)

    return any(ok(s) for s in state.services())


@check("endpoints")
def endpoints_state(state: LessonState, *, service: str = "", selector: str = "", ready: int = 0,
                    not_ready: int = 0) -> bool:
    """The Endpoints of a Service (by name, or any whose selector includes `selector`) list at least
    `ready` ready and `not_ready` not-ready addresses."""
    wanted = parse_pairs(selector)
    for svc in state.services():
        if service and name_of(svc) != service:
            continue
        if wanted and not subset(wanted, (svc.get("spec") or {}).get("selector")):
            continue
        if len(state.ready_addresses(svc)) >= ready and len(state.not_ready_addresses(svc)) >= not_ready:
            return True
    return False


@check("slices")
def slices_split(state: LessonState, *, service: str = "", count: int = 2, over_max: bool = False) -> bool:
    """One Service's endpoints span at least `count` EndpointSlices, none over the sandbox's maximum;
    with over_max, at least one slice holds more than the (since lowered) maximum."""
    limit = state.settings.max_endpoints_per_slice
    for svc in state.services():
        if service and name_of(svc) != service:
            continue
        sizes = [len(s.get("endpoints") or []) for s in state.slices_of(svc)]
        filled = [n for n in sizes if n]
        if over_max:
            if any(n > limit for n in filled):
                return True
        elif len(filled) >= count and all(n <= limit for n in filled):
            return True
    return False


@check("pods")
def pods_state(state: LessonState, *, selector: str, ready: int = 0, not_ready: int = 0) -> bool:
    pods = state.pods_matching(parse_pairs(selector))
    return (sum(pod_ready(p) for p in pods) >= ready
            and sum(not pod_ready(p) for p in pods) >= not_ready and bool(pods))


@check("settings")
def settings_state(state: LessonState, *, node_port_range_not: str = "", lb_pool_empty: bool | None = None,
                   max_endpoints_per_slice_not: int = 0) -> bool:
    s = state.settings
    checks = [
        not node_port_range_not or f"{s.node_port_min}-{s.node_port_max}" != node_port_range_not,
        lb_pool_empty is None or (not s.lb_pool) == lb_pool_empty,
        not max_endpoints_per_slice_not or s.max_endpoints_per_slice != max_endpoints_per_slice_not,
    ]
    return all(checks)


@check("reachable_everywhere")
def reachable_everywhere(state: LessonState, *, service: str) -> bool:
    """From outside, the Service's nodePort answers on every node: its policy is Cluster (with a
    ready endpoint somewhere) or every node runs a ready endpoint of it."""
    svc = state.service(service)
    if svc is None or not state.ready_addresses(svc):
        return False
    if (svc.get("spec") or {}).get("externalTrafficPolicy", "Cluster") != "Local":
        return True
    with_pod = state.nodes_with_ready_pod(state.selected_pods(svc))
    return all(name_of(n) in with_pod for n in state.nodes())


# --- requests that were sent ------------------------------------------------------------------------


def _first_destination(trace: Obj) -> tuple[str, int]:
    """Where the request was sent (after DNS): the first hop's destination, else the one asked for."""
    addresses = [(h.get("before") or {}).get("dst") or "" for h in trace.get("hops") or []]
    for address in [*addresses, str(trace.get("destination") or "").partition("/")[0]]:
        ip, _, port = address.rpartition(":")
        if ip and port.isdigit():
            return ip, int(port)
    return "", 0


def _entry_node(trace: Obj) -> str:
    return next((h["at"]["name"] for h in trace.get("hops") or [] if (h.get("at") or {}).get("kind") == "node"), "")


def _service_name(trace: Obj) -> str:
    return (trace.get("service") or "").rpartition("/")[2]


def _endpoint_pod(trace: Obj) -> str:
    ep = trace.get("endpoint") or {}
    return f"{ep.get('namespace')}/{ep.get('pod')}" if ep.get("pod") else ep.get("ip") or ""


def _client_ip_kept(trace: Obj) -> bool:
    hops = trace.get("hops") or []
    client = (trace.get("client") or {}).get("ip")
    return bool(hops) and bool(client) and (hops[-1].get("after") or {}).get("src", "").rpartition(":")[0] == client


def _entry_has_pod(state: LessonState, trace: Obj) -> bool:
    svc = state.service(_service_name(trace), (trace.get("service") or "").partition("/")[0])
    if svc is None:
        return False
    return _entry_node(trace) in state.nodes_with_ready_pod(state.selected_pods(svc))


@check("request")
def request_sent(
    state: LessonState, *, source: str = "", outcome: str = "", service: str = "", to: str = "", dport: int = 0,
    node_has_pod: bool | None = None, snat: bool | None = None, client_ip_kept: bool | None = None,
    count: int = 1, distinct_nodes: int = 0, distinct_pods: int = 0, same_pod: bool = False,
) -> bool:
    """Among the requests sent (newest last), at least `count` match; over the matching ones,
    `distinct_nodes` / `distinct_pods` entry nodes / pods were seen, or with same_pod the last
    `count` all reached one pod."""

    def ok(trace: Obj) -> bool:
        ip, port = _first_destination(trace)
        checks = [
            not source or (trace.get("source") or "").split("/")[0] == source,
            not outcome or trace.get("outcome") == outcome,
            not service or _service_name(trace) == service,
            not to or state.address_kind(ip, port) == to,
            not dport or port == dport,
            node_has_pod is None or _entry_has_pod(state, trace) == node_has_pod,
            snat is None or any(h.get("action") == "SNAT" for h in trace.get("hops") or []) == snat,
            client_ip_kept is None or _client_ip_kept(trace) == client_ip_kept,
        ]
        return all(checks)

    matching = [t for t in state.traces if ok(t)]
    if len(matching) < count:
        return False
    if distinct_nodes and len({_entry_node(t) for t in matching} - {""}) < distinct_nodes:
        return False
    if distinct_pods and len({_endpoint_pod(t) for t in matching} - {""}) < distinct_pods:
        return False
    return not same_pod or len({_endpoint_pod(t) for t in matching[-count:]}) == 1


# --- what the learner was seen doing -----------------------------------------------------------------

# Console commands that show a kind's contents (describe svc prints the Service's Endpoints).
_SHOWS = {
    "Endpoints": r"\b(describe\s+(svc|services?)\b|get\s+(ep|endpoints)\b|describe\s+(ep|endpoints)\b)",
    "EndpointSlice": r"\b(get|describe)\s+(endpointslices?(\.discovery\.k8s\.io)?)\b",
    "Service": r"\b(get|describe)\s+(svc|services?)\b",
    "Pod": r"\b(get|describe)\s+(po|pods?)\b",
}


@check("looked_at")
def looked_at(state: LessonState, *, kind: str) -> bool:
    """The learner looked at a `kind`: opened one on the page, listed or described it in the
    console, or read it through the Kubernetes API (kubectl)."""
    pattern = re.compile(_SHOWS.get(kind, r"$^"), re.IGNORECASE)
    for obs in state.observations:
        if obs.get("what") in ("open", "api") and obs.get("kind") == kind:
            return True
        if obs.get("what") == "console" and pattern.search(obs.get("text") or ""):
            return True
    return False


@check("observed")
def observed(state: LessonState, *, what: str, match: str = "", name: str = "") -> bool:
    """Something the page or the server recorded: `refused` (a write the apiserver refused, with its
    message), `view` (a view opened, by name), `rule` (a hop's rule opened, name = its action),
    `console` (a command run); `match` is a regular expression over its text."""
    pattern = re.compile(match, re.IGNORECASE) if match else None
    return any(
        obs.get("what") == what
        and (not name or obs.get("name") == name)
        and (pattern is None or pattern.search(obs.get("text") or ""))
        for obs in state.observations
    )


@check("quiz")
def quiz_done(state: LessonState, *, questions: int = 1) -> bool:
    """The learner answered every predict-the-next-hop question of one request (at least
    `questions`), or had the answers shown ("show me")."""
    return any(obs.get("what") == "quiz" and (obs.get("name") == "shown" or (
        obs.get("complete") and int(obs.get("total") or 0) >= questions)) for obs in state.observations)


@check("predicted")
def predicted(state: LessonState, *, step: str) -> bool:
    """The learner answered the prediction asked in `step` (right or wrong: the reveal follows)."""
    return any(obs.get("what") == "predict" and obs.get("step") == step for obs in state.observations)


def run_check(state: LessonState, name: str, params: dict[str, Any]) -> bool:
    return CHECKS[name](state, **params)
