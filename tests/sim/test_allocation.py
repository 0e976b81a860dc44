"""ClusterIP/nodePort arithmetic: bands, dynamic picks, static errors and per-write reservation plans."""

from __future__ import annotations

import ipaddress
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cluster.sim.allocation.bitmap import (
    DYNAMIC,
    HEALTH_CHECK_RANGE_FULL,
    IP_RANGE_FULL,
    NODE_PORT_RANGE_FULL,
    ClusterIPPlan,
    assign_node_ports,
    cluster_ip_field_error,
    cluster_ip_plan,
    clusterip_bands,
    clusterip_offset,
    dns_service_ip,
    health_check_error_message,
    kubernetes_service_ip,
    node_port_field_error,
    node_port_requests,
    nodeport_bands,
    nodeport_offset,
    pick_dynamic_ip,
    pick_dynamic_port,
    static_ip_error,
    static_port_error,
    usable_ips,
)
from cluster.sim.api.defaults import default_service
from cluster.sim.api.fielderrors import invalid_status, kubectl_error_text
from cluster.sim.validation.validation import prepare_service_update

KUBEADM_CIDR = "10.96.0.0/12"


def ip_int(ip: str) -> int:
    return int(ipaddress.ip_address(ip))


class FixedRandom:
    """An rng whose randrange always answers the same fraction of the range."""

    def __init__(self, pick_last: bool) -> None:
        self.pick_last = pick_last

    def randrange(self, stop: int) -> int:
        return stop - 1 if self.pick_last else 0


# --- bands (reference §1.4 and §2 tables) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "offset"),
    [(1_048_576, 256), (256, 16), (1024, 64), (16, 0), (8, 0), (17, 16), (4096, 256), (65536, 256)],
)
def test_clusterip_offset(size: int, offset: int) -> None:
    assert clusterip_offset(size) == offset


@pytest.mark.parametrize(
    ("size", "offset"), [(2768, 86), (12768, 128), (201, 16), (16, 0), (17, 16), (1000, 31)]
)
def test_nodeport_offset(size: int, offset: int) -> None:
    assert nodeport_offset(size) == offset


@pytest.mark.parametrize(
    ("cidr", "static", "dynamic"),
    [
        pytest.param(KUBEADM_CIDR, ("10.96.0.1", "10.96.1.0"), ("10.96.1.1", "10.111.255.254"), id="kubeadm"),
        pytest.param(
            "10.0.0.0/24", ("10.0.0.1", "10.0.0.16"), ("10.0.0.17", "10.0.0.254"), id="apiserver-default"
        ),
        pytest.param(
            "192.168.0.0/22",
            ("192.168.0.1", "192.168.0.64"),
            ("192.168.0.65", "192.168.3.254"),
            id="kep-example",
        ),
        pytest.param("10.0.0.0/28", None, ("10.0.0.1", "10.0.0.14"), id="slash-28"),
        pytest.param("fd00::/108", ("fd00::1", "fd00::100"), ("fd00::101", "fd00::ffff"), id="ipv6-capped"),
    ],
)
def test_clusterip_bands(cidr: str, static: tuple[str, str] | None, dynamic: tuple[str, str]) -> None:
    assert clusterip_bands(cidr) == (static, dynamic)


@pytest.mark.parametrize(
    ("lo", "hi", "static", "dynamic"),
    [
        pytest.param(30000, 32767, (30000, 30085), (30086, 32767), id="default"),
        pytest.param(20000, 32767, (20000, 20127), (20128, 32767), id="wide"),
        pytest.param(32567, 32767, (32567, 32582), (32583, 32767), id="small"),
        pytest.param(30000, 30015, None, (30000, 30015), id="tiny"),
    ],
)
def test_nodeport_bands(lo: int, hi: int, static: tuple[int, int] | None, dynamic: tuple[int, int]) -> None:
    assert nodeport_bands(lo, hi) == (static, dynamic)


def test_usable_ips_skip_network_and_broadcast() -> None:
    assert usable_ips("10.0.0.0/24") == (ip_int("10.0.0.1"), ip_int("10.0.0.254"))


@pytest.mark.parametrize(
    ("cidr", "kubernetes", "dns"),
    [(KUBEADM_CIDR, "10.96.0.1", "10.96.0.10"), ("10.0.0.0/24", "10.0.0.1", "10.0.0.10")],
)
def test_well_known_service_ips(cidr: str, kubernetes: str, dns: str) -> None:
    assert (kubernetes_service_ip(cidr), dns_service_ip(cidr)) == (kubernetes, dns)
    static, _ = clusterip_bands(cidr)
    assert static is not None and ip_int(static[0]) <= ip_int(dns) <= ip_int(static[1])


# --- dynamic picks --------------------------------------------------------------------------------


def test_case_1_dynamic_cluster_ips_stay_in_the_upper_band() -> None:
    rng = random.Random(1)
    used = {"10.96.0.1", "10.96.0.10"}
    low, high = ip_int("10.96.1.1"), ip_int("10.111.255.254")
    for _ in range(300):
        ip = pick_dynamic_ip(KUBEADM_CIDR, used, rng)
        assert ip is not None and low <= ip_int(ip) <= high and ip not in used
        used.add(ip)


def test_case_7_dynamic_node_ports_stay_in_the_upper_band() -> None:
    rng = random.Random(7)
    used: set[int] = {30123}
    for _ in range(300):
        port = pick_dynamic_port(30000, 32767, used, rng)
        assert port is not None and 30086 <= port <= 32767 and port not in used
        used.add(port)


def test_dynamic_ips_are_random_not_sequential() -> None:
    rng = random.Random(3)
    picks = [pick_dynamic_ip(KUBEADM_CIDR, set(), rng) for _ in range(20)]
    assert len(set(picks)) == 20


def test_scan_wraps_inside_the_upper_band() -> None:
    # Start at the band's last address, which is taken: the next pick is the band's first address.
    assert pick_dynamic_ip("10.0.0.0/24", {"10.0.0.254"}, FixedRandom(pick_last=True)) == "10.0.0.17"
    assert pick_dynamic_port(30000, 32767, {32767}, FixedRandom(pick_last=True)) == 30086


def test_lower_band_is_used_only_when_the_upper_band_is_full() -> None:
    upper_full = {f"10.0.0.{i}" for i in range(17, 255)}
    ip = pick_dynamic_ip("10.0.0.0/24", upper_full, random.Random(5))
    assert ip is not None and 1 <= ip_int(ip) - ip_int("10.0.0.0") <= 16
    port = pick_dynamic_port(30000, 32767, set(range(30086, 32768)), random.Random(5))
    assert port is not None and 30000 <= port <= 30085


def test_exhausted_ranges_return_none() -> None:
    every_ip = {f"10.0.0.{i}" for i in range(1, 255)}
    assert pick_dynamic_ip("10.0.0.0/24", every_ip, random.Random(0)) is None
    assert pick_dynamic_port(30000, 30099, set(range(30000, 30100)), random.Random(0)) is None


def test_draining_a_range_fills_the_upper_band_first() -> None:
    rng, used = random.Random(11), set()
    order = []
    while (port := pick_dynamic_port(30000, 30199, used, rng)) is not None:
        used.add(port)
        order.append(port)
    offset = nodeport_offset(200)
    assert sorted(order) == list(range(30000, 30200))
    assert all(p >= 30000 + offset for p in order[: 200 - offset])
    assert all(p < 30000 + offset for p in order[200 - offset :])


def test_picks_avoid_thousands_of_used_addresses_on_a_big_cidr() -> None:
    rng = random.Random(2)
    used = {str(ipaddress.IPv4Address(ip_int("10.96.1.1") + i)) for i in range(0, 20000, 3)}
    for _ in range(50):
        assert pick_dynamic_ip(KUBEADM_CIDR, used, rng) not in used


def test_full_upper_band_of_a_slash_16_falls_back_to_the_lower_band() -> None:
    first = ip_int("10.1.0.0") + 1 + clusterip_offset(65536)
    used = {str(ipaddress.IPv4Address(n)) for n in range(first, ip_int("10.1.255.255"))}
    ip = pick_dynamic_ip("10.1.0.0/16", used, random.Random(4))
    assert ip is not None and ip_int(ip) < first


# --- static requests ------------------------------------------------------------------------------


def test_case_2_requested_ip_already_allocated() -> None:
    reason = static_ip_error("10.96.0.1", KUBEADM_CIDR, {"10.96.0.1"})
    assert reason == "provided IP is already allocated"
    status = invalid_status("Service", "", "x", [cluster_ip_field_error(["10.96.0.1"], "10.96.0.1", reason)])
    assert kubectl_error_text(status) == (
        'The Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: '
        "failed to allocate IP 10.96.0.1: provided IP is already allocated"
    )


def test_case_3_requested_ip_out_of_range() -> None:
    reason = static_ip_error("10.0.0.5", KUBEADM_CIDR, set())
    assert (
        reason
        == "the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12"
    )
    error = cluster_ip_field_error(["10.0.0.5"], "10.0.0.5", reason)
    assert str(error) == (
        'spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: the provided IP '
        "(10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12"
    )


@pytest.mark.parametrize("ip", ["10.96.0.0", "10.111.255.255"])
def test_network_and_broadcast_addresses_are_not_allocatable(ip: str) -> None:
    assert static_ip_error(ip, KUBEADM_CIDR, set()) == (
        f"the provided IP ({ip}) is not in the valid range. The range of valid IPs is 10.96.0.0/12"
    )


def test_free_static_ip_in_either_band_is_fine() -> None:
    assert static_ip_error("10.96.0.50", KUBEADM_CIDR, {"10.96.0.1"}) is None
    assert static_ip_error("10.100.0.50", KUBEADM_CIDR, set()) is None


def test_case_5_requested_node_port_taken() -> None:
    reason = static_port_error(30123, 30000, 32767, {30123})
    assert reason == "provided port is already allocated"
    status = invalid_status("Service", "", "kubia-nodeport2", [node_port_field_error(0, 30123, reason)])
    assert kubectl_error_text(status) == (
        'The Service "kubia-nodeport2" is invalid: spec.ports[0].nodePort: Invalid value: 30123: '
        "provided port is already allocated"
    )


def test_case_6_requested_node_port_out_of_range() -> None:
    reason = static_port_error(80, 30000, 32767)
    assert str(node_port_field_error(0, 80, reason)) == (
        "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. "
        "The range of valid ports is 30000-32767"
    )
    assert static_port_error(30000, 30000, 32767) is None


def test_exhaustion_and_health_check_texts() -> None:
    assert IP_RANGE_FULL == "failed to allocate a serviceIP: range is full"
    assert NODE_PORT_RANGE_FULL == "failed to allocate a nodePort: range is full"
    assert HEALTH_CHECK_RANGE_FULL == "failed to allocate a HealthCheck NodePort 0: range is full"
    assert health_check_error_message(30500, "provided port is already allocated") == (
        "failed to allocate requested HealthCheck NodePort 30500: provided port is already allocated"
    )


# --- reservation plans ----------------------------------------------------------------------------


def service(kind: str = "NodePort", ports: list[dict[str, Any]] | None = None, **spec: Any) -> dict[str, Any]:
    manifest = {"metadata": {"name": "kubia", "namespace": "default"}, "spec": {"type": kind, **spec}}
    manifest["spec"]["ports"] = ports if ports is not None else [{"port": 80, "targetPort": 8080}]
    return default_service(manifest)


def claims_of(
    svc: dict[str, Any], old: dict[str, Any] | None = None
) -> list[tuple[str, int | None, list[int]]]:
    return [(c.field, c.port, c.targets) for c in node_port_requests(svc, old).claims]


def test_cluster_ip_services_need_no_node_ports() -> None:
    assert node_port_requests(service("ClusterIP")).claims == []


def test_case_4_static_and_case_7_dynamic_node_port() -> None:
    assert claims_of(service(ports=[{"port": 80, "nodePort": 30123}])) == [
        ("spec.ports[0].nodePort", 30123, [0])
    ]
    assert claims_of(service()) == [("spec.ports[0].nodePort", None, [0])]


def test_case_10_same_port_number_shares_one_dynamic_node_port() -> None:
    dns = service(ports=[{"name": "dns", "port": 53}, {"name": "dns-udp", "port": 53, "protocol": "UDP"}])
    plan = node_port_requests(dns)
    assert [(c.port, c.targets) for c in plan.claims] == [(None, [0, 1])]
    out = assign_node_ports(dns, plan, [31053])
    assert [p["nodePort"] for p in out["spec"]["ports"]] == [31053, 31053]


def test_a_value_given_on_one_shared_port_is_reused_for_the_other() -> None:
    dns = service(
        ports=[
            {"name": "dns", "port": 53},
            {"name": "dns-udp", "port": 53, "protocol": "UDP", "nodePort": 30053},
        ]
    )
    assert claims_of(dns) == [("spec.ports[0].nodePort", 30053, [0, 1])]


def test_different_values_on_shared_ports_are_two_reservations() -> None:
    dns = service(
        ports=[
            {"name": "a", "port": 53, "nodePort": 30053},
            {"name": "b", "port": 53, "protocol": "UDP", "nodePort": 30054},
        ]
    )
    assert claims_of(dns) == [("spec.ports[0].nodePort", 30053, [0]), ("spec.ports[1].nodePort", 30054, [1])]


def test_case_11_same_node_port_on_different_port_numbers_is_reserved_twice() -> None:
    svc = service(
        ports=[
            {"name": "a", "port": 80, "nodePort": 30200},
            {"name": "b", "port": 81, "protocol": "UDP", "nodePort": 30200},
        ]
    )
    claims = node_port_requests(svc).claims
    assert [(c.field, c.port) for c in claims] == [
        ("spec.ports[0].nodePort", 30200),
        ("spec.ports[1].nodePort", 30200),
    ]
    reserved: set[int] = set()
    reasons = []
    for claim in claims:
        assert claim.port is not None
        reasons.append(static_port_error(claim.port, 30000, 32767, reserved))
        reserved.add(claim.port)
    assert reasons == [None, "provided port is already allocated"]


def test_case_12_lb_without_node_port_allocation() -> None:
    assert node_port_requests(service("LoadBalancer", allocateLoadBalancerNodePorts=False)).claims == []
    explicit = service(
        "LoadBalancer", ports=[{"port": 80, "nodePort": 30080}], allocateLoadBalancerNodePorts=False
    )
    assert claims_of(explicit) == [("spec.ports[0].nodePort", 30080, [0])]


def test_case_13_lb_local_needs_a_health_check_node_port() -> None:
    plan = node_port_requests(service("LoadBalancer", externalTrafficPolicy="Local"))
    assert [(c.field, c.port, c.health_check) for c in plan.claims] == [
        ("spec.ports[0].nodePort", None, False),
        ("spec.healthCheckNodePort", None, True),
    ]
    out = assign_node_ports(service("LoadBalancer", externalTrafficPolicy="Local"), plan, [31000, 31001])
    assert (out["spec"]["ports"][0]["nodePort"], out["spec"]["healthCheckNodePort"]) == (31000, 31001)


def stored(svc: dict[str, Any], numbers: list[int]) -> dict[str, Any]:
    out = assign_node_ports(svc, node_port_requests(svc), numbers)
    out["spec"]["clusterIP"], out["spec"]["clusterIPs"] = "10.96.20.1", ["10.96.20.1"]
    return out


def test_case_9_switching_to_cluster_ip_releases_node_ports() -> None:
    old = stored(service(ports=[{"port": 80, "nodePort": 30123}]), [30123])
    manifest = {
        "metadata": old["metadata"],
        "spec": {"type": "ClusterIP", "ports": [{"port": 80, "nodePort": 30123}]},
    }
    plan = node_port_requests(prepare_service_update(manifest, old), old)
    assert (plan.claims, plan.keep, plan.release) == ([], [], [30123])


def test_resubmitted_node_port_service_keeps_its_ports() -> None:
    old = stored(service(), [31500])
    plan = node_port_requests(prepare_service_update(service(), old), old)
    assert (plan.claims, plan.keep, plan.release) == ([], [31500], [])


def test_changing_or_removing_node_ports_on_update() -> None:
    old = stored(service(ports=[{"name": "a", "port": 80}, {"name": "b", "port": 81}]), [31000, 31001])
    new = service(ports=[{"name": "a", "port": 80, "nodePort": 30100}])
    plan = node_port_requests(new, old)
    assert [(c.field, c.port) for c in plan.claims] == [("spec.ports[0].nodePort", 30100)]
    assert plan.release == [31000, 31001]


def test_cluster_ip_to_node_port_allocates_without_sharing() -> None:
    old = stored(
        service(
            "ClusterIP", ports=[{"name": "dns", "port": 53}, {"name": "u", "port": 53, "protocol": "UDP"}]
        ),
        [],
    )
    new = service(ports=[{"name": "dns", "port": 53}, {"name": "u", "port": 53, "protocol": "UDP"}])
    assert claims_of(new, old) == [
        ("spec.ports[0].nodePort", None, [0]),
        ("spec.ports[1].nodePort", None, [1]),
    ]


def test_health_check_node_port_follows_the_traffic_policy() -> None:
    local = stored(service("LoadBalancer", externalTrafficPolicy="Local"), [31000, 31001])
    to_cluster = node_port_requests(service("LoadBalancer", ports=[{"port": 80, "nodePort": 31000}]), local)
    assert (to_cluster.claims, to_cluster.release) == ([], [31001])
    cluster = stored(service("LoadBalancer"), [31000])
    to_local = service("LoadBalancer", ports=[{"port": 80, "nodePort": 31000}], externalTrafficPolicy="Local")
    assert claims_of(to_local, cluster) == [("spec.healthCheckNodePort", None, [])]


@pytest.mark.parametrize(
    ("new", "old", "plan"),
    [
        pytest.param(service("ClusterIP"), None, ClusterIPPlan(DYNAMIC), id="dynamic"),
        pytest.param(
            service("ClusterIP", clusterIP="10.96.0.50"), None, ClusterIPPlan("10.96.0.50"), id="static"
        ),
        pytest.param(service("ClusterIP", clusterIP="None"), None, ClusterIPPlan(None), id="headless"),
        pytest.param(
            service("ExternalName", externalName="db.example.com"),
            None,
            ClusterIPPlan(None),
            id="externalname",
        ),
        pytest.param(
            service("ExternalName", externalName="db.example.com"),
            stored(service("ClusterIP"), []),
            ClusterIPPlan(None, ("10.96.20.1",)),
            id="to-externalname-releases",
        ),
        pytest.param(
            service("ClusterIP"),
            service("ExternalName", externalName="db.example.com"),
            ClusterIPPlan(DYNAMIC),
            id="from-externalname",
        ),
        pytest.param(
            stored(service("ClusterIP"), []), stored(service("ClusterIP"), []), ClusterIPPlan(None), id="kept"
        ),
    ],
)
def test_cluster_ip_plan(new: dict[str, Any], old: dict[str, Any] | None, plan: ClusterIPPlan) -> None:
    assert cluster_ip_plan(new, old) == plan


# --- properties -----------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.integers(min_value=24, max_value=30),
    taken=st.sets(st.integers(min_value=0, max_value=255), max_size=256),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_ip_picks_never_collide(prefix: int, taken: set[int], seed: int) -> None:
    cidr = f"10.20.30.0/{prefix}"
    first, last = usable_ips(cidr)
    used = {str(ipaddress.IPv4Address(ip_int("10.20.30.0") + t)) for t in taken}
    ip = pick_dynamic_ip(cidr, used, random.Random(seed))
    free = {n for n in range(first, last + 1)} - {ip_int(u) for u in used}
    if ip is None:
        assert not free
    else:
        assert ip not in used and first <= ip_int(ip) <= last


@settings(max_examples=150, deadline=None)
@given(
    lo=st.integers(min_value=1, max_value=60000),
    size=st.integers(min_value=1, max_value=400),
    taken=st.sets(st.integers(min_value=0, max_value=399), max_size=400),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_port_picks_never_collide_and_prefer_the_upper_band(
    lo: int, size: int, taken: set[int], seed: int
) -> None:
    hi = lo + size - 1
    used = {lo + t for t in taken}
    port = pick_dynamic_port(lo, hi, used, random.Random(seed))
    free = set(range(lo, hi + 1)) - used
    if port is None:
        assert not free
        return
    assert port not in used and lo <= port <= hi
    _, (upper_lo, upper_hi) = nodeport_bands(lo, hi)
    if free & set(range(upper_lo, upper_hi + 1)):
        assert upper_lo <= port <= upper_hi
