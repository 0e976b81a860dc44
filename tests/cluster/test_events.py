"""Every committed change becomes ordered events numbered by the sandbox's resourceVersion."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from cluster.errors import ApiError
from cluster.events import group_name
from cluster.models import Cluster, Event
from cluster.selectors import events_since, object_list
from cluster.services.objects import object_create
from cluster.services.workloads import workload_scale
from tests.cluster.helpers import nodeport_service


def test_seq_is_continuous_and_matches_resource_versions(kubia):
    seqs = list(Event.objects.filter(cluster=kubia).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert Cluster.objects.get(pk=kubia.pk).resource_version == seqs[-1]
    for kind in ("Pod", "Service", "EndpointSlice"):
        for obj in object_list(cluster=kubia, kind=kind):
            last = Event.objects.filter(cluster=kubia, kind=kind, name=obj["metadata"]["name"]).last()
            assert obj["metadata"]["resourceVersion"] == str(last.seq)


def test_events_since_reads_any_past_point(kubia):
    current = Cluster.objects.get(pk=kubia.pk).resource_version
    workload_scale(cluster=kubia, kind="ReplicaSet", namespace="default", name="kubia", replicas=4)
    events = events_since(cluster=kubia, seq=current)
    assert [e.seq for e in events] == list(range(current + 1, current + 1 + len(events)))
    assert {e.kind for e in events} >= {"ReplicaSet", "Pod", "Endpoints", "EndpointSlice"}
    assert events_since(cluster=kubia, seq=0)[0].seq == 1
    assert events_since(cluster=kubia, seq=10**9) is None


def test_a_refused_write_leaves_no_event(kubia):
    before = Event.objects.filter(cluster=kubia).count()
    with pytest.raises(ApiError):
        object_create(cluster=kubia, obj=nodeport_service("dup", 30123))
    assert Event.objects.filter(cluster=kubia).count() == before


@pytest.mark.django_db(transaction=True)
def test_events_are_published_after_commit():
    from cluster.services.sandboxes import cluster_create

    cluster = cluster_create(name="pub", preset="empty", seed=3)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group_name(cluster.pk), channel)
    object_create(cluster=cluster, obj=nodeport_service("kubia-nodeport", 30123))
    message = async_to_sync(layer.receive)(channel)
    assert message["type"] == "relay.text"
    assert '"type":"events"' in message["text"] and '"kubia-nodeport"' in message["text"]


@pytest.mark.django_db(transaction=True)
def test_settings_changes_reach_viewers_as_a_snapshot():
    from cluster.services.sandboxes import cluster_create, cluster_update_settings

    cluster = cluster_create(name="settings", preset="empty", seed=4)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group_name(cluster.pk), channel)
    cluster_update_settings(cluster=cluster, proxy_mode="ipvs")
    message = async_to_sync(layer.receive)(channel)
    assert '"type":"snapshot"' in message["text"] and '"proxyMode":"ipvs"' in message["text"]
