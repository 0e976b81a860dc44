"""kube-proxy rules as data: names, probabilities, policies, and the three proxy modes."""

from __future__ import annotations

import pytest

from cluster.sim.dataplane.kubeproxy import (
    ClusterView,
    Endpoint,
    ServicePort,
    categorize_endpoints,
    chain_hash,
    iptables_rule_line,
    iptables_save_text,
    ipvsadm_text,
    merge_slice_endpoints,
    nft_chain_name,
    node_rules,
    probability_text,
    service_port_infos,
)
from cluster.sim.objects import ClusterSettings
from tests.sim.factories import make_endpoint, make_node, make_pod, make_service, make_slice, slice_for_pods

LABELS = {"app": "kubia"}
NODES = [
    make_node("node-a", "192.168.0.11", pod_cidr="10.244.1.0/24"),
    make_node("node-b", "192.168.0.12", pod_cidr="10.244.2.0/24"),
    make_node("node-c", "192.168.0.13", pod_cidr="10.244.3.0/24"),
]
PODS = [
    make_pod("kubia-a", node="node-a", ip="10.244.1.5", labels=LABELS),
    make_pod("kubia-b", node="node-b", ip="10.244.2.5", labels=LABELS),
    make_pod("kubia-c", node="node-c", ip="10.244.3.5", labels=LABELS),
]


def view_of(services: list, slices: list, *, mode: str = "iptables", pods: list | None = None) -> ClusterView:
    return ClusterView(ClusterSettings(proxy_mode=mode), NODES, pods or PODS, services, slices)


def kubia(**spec: object) -> tuple[dict, dict]:
    svc = make_service("kubia", cluster_ip="10.96.100.10", selector=LABELS, **spec)
    return svc, slice_for_pods(svc, PODS, name="kubia-x")


def lines(rules: dict, chain: str) -> list[str]:
    return [iptables_rule_line(r) for r in rules["rules"] if r["chain"] == chain]


# --- Names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # kubernetes pkg/proxy/iptables/proxier_test.go: ns1/svc1:p80 at 10.180.0.1:80
        (("KUBE-SVC-", "ns1", "svc1", "p80", "TCP"), "KUBE-SVC-XPGD46QRK7WJZT7O"),
        (("KUBE-SEP-", "ns1", "svc1", "p80", "tcp", "10.180.0.1:80"), "KUBE-SEP-SXIVWICOYRO3J4NJ"),
        (("KUBE-SVC", "ns1", "svc1", "p80", "tcp"), "KUBE-SVC-XPGD46QRK7WJZT7O"),
        (("KUBE-EXT-", "ns1", "svc1", "p80", "TCP"), "KUBE-EXT-XPGD46QRK7WJZT7O"),
    ],
)
def test_chain_hash_matches_upstream(args: tuple, expected: str) -> None:
    assert chain_hash(*args) == expected


def test_chain_hash_unnamed_port_hashes_ns_slash_name_only() -> None:
    unnamed = chain_hash("KUBE-SVC-", "default", "kubia", "", "TCP")
    assert unnamed != chain_hash("KUBE-SVC-", "default", "kubia", "http", "TCP")
    assert len(unnamed) == len("KUBE-SVC-") + 16


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # the examples in pkg/proxy/nftables/proxier.go comments
        (("service-", "ns1", "svc1", "p80", "TCP"), "service-ULMVA6XW-ns1/svc1/tcp/p80"),
        (
            ("endpoint-", "ns1", "svc1", "p80", "TCP", "10.180.0.1:80"),
            "endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80",
        ),
    ],
)
def test_nft_chain_names_match_upstream(args: tuple, expected: str) -> None:
    assert nft_chain_name(*args) == expected


@pytest.mark.parametrize(
    ("n", "text"), [(1, "1.0000000000"), (2, "0.5000000000"), (3, "0.3333333333"), (7, "0.1428571429")]
)
def test_probability_text_is_go_percent_0_10f(n: int, text: str) -> None:
    assert probability_text(n) == text


# --- iptables -------------------------------------------------------------------------------------


def test_three_endpoints_cascade_probabilities_case_38() -> None:
    svc, slice_ = kubia()
    rules = node_rules(view_of([svc], [slice_]), "node-a")
    svc_chain = chain_hash("KUBE-SVC-", "default", "kubia", "", "TCP")
    dispatch = [r for r in rules["rules"] if r["chain"] == svc_chain and r["target"].startswith("KUBE-SEP-")]
    assert [r["probability"] for r in dispatch] == ["0.3333333333", "0.5000000000", None]
    assert iptables_rule_line(dispatch[0]) == (
        f'-A {svc_chain} -m comment --comment "default/kubia -> 10.244.1.5:8080" '
        f"-m statistic --mode random --probability 0.3333333333 -j {dispatch[0]['target']}"
    )
    assert iptables_rule_line(dispatch[2]).endswith(f"-j {dispatch[2]['target']}")
    assert "statistic" not in iptables_rule_line(dispatch[2])


def test_single_endpoint_service_renders_like_upstream() -> None:
    """The rule lines of upstream's TestParseIPTablesData fixture (modern comment on SVC→SEP)."""
    node = make_node("test-node", "192.168.0.2", pod_cidr="10.0.0.0/24")
    pod = make_pod("pod1", node="test-node", ip="10.180.0.1", namespace="ns1")
    svc = make_service("svc1", namespace="ns1", cluster_ip="10.20.30.41", ports=[{"name": "p80", "port": 80}])
    slice_ = make_slice(svc, [make_endpoint(pod)], ports=[{"name": "p80", "port": 80, "protocol": "TCP"}])
    view = ClusterView(ClusterSettings(), [node], [pod], [svc], [slice_])
    text = node_rules(view, "test-node")["text"]
    expected = [
        '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 10.20.30.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O',
        '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 10.20.30.41 --dport 80 ! -s 10.0.0.0/24 -j KUBE-MARK-MASQ',
        '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ',
        "-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ",
        "-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80",
        '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
        "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000",
        "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
    ]
    for line in expected:
        assert line in text.splitlines()
    assert text.startswith("*filter\n:KUBE-SERVICES - [0:0]\n")
    assert text.count("COMMIT\n") == 2
    assert ":KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]" in text


def test_client_ip_affinity_checks_come_before_random_rules_and_sep_sets() -> None:
    svc, slice_ = kubia(
        sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 600}}
    )
    rules = node_rules(view_of([svc], [slice_]), "node-a")
    svc_chain = chain_hash("KUBE-SVC-", "default", "kubia", "", "TCP")
    chain_lines = lines(rules, svc_chain)[1:]  # after the masquerade rule
    assert all("--rcheck --seconds 600 --reap" in line for line in chain_lines[:3])
    assert all("statistic" not in line for line in chain_lines[:3])
    assert ["statistic" in line for line in chain_lines[3:]] == [True, True, False]
    sep = chain_hash("KUBE-SEP-", "default", "kubia", "", "TCP", "10.244.1.5:8080")
    assert f"-m recent --name {sep} --rcheck" in chain_lines[0]
    assert (
        f"-m recent --name {sep} --set -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080"
        in lines(rules, sep)[1]
    )


def test_client_ip_affinity_defaults_to_10800_seconds() -> None:
    svc, _ = kubia(sessionAffinity="ClientIP")
    assert service_port_infos(svc)[0].affinity_seconds == 10800


def test_service_without_endpoints_gets_reject_rules_only() -> None:
    svc = make_service(
        "kubia",
        type="NodePort",
        cluster_ip="10.96.100.10",
        ports=[{"port": 80, "targetPort": 8080, "nodePort": 30123}],
    )
    empty = make_slice(svc, [], ports=[])
    rules = node_rules(view_of([svc], [empty]), "node-a")
    filter_lines = [iptables_rule_line(r) for r in rules["rules"] if r["table"] == "filter"]
    assert (
        '-A KUBE-SERVICES -m comment --comment "default/kubia has no endpoints" -m tcp -p tcp -d 10.96.100.10 --dport 80 -j REJECT'
        in filter_lines
    )
    assert (
        '-A KUBE-EXTERNAL-SERVICES -m comment --comment "default/kubia has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30123 -j REJECT'
        in filter_lines
    )
    nat_chains = {r["chain"] for r in rules["rules"] if r["table"] == "nat"}
    assert not any(c.startswith(("KUBE-SVC-", "KUBE-SEP-", "KUBE-EXT-")) for c in nat_chains)


def test_external_local_policy_drops_only_on_nodes_without_local_endpoints() -> None:
    pods = [*PODS[:2], make_pod("kubia-a2", node="node-a", ip="10.244.1.6", labels=LABELS)]
    svc = make_service(
        "kubia",
        type="NodePort",
        cluster_ip="10.96.100.10",
        ports=[{"port": 80, "targetPort": 8080, "nodePort": 30124}],
        externalTrafficPolicy="Local",
    )
    view = view_of([svc], [slice_for_pods(svc, pods)], pods=pods)
    on_c, on_a = node_rules(view, "node-c"), node_rules(view, "node-a")
    drop = [r for r in on_c["rules"] if r["target"] == "DROP" and r["chain"] == "KUBE-EXTERNAL-SERVICES"]
    assert [r["comment"] for r in drop] == ["default/kubia has no local endpoints"]
    assert not [r for r in on_a["rules"] if r["chain"] == "KUBE-EXTERNAL-SERVICES"]
    svl = chain_hash("KUBE-SVL-", "default", "kubia", "", "TCP")
    assert [r["probability"] for r in on_a["rules"] if r["chain"] == svl] == ["0.5000000000", None]
    assert not [r for r in on_c["rules"] if r["chain"] == svl]
    ext = chain_hash("KUBE-EXT-", "default", "kubia", "", "TCP")
    assert [r["comment"] for r in on_a["rules"] if r["chain"] == ext] == [
        "pod traffic for default/kubia external destinations",
        "masquerade LOCAL traffic for default/kubia external destinations",
        "route LOCAL traffic for default/kubia external destinations",
        None,
    ]


def test_internal_local_policy_drops_cluster_ip_on_nodes_without_endpoints() -> None:
    svc, _ = kubia(internalTrafficPolicy="Local")
    view = view_of([svc], [slice_for_pods(svc, PODS[:1])])
    drops = [
        r
        for r in node_rules(view, "node-b")["rules"]
        if r["target"] == "DROP" and r["chain"] == "KUBE-SERVICES"
    ]
    assert (
        drops
        and drops[0]["table"] == "filter"
        and drops[0]["comment"] == "default/kubia has no local endpoints"
    )
    on_a = node_rules(view, "node-a")["rules"]
    assert any(r["target"] == chain_hash("KUBE-SVL-", "default", "kubia", "", "TCP") for r in on_a)


def test_load_balancer_source_ranges_build_the_firewall_chain() -> None:
    svc = make_service(
        "kubia",
        type="LoadBalancer",
        cluster_ip="10.96.100.10",
        ports=[{"port": 80, "targetPort": 8080, "nodePort": 31000}],
        lb_ips=["192.168.1.240"],
        loadBalancerSourceRanges=["203.0.113.0/25"],
    )
    rules = node_rules(view_of([svc], [slice_for_pods(svc, PODS)]), "node-a")
    fw = chain_hash("KUBE-FW-", "default", "kubia", "", "TCP")
    assert lines(rules, fw) == [
        f'-A {fw} -m comment --comment "default/kubia loadbalancer IP" -s 203.0.113.0/25 -j {fw.replace("FW", "EXT")}',
        f'-A {fw} -m comment --comment "other traffic to default/kubia will be dropped by KUBE-PROXY-FIREWALL"',
    ]
    assert lines(rules, "KUBE-PROXY-FIREWALL") == [
        f'-A KUBE-PROXY-FIREWALL -m comment --comment "default/kubia traffic not accepted by {fw}" -m tcp -p tcp -d 192.168.1.240 --dport 80 -j DROP'
    ]


def test_headless_and_external_name_services_get_no_rules() -> None:
    headless = make_service("h", cluster_ip="None")
    external = make_service("e", type="ExternalName", cluster_ip="", externalName="api.somecompany.com")
    rules = node_rules(view_of([headless, external], []), "node-a")
    assert all(
        "default/h" not in (r["comment"] or "") and "default/e" not in (r["comment"] or "")
        for r in rules["rules"]
    )


def test_large_cluster_mode_drops_per_endpoint_comments() -> None:
    pods = [make_pod(f"p{i}", node="node-a", ip=f"10.244.{1 + i // 250}.{1 + i % 250}") for i in range(1001)]
    svc, _ = kubia()
    view = view_of([svc], [slice_for_pods(svc, pods)], pods=pods)
    rules = node_rules(view, "node-a")["rules"]
    seps = [r for r in rules if r["chain"].startswith("KUBE-SEP-")]
    assert seps and all(r["comment"] is None for r in seps)


def test_iptables_save_text_orders_tables_and_declares_chains() -> None:
    svc, slice_ = kubia()
    text = iptables_save_text(node_rules(view_of([svc], [slice_]), "node-a")["rules"])
    assert text.index("*filter") < text.index("*nat")
    assert ":KUBE-PROXY-FIREWALL - [0:0]" in text.split("*nat")[0]
    assert ":KUBE-MARK-MASQ - [0:0]" in text.split("*nat")[1]


def test_chain_names_are_stable_across_nodes_and_views() -> None:
    svc, slice_ = kubia()
    first = {r["chain"] for r in node_rules(view_of([svc], [slice_]), "node-a")["rules"]}
    second = {r["chain"] for r in node_rules(view_of([svc], [slice_]), "node-b")["rules"]}
    assert {c for c in first if c.startswith("KUBE-S")} == {c for c in second if c.startswith("KUBE-S")}


# --- Endpoint selection (§7.1, topology.go) --------------------------------------------------------


def ep(
    name: str, node: str, *, ready: bool = True, serving: bool = True, terminating: bool = False
) -> Endpoint:
    return Endpoint(f"10.0.0.{name[-1]}", 8080, node, "", ready, serving, terminating, name, "default", "s")


def spi(**flags: bool) -> ServicePort:
    return ServicePort(
        "default", "kubia", "", "TCP", 80, 8080, 30000, "10.96.0.10", "NodePort", (), (), (),
        flags.get("etp_local", False), flags.get("itp_local", False), None, 0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("endpoints", "flags", "cluster", "local", "has_any"),
    [
        ([ep("p1", "a"), ep("p2", "b", ready=False, serving=False)], {}, ["p1"], [], True),
        # no ready endpoint: serving+terminating ones are used instead
        (
            [ep("p1", "a", ready=False, terminating=True), ep("p2", "b", ready=False, serving=False)],
            {},
            ["p1"],
            [],
            True,
        ),
        # a ready endpoint exists, so terminating ones are not used
        ([ep("p1", "a", ready=False, terminating=True), ep("p2", "b")], {}, ["p2"], [], True),
        # terminating and not serving: never used
        ([ep("p1", "a", ready=False, serving=False, terminating=True)], {}, [], [], False),
        ([ep("p1", "a"), ep("p2", "b")], {"etp_local": True}, ["p1", "p2"], ["p1"], True),
        ([ep("p2", "b")], {"etp_local": True}, ["p2"], [], True),
        # local fallback to serving+terminating is independent of the cluster set
        (
            [ep("p1", "a", ready=False, terminating=True), ep("p2", "b")],
            {"itp_local": True},
            ["p2"],
            ["p1"],
            True,
        ),
        # both Local on an externally reachable service: cluster endpoints still exist for the
        # short-circuit of pod and host traffic (UsesClusterEndpoints)
        ([ep("p1", "a"), ep("p2", "b")], {"etp_local": True, "itp_local": True}, ["p1", "p2"], ["p1"], True),
    ],
)
def test_categorize_endpoints(
    endpoints: list, flags: dict, cluster: list, local: list, has_any: bool
) -> None:
    result = categorize_endpoints(tuple(endpoints), spi(**flags), "a")
    assert [e.pod for e in result.cluster] == cluster
    assert [e.pod for e in result.local] == local
    assert result.has_any is has_any


def test_zone_hints_narrow_the_cluster_set_when_every_ready_endpoint_has_one() -> None:
    a = Endpoint("10.0.0.1", 80, "a", "z1", True, True, False, "p1", "default", "s", frozenset({"z1"}))
    b = Endpoint("10.0.0.2", 80, "b", "z2", True, True, False, "p2", "default", "s", frozenset({"z2"}))
    assert [e.pod for e in categorize_endpoints((a, b), spi(), "a", "z1").cluster] == ["p1"]
    assert [e.pod for e in categorize_endpoints((a, b), spi(), "a", "z9").cluster] == ["p1", "p2"]


def test_slices_are_merged_deduplicated_and_sorted_by_ip_port_string() -> None:
    svc = make_service("kubia", ports=[{"name": "http", "port": 80, "targetPort": 8080}])
    pods = [
        make_pod(f"p{i}", node="node-a", ip=ip)
        for i, ip in enumerate(["10.244.1.5", "10.244.1.10", "10.244.1.7"])
    ]
    ports = [{"name": "http", "port": 8080, "protocol": "TCP"}]
    first = make_slice(svc, [make_endpoint(pods[0]), make_endpoint(pods[1])], name="s1", ports=ports)
    second = make_slice(svc, [make_endpoint(pods[1]), make_endpoint(pods[2])], name="s2", ports=ports)
    other_port = make_slice(svc, [make_endpoint(pods[2])], name="s3", ports=[{"name": "admin", "port": 9000}])
    merged = merge_slice_endpoints([first, second, other_port], "http", "TCP")
    assert [e.key for e in merged] == ["10.244.1.10:8080", "10.244.1.5:8080", "10.244.1.7:8080"]


def test_kube_proxy_reads_slices_not_pods() -> None:
    svc, slice_ = kubia()
    view = view_of([svc], [slice_], pods=[])  # no Pod objects at all
    assert len(view.endpoints(view.service_ports(svc)[0])) == 3


# --- IPVS -----------------------------------------------------------------------------------------


def test_ipvs_virtual_servers_and_dummy_interface() -> None:
    svc = make_service(
        "kubia",
        type="LoadBalancer",
        cluster_ip="10.96.100.10",
        ports=[{"port": 80, "targetPort": 8080, "nodePort": 31000}],
        lb_ips=["192.168.1.240"],
        sessionAffinity="ClientIP",
    )
    rules = node_rules(view_of([svc], [slice_for_pods(svc, PODS)], mode="ipvs"), "node-a")
    servers = {(vs["address"], vs["port"]): vs for vs in rules["virtual_servers"]}
    assert set(servers) == {("10.96.100.10", 80), ("192.168.1.240", 80), ("192.168.0.11", 31000)}
    vs = servers[("10.96.100.10", 80)]
    assert vs["scheduler"] == "rr" and vs["persistent"] == 10800 and vs["protocol"] == "TCP"
    assert vs["real_servers"] == [
        {"ip": "10.244.1.5", "port": 8080, "weight": 1},
        {"ip": "10.244.2.5", "port": 8080, "weight": 1},
        {"ip": "10.244.3.5", "port": 8080, "weight": 1},
    ]
    assert rules["dummy_interface"] == {"name": "kube-ipvs0", "addresses": ["10.96.100.10", "192.168.1.240"]}
    assert "TCP  10.96.100.10:80 rr persistent 10800" in rules["text"]
    assert rules["text"] == ipvsadm_text(rules["virtual_servers"])
    assert "KUBE-CLUSTER-IP" in rules["ipsets"]


def test_ipvs_local_policy_uses_local_real_servers_and_falls_back_when_none() -> None:
    svc = make_service(
        "kubia",
        type="NodePort",
        cluster_ip="10.96.100.10",
        ports=[{"port": 80, "targetPort": 8080, "nodePort": 30124}],
        externalTrafficPolicy="Local",
    )
    view = view_of([svc], [slice_for_pods(svc, PODS[:2])], mode="ipvs")
    on_a = {vs["kind"]: vs for vs in node_rules(view, "node-a")["virtual_servers"]}
    on_c = {vs["kind"]: vs for vs in node_rules(view, "node-c")["virtual_servers"]}
    assert [rs["ip"] for rs in on_a["nodePort"]["real_servers"]] == ["10.244.1.5"]
    assert [rs["ip"] for rs in on_c["nodePort"]["real_servers"]] == ["10.244.1.5", "10.244.2.5"]


# --- nftables -------------------------------------------------------------------------------------


def test_nftables_chains_maps_and_numgen() -> None:
    svc = make_service(
        "kubia",
        type="NodePort",
        cluster_ip="10.96.100.10",
        ports=[{"port": 80, "targetPort": 8080, "nodePort": 30123}],
    )
    rules = node_rules(view_of([svc], [slice_for_pods(svc, PODS)], mode="nftables"), "node-a")
    assert rules["table"] == "ip kube-proxy"
    service = nft_chain_name("service-", "default", "kubia", "", "TCP")
    external = nft_chain_name("external-", "default", "kubia", "", "TCP")
    eps = [
        nft_chain_name("endpoint-", "default", "kubia", "", "TCP", f"10.244.{i}.5:8080") for i in (1, 2, 3)
    ]
    assert rules["chains"][service][-1] == (
        f"numgen random mod 3 vmap {{ 0 : goto {eps[0]}, 1 : goto {eps[1]}, 2 : goto {eps[2]} }}"
    )
    assert rules["chains"][eps[0]] == [
        "ip saddr 10.244.1.5 jump mark-for-masquerade",
        "meta l4proto tcp dnat to 10.244.1.5:8080",
    ]
    assert rules["chains"][external] == ["jump mark-for-masquerade", f"goto {service}"]
    assert {"key": "10.96.100.10 . tcp . 80", "value": f"goto {service}", "comment": None} in rules["maps"][
        "service-ips"
    ]
    assert rules["maps"]["service-nodeports"] == [
        {"key": "tcp . 30123", "value": f"goto {external}", "comment": None}
    ]
    assert f"chain {service} {{" in rules["text"]


def test_nftables_no_endpoints_goes_to_reject_chain() -> None:
    svc = make_service("kubia", cluster_ip="10.96.100.10")
    rules = node_rules(view_of([svc], [make_slice(svc, [], ports=[])], mode="nftables"), "node-a")
    assert rules["maps"]["no-endpoint-services"] == [
        {"key": "10.96.100.10 . tcp . 80", "value": "goto reject-chain", "comment": "default/kubia"}
    ]
    assert rules["maps"]["service-ips"] == []


def test_nftables_affinity_sets() -> None:
    svc, slice_ = kubia(sessionAffinity="ClientIP")
    rules = node_rules(view_of([svc], [slice_], mode="nftables"), "node-a")
    affinity = nft_chain_name("affinity-", "default", "kubia", "", "TCP", "10.244.1.5:8080")
    assert rules["sets"][affinity]["timeout"] == "10800s"
    service = nft_chain_name("service-", "default", "kubia", "", "TCP")
    endpoint = nft_chain_name("endpoint-", "default", "kubia", "", "TCP", "10.244.1.5:8080")
    assert f"ip saddr @{affinity} goto {endpoint}" in rules["chains"][service]
    assert f"update @{affinity} {{ ip saddr }}" in rules["chains"][endpoint]
