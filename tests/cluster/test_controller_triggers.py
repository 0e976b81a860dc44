"""What makes the controllers work: the Endpoints and EndpointSlice controllers sync a Service when
what its Endpoints and slices are made of changes, or when someone else writes a slice they own;
the scheduler tries pending pods again when a pod or a node changes."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cluster.models import Cluster, Event
from cluster.selectors import object_get, object_list
from cluster.services.objects import object_create, object_delete, object_update
from cluster.services.verbs import Patch, object_patch
from cluster.sim.objects import MANAGED_BY_LABEL, MIRROR_CONTROLLER
from tests.cluster.helpers import slices_of


def _kinds_written(cluster, write) -> list[str]:
    before = Cluster.objects.get(pk=cluster.pk).resource_version
    write()
    return list(Event.objects.filter(cluster=cluster, seq__gt=before).order_by("seq").values_list("kind", flat=True))


def _merge(cluster, kind: str, name: str, patch: dict):
    return object_patch(cluster=cluster, kind=kind, namespace="default", name=name,
                        patch=Patch("application/merge-patch+json", patch))


def test_an_annotation_of_the_service_writes_only_the_service(kubia):
    with CaptureQueriesContext(connection) as queries:
        kinds = _kinds_written(kubia, lambda: _merge(kubia, "Service", "kubia",
                                                     {"metadata": {"annotations": {"a": "1"}}}))
    assert kinds == ["Service"]
    # nothing the sync would read: the controllers know their inputs did not change
    assert not [q for q in queries.captured_queries if 'FROM "cluster_endpoint' in q["sql"]]


def test_a_label_of_the_service_reaches_its_endpoints_and_slices(kubia):
    kinds = _kinds_written(kubia, lambda: _merge(kubia, "Service", "kubia", {"metadata": {"labels": {"tier": "web"}}}))
    assert kinds == ["Service", "Endpoints", "EndpointSlice"]
    assert object_get(cluster=kubia, kind="Endpoints", namespace="default", name="kubia")["metadata"]["labels"][
        "tier"] == "web"
    (slice_,) = slices_of(kubia, "kubia")
    assert slice_["metadata"]["labels"]["tier"] == "web"


def test_a_selector_change_after_an_annotation_change_still_syncs(kubia):
    _merge(kubia, "Service", "kubia", {"metadata": {"annotations": {"a": "1"}}})
    _merge(kubia, "Service", "kubia", {"spec": {"selector": {"app": "nothing"}}})
    (slice_,) = slices_of(kubia, "kubia")
    assert slice_["endpoints"] == []


def test_a_managed_slice_edited_by_hand_is_put_back(kubia):
    (slice_,) = slices_of(kubia, "kubia")
    name = slice_["metadata"]["name"]

    def not_ready(obj):
        for endpoint in obj["endpoints"]:
            endpoint["conditions"]["ready"] = False
        return obj

    object_update(cluster=kubia, kind="EndpointSlice", namespace="default", name=name, mutate=not_ready)
    (after,) = slices_of(kubia, "kubia")
    assert after["metadata"]["name"] == name
    assert [e["conditions"]["ready"] for e in after["endpoints"]] == [True] * len(slice_["endpoints"])
    assert int(after["metadata"]["resourceVersion"]) > int(slice_["metadata"]["resourceVersion"])


def test_a_managed_slice_deleted_by_hand_comes_back(kubia):
    (slice_,) = slices_of(kubia, "kubia")
    object_delete(cluster=kubia, kind="EndpointSlice", namespace="default", name=slice_["metadata"]["name"])
    (again,) = slices_of(kubia, "kubia")
    assert again["metadata"]["uid"] != slice_["metadata"]["uid"]
    assert sorted(e["addresses"][0] for e in again["endpoints"]) == sorted(
        e["addresses"][0] for e in slice_["endpoints"])


def test_a_slice_taken_from_the_controller_is_left_alone_and_replaced(kubia):
    (slice_,) = slices_of(kubia, "kubia")
    name = slice_["metadata"]["name"]
    _merge(kubia, "EndpointSlice", name, {"metadata": {"labels": {MANAGED_BY_LABEL: "someone-else"}}})
    slices = {s["metadata"]["name"]: s for s in slices_of(kubia, "kubia")}
    assert slices[name]["metadata"]["labels"][MANAGED_BY_LABEL] == "someone-else"
    (replacement,) = [s for n, s in slices.items() if n != name]
    assert len(replacement["endpoints"]) == len(slice_["endpoints"])
    assert replacement["metadata"]["labels"][MANAGED_BY_LABEL] != MIRROR_CONTROLLER


def _set_node_ready(cluster, name: str, ready: bool) -> None:
    def flip(node):
        for condition in node["status"]["conditions"]:
            if condition["type"] == "Ready":
                condition["status"] = "True" if ready else "False"
        return node

    object_update(cluster=cluster, kind="Node", namespace="", name=name, mutate=flip, subresource="status")


def test_a_pending_pod_waits_through_service_writes_and_lands_when_a_node_is_ready(kubia):
    nodes = [node["metadata"]["name"] for node in object_list(cluster=kubia, kind="Node")]
    for node in nodes:
        _set_node_ready(kubia, node, False)
    object_create(cluster=kubia, obj={"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "late"},
                                      "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    assert not object_get(cluster=kubia, kind="Pod", namespace="default", name="late")["spec"].get("nodeName")
    with CaptureQueriesContext(connection) as queries:
        _merge(kubia, "Service", "kubia", {"metadata": {"annotations": {"a": "1"}}})
    assert not [q for q in queries.captured_queries if 'FROM "cluster_pod"' in q["sql"]]
    assert not object_get(cluster=kubia, kind="Pod", namespace="default", name="late")["spec"].get("nodeName")
    _set_node_ready(kubia, nodes[1], True)
    assert object_get(cluster=kubia, kind="Pod", namespace="default", name="late")["spec"]["nodeName"] == nodes[1]
