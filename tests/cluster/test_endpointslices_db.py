"""EndpointSlices kept by the controllers through the write path (reference §11, cases 26-31)."""

import pytest

from cluster.presets import service_manifest
from cluster.selectors import object_get, object_list
from cluster.services.objects import object_create
from cluster.services.workloads import pod_delete, pod_set_ready, workload_create, workload_scale
from tests.cluster.helpers import slice_sizes, slices_of


@pytest.fixture
def web(empty):
    """A Service over a Deployment of 99 pods, on 3 nodes with room for them."""
    workload_create(cluster=empty, name="web", replicas=99, labels={"app": "web"}, container_port=8080)
    object_create(cluster=empty, obj=service_manifest("web", selector={"app": "web"}))
    return empty


def test_case_28_two_pods_in_one_sync(web):
    assert slice_sizes(web, "web") == [99]
    workload_scale(cluster=web, kind="Deployment", namespace="default", name="web", replicas=101)
    assert slice_sizes(web, "web") == [99, 2]


def test_case_28_pods_one_at_a_time(web):
    workload_scale(cluster=web, kind="Deployment", namespace="default", name="web", replicas=100)
    workload_scale(cluster=web, kind="Deployment", namespace="default", name="web", replicas=101)
    assert slice_sizes(web, "web") == [100, 1]


def test_case_26_fresh_service_with_250_pods(empty):
    workload_create(cluster=empty, name="big", replicas=250, labels={"app": "big"}, container_port=80)
    object_create(cluster=empty, obj=service_manifest("big", selector={"app": "big"}, target_port=80))
    assert slice_sizes(empty, "big") == [100, 100, 50]
    endpoints = object_get(cluster=empty, kind="Endpoints", namespace="default", name="big")
    assert len(endpoints["subsets"]) == 1
    assert len(endpoints["subsets"][0]["addresses"]) == 250


def test_case_27_and_31_scaling_to_zero_keeps_one_placeholder(web):
    name_before = slices_of(web, "web")[0]["metadata"]["name"]
    workload_scale(cluster=web, kind="Deployment", namespace="default", name="web", replicas=0)
    slices = slices_of(web, "web")
    assert [s["metadata"]["name"] for s in slices] == [name_before]
    assert slices[0]["endpoints"] == [] and slices[0]["ports"] == []


def test_readiness_flip_is_an_in_place_update(kubia):
    pod = object_list(cluster=kubia, kind="Pod", namespace="default")[0]
    pod_set_ready(cluster=kubia, namespace="default", name=pod["metadata"]["name"], ready=False)
    for name in ("kubia", "kubia-nodeport"):
        (slice_,) = slices_of(kubia, name)
        conditions = {e["targetRef"]["name"]: e["conditions"] for e in slice_["endpoints"]}
        assert conditions[pod["metadata"]["name"]]["ready"] is False
        endpoints = object_get(cluster=kubia, kind="Endpoints", namespace="default", name=name)
        assert len(endpoints["subsets"][0]["addresses"]) == 2
        assert len(endpoints["subsets"][0]["notReadyAddresses"]) == 1


def test_case_34_terminating_pod_stays_in_slices_but_leaves_endpoints(kubia):
    pod = object_list(cluster=kubia, kind="Pod", namespace="default")[0]
    name = pod["metadata"]["name"]
    pod_delete(cluster=kubia, namespace="default", name=name, graceful=True)
    (slice_,) = slices_of(kubia, "kubia")
    by_name = {e["targetRef"]["name"]: e["conditions"] for e in slice_["endpoints"]}
    assert by_name[name] == {"ready": False, "serving": True, "terminating": True}
    # The ReplicaSet has already started a replacement.
    assert len(slice_["endpoints"]) == 4
    endpoints = object_get(cluster=kubia, kind="Endpoints", namespace="default", name="kubia")
    addresses = [a["targetRef"]["name"] for a in endpoints["subsets"][0]["addresses"]]
    assert name not in addresses and len(addresses) == 3
