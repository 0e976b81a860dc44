"""One request, hop by hop, in every proxy mode: outcomes, policies, NAT and explanations."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from cluster.sim.dataplane.kubeproxy import ClusterView
from cluster.sim.dataplane.trace import health_check, trace_request
from cluster.sim.objects import ClusterSettings
from tests.sim.factories import make_node, make_pod, make_service, make_slice, slice_for_pods

MODES = ["iptables", "nftables", "ipvs"]
LABELS = {"app": "kubia"}
HTTP = [{"containerPort": 8080}]
CLIENT_IP = "203.0.113.10"
HOP_KEYS = {
    "index",
    "at",
    "action",
    "before",
    "after",
    "changed",
    "rules",
    "rule_text",
    "field",
    "candidates",
    "candidate_groups",
    "candidates_total",
    "chosen",
    "probability",
    "text",
    "message",
    "i18n",
}
TRACE_KEYS = {
    "source",
    "destination",
    "protocol",
    "outcome",
    "reason",
    "reason_message",
    "i18n",
    "service",
    "endpoint",
    "client",
    "hops",
}


def kubia_pods() -> list[dict]:
    return [
        make_pod("kubia-a", node="node-a", ip="10.244.1.5", labels=LABELS, ports=HTTP),
        make_pod("kubia-b", node="node-b", ip="10.244.2.5", labels=LABELS, ports=HTTP),
        make_pod("kubia-c", node="node-c", ip="10.244.3.5", labels=LABELS, ports=HTTP),
    ]


def np_ports(node_port: int) -> list[dict]:
    return [{"port": 80, "targetPort": 8080, "nodePort": node_port}]


def kubia_services() -> list[dict]:
    return [
        make_service("kubia", cluster_ip="10.96.100.10", selector=LABELS),
        make_service(
            "kubia-np", type="NodePort", cluster_ip="10.96.100.11", ports=np_ports(30123), selector=LABELS
        ),
        make_service(
            "kubia-local",
            type="NodePort",
            cluster_ip="10.96.100.12",
            ports=np_ports(30124),
            selector=LABELS,
            externalTrafficPolicy="Local",
        ),
        make_service(
            "kubia-lb",
            type="LoadBalancer",
            cluster_ip="10.96.100.13",
            ports=np_ports(31000),
            selector=LABELS,
            lb_ips=["192.168.1.240"],
        ),
        make_service(
            "kubia-lb-local",
            type="LoadBalancer",
            cluster_ip="10.96.100.14",
            ports=np_ports(31001),
            selector=LABELS,
            lb_ips=["192.168.1.241"],
            externalTrafficPolicy="Local",
            healthCheckNodePort=32000,
        ),
        make_service("kubia-itl", cluster_ip="10.96.100.15", selector=LABELS, internalTrafficPolicy="Local"),
        make_service("kubia-sticky", cluster_ip="10.96.100.16", selector=LABELS, sessionAffinity="ClientIP"),
        make_service("kubia-headless", cluster_ip="None", selector=LABELS),
        make_service("empty", cluster_ip="10.96.100.17", selector={"app": "nothing"}),
        make_service(
            "kubia-ranges",
            type="LoadBalancer",
            cluster_ip="10.96.100.18",
            ports=np_ports(31002),
            selector=LABELS,
            lb_ips=["192.168.1.242"],
            loadBalancerSourceRanges=["198.51.100.0/24"],
        ),
        make_service(
            "external-service",
            type="ExternalName",
            cluster_ip="",
            externalName="api.somecompany.com",
            ports=[],
        ),
    ]


def build(
    mode: str = "iptables",
    *,
    pods: list[dict] | None = None,
    services: list[dict] | None = None,
    extra_nodes: list[dict] | None = None,
    endpoint_pods: list[dict] | None = None,
) -> ClusterView:
    """Three nodes with a kubia pod each, a client pod on node-a, and one Service per scenario."""
    nodes = [
        make_node("node-a", "192.168.0.11", pod_cidr="10.244.1.0/24", zone="zone-a"),
        make_node("node-b", "192.168.0.12", pod_cidr="10.244.2.0/24", zone="zone-b"),
        make_node("node-c", "192.168.0.13", pod_cidr="10.244.3.0/24", zone="zone-c"),
        *(extra_nodes or []),
    ]
    backends = kubia_pods() if pods is None else pods
    clients = [
        make_pod("client", node="node-a", ip="10.244.1.7"),
        make_pod("other-ns-client", node="node-b", ip="10.244.2.9", namespace="tools"),
    ]
    services = kubia_services() if services is None else services
    selected = backends if endpoint_pods is None else endpoint_pods
    slices = []
    for svc in services:
        if svc["spec"].get("type") == "ExternalName":
            continue
        wanted = selected if svc["spec"].get("selector") == LABELS else []
        slices.append(
            slice_for_pods(svc, wanted, name=f"{svc['metadata']['name']}-x")
            if wanted
            else make_slice(svc, [], ports=[])
        )
    return ClusterView(ClusterSettings(proxy_mode=mode), nodes, backends + clients, services, slices)


def trace(view: ClusterView, source: str, destination: str, **kwargs: object) -> dict:
    result = trace_request(view, source=source, destination=destination, **kwargs)
    assert set(result) >= TRACE_KEYS
    for i, hop in enumerate(result["hops"]):
        assert set(hop) == HOP_KEYS
        assert hop["index"] == i
        assert hop["text"] and hop["text"].endswith(".")
        assert hop["at"]["kind"] in ("client", "loadbalancer", "node", "pod")
        assert hop["action"] in ("send", "forward", "DNAT", "SNAT", "reject", "drop", "deliver", "route")
        changed = [f for f in ("src", "dst") if hop["before"][f] != hop["after"][f]]
        assert hop["changed"] == changed
    assert result["reason"].endswith(".")
    return result


def actions(result: dict) -> list[str]:
    return [hop["action"] for hop in result["hops"]]


def seed_where(view: ClusterView, source: str, destination: str, predicate: Callable[[dict], bool]) -> dict:
    state: dict = {}  # shared, so IPVS round robin moves on too
    for seed in range(200):
        result = trace(view, source, destination, seed=seed, state=state)
        if predicate(result):
            return result
    raise AssertionError("no seed produced the wanted trace")


# --- Outcomes, data-driven ------------------------------------------------------------------------

OUTCOMES = [
    # (source, destination, outcome)
    ("pod/default/client", "10.96.100.10:80", "delivered"),
    ("pod/default/client", "kubia:80", "delivered"),
    ("node/node-b", "10.96.100.10:80", "delivered"),
    ("external", "192.168.0.11:30123", "delivered"),
    ("external", "192.168.1.240:80", "delivered"),
    ("external", "192.168.1.241:80", "delivered"),
    ("external", "192.168.0.13:30124", "delivered"),
    ("pod/default/client", "192.168.0.12:30123", "delivered"),
    ("pod/default/client", "192.168.1.240:80", "delivered"),
    ("pod/default/client", "10.244.2.5:8080", "delivered"),
    ("pod/default/client", "10.96.100.17:80", "refused"),
    ("external", "192.168.0.11:30999", "refused"),
    ("pod/default/client", "10.244.2.5:80", "refused"),
    ("pod/default/client", "kubia-headless:80", "refused"),
    ("external", "10.96.100.10:80", "unroutable"),
    ("external", "10.244.1.5:8080", "unroutable"),
    ("external", "kubia.default.svc.cluster.local:80", "unroutable"),
    ("external", "198.18.0.1:80", "unroutable"),
    ("pod/default/client", "198.18.0.1:80", "unroutable"),
    ("pod/default/client", "nosuch:80", "unroutable"),
    ("pod/default/client", "external-service:80", "unroutable"),
    ("external", "192.168.1.242:80", "dropped"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("source", "destination", "outcome"), OUTCOMES)
def test_outcomes(mode: str, source: str, destination: str, outcome: str) -> None:
    assert trace(build(mode), source, destination, seed=7)["outcome"] == outcome


@pytest.mark.parametrize(
    ("mode", "outcome"), [("iptables", "dropped"), ("nftables", "dropped"), ("ipvs", "refused")]
)
def test_internal_local_without_local_endpoint(mode: str, outcome: str) -> None:
    """iptables/nftables DROP; IPVS has a virtual server without real servers, which rejects."""
    view = build(mode, endpoint_pods=kubia_pods()[1:])  # nothing on node-a, where the client runs
    result = trace(view, "pod/default/client", "10.96.100.15:80", seed=1)
    assert result["outcome"] == outcome
    if outcome == "dropped":
        assert actions(result)[-1] == "drop"
        assert "internalTrafficPolicy" in result["reason"]


@pytest.mark.parametrize("mode", MODES)
def test_internal_local_uses_the_local_endpoint(mode: str) -> None:
    for seed in range(10):
        result = trace(build(mode), "pod/default/client", "10.96.100.15:80", seed=seed)
        assert result["endpoint"]["pod"] == "kubia-a"


# --- NodePort, externalTrafficPolicy --------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_nodeport_cluster_policy_cross_node_dnat_and_snat_case_41(mode: str) -> None:
    view = build(mode)
    result = seed_where(view, "external", "192.168.0.11:30123", lambda r: r["endpoint"]["node"] != "node-a")
    assert actions(result) == ["send", "forward", "forward", "DNAT", "SNAT", "route", "deliver"]
    dnat = result["hops"][3]
    assert dnat["before"]["dst"] == "192.168.0.11:30123"
    assert dnat["after"]["dst"] == f"{result['endpoint']['ip']}:8080"
    assert dnat["field"] == "targetPort"
    assert all(
        not hop["after"]["dst"].startswith("10.96.") for hop in result["hops"]
    )  # never via the clusterIP
    snat = result["hops"][4]
    assert snat["changed"] == ["src"] and snat["after"]["src"].startswith("192.168.0.11:")
    assert result["hops"][5]["at"]["name"] == result["endpoint"]["node"]
    assert result["hops"][-1]["before"]["src"].startswith("192.168.0.11:")
    assert result["hops"][1]["field"] == "nodePort"


def test_nodeport_service_hop_reuses_the_cluster_ip_chain() -> None:
    result = trace(build(), "external", "192.168.0.11:30123", seed=3)
    entry, service = result["hops"][1], result["hops"][2]
    assert entry["rules"][:2] == ["KUBE-SERVICES", "KUBE-NODEPORTS"] and entry["rules"][2].startswith(
        "KUBE-EXT-"
    )
    assert "KUBE-MARK-MASQ" in entry["rule_text"]
    assert service["rules"][0].startswith("KUBE-SVC-") and service["changed"] == []
    assert "same chain 10.96.100.11:80 uses" in service["text"]
    assert result["hops"][3]["rules"][0].startswith("KUBE-SEP-")


@pytest.mark.parametrize("mode", MODES)
def test_nodeport_local_policy_keeps_the_client_ip(mode: str) -> None:
    result = trace(build(mode), "external", "192.168.0.13:30124", seed=1)
    assert result["outcome"] == "delivered"
    assert result["endpoint"]["pod"] == "kubia-c"
    assert "SNAT" not in actions(result) and "route" not in actions(result)
    assert result["hops"][-1]["before"]["src"].startswith(f"{CLIENT_IP}:")


@pytest.mark.parametrize(("mode", "last"), [("iptables", "drop"), ("nftables", "drop"), ("ipvs", "drop")])
def test_nodeport_local_policy_on_a_node_without_endpoints_times_out_case_40(mode: str, last: str) -> None:
    idle = make_node("node-d", "192.168.0.14", pod_cidr="10.244.4.0/24")
    result = trace(build(mode, extra_nodes=[idle]), "external", "192.168.0.14:30124", seed=1)
    assert result["outcome"] == "dropped"
    assert actions(result)[-1] == last
    if mode == "iptables":
        assert result["hops"][-1]["rules"] == ["KUBE-EXTERNAL-SERVICES"]
        assert "has no local endpoints" in result["hops"][-1]["rule_text"]
    if mode == "ipvs":  # IPVS forwards to a remote pod; the un-NATed reply is discarded
        assert result["hops"][-1]["at"]["kind"] == "client"


def test_health_check_node_port_answers_per_node_case_40() -> None:
    pods = [*kubia_pods(), make_pod("kubia-a2", node="node-a", ip="10.244.1.6", labels=LABELS, ports=HTTP)]
    idle = make_node("node-d", "192.168.0.14", pod_cidr="10.244.4.0/24")
    view = build(pods=pods, extra_nodes=[idle])
    svc = view.service("default", "kubia-lb-local")
    busy, empty = health_check(view, svc, "node-a"), health_check(view, svc, "node-d")
    assert busy["status"] == 200 and busy["body"]["localEndpoints"] == 2
    assert busy["headers"]["X-Load-Balancing-Endpoint-Weight"] == "2"
    assert empty["status"] == 503
    assert empty["body"] == {
        "service": {"namespace": "default", "name": "kubia-lb-local"},
        "localEndpoints": 0,
        "serviceProxyHealthy": True,
    }
    assert empty["port"] == 32000
    probe = trace(view, "external", "192.168.0.14:32000", seed=1)
    assert probe["outcome"] == "delivered" and "HTTP 503" in probe["hops"][-1]["text"]


# --- Load balancer --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_load_balancer_forwards_to_a_node_port(mode: str) -> None:
    result = trace(build(mode), "external", "192.168.1.240:80", seed=5)
    lb = result["hops"][1]
    assert lb["at"] == {
        "kind": "loadbalancer",
        "name": "default/kubia-lb load balancer",
        "ip": "192.168.1.240",
    }
    assert lb["field"] == "status.loadBalancer.ingress"
    assert "proxy-style" in lb["text"]
    assert lb["after"]["dst"].endswith(":31000") and lb["changed"] == ["dst"]
    assert lb["after"]["src"].startswith(f"{CLIENT_IP}:")
    assert [c["node"] for c in lb["candidates"] if c["eligible"]] == ["node-a", "node-b", "node-c"]
    assert lb["probability"] == pytest.approx(1 / 3)
    assert result["hops"][2]["at"]["name"] == lb["candidates"][lb["chosen"]]["node"]


def test_load_balancer_local_policy_only_uses_nodes_with_local_endpoints() -> None:
    pods = kubia_pods()[:2]
    view = build(pods=pods)
    chosen = set()
    for seed in range(30):
        result = trace(view, "external", "192.168.1.241:80", seed=seed)
        lb = result["hops"][1]
        chosen.add(lb["candidates"][lb["chosen"]]["node"])
        assert result["outcome"] == "delivered" and "SNAT" not in actions(result)
        excluded = next(c for c in lb["candidates"] if c["node"] == "node-c")
        assert not excluded["eligible"] and "503" in excluded["why"]
    assert chosen == {"node-a", "node-b"}


def test_load_balancer_source_ranges() -> None:
    outside = trace(build(), "external", "192.168.1.242:80", seed=1)
    assert outside["hops"][-1]["at"]["kind"] == "loadbalancer"
    assert outside["hops"][-1]["rules"][0].startswith("KUBE-FW-")
    in_cluster = trace(build(), "pod/default/client", "192.168.1.242:80", seed=1)
    assert in_cluster["outcome"] == "dropped"
    assert in_cluster["hops"][-1]["rules"][-1] == "KUBE-PROXY-FIREWALL"
    services = kubia_services()
    services[9]["spec"]["loadBalancerSourceRanges"] = ["203.0.113.0/24"]
    assert trace(build(services=services), "external", "192.168.1.242:80", seed=1)["outcome"] == "delivered"


def test_pod_to_load_balancer_ip_short_circuits_on_its_node() -> None:
    result = trace(build(), "pod/default/client", "192.168.1.240:80", seed=2)
    assert "loadbalancer" not in [hop["at"]["kind"] for hop in result["hops"]]
    assert result["hops"][1]["field"] == "status.loadBalancer.ingress"
    assert result["hops"][1]["rules"][0] == "KUBE-SERVICES"


# --- ClusterIP, masquerade, hairpin ---------------------------------------------------------------


def test_no_endpoints_rejects_immediately_case_39() -> None:
    result = trace(build(), "pod/default/client", "10.96.100.17:80", seed=1)
    assert actions(result) == ["send", "reject"]
    assert '"default/empty has no endpoints"' in result["hops"][1]["rule_text"]
    assert "REJECT" in result["hops"][1]["rule_text"]
    assert result["service"] == "default/empty" and result["endpoint"] is None


def test_pod_to_cluster_ip_is_not_masqueraded() -> None:
    result = trace(build(), "pod/default/client", "10.96.100.10:80", seed=4)
    assert "SNAT" not in actions(result)
    assert result["hops"][-1]["before"]["src"].startswith("10.244.1.7:")


@pytest.mark.parametrize("mode", MODES)
def test_host_to_cluster_ip_is_masqueraded(mode: str) -> None:
    result = trace(build(mode), "node/node-b", "10.96.100.10:80", seed=4)
    assert "SNAT" in actions(result)
    assert result["hops"][-1]["before"]["src"].startswith("192.168.0.12:")


@pytest.mark.parametrize("mode", MODES)
def test_hairpin_pod_reaching_itself_through_the_vip_is_masqueraded(mode: str) -> None:
    view = build(mode)
    result = seed_where(
        view, "pod/default/kubia-a", "10.96.100.10:80", lambda r: r["endpoint"]["pod"] == "kubia-a"
    )
    snat = next(hop for hop in result["hops"] if hop["action"] == "SNAT")
    assert "hairpin" in snat["text"]
    assert snat["after"]["src"].startswith("192.168.0.11:")


def test_terminating_endpoints_are_used_when_none_is_ready() -> None:
    pods = [
        make_pod("kubia-a", node="node-a", ip="10.244.1.5", labels=LABELS, ports=HTTP, terminating=True),
        make_pod("kubia-b", node="node-b", ip="10.244.2.5", labels=LABELS, ports=HTTP, ready=False),
    ]
    result = trace(build(pods=pods), "pod/default/client", "10.96.100.10:80", seed=1)
    assert result["outcome"] == "delivered" and result["endpoint"]["pod"] == "kubia-a"
    selection = next(hop for hop in result["hops"] if hop["candidates"])
    by_pod = {c["pod"]: c for c in selection["candidates"]}
    assert by_pod["kubia-a"]["eligible"] and by_pod["kubia-a"]["terminating"]
    assert "no endpoint is ready" in by_pod["kubia-a"]["why"]
    assert not by_pod["kubia-b"]["eligible"] and "Not ready" in by_pod["kubia-b"]["why"]


def test_selection_hop_lists_every_endpoint_with_its_slice_and_conditions() -> None:
    pods = [*kubia_pods(), make_pod("kubia-d", node="node-b", ip="10.244.2.6", labels=LABELS, ready=False)]
    result = trace(build(pods=pods), "pod/default/client", "10.96.100.10:80", seed=2)
    selection = result["hops"][2]
    assert len(selection["candidates"]) == 4
    assert sum(c["eligible"] for c in selection["candidates"]) == 3
    assert {c["slice"] for c in selection["candidates"]} == {"kubia-x"}
    assert selection["probability"] == pytest.approx(1 / 3)
    chosen = selection["candidates"][selection["chosen"]]
    assert chosen["ip"] == result["endpoint"]["ip"] and chosen["probability"] == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("mode", "outcome"), [("iptables", "unroutable"), ("nftables", "refused"), ("ipvs", "refused")]
)
def test_cluster_ip_on_a_port_it_does_not_serve(mode: str, outcome: str) -> None:
    assert trace(build(mode), "pod/default/client", "10.96.100.10:81", seed=1)["outcome"] == outcome


# --- Session affinity -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_client_ip_affinity_sticks_across_20_traces(mode: str) -> None:
    view, state = build(mode), {}
    endpoints = {
        trace(view, "pod/default/client", "10.96.100.16:80", seed=seed, state=state, now=seed * 60.0)[
            "endpoint"
        ]["ip"]
        for seed in range(20)
    }
    assert len(endpoints) == 1


def test_client_ip_affinity_hit_is_explained_and_expires() -> None:
    view, state = build(), {}
    first = trace(view, "pod/default/client", "10.96.100.16:80", seed=1, state=state, now=0.0)
    again = trace(view, "pod/default/client", "10.96.100.16:80", seed=2, state=state, now=100.0)
    selection = again["hops"][2]
    assert selection["probability"] == 1.0 and "session affinity" in selection["text"]
    assert "--rcheck --seconds 10800 --reap" in selection["rule_text"]
    assert again["endpoint"] == first["endpoint"]
    later = {
        trace(view, "pod/default/client", "10.96.100.16:80", seed=s, state={}, now=0.0)["endpoint"]["ip"]
        for s in range(30)
    }
    assert len(later) == 3  # without memory the choice is random again
    expired = trace(view, "pod/default/client", "10.96.100.16:80", seed=3, state=state, now=100.0 + 10801)
    assert "session affinity" not in expired["hops"][2]["text"]


# --- Randomness -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_same_seed_same_trace(mode: str) -> None:
    view = build(mode)
    assert trace(view, "external", "192.168.1.240:80", seed=42) == trace(
        view, "external", "192.168.1.240:80", seed=42
    )


@pytest.mark.parametrize("mode", ["iptables", "nftables"])
def test_twenty_seeds_spread_over_all_three_pods(mode: str) -> None:
    view = build(mode)
    pods = {
        trace(view, "pod/default/client", "10.96.100.10:80", seed=s)["endpoint"]["pod"] for s in range(20)
    }
    assert pods == {"kubia-a", "kubia-b", "kubia-c"}


def test_ipvs_round_robin_cycles_through_real_servers_with_state() -> None:
    view, state = build("ipvs"), {}
    order = [
        trace(view, "pod/default/client", "10.96.100.10:80", state=state)["endpoint"]["pod"] for _ in range(6)
    ]
    assert order == ["kubia-a", "kubia-b", "kubia-c"] * 2


def test_client_port_is_an_ephemeral_port_from_the_seed() -> None:
    first = trace(build(), "external", "192.168.0.11:30123", seed=9)
    assert 32768 <= first["client"]["port"] <= 60999
    assert first["client"] == {"ip": CLIENT_IP, "port": first["client"]["port"]}


# --- Proxy modes name their rules -----------------------------------------------------------------


def test_mode_specific_rule_names() -> None:
    ipt = trace(build("iptables"), "pod/default/client", "10.96.100.10:80", seed=1)
    assert ipt["hops"][2]["rules"][0].startswith("KUBE-SVC-") and ipt["hops"][3]["rules"][0].startswith(
        "KUBE-SEP-"
    )
    nft = trace(build("nftables"), "pod/default/client", "10.96.100.10:80", seed=1)
    assert nft["hops"][1]["rules"] == ["services", "service-ips"]
    assert (
        nft["hops"][2]["rules"][0].startswith("service-")
        and "numgen random mod 3 vmap" in nft["hops"][2]["rule_text"]
    )
    assert nft["hops"][2]["probability"] == pytest.approx(1 / 3)
    assert nft["hops"][3]["rules"][0].startswith("endpoint-")
    ipvs = trace(build("ipvs"), "pod/default/client", "10.96.100.10:80", seed=1)
    assert ipvs["hops"][2]["rules"] == ["IPVS 10.96.100.10:80/TCP"]
    assert "TCP  10.96.100.10:80 rr" in ipvs["hops"][2]["rule_text"]


@pytest.mark.parametrize("mode", MODES)
def test_no_endpoints_is_refused_in_every_mode(mode: str) -> None:
    result = trace(build(mode), "external", "192.168.0.11:30123", seed=1, state={})
    assert result["outcome"] == "delivered"
    empty = trace(build(mode), "pod/default/client", "10.96.100.17:80", seed=1)
    assert empty["outcome"] == "refused" and actions(empty)[-1] == "reject"


# --- DNS, headless, ExternalName ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "name", "fqdn"),
    [
        ("pod/default/client", "kubia.default.svc.cluster.local", "kubia.default.svc.cluster.local"),
        ("pod/default/client", "kubia.default.svc", "kubia.default.svc.cluster.local"),
        ("pod/default/client", "kubia.default", "kubia.default.svc.cluster.local"),
        ("pod/default/client", "kubia", "kubia.default.svc.cluster.local"),
        ("pod/tools/other-ns-client", "kubia.default", "kubia.default.svc.cluster.local"),
    ],
)
def test_dns_names_resolve_through_search_domains(source: str, name: str, fqdn: str) -> None:
    result = trace(build(), source, f"{name}:80", seed=1)
    assert result["outcome"] == "delivered"
    assert result["dns"]["fqdn"] == fqdn and result["dns"]["addresses"] == ["10.96.100.10"]
    assert result["hops"][0]["before"]["dst"] == "10.96.100.10:80"
    assert fqdn in result["hops"][0]["text"]


def test_bare_name_from_another_namespace_does_not_resolve() -> None:
    result = trace(build(), "pod/tools/other-ns-client", "kubia:80", seed=1)
    assert result["outcome"] == "unroutable" and "NXDOMAIN" in result["reason"]
    assert result["dns"]["tried"][0] == "kubia.tools.svc.cluster.local"


@pytest.mark.parametrize("source", ["external", "node/node-a"])
def test_dns_names_do_not_resolve_outside_pods(source: str) -> None:
    result = trace(build(), source, "kubia.default.svc.cluster.local:80", seed=1)
    assert result["outcome"] == "unroutable" and result["hops"] == []


def test_headless_service_goes_straight_to_a_pod() -> None:
    result = trace(build(), "pod/default/client", "kubia-headless:8080", seed=3)
    assert result["outcome"] == "delivered" and result["service"] == "default/kubia-headless"
    assert result["dns"]["addresses"] == ["10.244.1.5", "10.244.2.5", "10.244.3.5"]
    assert "DNAT" not in actions(result) and "SNAT" not in actions(result)
    assert result["hops"][-1]["before"]["dst"] == f"{result['endpoint']['ip']}:8080"


def test_headless_service_does_not_translate_ports() -> None:
    result = trace(build(), "pod/default/client", "kubia-headless:80", seed=3)
    assert result["outcome"] == "refused" and "nothing listens" in result["hops"][-1]["text"]


def test_external_name_is_a_cname() -> None:
    result = trace(build(), "pod/default/client", "external-service.default.svc.cluster.local:80", seed=1)
    assert result["outcome"] == "unroutable" and "api.somecompany.com" in result["reason"]
    assert result["dns"]["record"] == "CNAME"


# --- Protocols and inputs -------------------------------------------------------------------------


def test_protocol_suffix_selects_the_service_port() -> None:
    dns = make_service(
        "dns",
        cluster_ip="10.96.0.10",
        selector=LABELS,
        ports=[{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53}],
    )
    pods = [
        make_pod(
            f"dns-{n}",
            node=f"node-{n}",
            ip=f"10.244.{i}.5",
            labels=LABELS,
            ports=[{"containerPort": 53, "protocol": "UDP"}],
        )
        for i, n in enumerate("abc", start=1)
    ]
    view = build(pods=pods, services=[dns])
    udp = trace(view, "pod/default/client", "10.96.0.10:53/UDP", seed=1)
    assert udp["outcome"] == "delivered" and udp["protocol"] == "UDP"
    assert "-m udp -p udp" in udp["hops"][1]["rule_text"]
    assert trace(view, "pod/default/client", "10.96.0.10:53", seed=1)["outcome"] == "unroutable"


@pytest.mark.parametrize(
    ("source", "destination"),
    [("somewhere", "10.0.0.1:80"), ("external", "10.0.0.1"), ("external", "10.0.0.1:80/HTTP")],
)
def test_malformed_inputs_raise(source: str, destination: str) -> None:
    with pytest.raises(ValueError):
        trace_request(build(), source=source, destination=destination)


def test_unknown_source_is_unroutable() -> None:
    result = trace(build(), "pod/default/nope", "10.96.100.10:80")
    assert result["outcome"] == "unroutable" and result["hops"] == [] and result["client"]["ip"] is None


# --- Speed ----------------------------------------------------------------------------------------


def test_a_trace_on_a_thousand_pod_cluster_is_delivered_for_every_seed() -> None:
    nodes = [make_node(f"node-{i}", f"192.168.1.{i + 1}", pod_cidr=f"10.244.{i}.0/24") for i in range(10)]
    pods = [
        make_pod(
            f"web-{i}", node=f"node-{i % 10}", ip=f"10.244.{i % 10}.{i // 10 + 2}", labels=LABELS, ports=HTTP
        )
        for i in range(1000)
    ]
    svc = make_service(
        "web", type="NodePort", cluster_ip="10.96.50.50", ports=np_ports(30080), selector=LABELS
    )
    slices = [slice_for_pods(svc, pods[i : i + 100], name=f"web-{i}") for i in range(0, 1000, 100)]
    for seed in range(7):
        view = ClusterView(ClusterSettings(), nodes, pods, [svc], slices)
        result = trace_request(view, source="external", destination="192.168.1.1:30080", seed=seed)
        assert result["outcome"] == "delivered"


# --- Less common paths ----------------------------------------------------------------------------


def test_external_ip_on_a_node_is_captured_there() -> None:
    services = [
        make_service("kubia", cluster_ip="10.96.100.10", selector=LABELS, externalIPs=["192.168.0.12"]),
        make_service("kubia-far", cluster_ip="10.96.100.11", selector=LABELS, externalIPs=["198.51.100.7"]),
    ]
    view = build(services=services)
    captured = trace(view, "external", "192.168.0.12:80", seed=1)
    assert captured["outcome"] == "delivered"
    assert "external IP" in captured["hops"][1]["rule_text"]
    assert trace(view, "external", "198.51.100.7:80", seed=1)["outcome"] == "unroutable"


@pytest.mark.parametrize("mode", MODES)
def test_load_balancer_without_node_ports_hands_over_the_vip(mode: str) -> None:
    services = [
        make_service(
            "kubia-vip",
            type="LoadBalancer",
            cluster_ip="10.96.100.20",
            selector=LABELS,
            lb_ips=["192.168.1.250"],
            allocateLoadBalancerNodePorts=False,
        )
    ]
    result = trace(build(mode, services=services), "external", "192.168.1.250:80", seed=1)
    assert result["outcome"] == "delivered"
    lb = result["hops"][1]
    assert lb["changed"] == [] and "VIP-style" in lb["text"]
    assert result["hops"][2]["field"] == "status.loadBalancer.ingress"


def test_traces_and_state_are_plain_json() -> None:
    state: dict = {}
    view = build(
        "ipvs",
        services=[make_service("s", cluster_ip="10.96.9.9", selector=LABELS, sessionAffinity="ClientIP")],
    )
    result = trace(view, "pod/default/client", "10.96.9.9:80", seed=1, state=state)
    assert json.loads(json.dumps(result)) == result
    assert json.loads(json.dumps(state)) == state


def test_pod_on_a_missing_node_cannot_send() -> None:
    view = build()
    view.pods.append(make_pod("ghost", node="node-x", ip="10.244.9.9"))
    result = trace(
        ClusterView(view.settings, view.nodes, view.pods, view.services, view.endpointslices),
        "pod/default/ghost",
        "10.96.100.10:80",
    )
    assert result["outcome"] == "unroutable" and "node-x" in result["reason"]


@pytest.mark.parametrize("mode", MODES)
def test_long_rule_lists_are_elided_in_hops_but_candidates_stay_complete(mode: str) -> None:
    pods = [
        make_pod(f"web-{i}", node="node-b", ip=f"10.244.2.{i + 10}", labels=LABELS, ports=HTTP)
        for i in range(50)
    ]
    view = build(mode, pods=pods)
    result = seed_where(view, "pod/default/client", "10.96.100.10:80", lambda r: r["hops"][2]["chosen"] > 5)
    selection = result["hops"][2]
    assert len(selection["candidates"]) == 50 == selection["candidates_total"]
    assert len(selection["rule_text"].splitlines()) <= 8
    assert "…" in selection["rule_text"]


def _many_pods(count: int, *, not_ready_every: int = 0) -> list[dict]:
    """`count` backends over node-a, node-b and node-c, one in `not_ready_every` not ready."""
    nodes = ("node-a", "node-b", "node-c")
    return [
        make_pod(f"web-{i}", node=nodes[i % 3], ip=f"10.244.{i % 3 + 1}.{i // 3 + 10}", labels=LABELS, ports=HTTP,
                 ready=not (not_ready_every and i % not_ready_every == 0))
        for i in range(count)
    ]


@pytest.mark.parametrize("mode", MODES)
def test_a_large_service_lists_100_candidates_with_the_chosen_one_and_sums_up_the_rest(mode: str) -> None:
    view = build(mode, pods=_many_pods(600, not_ready_every=10))
    everyone = sorted(f"10.244.{i % 3 + 1}.{i // 3 + 10}:8080" for i in range(600))
    result = seed_where(view, "pod/default/client", "10.96.100.10:80",
                        lambda r: f"{r['endpoint']['ip']}:8080" not in everyone[:100])
    selection = next(hop for hop in result["hops"] if hop["candidates"])
    listed = selection["candidates"]
    assert len(listed) == 100 and selection["candidates_total"] == 600
    assert [f"{c['ip']}:{c['port']}" for c in listed[:99]] == everyone[:99]  # kube-proxy's order
    chosen = listed[selection["chosen"]]
    assert chosen["ip"] == result["endpoint"]["ip"] and chosen["eligible"]
    assert {(g["count"], g["eligible"], g["why"].split(",")[0].split(" (")[0]) for g in selection["candidate_groups"]} == {
        (540, True, "Ready"),
        (60, False, "Not ready"),
    }
    assert selection["candidate_groups"][0]["eligible"]  # the chain's own endpoints come first
    assert all("ko" in g["i18n"] for g in selection["candidate_groups"])
    if mode != "ipvs":
        assert chosen["probability"] == pytest.approx(1 / 540) == selection["probability"]


def test_a_small_service_lists_every_candidate_and_one_group_per_reason() -> None:
    pods = [*kubia_pods(), make_pod("kubia-d", node="node-b", ip="10.244.2.6", labels=LABELS, ready=False)]
    selection = trace(build(pods=pods), "pod/default/client", "10.96.100.10:80", seed=2)["hops"][2]
    assert selection["candidates_total"] == len(selection["candidates"]) == 4
    assert [(g["count"], g["eligible"]) for g in selection["candidate_groups"]] == [(3, True), (1, False)]
    not_ready = next(c for c in selection["candidates"] if c["pod"] == "kubia-d")
    assert selection["candidate_groups"][1]["why"] == not_ready["why"]


def test_local_policy_groups_the_endpoints_of_every_other_node_together() -> None:
    view = build(pods=_many_pods(9))
    result = trace(view, "external", "192.168.0.11:30124", seed=1)
    selection = next(hop for hop in result["hops"] if hop["candidates"])
    groups = {(g["count"], g["eligible"]): g for g in selection["candidate_groups"]}
    assert set(groups) == {(3, True), (6, False)}
    assert groups[(6, False)]["why"] == (
        "Ready, but they run on 2 other nodes; the Local policy only uses endpoints on node-a.")
    assert "node-b" in next(c["why"] for c in selection["candidates"] if c["node"] == "node-b")
