"""nodePort and ClusterIP reservation through the write path: reference §11 cases 2-13."""

import pytest

from cluster.errors import ApiError
from cluster.models import NodePortAllocation
from cluster.services.objects import object_create, object_delete, object_update
from tests.cluster.helpers import nodeport_service, service


def _message(excinfo) -> str:
    return excinfo.value.status["message"]


def test_case_4_explicit_nodeport(empty):
    object_create(cluster=empty, obj=nodeport_service("kubia-nodeport", 30123))
    assert service(empty, "kubia-nodeport")["spec"]["ports"][0]["nodePort"] == 30123


def test_case_5_second_service_cannot_take_the_same_nodeport(empty):
    object_create(cluster=empty, obj=nodeport_service("kubia-nodeport", 30123))
    rv = type(empty).objects.get(pk=empty.pk).resource_version
    with pytest.raises(ApiError) as excinfo:
        object_create(cluster=empty, obj=nodeport_service("kubia-nodeport2", 30123))
    assert excinfo.value.code == 422
    assert _message(excinfo) == ('Service "kubia-nodeport2" is invalid: spec.ports[0].nodePort: '
                                 "Invalid value: 30123: provided port is already allocated")
    assert type(empty).objects.get(pk=empty.pk).resource_version == rv
    assert service(empty, "kubia-nodeport2") is None


def test_case_6_nodeport_outside_the_range(empty):
    with pytest.raises(ApiError) as excinfo:
        object_create(cluster=empty, obj=nodeport_service("web", 80))
    assert _message(excinfo).endswith(
        "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. "
        "The range of valid ports is 30000-32767")
    assert not NodePortAllocation.objects.filter(cluster=empty).exists()


def test_case_7_dynamic_nodeport_in_the_dynamic_band(empty):
    for i in range(20):
        object_create(cluster=empty, obj=nodeport_service(f"svc-{i}"))
        assert 30086 <= service(empty, f"svc-{i}")["spec"]["ports"][0]["nodePort"] <= 32767


def test_case_2_taken_cluster_ip(empty):
    obj = nodeport_service("x")
    obj["spec"]["clusterIP"] = "10.96.0.1"
    with pytest.raises(ApiError) as excinfo:
        object_create(cluster=empty, obj=obj)
    assert _message(excinfo) == ('Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: '
                                 "failed to allocate IP 10.96.0.1: provided IP is already allocated")


def test_case_3_cluster_ip_outside_the_range(empty):
    obj = nodeport_service("x")
    obj["spec"]["clusterIP"] = "10.0.0.5"
    with pytest.raises(ApiError) as excinfo:
        object_create(cluster=empty, obj=obj)
    assert _message(excinfo).endswith(
        "failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. "
        "The range of valid IPs is 10.96.0.0/12")


def test_case_9_type_change_to_cluster_ip_frees_the_nodeport(empty):
    object_create(cluster=empty, obj=nodeport_service("kubia-nodeport", 30123))

    def to_cluster_ip(svc):
        svc["spec"]["type"] = "ClusterIP"
        return svc

    object_update(cluster=empty, kind="Service", namespace="default", name="kubia-nodeport", mutate=to_cluster_ip)
    assert "nodePort" not in service(empty, "kubia-nodeport")["spec"]["ports"][0]
    object_create(cluster=empty, obj=nodeport_service("kubia-nodeport2", 30123))


def test_case_10_same_port_number_shares_one_nodeport(empty):
    obj = nodeport_service("dns")
    obj["spec"]["ports"] = [{"name": "dns", "port": 53, "protocol": "UDP"},
                            {"name": "dns-tcp", "port": 53, "protocol": "TCP"}]
    object_create(cluster=empty, obj=obj)
    ports = service(empty, "dns")["spec"]["ports"]
    assert ports[0]["nodePort"] == ports[1]["nodePort"]


def test_case_11_two_port_numbers_cannot_share_a_nodeport(empty):
    obj = nodeport_service("x")
    obj["spec"]["ports"] = [{"name": "a", "port": 80, "protocol": "TCP", "nodePort": 30200},
                            {"name": "b", "port": 81, "protocol": "UDP", "nodePort": 30200}]
    with pytest.raises(ApiError) as excinfo:
        object_create(cluster=empty, obj=obj)
    assert "spec.ports[1].nodePort: Invalid value: 30200: provided port is already allocated" in _message(excinfo)


def test_case_12_load_balancer_without_node_ports(empty):
    obj = nodeport_service("lb", type="LoadBalancer", allocateLoadBalancerNodePorts=False)
    object_create(cluster=empty, obj=obj)
    assert "nodePort" not in service(empty, "lb")["spec"]["ports"][0]


def test_case_13_local_load_balancer_gets_a_health_check_node_port(empty):
    obj = nodeport_service("lb", type="LoadBalancer", externalTrafficPolicy="Local")
    object_create(cluster=empty, obj=obj)
    assert 30000 <= service(empty, "lb")["spec"]["healthCheckNodePort"] <= 32767


def test_delete_releases_node_port(empty):
    object_create(cluster=empty, obj=nodeport_service("a", 30123))
    object_delete(cluster=empty, kind="Service", namespace="default", name="a")
    object_create(cluster=empty, obj=nodeport_service("b", 30123))


def test_case_23_cluster_ip_is_immutable(empty):
    object_create(cluster=empty, obj=nodeport_service("a"))

    def change(svc):
        svc["spec"]["clusterIP"] = "10.96.5.5"
        svc["spec"].pop("clusterIPs", None)
        return svc

    with pytest.raises(ApiError) as excinfo:
        object_update(cluster=empty, kind="Service", namespace="default", name="a", mutate=change)
    assert 'spec.clusterIPs[0]: Invalid value: []string{"10.96.5.5"}: may not change once set' in _message(excinfo)


def test_the_apiserver_puts_its_own_service_back(empty):
    from cluster.selectors import object_get

    before = service(empty, "kubernetes")
    object_delete(cluster=empty, kind="Service", namespace="default", name="kubernetes")
    after = service(empty, "kubernetes")
    assert after["spec"]["clusterIP"] == "10.96.0.1"
    assert after["metadata"]["uid"] != before["metadata"]["uid"]
    assert object_get(cluster=empty, kind="EndpointSlice", namespace="default", name="kubernetes") is not None
