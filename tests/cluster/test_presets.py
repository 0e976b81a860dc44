"""The kubia preset reproduces Kubernetes in Action's chapter 5 cluster."""

import ipaddress

from cluster.selectors import object_get, object_list
from cluster.sim.objects import pod_ip, pod_node, pod_ready
from tests.cluster.helpers import service, slice_sizes


def test_kubia_has_three_ready_pods_spread_over_three_nodes(kubia):
    pods = object_list(cluster=kubia, kind="Pod", namespace="default")
    assert len(pods) == 3
    assert all(pod_ready(p) for p in pods)
    assert sorted(pod_node(p) for p in pods) == ["node-1", "node-2", "node-3"]
    for pod in pods:
        node = object_get(cluster=kubia, kind="Node", namespace="", name=pod_node(pod))
        assert ipaddress.ip_address(pod_ip(pod)) in ipaddress.ip_network(node["spec"]["podCIDR"])
        assert pod["metadata"]["name"].startswith("kubia-")
        assert pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"


def test_kubia_services_match_the_book(kubia):
    kubia_svc = service(kubia, "kubia")
    assert kubia_svc["spec"]["type"] == "ClusterIP"
    assert kubia_svc["spec"]["ports"][0]["targetPort"] == 8080
    nodeport = service(kubia, "kubia-nodeport")
    assert nodeport["spec"]["ports"][0]["nodePort"] == 30123
    lb = service(kubia, "kubia-loadbalancer")
    assert lb["spec"]["type"] == "LoadBalancer"
    assert 30086 <= lb["spec"]["ports"][0]["nodePort"] <= 32767
    assert lb["status"]["loadBalancer"]["ingress"][0]["ip"] == "130.211.97.55"


def test_dynamic_cluster_ips_come_from_the_upper_band(kubia):
    dynamic_band = (ipaddress.ip_address("10.96.1.1"), ipaddress.ip_address("10.111.255.254"))
    for name in ("kubia", "kubia-nodeport", "kubia-loadbalancer"):
        ip = ipaddress.ip_address(service(kubia, name)["spec"]["clusterIP"])
        assert dynamic_band[0] <= ip <= dynamic_band[1]
    assert service(kubia, "kubernetes")["spec"]["clusterIP"] == "10.96.0.1"


def test_every_service_has_endpoints_and_one_slice(kubia):
    for name in ("kubia", "kubia-nodeport", "kubia-loadbalancer"):
        endpoints = object_get(cluster=kubia, kind="Endpoints", namespace="default", name=name)
        assert len(endpoints["subsets"][0]["addresses"]) == 3
        assert slice_sizes(kubia, name) == [3]


def test_kubernetes_service_is_not_mirrored(kubia):
    slices = [s["metadata"]["name"] for s in object_list(cluster=kubia, kind="EndpointSlice")
              if s["metadata"]["labels"].get("kubernetes.io/service-name") == "kubernetes"]
    assert slices == ["kubernetes"]
