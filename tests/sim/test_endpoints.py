"""v1 Endpoints controller: reference §4 and §11 cases 26-36 (the Endpoints side)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cluster.sim.endpoints.endpoints import (
    MAX_ENDPOINTS,
    OVER_CAPACITY_ANNOTATION,
    TRIGGER_TIME_ANNOTATION,
    desired_endpoints,
    endpoints_differ,
)
from cluster.sim.objects import HEADLESS_LABEL, Obj
from tests.sim.test_endpointslices import make_pod, make_service

NOW = "2026-01-01T00:00:00.123456789Z"
NAMED_HTTP = [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]


def http_pod(index: int, container_port: int, **fields: Any) -> Obj:
    return make_pod(index, container_ports=[{"name": "http", "containerPort": container_port}], **fields)


def pods(count: int, start: int = 0, **fields: Any) -> list[Obj]:
    return [make_pod(start + i, **fields) for i in range(count)]


def summary(endpoints: Obj) -> list[tuple[tuple[int, ...], int, int]]:
    """(port numbers, ready count, not-ready count) per subset, in subset order."""
    return [
        (
            tuple(p["port"] for p in s.get("ports", [])),
            len(s.get("addresses", [])),
            len(s.get("notReadyAddresses", [])),
        )
        for s in endpoints["subsets"]
    ]


def truncated(endpoints: Obj) -> bool:
    return endpoints["metadata"]["annotations"].get(OVER_CAPACITY_ANNOTATION) == "truncated"


# --- §11 cases -------------------------------------------------------------------------------------

CASES = [
    pytest.param(make_service(), pods(250), [((8080,), 250, 0)], False, id="26-250-pods-one-subset"),
    pytest.param(make_service(), [], [], False, id="27-no-pods-empty-subsets"),
    pytest.param(
        make_service(ports=NAMED_HTTP),
        [http_pod(0, 8080), http_pod(1, 8080), http_pod(2, 9090)],
        [((8080,), 2, 0), ((9090,), 1, 0)],
        False,
        id="32-named-port-two-subsets",
    ),
    pytest.param(
        make_service(),
        [make_pod(0), make_pod(1, ready=False), make_pod(2)],
        [((8080,), 2, 1)],
        False,
        id="33-not-ready-pod-in-not-ready-addresses",
    ),
    pytest.param(
        make_service(),
        [make_pod(0), make_pod(1, terminating=True), make_pod(2, ready=False, terminating=True)],
        [((8080,), 1, 0)],
        False,
        id="34-terminating-pods-dropped",
    ),
    pytest.param(
        make_service(publishNotReadyAddresses=True),
        [make_pod(0), make_pod(1, terminating=True), make_pod(2, ready=False)],
        [((8080,), 3, 0)],
        False,
        id="34-publish-not-ready-keeps-terminating",
    ),
    pytest.param(make_service(), pods(1200), [((8080,), 1000, 0)], True, id="35-1200-ready-truncated"),
    pytest.param(
        make_service(),
        pods(900) + pods(300, start=900, ready=False),
        [((8080,), 900, 100)],
        True,
        id="36-900-ready-300-not-ready",
    ),
    pytest.param(
        make_service(),
        [make_pod(0), make_pod(1, phase="Failed"), make_pod(2, phase="Succeeded"), make_pod(3, ip="")],
        [((8080,), 1, 0)],
        False,
        id="terminal-and-ipless-pods-skipped",
    ),
    pytest.param(make_service(), pods(1000), [((8080,), 1000, 0)], False, id="exactly-1000-is-not-truncated"),
]


@pytest.mark.parametrize(("service", "pod_list", "expected", "is_truncated"), CASES)
def test_endpoints_cases(
    service: Obj, pod_list: list[Obj], expected: list[tuple[tuple[int, ...], int, int]], is_truncated: bool
) -> None:
    endpoints = desired_endpoints(service, pod_list, trigger_time=NOW)
    assert endpoints is not None
    assert summary(endpoints) == expected
    assert truncated(endpoints) is is_truncated


def test_object_shape() -> None:
    service = make_service(labels={"app": "web", "team": "a"})
    endpoints = desired_endpoints(service, [make_pod(0, node="node-b")], trigger_time=NOW)
    assert endpoints == {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {
            "name": "web",
            "namespace": "default",
            "labels": {"app": "web", "team": "a"},
            "annotations": {TRIGGER_TIME_ANNOTATION: NOW},
        },
        "subsets": [
            {
                "addresses": [
                    {
                        "ip": "10.244.0.1",
                        "nodeName": "node-b",
                        "targetRef": {
                            "kind": "Pod",
                            "namespace": "default",
                            "name": "web-00000",
                            "uid": "pod-uid-00000",
                        },
                    }
                ],
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            }
        ],
    }


def test_no_trigger_time_no_annotation() -> None:
    endpoints = desired_endpoints(make_service(), [], trigger_time="")
    assert endpoints is not None and endpoints["metadata"]["annotations"] == {}


@pytest.mark.parametrize(
    "service",
    [make_service(type="ExternalName", externalName="example.com"), make_service(selector={})],
    ids=["external-name", "no-selector"],
)
def test_no_endpoints_object_for_unmanaged_services(service: Obj) -> None:
    assert desired_endpoints(service, pods(2), trigger_time=NOW) is None


def test_unnamed_port_has_no_name_key() -> None:
    service = make_service(ports=[{"port": 80, "targetPort": 8080, "protocol": "UDP"}])
    endpoints = desired_endpoints(service, pods(1), trigger_time=NOW)
    assert endpoints is not None
    assert endpoints["subsets"][0]["ports"] == [{"port": 8080, "protocol": "UDP"}]


def test_headless_label_and_portless_addresses() -> None:
    service = make_service(cluster_ip="None", ports=[], labels={"app": "web"})
    endpoints = desired_endpoints(service, pods(2), trigger_time=NOW)
    assert endpoints is not None
    assert endpoints["metadata"]["labels"] == {"app": "web", HEADLESS_LABEL: ""}
    assert summary(endpoints) == [((), 2, 0)]
    assert "ports" not in endpoints["subsets"][0]


def test_portless_non_headless_service_has_no_addresses() -> None:
    endpoints = desired_endpoints(make_service(ports=[]), pods(2), trigger_time=NOW)
    assert endpoints is not None and endpoints["subsets"] == []


@pytest.mark.parametrize(
    ("spec", "has_hostname"),
    [({"hostname": "db-0", "subdomain": "web"}, True), ({"hostname": "db-0", "subdomain": "x"}, False)],
    ids=["subdomain-is-service", "other-subdomain"],
)
def test_hostname_rule(spec: Obj, has_hostname: bool) -> None:
    endpoints = desired_endpoints(make_service(cluster_ip="None"), [make_pod(0, **spec)], trigger_time=NOW)
    assert endpoints is not None
    address = endpoints["subsets"][0]["addresses"][0]
    assert address.get("hostname") == ("db-0" if has_hostname else None)


def test_addresses_sorted_by_ip_string_then_uid() -> None:
    pod_list = [make_pod(0, ip="10.0.0.2"), make_pod(1, ip="10.0.0.10"), make_pod(2, ip="10.0.0.10")]
    pod_list[1]["metadata"]["uid"] = "uid-b"
    pod_list[2]["metadata"]["uid"] = "uid-a"
    endpoints = desired_endpoints(make_service(), pod_list, trigger_time=NOW)
    assert endpoints is not None
    order = [(a["ip"], a["targetRef"]["uid"]) for a in endpoints["subsets"][0]["addresses"]]
    assert order == [("10.0.0.10", "uid-a"), ("10.0.0.10", "uid-b"), ("10.0.0.2", "pod-uid-00000")]


def test_ports_are_grouped_by_identical_address_sets() -> None:
    # RepackSubsets groups *ports* served by the same addresses: a pod lacking the "metrics" port
    # still shares the "http" subset with the pod that has both.
    service = make_service(
        ports=[
            {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"},
            {"name": "metrics", "port": 9100, "targetPort": "metrics", "protocol": "TCP"},
        ]
    )
    both = make_pod(
        0,
        container_ports=[{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9100}],
    )
    http_only = make_pod(1, container_ports=[{"name": "http", "containerPort": 8080}])
    endpoints = desired_endpoints(service, [both, http_only], trigger_time=NOW)
    assert endpoints is not None
    assert summary(endpoints) == [((8080,), 2, 0), ((9100,), 1, 0)]


def test_named_port_must_match_protocol() -> None:
    service = make_service(ports=[{"name": "dns", "port": 53, "targetPort": "dns", "protocol": "UDP"}])
    tcp_only = make_pod(0, container_ports=[{"name": "dns", "containerPort": 5353, "protocol": "TCP"}])
    udp = make_pod(1, container_ports=[{"name": "dns", "containerPort": 5353, "protocol": "UDP"}])
    endpoints = desired_endpoints(service, [tcp_only, udp], trigger_time=NOW)
    assert endpoints is not None
    assert [a["targetRef"]["name"] for a in endpoints["subsets"][0]["addresses"]] == ["web-00001"]


def test_primary_ip_family_picks_the_pod_ip() -> None:
    pod = make_pod(0)
    pod["status"]["podIPs"] = [{"ip": "10.244.0.1"}, {"ip": "fd00::1"}]
    endpoints = desired_endpoints(make_service(ipFamilies=["IPv6", "IPv4"]), [pod], trigger_time=NOW)
    assert endpoints is not None
    assert endpoints["subsets"][0]["addresses"][0]["ip"] == "fd00::1"


# --- Truncation: exact proportional trimming ---------------------------------------------------------------


def split_pods(counts: list[tuple[int, int, bool]]) -> list[Obj]:
    """Pods exposing the named port `http` as the given container port: (port, count, ready)."""
    result: list[Obj] = []
    for container_port, count, ready in counts:
        start = len(result)
        result += [http_pod(start + i, container_port, ready=ready) for i in range(count)]
    return result


TRUNCATION_CASES = [
    pytest.param(
        [(8080, 600, True), (8080, 301, False), (9090, 300, True), (9090, 99, False)],
        [((8080,), 600, 76), ((9090,), 300, 24)],
        id="not-ready-trimmed-ceil-then-remainder",
    ),
    pytest.param(
        [(8080, 700, True), (9090, 401, True), (9090, 50, False)],
        [((8080,), 636, 0), ((9090,), 364, 0)],
        id="ready-trimmed-and-not-ready-dropped",
    ),
]


@pytest.mark.parametrize(("counts", "expected"), TRUNCATION_CASES)
def test_truncation_is_proportional(counts: list[tuple[int, int, bool]], expected: list[Any]) -> None:
    endpoints = desired_endpoints(make_service(ports=NAMED_HTTP), split_pods(counts), trigger_time=NOW)
    assert endpoints is not None
    assert summary(endpoints) == expected
    assert sum(r + n for _, r, n in summary(endpoints)) == MAX_ENDPOINTS
    assert truncated(endpoints)


def test_truncation_keeps_the_first_addresses_in_sort_order() -> None:
    endpoints = desired_endpoints(make_service(), pods(1001), trigger_time=NOW)
    assert endpoints is not None
    ips = [a["ip"] for a in endpoints["subsets"][0]["addresses"]]
    assert len(ips) == 1000 and ips == sorted(ips)


# --- Change detection ----------------------------------------------------------------------------------


def base() -> Obj:
    endpoints = desired_endpoints(make_service(labels={"app": "web"}), pods(3), trigger_time=NOW)
    assert endpoints is not None
    return endpoints


def edited(change: Any) -> Obj:
    endpoints = copy.deepcopy(base())
    change(endpoints)
    return endpoints


DIFF_CASES = [
    pytest.param(lambda e: None, False, id="identical"),
    pytest.param(
        lambda e: e["metadata"]["annotations"].update({TRIGGER_TIME_ANNOTATION: "x"}),
        False,
        id="trigger-time",
    ),
    pytest.param(
        lambda e: e["metadata"].update(uid="u", resourceVersion="9", creationTimestamp="t"),
        False,
        id="server-metadata",
    ),
    pytest.param(
        lambda e: e["subsets"][0]["addresses"][0]["targetRef"].update(resourceVersion="5"),
        False,
        id="target-ref-rv",
    ),
    pytest.param(
        lambda e: e["metadata"]["labels"].update({HEADLESS_LABEL: ""}), False, id="headless-label-ignored"
    ),
    pytest.param(lambda e: e["metadata"]["labels"].update({"team": "b"}), True, id="label-change"),
    pytest.param(lambda e: e["subsets"][0]["addresses"].pop(), True, id="address-removed"),
    pytest.param(lambda e: e["subsets"][0]["ports"][0].update(port=9), True, id="port-changed"),
    pytest.param(
        lambda e: e["subsets"][0].update(notReadyAddresses=[]), False, id="empty-list-equals-missing"
    ),
    pytest.param(
        lambda e: e["metadata"]["annotations"].update({OVER_CAPACITY_ANNOTATION: "truncated"}),
        True,
        id="stale-over-capacity-annotation",
    ),
]


@pytest.mark.parametrize(("change", "differs"), DIFF_CASES)
def test_endpoints_differ(change: Any, differs: bool) -> None:
    assert endpoints_differ(edited(change), base()) is differs


def test_endpoints_differ_when_missing() -> None:
    assert endpoints_differ(None, base())
