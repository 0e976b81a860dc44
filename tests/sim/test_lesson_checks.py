"""The lesson checks and placeholders the broken-cluster scenarios rely on, over hand-made sandboxes.

Endpoints are written by the pure Endpoints controller (`desired_endpoints`), so a check sees what
the sandbox would store for the pods given.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cluster.sim.endpoints.endpoints import desired_endpoints
from cluster.sim.lessons.checks import run_check
from cluster.sim.lessons.placeholders import PlaceholderError, fill
from cluster.sim.lessons.state import LessonState
from cluster.sim.objects import ClusterSettings, Obj
from tests.sim.factories import make_node, make_pod, make_service, make_slice

NODES = [make_node(f"node-{i}", f"10.0.0.1{i}", external_ip=f"130.211.0.1{i}", pod_cidr=f"10.244.{i}.0/24")
         for i in (1, 2, 3)]
KUBIA = {"app": "kubia"}
HTTP = [{"name": "http", "containerPort": 8080}]


def kubia_pod(index: int, *, node: str = "node-1", ready: bool = True, namespace: str = "default",
              ports: list[Obj] | None = None) -> Obj:
    return make_pod(f"kubia-{index}", node=node, ip=f"10.244.9.{index + 2}", namespace=namespace, labels=KUBIA,
                    ready=ready, ports=HTTP if ports is None else ports)


def sandbox(*, pods: list[Obj] = (), services: list[Obj] = (), slices: list[Obj] = (), nodes: list[Obj] = NODES,
            settings: ClusterSettings | None = None, observations: list[Obj] = ()) -> LessonState:
    endpoints = [e for s in services if (e := desired_endpoints(s, list(pods), trigger_time="")) is not None]
    return LessonState(
        objects={"Node": list(nodes), "Pod": list(pods), "Service": list(services), "Endpoints": endpoints,
                 "EndpointSlice": list(slices)},
        settings=settings or ClusterSettings(),
        observations=tuple(observations),
    )


def check(state: LessonState, check_name: str, /, **params) -> bool:
    return run_check(state, check_name, params)


# --- service: readyEndpoints ------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(readiness=st.lists(st.booleans(), max_size=8), wanted=st.integers(min_value=0, max_value=9))
def test_ready_endpoints_counts_the_ready_selected_pods(readiness: list[bool], wanted: int) -> None:
    pods = [kubia_pod(i, ready=r) for i, r in enumerate(readiness)]
    state = sandbox(pods=pods, services=[make_service("kubia", selector=KUBIA)])
    assert check(state, "service", name="kubia", ready_endpoints=wanted) == (sum(readiness) >= wanted)


@settings(max_examples=60, deadline=None)
@given(readiness=st.lists(st.booleans(), min_size=1, max_size=8), flip=st.integers(min_value=0),
       wanted=st.integers(min_value=0, max_value=9))
def test_ready_endpoints_is_monotonic_in_ready_pods(readiness: list[bool], flip: int, wanted: int) -> None:
    """One more ready pod never turns a passing check into a failing one."""
    service = make_service("kubia", selector=KUBIA)
    before = sandbox(pods=[kubia_pod(i, ready=r) for i, r in enumerate(readiness)], services=[service])
    more = list(readiness)
    more[flip % len(more)] = True
    after = sandbox(pods=[kubia_pod(i, ready=r) for i, r in enumerate(more)], services=[service])
    if check(before, "service", name="kubia", ready_endpoints=wanted):
        assert check(after, "service", name="kubia", ready_endpoints=wanted)


def test_a_selector_with_a_typo_has_no_ready_endpoints() -> None:
    pods = [kubia_pod(i) for i in range(3)]
    assert not check(sandbox(pods=pods, services=[make_service("kubia", selector={"app": "kubai"})]),
                     "service", name="kubia", ready_endpoints=1)
    assert check(sandbox(pods=pods, services=[make_service("kubia", selector=KUBIA)]),
                 "service", name="kubia", ready_endpoints=1)


def test_pods_in_another_namespace_are_no_endpoints() -> None:
    shop_pods = [kubia_pod(i, namespace="shop") for i in range(3)]
    in_default = make_service("kubia", selector=KUBIA)
    in_shop = make_service("kubia", namespace="shop", cluster_ip="10.96.0.20", selector=KUBIA)
    assert not check(sandbox(pods=shop_pods, services=[in_default]), "service", name="kubia", ready_endpoints=1)
    assert check(sandbox(pods=shop_pods, services=[in_default, in_shop]), "service", name="kubia", ready_endpoints=1)
    assert check(sandbox(pods=shop_pods, services=[in_default, in_shop]), "service", name="kubia",
                 namespace="shop", ready_endpoints=1)


def test_not_ready_pods_leave_the_service_without_ready_endpoints() -> None:
    pods = [kubia_pod(i, ready=False) for i in range(3)]
    state = sandbox(pods=pods, services=[make_service("kubia", selector=KUBIA)])
    assert not check(state, "service", name="kubia", ready_endpoints=1)
    assert check(state, "endpoints", service="kubia", not_ready=3)
    assert check(state, "pods", selector="app=kubia", not_ready=3)


# --- service: targetPortListens -----------------------------------------------------------------------


@pytest.mark.parametrize(("target", "pod_ports", "listens"), [
    (8080, HTTP, True),
    (80, HTTP, False),  # wrong-target-port: the pods listen on 8080
    ("http", HTTP, True),
    ("http", [{"name": "web", "containerPort": 8080}], False),  # missing-named-port
    ("web", [{"name": "web", "containerPort": 8080}], True),  # fixed on the Service's side
    ("http", [{"name": "http", "containerPort": 8080}], True),  # fixed on the pods' side
    (8080, [{"containerPort": 8080, "protocol": "UDP"}], False),
])
def test_target_port_listens(target: int | str, pod_ports: list[Obj], listens: bool) -> None:
    service = make_service("kubia", selector=KUBIA, ports=[{"port": 80, "targetPort": target}])
    state = sandbox(pods=[kubia_pod(i, ports=pod_ports) for i in range(3)], services=[service])
    assert check(state, "service", name="kubia", target_port_listens=True) == listens


def test_a_port_name_no_pod_has_gives_no_ready_endpoints() -> None:
    service = make_service("kubia", selector=KUBIA, ports=[{"port": 80, "targetPort": "http"}])
    web = [kubia_pod(i, ports=[{"name": "web", "containerPort": 8080}]) for i in range(3)]
    assert not check(sandbox(pods=web, services=[service]), "service", name="kubia", ready_endpoints=1)
    assert check(sandbox(pods=[kubia_pod(i) for i in range(3)], services=[service]),
                 "service", name="kubia", ready_endpoints=1, target_port_listens=True)


def test_target_port_listens_needs_every_selected_pod() -> None:
    service = make_service("kubia", selector=KUBIA, ports=[{"port": 80, "targetPort": "http"}])
    mixed = [kubia_pod(0), kubia_pod(1, ports=[{"name": "web", "containerPort": 8080}])]
    assert not check(sandbox(pods=mixed, services=[service]), "service", name="kubia", target_port_listens=True)
    assert not check(sandbox(pods=[], services=[service]), "service", name="kubia", target_port_listens=True)


# --- service: protocol, externalIp ------------------------------------------------------------------------


@pytest.mark.parametrize(("protocols", "tcp"), [(["UDP"], False), (["TCP"], True), (["UDP", "TCP"], True)])
def test_service_protocol(protocols: list[str], tcp: bool) -> None:
    ports = [{"name": p.lower(), "port": 80, "targetPort": 8080, "nodePort": 30123, "protocol": p} for p in protocols]
    service = make_service("kubia-nodeport", type="NodePort", selector=KUBIA, ports=ports)
    state = sandbox(pods=[kubia_pod(0)], services=[service])
    assert check(state, "service", name="kubia-nodeport", protocol="TCP", node_port=30123, ready_endpoints=1) == tcp


def test_service_external_ip() -> None:
    pending = make_service("kubia-loadbalancer", type="LoadBalancer", selector=KUBIA)
    given_ip = make_service("kubia-loadbalancer", type="LoadBalancer", selector=KUBIA, lb_ips=["130.211.53.173"])
    assert not check(sandbox(services=[pending]), "service", name="kubia-loadbalancer", external_ip=True)
    assert check(sandbox(services=[pending]), "service", name="kubia-loadbalancer", external_ip=False)
    assert check(sandbox(services=[given_ip]), "service", name="kubia-loadbalancer", external_ip=True)


# --- reachable_everywhere ------------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    node_count=st.integers(min_value=1, max_value=4),
    placed=st.lists(st.tuples(st.integers(min_value=0, max_value=3), st.booleans()), max_size=6),
    policy=st.sampled_from(["Cluster", "Local"]),
)
def test_reachable_everywhere_holds_exactly_when_cluster_or_every_node_has_a_ready_pod(
    node_count: int, placed: list[tuple[int, bool]], policy: str
) -> None:
    nodes = NODES[:node_count] + [make_node("node-4", "10.0.0.14", external_ip="130.211.0.14")][: node_count - 3]
    names = [n["metadata"]["name"] for n in nodes]
    pods = [kubia_pod(i, node=names[where % node_count], ready=ready) for i, (where, ready) in enumerate(placed)]
    service = make_service("kubia-nodeport", type="NodePort", selector=KUBIA, externalTrafficPolicy=policy,
                           ports=[{"port": 80, "targetPort": 8080, "nodePort": 30123}])
    ready_on = {names[where % node_count] for where, ready in placed if ready}
    expected = bool(ready_on) and (policy == "Cluster" or ready_on == set(names))
    assert check(sandbox(nodes=nodes, pods=pods, services=[service]), "reachable_everywhere",
                 service="kubia-nodeport") == expected


def test_reachable_everywhere_needs_the_service() -> None:
    assert not check(sandbox(pods=[kubia_pod(0)]), "reachable_everywhere", service="kubia-nodeport")


# --- slices ------------------------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(sizes=st.lists(st.integers(min_value=0, max_value=150), max_size=5),
       limit=st.integers(min_value=1, max_value=120), count=st.integers(min_value=1, max_value=3))
def test_slices_over_random_slice_sizes(sizes: list[int], limit: int, count: int) -> None:
    service = make_service("kubia", selector=KUBIA)
    slices = [make_slice(service, [{"addresses": [f"10.{i}.{n // 250}.{n % 250}"], "conditions": {"ready": True}}
                                   for n in range(size)], name=f"kubia-{i}")
              for i, size in enumerate(sizes)]
    state = sandbox(services=[service], slices=slices, settings=ClusterSettings(max_endpoints_per_slice=limit))
    filled = [n for n in sizes if n]
    assert check(state, "slices", service="kubia", count=count) == (
        len(filled) >= count and all(n <= limit for n in filled))
    assert check(state, "slices", service="kubia", over_max=True) == any(n > limit for n in filled)


# --- looked_at ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "kind", "seen"), [
    ("kubectl get pods", "Pod", True),
    ("kubectl get pods -A", "Pod", True),
    ("kubectl -n shop get po -o wide", "Pod", True),
    ("kubectl describe pod kubia-abcde", "Pod", True),
    ("kubectl get svc", "Pod", False),
    ("kubectl describe svc kubia", "Endpoints", True),
    ("kubectl get ep kubia", "Endpoints", True),
    ("kubectl get endpointslices", "EndpointSlice", True),
    ("kubectl get svc kubia-loadbalancer", "Service", True),
    ("kubectl get pods", "Service", False),
])
def test_looked_at_reads_console_commands(command: str, kind: str, seen: bool) -> None:
    state = sandbox(observations=[{"what": "console", "text": command}])
    assert check(state, "looked_at", kind=kind) == seen


def test_looked_at_counts_an_object_opened_on_the_page() -> None:
    assert check(sandbox(observations=[{"what": "open", "kind": "Pod", "name": "kubia-1"}]), "looked_at", kind="Pod")
    assert not check(sandbox(), "looked_at", kind="Pod")


# --- placeholders -------------------------------------------------------------------------------------------


def test_node_ip_fewest_is_the_node_with_fewest_ready_pods() -> None:
    pods = [kubia_pod(0, node="node-1"), kubia_pod(1, node="node-3"), kubia_pod(2, node="node-2", ready=False)]
    assert fill("{nodeIP:fewest=app=kubia}", sandbox(pods=pods)) == "130.211.0.12"
    everywhere = [kubia_pod(i, node=f"node-{i + 1}") for i in range(3)]
    assert fill("{nodeIP:fewest=app=kubia}:30123", sandbox(pods=everywhere)) == "130.211.0.11:30123"


@settings(max_examples=60, deadline=None)
@given(placed=st.lists(st.tuples(st.integers(min_value=1, max_value=3), st.booleans()), max_size=6))
def test_node_ip_fewest_never_has_more_ready_pods_than_another_node(placed: list[tuple[int, bool]]) -> None:
    pods = [kubia_pod(i, node=f"node-{n}", ready=ready) for i, (n, ready) in enumerate(placed)]
    counts = {f"130.211.0.1{n}": sum(1 for m, ready in placed if m == n and ready) for n in (1, 2, 3)}
    chosen = fill("{nodeIP:fewest=app=kubia}", sandbox(pods=pods))
    assert counts[chosen] == min(counts.values())


def test_cluster_ip_in_any_namespace_prefers_the_service_with_ready_endpoints() -> None:
    shop_pods = [kubia_pod(i, namespace="shop") for i in range(2)]
    in_default = make_service("kubia", cluster_ip="10.96.0.10", selector=KUBIA)
    in_shop = make_service("kubia", namespace="shop", cluster_ip="10.96.0.20", selector=KUBIA)
    assert fill("{clusterIP:*/kubia}:80", sandbox(pods=shop_pods, services=[in_default])) == "10.96.0.10:80"
    assert fill("{clusterIP:*/kubia}", sandbox(pods=shop_pods, services=[in_default, in_shop])) == "10.96.0.20"
    default_pods = [kubia_pod(i) for i in range(2)]
    assert fill("{clusterIP:*/kubia}", sandbox(pods=default_pods, services=[in_shop, in_default])) == "10.96.0.10"
    with pytest.raises(PlaceholderError):
        fill("{clusterIP:*/kubia}", sandbox(pods=shop_pods))


def test_lb_ip_falls_back_while_pending() -> None:
    pending = make_service("kubia-loadbalancer", type="LoadBalancer", selector=KUBIA)
    given_ip = make_service("kubia-loadbalancer", type="LoadBalancer", selector=KUBIA, lb_ips=["192.168.1.240"])
    text = "{lbIP:kubia-loadbalancer|130.211.53.173}:80"
    assert fill(text, sandbox(services=[pending])) == "130.211.53.173:80"
    assert fill(text, sandbox(services=[given_ip])) == "192.168.1.240:80"
    with pytest.raises(PlaceholderError):
        fill("{lbIP:kubia-loadbalancer}", sandbox(services=[pending]))
