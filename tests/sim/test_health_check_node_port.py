"""kube-proxy serves, and its filter rules accept, a Service's healthCheckNodePort only when the
Service needs a health check: type LoadBalancer with externalTrafficPolicy Local
(apiservice.NeedsHealthCheck in newBaseServiceInfo; pkg/proxy/iptables/proxier_test.go
TestHealthCheckNodePort)."""

from __future__ import annotations

import pytest

from cluster.sim.dataplane.kubeproxy import ClusterView, iptables_rule_line, node_rules, service_port_infos
from cluster.sim.dataplane.trace import trace_request
from cluster.sim.objects import ClusterSettings
from tests.sim.factories import make_node, make_pod, make_service, slice_for_pods

LABELS = {"app": "kubia"}
NODES = [make_node("node-a", "192.168.0.11", pod_cidr="10.244.1.0/24")]
PODS = [make_pod("kubia-a", node="node-a", ip="10.244.1.5", labels=LABELS, ports=[{"containerPort": 8080}])]
ACCEPT = '-A KUBE-NODEPORTS -m comment --comment "default/svc health check node port" -m tcp -p tcp --dport 32000 -j ACCEPT'


def lb_service(**spec: object) -> dict:
    return make_service(
        "svc", type="LoadBalancer", cluster_ip="10.96.100.14", selector=LABELS, lb_ips=["192.168.1.241"],
        ports=[{"port": 80, "targetPort": 8080, "nodePort": 31001}], healthCheckNodePort=32000, **spec,
    )


def view_of(svc: dict, mode: str = "iptables") -> ClusterView:
    return ClusterView(ClusterSettings(proxy_mode=mode), NODES, PODS, [svc], [slice_for_pods(svc, PODS, name="svc-x")])


def filter_lines(view: ClusterView) -> list[str]:
    return [iptables_rule_line(r) for r in node_rules(view, "node-a")["rules"] if r["table"] == "filter"]


def test_local_load_balancer_opens_its_health_check_port() -> None:
    svc = lb_service(externalTrafficPolicy="Local")
    assert [spi.health_check_node_port for spi in service_port_infos(svc)] == [32000]
    view = view_of(svc)
    assert ACCEPT in filter_lines(view)
    assert view.health_check_service(32000) is svc


@pytest.mark.parametrize(
    "svc",
    [
        lb_service(externalTrafficPolicy="Cluster"),  # e.g. a stored object the apiserver did not tidy
        lb_service(),
        make_service("svc", type="NodePort", cluster_ip="10.96.100.14", selector=LABELS,
                     ports=[{"port": 80, "targetPort": 8080, "nodePort": 31001}],
                     externalTrafficPolicy="Local", healthCheckNodePort=32000),
    ],
    ids=["lb-cluster-policy", "lb-default-policy", "nodeport-local"],
)
def test_a_service_that_needs_no_health_check_opens_no_port(svc: dict) -> None:
    assert [spi.health_check_node_port for spi in service_port_infos(svc)] == [0]
    view = view_of(svc)
    assert not any("health check node port" in line for line in filter_lines(view))
    assert view.health_check_service(32000) is None
    probe = trace_request(view, source="external", destination="192.168.0.11:32000", seed=1)
    assert "HTTP" not in probe["hops"][-1]["text"]  # nobody answers a health check there
