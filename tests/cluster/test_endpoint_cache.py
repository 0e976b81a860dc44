"""The per-process endpoint cache behind traces: reused while a Service's slices keep their
resourceVersions, merged afresh after any change, never filled by a transaction that rolls back."""

import pytest
from django.db import transaction

from cluster.presets import service_manifest
from cluster.selectors import object_get, object_list
from cluster.services import endpoint_cache
from cluster.services.objects import object_create
from cluster.services.sandboxes import cluster_create
from cluster.services.traces import trace_create, trace_view
from cluster.services.workloads import pod_set_ready, workload_create

pytestmark = pytest.mark.django_db(transaction=True)  # the cache is filled when a transaction commits


@pytest.fixture
def big():
    endpoint_cache.clear()
    cluster = cluster_create(name="cache", preset="empty", seed=3)
    workload_create(cluster=cluster, name="web", replicas=150, labels={"app": "web"}, container_port=8080)
    object_create(cluster=cluster, obj=service_manifest("web", selector={"app": "web"}))
    yield cluster
    endpoint_cache.clear()


def _selection(cluster, **kwargs) -> dict:
    ip = object_get(cluster=cluster, kind="Service", namespace="default", name="web")["spec"]["clusterIP"]
    [trace] = trace_create(cluster=cluster, source="node/node-1", destination=f"{ip}:80", **kwargs)
    return next(hop for hop in trace["hops"] if hop["candidates"])


def _cached(cluster):
    view = trace_view(cluster)
    spi = view.service_ports(view.service("default", "web"))[0]
    rows = view._slice_rows("default", "web").values_list("name", "resource_version")
    return endpoint_cache.cached(endpoint_cache.key_of(cluster.pk, spi), tuple(rows))


def test_a_trace_keeps_the_merged_endpoints_until_a_slice_changes(big):
    assert _cached(big) is None
    first = _selection(big, seed=1)
    assert first["candidates_total"] == 150 and len(first["candidates"]) == 100
    kept = _cached(big)
    assert kept is not None and len(kept) == 150
    assert _selection(big, seed=2)["candidate_groups"] == first["candidate_groups"]
    assert _cached(big) is kept  # the second trace merged nothing

    victim = sorted(p["metadata"]["name"] for p in object_list(cluster=big, kind="Pod", namespace="default"))[0]
    pod_set_ready(cluster=big, namespace="default", name=victim, ready=False)
    assert _cached(big) is None  # the slice holding the pod has a new resourceVersion
    after = _selection(big, seed=3)
    assert [(g["count"], g["eligible"]) for g in after["candidate_groups"]] == [(149, True), (1, False)]
    assert _cached(big) is not kept


def test_a_rolled_back_transaction_leaves_the_cache_empty(big):
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        _selection(big, seed=1)
        raise Undo
    assert _cached(big) is None
