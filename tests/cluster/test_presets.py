"""The kubia preset reproduces Kubernetes in Action's chapter 5 cluster."""

import ipaddress

from cluster.selectors import object_get, object_list
from cluster.services.traces import trace_create
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
    assert lb["status"]["loadBalancer"]["ingress"][0]["ip"] == "130.211.53.173"


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


def test_kubia_uses_the_books_addresses(kubia):
    external = {
        n["metadata"]["name"]: [a["address"] for a in n["status"]["addresses"] if a["type"] == "ExternalIP"]
        for n in object_list(cluster=kubia, kind="Node")
    }
    assert external == {"node-1": ["130.211.97.55"], "node-2": ["130.211.99.206"], "node-3": ["130.211.96.148"]}
    assert kubia.lb_pool == ["130.211.53.173-130.211.53.182"]
    ingress = service(kubia, "kubia-loadbalancer")["status"]["loadBalancer"]["ingress"]
    assert [i["ip"] for i in ingress] == ["130.211.53.173"]


def test_from_outside_a_nodes_external_ip_answers_and_its_internal_ip_does_not(kubia):
    [public] = trace_create(cluster=kubia, source="external", destination="130.211.99.206:30123", seed=1)
    assert public["outcome"] == "delivered"
    [private] = trace_create(cluster=kubia, source="external", destination="10.0.0.12:30123", seed=1)
    assert private["outcome"] == "unroutable"
    assert private["reason"] == (
        "10.0.0.12 is node-2's InternalIP, a private address only reachable inside the cluster's network; "
        "from outside, use its ExternalIP: 130.211.99.206:30123.")
    [inside] = trace_create(cluster=kubia, source="node/node-1", destination="10.0.0.12:30123", seed=1)
    assert inside["outcome"] == "delivered"
    [balanced] = trace_create(cluster=kubia, source="external", destination="130.211.53.173:80", seed=1)
    assert balanced["outcome"] == "delivered"


def test_other_presets_keep_their_node_addresses(empty):
    external = sorted(a["address"] for n in object_list(cluster=empty, kind="Node")
                      for a in n["status"]["addresses"] if a["type"] == "ExternalIP")
    assert external == ["130.211.0.11", "130.211.0.12", "130.211.0.13"]
    assert empty.lb_pool == ["192.168.1.240-192.168.1.250"]
