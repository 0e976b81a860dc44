"""Resetting a sandbox: one write back to its preset's start, which viewers follow as events."""

from __future__ import annotations

import pytest

from cluster.errors import ApiError
from cluster.kinds import KIND_ORDER
from cluster.models import Cluster, ClusterIPAllocation, Event, NodePortAllocation
from cluster.selectors import cluster_snapshot, object_get, object_list
from cluster.services import sandboxes, writing
from cluster.services.manifests import manifests_apply
from cluster.services.objects import object_delete
from cluster.services.sandboxes import cluster_create, cluster_reset, cluster_update_settings
from cluster.services.traces import trace_create
from cluster.services.workloads import pod_set_ready
from tests.cluster.helpers import service

WORK = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: luksa/kubia, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30400}]
---
apiVersion: v1
kind: Service
metadata: {name: kubia-headless}
spec:
  clusterIP: None
  selector: {app: kubia}
  ports: [{port: 80, targetPort: 8080}]
"""

SYSTEM = {("Namespace", "", ns) for ns in ("default", "kube-system", "kube-public", "kube-node-lease")} | {
    ("Service", "default", "kubernetes"), ("Endpoints", "default", "kubernetes"),
    ("EndpointSlice", "default", "kubernetes"),
}


def keys(cluster: Cluster) -> set[tuple[str, str, str]]:
    return {(kind, o["metadata"].get("namespace", ""), o["metadata"]["name"])
            for kind in KIND_ORDER for o in object_list(cluster=cluster, kind=kind)}


def named(cluster: Cluster) -> set[tuple[str, str, str]]:
    """The objects whose names do not come from generateName (pods, slices)."""
    return {k for k in keys(cluster) if k[0] not in ("Pod", "EndpointSlice") or k[2] == "kubernetes"}


def shapes(cluster: Cluster) -> dict[str, tuple]:
    return {s["metadata"]["name"]: (s["spec"]["type"], [(p["port"], p.get("nodePort")) for p in s["spec"]["ports"]],
                                    [i["ip"] for i in s["status"].get("loadBalancer", {}).get("ingress", [])])
            for s in object_list(cluster=cluster, kind="Service")}


@pytest.fixture
def worked_on(kubia):
    """The kubia sandbox after a student's session: objects made, changed and deleted, settings changed."""
    manifests_apply(cluster=kubia, text=WORK)
    object_delete(cluster=kubia, kind="Service", namespace="default", name="kubia-nodeport")
    pod = object_list(cluster=kubia, kind="Pod", namespace="default")[0]
    pod_set_ready(cluster=kubia, namespace="default", name=pod["metadata"]["name"], ready=False)
    cluster_update_settings(cluster=kubia, proxy_mode="ipvs", max_endpoints_per_slice=2,
                            node_port_range="30000-31000", lb_pool=["10.1.0.0/28"])
    trace_create(cluster=kubia, source="external", destination="130.211.53.173:80", count=3, seed=1)
    kubia.refresh_from_db()
    return kubia


def test_cluster_create_remembers_the_preset(kubia, empty):
    assert (kubia.preset, empty.preset) == ("kubia", "empty")


def test_reset_brings_back_the_presets_objects_and_settings(worked_on):
    fresh = cluster_create(name="fresh", preset="kubia", seed=1)

    cluster_reset(cluster=worked_on, seed=1)

    worked_on.refresh_from_db()
    assert named(worked_on) == named(fresh)
    assert shapes(worked_on) == shapes(fresh)
    assert len(object_list(cluster=worked_on, kind="Pod")) == 3
    assert all(p["status"]["conditions"] for p in object_list(cluster=worked_on, kind="Pod"))
    assert worked_on.settings == fresh.settings
    assert worked_on.lb_pool == ["130.211.53.173-130.211.53.182"]
    assert worked_on.dataplane_state == {}
    assert worked_on.preset == "kubia"


def test_system_objects_stay_and_come_back_when_missing(worked_on):
    kubernetes = service(worked_on, "kubernetes")
    object_delete(cluster=worked_on, kind="Namespace", namespace="", name="kube-public")

    cluster_reset(cluster=worked_on)

    assert keys(worked_on) >= SYSTEM
    assert service(worked_on, "kubernetes")["metadata"]["uid"] == kubernetes["metadata"]["uid"]


def test_events_delete_everything_made_then_add_the_start(worked_on):
    before = keys(worked_on)
    seq = worked_on.resource_version

    cluster_reset(cluster=worked_on)

    events = list(Event.objects.filter(cluster=worked_on, seq__gt=seq).order_by("seq"))
    assert [e.seq for e in events] == list(range(seq + 1, seq + 1 + len(events)))  # one unbroken run
    types = [e.type for e in events]
    first_added = types.index("ADDED")
    assert set(types[:first_added]) == {"DELETED"}
    deleted = {(e.kind, e.namespace, e.name) for e in events[:first_added]}
    assert deleted == before - SYSTEM  # everything but the system objects, each once
    assert len(deleted) == first_added
    # Dependents go first: a Service's slices before it, pods before their ReplicaSet, contents before
    # their namespace; nothing is added until all is gone.
    order = [e.kind for e in events[:first_added]]
    assert order.index("EndpointSlice") < order.index("Service") < order.index("Pod") < order.index("ReplicaSet")
    assert order[-1] == "Namespace"
    added = {(e.kind, e.namespace, e.name) for e in events[first_added:] if e.type == "ADDED"}
    assert added == keys(worked_on) - SYSTEM
    assert not {e.kind for e in events[first_added:] if e.type == "DELETED"}


def test_viewers_following_the_events_end_with_the_new_state(worked_on, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    sent: list[dict] = []
    monkeypatch.setattr(writing, "broadcast", lambda _id, message: sent.append(message))
    monkeypatch.setattr(sandboxes, "broadcast", lambda _id, message: sent.append(message))
    viewer = cluster_snapshot(cluster=worked_on)
    state = {(k, o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
             for k, objs in viewer["objects"].items() for o in objs}

    with django_capture_on_commit_callbacks(execute=True):
        cluster_reset(cluster=worked_on)

    [events, snapshot] = sent  # the events, then (the settings changed) a fresh snapshot
    assert events["type"] == "events" and snapshot["type"] == "snapshot"
    for event in events["events"]:
        obj = event["object"]
        key = (event["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        if event["type"] == "DELETED":
            del state[key]
        else:
            state[key] = obj
    after = cluster_snapshot(cluster=worked_on)
    assert state == {(k, o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
                     for k, objs in after["objects"].items() for o in objs}
    assert snapshot["cluster"]["settings"]["proxyMode"] == "iptables"


def test_no_snapshot_when_the_settings_did_not_change(kubia, monkeypatch, django_capture_on_commit_callbacks):
    sent: list[dict] = []
    monkeypatch.setattr(writing, "broadcast", lambda _id, message: sent.append(message))
    monkeypatch.setattr(sandboxes, "broadcast", lambda _id, message: sent.append(message))
    with django_capture_on_commit_callbacks(execute=True):
        cluster_reset(cluster=kubia)
    assert [m["type"] for m in sent] == ["events"]


def test_allocations_are_released_and_made_again(worked_on):
    cluster_reset(cluster=worked_on)

    services = object_list(cluster=worked_on, kind="Service")
    uids = {s["metadata"]["uid"] for s in services}
    cluster_ips = ClusterIPAllocation.objects.filter(cluster=worked_on)
    assert sorted(cluster_ips.values_list("ip", flat=True)) == sorted(s["spec"]["clusterIP"] for s in services)
    assert {str(u) for u in cluster_ips.values_list("service_uid", flat=True)} == uids
    node_ports = NodePortAllocation.objects.filter(cluster=worked_on)
    assert sorted(node_ports.values_list("port", flat=True)) == sorted(
        p["nodePort"] for s in services for p in s["spec"]["ports"] if p.get("nodePort"))
    assert 30400 not in node_ports.values_list("port", flat=True)  # shop/web's is free again
    assert service(worked_on, "kubia-nodeport")["spec"]["ports"][0]["nodePort"] == 30123
    assert service(worked_on, "kubia-loadbalancer")["status"]["loadBalancer"]["ingress"][0]["ip"] == "130.211.53.173"


def test_traces_work_after_a_reset(worked_on):
    cluster_reset(cluster=worked_on)

    for destination in ("130.211.97.55:30123", "130.211.53.173:80"):
        [trace] = trace_create(cluster=worked_on, source="external", destination=destination, seed=2)
        assert trace["outcome"] == "delivered", trace["reason"]
    pod = object_list(cluster=worked_on, kind="Pod")[0]["metadata"]["name"]
    [inside] = trace_create(cluster=worked_on, source=f"pod/default/{pod}", destination="kubia:80", seed=2)
    assert inside["outcome"] == "delivered"


def test_the_empty_preset_resets_to_its_nodes(empty):
    manifests_apply(cluster=empty, text=WORK.split("---\n", 3)[3])
    cluster_reset(cluster=empty)
    assert keys(empty) - SYSTEM == {("Node", "", f"node-{i}") for i in (1, 2, 3)}
    assert empty.lb_pool == ["192.168.1.240-192.168.1.250"]


def test_a_sandbox_that_does_not_know_its_preset_is_not_reset(kubia):
    Cluster.objects.filter(pk=kubia.pk).update(preset="")
    kubia.refresh_from_db()
    before = kubia.resource_version
    with pytest.raises(ApiError) as caught:
        cluster_reset(cluster=kubia)
    assert caught.value.code == 400
    assert "cannot be reset" in str(caught.value)
    kubia.refresh_from_db()
    assert kubia.resource_version == before
    assert object_get(cluster=kubia, kind="Service", namespace="default", name="kubia") is not None
