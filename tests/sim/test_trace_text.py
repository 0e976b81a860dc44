"""Every sentence of a trace in English and Korean: the catalogue is complete, and traces of every
outcome in every proxy mode carry Korean with no English sentence left in it."""

from __future__ import annotations

import re

import pytest

from cluster.sim.dataplane.trace_resolve import parse_destination
from cluster.sim.dataplane.trace_text import LANGUAGES, MESSAGES, TraceInputError, msg, placeholders
from tests.sim.factories import make_pod, make_service
from tests.sim.test_trace import HTTP, LABELS, MODES, OUTCOMES, build, trace

HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Two English words in a row, once Kubernetes' own phrases and `code` are taken out.
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z]+\s+[a-z]{2,}\b")
KEPT_IN_ENGLISH = re.compile(r"`[^`]*`|ICMP port unreachable|scheduler rr")


def test_every_message_has_every_language_with_the_same_placeholders() -> None:
    for message_id, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), message_id
        assert all(texts.values()), message_id
        assert placeholders(texts["ko"]) == placeholders(texts["en"]), message_id


def test_korean_templates_hold_no_english_sentence() -> None:
    for message_id, texts in MESSAGES.items():
        korean = KEPT_IN_ENGLISH.sub(" ", re.sub(r"\{\w+\}", "X", texts["ko"]))
        assert not ENGLISH_RUN.search(korean), f"{message_id}: {texts['ko']}"


def test_a_message_renders_its_parts_in_one_language() -> None:
    inner = msg("where.node", name="node-2")
    outer = msg("why.other_node", where=inner, node="node-1")
    assert outer.render("en") == "Ready, but it runs on node-2; the Local policy only uses endpoints on node-1."
    assert outer.render("ko") == (
        "준비되었지만 node-2 노드에서 실행됩니다. Local 정책은 node-1 노드의 엔드포인트만 씁니다."
    )
    assert outer.as_dict() == {
        "id": "why.other_node",
        "params": {"where": {"id": "where.node", "params": {"name": "node-2"}}, "node": "node-1"},
    }
    with pytest.raises(KeyError):
        msg("no.such.message")


def test_bad_input_is_refused_in_both_languages() -> None:
    with pytest.raises(TraceInputError) as error:
        parse_destination("kubia")
    assert str(error.value) == "destination must look like host:port, got 'kubia'"
    assert error.value.message.render("ko") == "destination은 host:port 형식이어야 합니다. 받은 값: 'kubia'"


def _skeleton(message: dict, lang: str) -> str:
    """The message in lang with every leaf parameter (a name, an address) replaced by X."""
    params = {
        k: _skeleton(v, lang) if isinstance(v, dict) else "X" if v not in ("", []) else ""
        for k, v in message["params"].items()
    }
    return MESSAGES[message["id"]][lang].format_map(params)


def _message_ids(message: dict) -> set[str]:
    ids = {message["id"]}
    for value in message["params"].values():
        if isinstance(value, dict):
            ids |= _message_ids(value)
    return ids


def check_korean(result: dict) -> set[str]:
    """Korean beside every English sentence of the trace; the message ids it used."""
    ids = _message_ids(result["reason_message"])
    assert result["reason"] == _render(result["reason_message"], "en")
    sentences = [(result["i18n"]["ko"]["reason"], result["reason_message"])]
    for hop in result["hops"]:
        assert hop["text"] == _render(hop["message"], "en")
        sentences.append((hop["i18n"]["ko"]["text"], hop["message"]))
        ids |= _message_ids(hop["message"])
        for candidate in hop["candidates"]:
            korean = candidate["i18n"]["ko"]["why"]
            assert HANGUL.search(korean) and korean != candidate["why"]
    for korean, message in sentences:
        assert HANGUL.search(korean), korean
        assert korean == _render(message, "ko")
        skeleton = KEPT_IN_ENGLISH.sub(" ", _skeleton(message, "ko"))
        assert not ENGLISH_RUN.search(skeleton), korean
    return ids


def _render(message: dict, lang: str) -> str:
    params = {}
    for key, value in message["params"].items():
        if isinstance(value, dict):
            params[key] = _render(value, lang)
        elif isinstance(value, list):
            params[key] = ", ".join(str(v) for v in value)
        else:
            params[key] = str(value)
    return MESSAGES[message["id"]][lang].format_map(params)


SEEN: set[str] = set()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("source", "destination", "outcome"), OUTCOMES)
def test_every_outcome_reads_in_korean(mode: str, source: str, destination: str, outcome: str) -> None:
    result = trace(build(mode), source, destination, seed=7)
    assert result["outcome"] == outcome
    SEEN.update(check_korean(result))


MORE = [
    # (source, destination): the rarer paths, for the coverage check below
    ("external", "192.168.0.11:30124"),  # Local policy, no endpoint on the node
    ("external", "192.168.0.12:32000"),  # the health check node port
    ("pod/default/client", "10.96.100.15:80"),  # internalTrafficPolicy Local
    ("pod/default/client", "10.96.100.16:80"),  # session affinity
    ("pod/default/client", "10.96.100.10:81"),  # a clusterIP on a port it does not serve
    ("pod/default/kubia-a", "10.96.100.10:80"),  # hairpin, maybe
    ("pod/default/client", "192.168.1.241:80"),  # a pod to a Local load balancer
    ("node/node-a", "192.168.0.11:30123"),  # the node itself
    ("pod/default/client", "kubia-headless:8080"),
    ("pod/tools/other-ns-client", "kubia:80"),
    ("node/node-x", "10.96.100.10:80"),
    ("pod/default/nosuch", "10.96.100.10:80"),
    ("pod/default/client", "192.168.1.242:80"),  # a pod to an LB with source ranges
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("source", "destination"), MORE)
def test_rarer_paths_read_in_korean(mode: str, source: str, destination: str) -> None:
    state: dict = {}
    for seed in range(6):  # repeated: affinity hits, round robin, other endpoints
        SEEN.update(check_korean(trace(build(mode), source, destination, seed=seed, state=state)))


def pods_on_node_b_only() -> list[dict]:
    return [make_pod("kubia-b", node="node-b", ip="10.244.2.5", labels=LABELS, ports=HTTP)]


ELSEWHERE = [
    # (pods, source, destination): paths that need pods on one node only, or none
    (pods_on_node_b_only, "external", "192.168.0.11:30124"),  # Local policy, no endpoint on node-a
    (pods_on_node_b_only, "node/node-a", "192.168.0.11:30124"),  # from the node itself
    (pods_on_node_b_only, "pod/default/client", "10.96.100.15:80"),  # internalTrafficPolicy Local
    (pods_on_node_b_only, "external", "192.168.1.241:80"),  # the LB skips unhealthy nodes
    (list, "external", "192.168.1.241:80"),  # no healthy node at all
    (list, "pod/default/client", "kubia-headless:80"),  # headless, no ready endpoint
    (list, "external", "192.168.0.11:30999/UDP"),
    (list, "external", "192.168.1.240:81"),
    (list, "pod/default/client", "10.244.2.200:80"),
    (list, "node/node-a", "kubia:80"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("pods", "source", "destination"), ELSEWHERE)
def test_paths_with_few_pods_read_in_korean(mode: str, pods, source: str, destination: str) -> None:
    state: dict = {}
    for seed in range(4):
        result = trace(build(mode, pods=pods()), source, destination, seed=seed, state=state)
        SEEN.update(check_korean(result))


def test_external_ips_lbs_without_node_ports_and_lost_pods_read_in_korean() -> None:
    services = [
        make_service("near", cluster_ip="10.96.100.10", selector=LABELS, externalIPs=["192.168.0.12"]),
        make_service("far", cluster_ip="10.96.100.11", selector=LABELS, externalIPs=["198.51.100.7"]),
        make_service(
            "vip",
            type="LoadBalancer",
            cluster_ip="10.96.100.12",
            ports=[{"port": 80, "targetPort": 8080}],
            selector=LABELS,
            lb_ips=["192.168.1.250"],
            allocateLoadBalancerNodePorts=False,
        ),
    ]
    for mode in MODES:
        view = build(mode, services=services)
        for destination in ("192.168.0.12:80", "198.51.100.7:80", "192.168.1.250:80"):
            SEEN.update(check_korean(trace(view, "external", destination, seed=3)))
    view = build()
    view.pods.append(make_pod("ghost", node="node-x", ip="10.244.9.9"))
    view.pods.append(make_pod("unborn", node="", ip=""))
    for source in ("pod/default/ghost", "pod/default/unborn"):
        SEEN.update(check_korean(trace(view, source, "10.96.100.10:80")))


# Sentences that are no trace's hop or reason: candidates' `why` (rendered only) and refused input.
NOT_IN_HOPS = re.compile(r"^(why|where|lb\.(excluded|not_ready|cluster|healthy|unhealthy)|input)\b")


def test_the_traces_above_use_nearly_all_of_the_catalogue() -> None:
    """The scenarios above reach nearly every sentence a hop or reason says (they are run here
    again, so this holds whatever order or selection of tests runs)."""
    for mode in MODES:
        for source, destination, outcome in OUTCOMES:
            test_every_outcome_reads_in_korean(mode, source, destination, outcome)
        for source, destination in MORE:
            test_rarer_paths_read_in_korean(mode, source, destination)
        for pods, source, destination in ELSEWHERE:
            test_paths_with_few_pods_read_in_korean(mode, pods, source, destination)
    test_external_ips_lbs_without_node_ports_and_lost_pods_read_in_korean()
    unused = {m for m in MESSAGES if not NOT_IN_HOPS.match(m)} - SEEN
    assert len(unused) <= 8, " ".join(sorted(unused))
