"""The apiserver verbs as cluster services: replace, patch, apply, status, delete with
preconditions, delete collection, scale, each also as a dry run that answers as the real write
would and leaves nothing behind."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from cluster.errors import ApiError
from cluster.events import group_name
from cluster.models import Cluster, Event, LessonProgress
from cluster.selectors import object_get, object_list
from cluster.services.lessons import lesson_start
from cluster.services.objects import Preconditions, object_create, object_delete
from cluster.services.scaling import scale_update
from cluster.services.verbs import (
    JSON_PATCH,
    MERGE_PATCH,
    STRATEGIC_MERGE_PATCH,
    Patch,
    collection_delete,
    object_apply,
    object_patch,
    object_replace,
    status_update,
)
from tests.cluster.helpers import nodeport_service, service

WHERE = {"kind": "Service", "namespace": "default", "name": "kubia"}


def _refusal(call) -> dict:
    with pytest.raises(ApiError) as refused:
        call()
    return refused.value.status


def _trail(cluster) -> tuple:
    """What a write leaves behind: the counter, the event log, every Service and Pod."""
    return (
        Cluster.objects.get(pk=cluster.pk).resource_version,
        Event.objects.filter(cluster=cluster).count(),
        object_list(cluster=cluster, kind="Service"),
        object_list(cluster=cluster, kind="Pod"),
    )


# --- dry run ----------------------------------------------------------------------------------------


def test_a_dry_run_create_answers_with_the_allocations_and_stores_nothing(kubia):
    before = _trail(kubia)
    answer = object_create(cluster=kubia, obj=nodeport_service("dry"), dry_run=True)
    assert answer["spec"]["clusterIP"] and 30000 <= answer["spec"]["ports"][0]["nodePort"] <= 32767
    assert answer["metadata"]["uid"] and answer["metadata"]["resourceVersion"]
    assert _trail(kubia) == before
    assert service(kubia, "dry") is None


def test_a_dry_run_is_refused_as_the_real_write_is_and_records_no_refusal(db):
    cluster = lesson_start(lesson_id="nodeport", seed=3)
    object_create(cluster=cluster, obj=nodeport_service("first", 30555))

    def refusals() -> list:
        observations = LessonProgress.objects.get(cluster=cluster).observations
        return [o for o in observations if o["what"] == "refused"]

    taken = _refusal(lambda: object_create(cluster=cluster, obj=nodeport_service("dup", 30555), dry_run=True))
    assert taken["message"] == ('Service "dup" is invalid: spec.ports[0].nodePort: Invalid value: 30555: '
                                "provided port is already allocated")
    assert refusals() == []
    assert taken == _refusal(lambda: object_create(cluster=cluster, obj=nodeport_service("dup", 30555)))
    assert [o["text"] for o in refusals()] == [taken["message"]]  # the real write's only


def test_dry_runs_use_no_quota(kubia, settings):
    settings.SANDBOX_MAX_SERVICES = len(object_list(cluster=kubia, kind="Service")) + 1
    for _ in range(3):
        object_create(cluster=kubia, obj=nodeport_service("one-more"), dry_run=True)
    object_create(cluster=kubia, obj=nodeport_service("one-more"))
    refused = _refusal(lambda: object_create(cluster=kubia, obj=nodeport_service("too-many"), dry_run=True))
    assert refused["code"] == 403


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_publishes_nothing():
    from cluster.services.sandboxes import cluster_create

    cluster = cluster_create(name="dry", preset="empty", seed=5)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group_name(cluster.pk), channel)
    object_create(cluster=cluster, obj=nodeport_service("dry-one"), dry_run=True)
    object_delete(cluster=cluster, kind="Service", namespace="default", name="kubernetes", dry_run=True)
    object_create(cluster=cluster, obj=nodeport_service("real-one"))
    message = async_to_sync(layer.receive)(channel)  # the first message is the real write's
    assert '"real-one"' in message["text"] and '"dry-one"' not in message["text"]
    assert '"DELETED"' not in message["text"]
    assert Cluster.objects.get(pk=cluster.pk).resource_version == Event.objects.filter(cluster=cluster).count()


# --- replace ----------------------------------------------------------------------------------------


def test_replace_changes_the_object_and_keeps_what_the_server_set(kubia):
    live = service(kubia, "kubia")
    sent = {**live, "metadata": {"name": "kubia", "namespace": "default", "labels": {"tier": "web"}}}
    written = object_replace(cluster=kubia, **WHERE, obj=sent)
    assert not written.created
    assert written.obj["metadata"]["labels"] == {"tier": "web"}
    assert written.obj["metadata"]["uid"] == live["metadata"]["uid"]
    assert written.obj["spec"]["clusterIP"] == live["spec"]["clusterIP"]


def test_replace_creates_a_missing_service_but_not_a_missing_deployment(kubia):
    obj = nodeport_service("put-made")
    del obj["metadata"]["name"]  # the URL's name is taken
    written = object_replace(cluster=kubia, kind="Service", namespace="default", name="put-made", obj=obj)
    assert written.created and service(kubia, "put-made")["metadata"]["name"] == "put-made"
    missing = _refusal(lambda: object_replace(cluster=kubia, kind="Deployment", namespace="default", name="nope",
                                              obj={"kind": "Deployment", "metadata": {"name": "nope"}}))
    assert (missing["code"], missing["message"]) == (404, 'deployments.apps "nope" not found')


def test_replace_refuses_a_name_other_than_the_urls(kubia):
    for name in ("kubia", "not-there"):  # the update and the create-on-update
        refused = _refusal(lambda n=name: object_replace(cluster=kubia, kind="Service", namespace="default", name=n,
                                                         obj=nodeport_service("other")))
        assert (refused["code"], refused["message"]) == (
            400, "the name of the object does not match the name on the URL")


def test_replace_with_a_stale_resource_version_conflicts(kubia):
    live = service(kubia, "kubia")
    stale = {**live, "metadata": {**live["metadata"], "resourceVersion": "1"}}
    refused = _refusal(lambda: object_replace(cluster=kubia, **WHERE, obj=stale))
    assert (refused["code"], refused["message"]) == (
        409, 'Operation cannot be fulfilled on services "kubia": the object has been modified; please apply your '
             "changes to the latest version and try again")


def test_a_dry_run_replace_that_would_create(kubia):
    before = _trail(kubia)
    written = object_replace(cluster=kubia, kind="Service", namespace="default", name="dry-put",
                             obj=nodeport_service("dry-put"), dry_run=True)
    assert written.created and written.obj["spec"]["clusterIP"]
    assert _trail(kubia) == before


# --- patch ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("patch", "labels"), [
    (Patch(MERGE_PATCH, {"metadata": {"labels": {"a": "1"}}}), {"a": "1"}),
    (Patch(STRATEGIC_MERGE_PATCH, {"metadata": {"labels": {"b": "2"}}}), {"b": "2"}),
    (Patch(JSON_PATCH, [{"op": "add", "path": "/metadata/labels", "value": {"c": "3"}}]), {"c": "3"}),
])
def test_patch_types(kubia, patch, labels):
    assert object_patch(cluster=kubia, **WHERE, patch=patch)["metadata"]["labels"] == labels
    assert service(kubia, "kubia")["metadata"]["labels"] == labels


def test_a_strategic_patch_merges_ports_by_port(kubia):
    ports = [{"port": 80, "name": "http"}, {"port": 81, "name": "extra", "targetPort": 8081}]
    patch = Patch(STRATEGIC_MERGE_PATCH, {"spec": {"ports": ports}})
    merged = object_patch(cluster=kubia, **WHERE, patch=patch)["spec"]["ports"]
    assert [(p["name"], p["port"], p["targetPort"]) for p in merged] == [("http", 80, 8080), ("extra", 81, 8081)]


def test_a_malformed_patch_is_a_bad_request_and_one_that_does_not_apply_is_invalid(kubia):
    malformed = _refusal(lambda: object_patch(cluster=kubia, **WHERE, patch=Patch(MERGE_PATCH, ["x"])))
    assert (malformed["code"], malformed["message"]) == (400, "the patch must be a JSON object")
    failing = Patch(JSON_PATCH, [{"op": "remove", "path": "/metadata/nothing"}])
    assert _refusal(lambda: object_patch(cluster=kubia, **WHERE, patch=failing))["code"] == 422


def test_patch_decodes_the_patched_object_inside_the_write(kubia):
    seen = []

    def decode(document):
        seen.append(document["metadata"]["labels"])
        return document

    object_patch(cluster=kubia, **WHERE, patch=Patch(MERGE_PATCH, {"metadata": {"labels": {"d": "4"}}}),
                 decode=decode)
    assert seen == [{"d": "4"}]
    missing = _refusal(lambda: object_patch(cluster=kubia, kind="Service", namespace="default", name="nope",
                                            patch=Patch(MERGE_PATCH, {}), decode=decode))
    assert missing["code"] == 404 and len(seen) == 1  # a missing object is refused before the body is looked at


def test_a_dry_run_patch(kubia):
    before = _trail(kubia)
    patch = Patch(MERGE_PATCH, {"spec": {"type": "NodePort"}})
    answer = object_patch(cluster=kubia, **WHERE, patch=patch, dry_run=True)
    assert answer["spec"]["type"] == "NodePort" and answer["spec"]["ports"][0]["nodePort"]
    assert _trail(kubia) == before


# --- server-side apply ------------------------------------------------------------------------------


def test_apply_creates_then_merges(kubia):
    config = nodeport_service("applied")
    assert object_apply(cluster=kubia, kind="Service", namespace="default", name="applied", config=config).created
    config["metadata"]["labels"] = {"e": "5"}
    again = object_apply(cluster=kubia, kind="Service", namespace="default", name="applied", config=config)
    assert not again.created
    assert again.obj["metadata"]["labels"] == {"e": "5"} and again.obj["spec"]["clusterIP"]


def test_apply_refuses_another_name_before_writing(kubia):
    before = _trail(kubia)
    refused = _refusal(lambda: object_apply(cluster=kubia, kind="Service", namespace="default", name="url-name",
                                            config=nodeport_service("body-name")))
    assert (refused["code"], refused["message"]) == (400, "the name of the object does not match the name on the URL")
    assert _trail(kubia) == before


def test_a_dry_run_apply(kubia):
    before = _trail(kubia)
    written = object_apply(cluster=kubia, kind="Service", namespace="default", name="dry-apply",
                           config=nodeport_service("dry-apply"), dry_run=True)
    assert written.created and written.obj["spec"]["clusterIP"]
    assert _trail(kubia) == before


# --- status -----------------------------------------------------------------------------------------

INGRESS = {"loadBalancer": {"ingress": [{"ip": "203.0.113.9"}]}}


def test_status_update_changes_only_the_status(kubia):
    live = service(kubia, "kubia")
    sent = {**live, "spec": {**live["spec"], "type": "NodePort"}, "status": INGRESS}
    updated = status_update(cluster=kubia, **WHERE, change=sent)
    assert updated["status"] == INGRESS and updated["spec"] == live["spec"]


def test_status_patch_and_its_dry_run(kubia):
    before = _trail(kubia)
    patch = Patch(MERGE_PATCH, {"status": INGRESS, "spec": {"type": "NodePort"}})
    dry = status_update(cluster=kubia, **WHERE, change=patch, dry_run=True)
    assert dry["status"] == INGRESS and dry["spec"]["type"] == "ClusterIP"
    assert _trail(kubia) == before
    assert status_update(cluster=kubia, **WHERE, change=patch)["status"] == INGRESS


# --- delete -----------------------------------------------------------------------------------------


def test_delete_with_a_wrong_uid_conflicts_with_the_apiservers_text(kubia):
    uid = service(kubia, "kubia")["metadata"]["uid"]
    refused = _refusal(lambda: object_delete(cluster=kubia, **WHERE, preconditions=Preconditions(uid="nope")))
    assert refused["code"] == 409 and refused["reason"] == "Conflict"
    assert refused["message"] == (
        f'Operation cannot be fulfilled on Service "kubia": the UID in the precondition (nope) does not match the '
        f"UID in record ({uid}). The object might have been deleted and then recreated")
    assert refused["details"] == {"name": "kubia", "kind": "Service"}
    assert service(kubia, "kubia") is not None


def test_delete_with_a_stale_resource_version_conflicts(kubia):
    rs = object_get(cluster=kubia, kind="ReplicaSet", namespace="default", name="kubia")
    version = rs["metadata"]["resourceVersion"]
    refused = _refusal(lambda: object_delete(cluster=kubia, kind="ReplicaSet", namespace="default", name="kubia",
                                             preconditions=Preconditions(resource_version="1")))
    assert refused["message"] == (
        f'Operation cannot be fulfilled on ReplicaSet.apps "kubia": the ResourceVersion in the precondition (1) '
        f"does not match the ResourceVersion in record ({version}). The object might have been modified")


def test_delete_with_matching_preconditions(kubia):
    live = service(kubia, "kubia")
    met = Preconditions(uid=live["metadata"]["uid"], resource_version=live["metadata"]["resourceVersion"])
    gone = object_delete(cluster=kubia, **WHERE, preconditions=met)
    assert gone["metadata"]["uid"] == live["metadata"]["uid"] and service(kubia, "kubia") is None


def test_a_missing_object_is_not_found_whatever_the_preconditions(kubia):
    refused = _refusal(lambda: object_delete(cluster=kubia, kind="Service", namespace="default", name="nope",
                                             preconditions=Preconditions(uid="x")))
    assert (refused["code"], refused["message"]) == (404, 'services "nope" not found')


def test_a_dry_run_delete(kubia):
    before = _trail(kubia)
    gone = object_delete(cluster=kubia, **WHERE, dry_run=True)
    assert gone["metadata"]["name"] == "kubia"
    assert _trail(kubia) == before


def test_delete_collection_picks_and_its_dry_run(kubia):
    def labelled(obj):
        return (obj["metadata"].get("labels") or {}).get("app") == "kubia"

    before = _trail(kubia)
    dry = collection_delete(cluster=kubia, kind="Pod", namespace="default", keep=labelled, dry_run=True)
    assert len(dry) == 3 and _trail(kubia) == before
    deleted = collection_delete(cluster=kubia, kind="Pod", namespace="default", keep=labelled)
    assert sorted(p["metadata"]["name"] for p in deleted) == sorted(p["metadata"]["name"] for p in before[3])
    assert len(object_list(cluster=kubia, kind="Pod")) == 3  # the ReplicaSet made new ones


def test_deleting_namespaces_as_a_collection_takes_their_contents_once(kubia):
    for name in ("ns-a", "ns-b"):
        object_create(cluster=kubia, obj={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        object_create(cluster=kubia, obj={**nodeport_service("svc"), "metadata": {"name": "svc", "namespace": name}})
    deleted = collection_delete(cluster=kubia, kind="Namespace", namespace=None,
                                keep=lambda ns: ns["metadata"]["name"].startswith("ns-"))
    assert [n["metadata"]["name"] for n in deleted] == ["ns-a", "ns-b"]
    assert [s["metadata"]["namespace"] for s in object_list(cluster=kubia, kind="Service")] == ["default"] * 4


# --- scale ------------------------------------------------------------------------------------------

RS = {"kind": "ReplicaSet", "namespace": "default", "name": "kubia"}


def test_scale_patch_and_its_dry_run(kubia):
    before = _trail(kubia)
    dry = scale_update(cluster=kubia, **RS, change=Patch(MERGE_PATCH, {"spec": {"replicas": 5}}), dry_run=True)
    assert (dry["kind"], dry["spec"]["replicas"]) == ("Scale", 5)
    assert _trail(kubia) == before
    scale_update(cluster=kubia, **RS, change=Patch(MERGE_PATCH, {"spec": {"replicas": 5}}))
    assert len(object_list(cluster=kubia, kind="Pod")) == 5


def test_scale_refusals(kubia):
    stale = {"kind": "Scale", "metadata": {"name": "kubia", "resourceVersion": "1"}, "spec": {"replicas": 2}}
    conflict = _refusal(lambda: scale_update(cluster=kubia, **RS, change=stale))
    assert (conflict["code"], conflict["message"]) == (
        409, 'Operation cannot be fulfilled on replicasets.apps "kubia": the object has been modified; please apply '
             "your changes to the latest version and try again")
    negative = _refusal(lambda: scale_update(cluster=kubia, **RS, change=Patch(MERGE_PATCH, {"spec": {"replicas": -1}})))
    assert (negative["code"], negative["message"]) == (
        422, 'Scale.autoscaling "kubia" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0')
