"""From outside, a node is reached at its ExternalIP; its InternalIP is on the private network."""

from __future__ import annotations

import pytest

from cluster.sim.dataplane.kubeproxy import ClusterView
from cluster.sim.dataplane.trace import trace_request
from cluster.sim.objects import ClusterSettings
from tests.sim.factories import make_node, make_pod, make_service, slice_for_pods

LABELS = {"app": "kubia"}


def view(*, external_ips: bool, extra_services: list | None = None) -> ClusterView:
    nodes = [
        make_node("node-1", "10.0.0.11", pod_cidr="10.244.1.0/24",
                  external_ip="130.211.97.55" if external_ips else ""),
        make_node("node-2", "10.0.0.12", pod_cidr="10.244.2.0/24",
                  external_ip="130.211.99.206" if external_ips else ""),
    ]
    pods = [make_pod("kubia-a", node="node-1", ip="10.244.1.5", labels=LABELS, ports=[{"containerPort": 8080}])]
    services = [
        make_service("kubia-np", type="NodePort", cluster_ip="10.96.100.11", selector=LABELS,
                     ports=[{"port": 80, "targetPort": 8080, "nodePort": 30123}]),
        *(extra_services or []),
    ]
    slices = [slice_for_pods(svc, pods) for svc in services]
    return ClusterView(settings=ClusterSettings(), nodes=nodes, pods=pods, services=services,
                       endpointslices=slices)


def test_the_external_ip_answers():
    result = trace_request(view(external_ips=True), source="external", destination="130.211.99.206:30123", seed=1)
    assert result["outcome"] == "delivered"


def private(port: int | str) -> tuple[str, str]:
    return ("unroutable", "10.0.0.12 is node-2's InternalIP, a private address only reachable inside the cluster's "
                          f"network; from outside, use its ExternalIP: 130.211.99.206:{port}.")


@pytest.mark.parametrize("port", [30123, 30999, 80])
def test_the_internal_ip_is_unroutable_from_outside(port):
    result = trace_request(view(external_ips=True), source="external", destination=f"10.0.0.12:{port}", seed=1)
    assert (result["outcome"], result["reason"]) == private(port)
    assert [h["action"] for h in result["hops"]] == ["send"]


def test_also_when_a_service_lists_the_internal_ip_in_external_ips():
    # kube-proxy would capture it on node-2, but nothing outside routes a packet there.
    extra = [make_service("kubia-ext", cluster_ip="10.96.100.12", selector=LABELS, externalIPs=["10.0.0.12"])]
    cluster = view(external_ips=True, extra_services=extra)
    result = trace_request(cluster, source="external", destination="10.0.0.12:80", seed=1)
    assert (result["outcome"], result["reason"]) == private(80)


def test_inside_the_cluster_the_internal_ip_answers():
    for source in ("node/node-1", "pod/default/kubia-a"):
        result = trace_request(view(external_ips=True), source=source, destination="10.0.0.12:30123", seed=1)
        assert result["outcome"] == "delivered"


def test_a_node_with_only_an_internal_ip_is_reached_there():
    """Bare-metal nodes on a LAN report no ExternalIP: clients reach their nodePorts at the InternalIP."""
    result = trace_request(view(external_ips=False), source="external", destination="10.0.0.12:30123", seed=1)
    assert result["outcome"] == "delivered"
