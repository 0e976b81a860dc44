"""Traces to keep: the trace history (owner API and watch link) and the read-only permalink of one
trace, which shows the objects as they were when it was sent, even after the sandbox changed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cluster.models import Cluster, Event, Trace
from cluster.selectors import cluster_snapshot
from cluster.selectors_traces import snapshot_at
from cluster.services.objects import object_delete
from cluster.services.traces import trace_create
from cluster.services.workloads import workload_scale

pytestmark = pytest.mark.django_db


def send(cluster: Cluster, count: int = 1) -> list[dict]:
    return trace_create(cluster=cluster, source="external", destination="130.211.53.173:80", count=count, seed=3)


def names(snapshot: dict, kind: str) -> set[str]:
    return {o["metadata"]["name"] for o in snapshot["objects"][kind]}


def test_a_trace_is_stored_with_its_seq_and_an_unguessable_token(kubia) -> None:
    [first, second] = send(kubia, count=2)
    kubia.refresh_from_db()
    assert first["seq"] == second["seq"] == kubia.resource_version
    assert first["token"] != second["token"]
    assert len(first["token"]) >= 32  # 24 random bytes, URL-safe
    assert first["token"] != str(first["id"])
    row = Trace.objects.get(pk=first["id"])
    assert (row.seq, row.token) == (first["seq"], first["token"])


def test_owner_lists_the_newest_traces_oldest_first(kubia, owner_client) -> None:
    sent = send(kubia, count=5)
    url = reverse("api-traces", kwargs={"cluster_id": kubia.pk})
    body = owner_client.get(url, {"limit": 3}).json()
    assert [t["id"] for t in body["traces"]] == [t["id"] for t in sent[-3:]]
    assert body["traces"][0]["hops"] and body["traces"][0]["token"]
    assert len(owner_client.get(url).json()["traces"]) == 5


def test_watch_link_lists_the_traces_too(kubia, viewer_client) -> None:
    sent = send(kubia, count=2)
    url = reverse("watch-traces", kwargs={"watch_token": kubia.watch_token})
    assert [t["id"] for t in viewer_client.get(url).json()["traces"]] == [t["id"] for t in sent]
    assert Client().get(reverse("watch-traces", kwargs={"watch_token": "wrong"})).status_code == 404


def test_a_stranger_cannot_list_another_sandboxs_traces(kubia, stranger_client) -> None:
    send(kubia)
    url = reverse("api-traces", kwargs={"cluster_id": kubia.pk})
    assert stranger_client.get(url).status_code in (403, 404)
    assert Client().get(url).status_code in (401, 403)


def test_permalink_shows_the_objects_as_they_were_after_the_sandbox_changed(kubia) -> None:
    [trace] = send(kubia)
    before = cluster_snapshot(cluster=kubia)
    object_delete(cluster=kubia, kind="Service", namespace="default", name="kubia-loadbalancer")
    workload_scale(cluster=kubia, kind="ReplicaSet", namespace="default", name="kubia", replicas=5)
    now = cluster_snapshot(cluster=kubia)
    assert "kubia-loadbalancer" not in names(now, "Service")

    body = Client().get(reverse("trace-permalink-json", kwargs={"token": trace["token"]})).json()
    assert body["rebuilt"] is True and body["seq"] == trace["seq"]
    assert body["trace"]["id"] == trace["id"] and body["trace"]["hops"] == trace["hops"]
    old = body["snapshot"]
    assert old["seq"] == before["seq"]
    for kind in ("Service", "Pod", "EndpointSlice", "Endpoints", "Node", "ReplicaSet", "Deployment"):
        assert names(old, kind) == names(before, kind), kind
    assert old["objects"]["EndpointSlice"] == before["objects"]["EndpointSlice"]

    page = Client().get(reverse("trace-permalink", kwargs={"token": trace["token"]}))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-permalink-url="/traces/' in html and "js/permalink.js" in html
    assert 'id="tab-create"' not in html  # read-only: no write controls


def test_permalink_says_so_when_the_log_no_longer_reaches_back(kubia) -> None:
    [trace] = send(kubia)
    object_delete(cluster=kubia, kind="Service", namespace="default", name="kubia-loadbalancer")
    Event.objects.filter(cluster=kubia, seq__lte=trace["seq"] + 1).delete()  # trimmed
    assert snapshot_at(cluster=kubia, seq=trace["seq"]) is None
    body = Client().get(reverse("trace-permalink-json", kwargs={"token": trace["token"]})).json()
    assert body["rebuilt"] is False and body["message"]
    page = Client().get(reverse("trace-permalink", kwargs={"token": trace["token"]})).content.decode()
    assert 'id="permalink-warning"' in page


def test_unknown_or_sequential_tokens_are_404(kubia) -> None:
    [trace] = send(kubia)
    for token in (str(trace["id"]), trace["token"][:-1] + ("A" if trace["token"][-1] != "A" else "B"), "x" * 80):
        assert Client().get(reverse("trace-permalink", kwargs={"token": token})).status_code == 404
        assert Client().get(reverse("trace-permalink-json", kwargs={"token": token})).status_code == 404


def test_permalink_page_in_korean(kubia) -> None:
    [trace] = send(kubia)
    page = Client(headers={"accept-language": "ko"}).get(reverse("trace-permalink", kwargs={"token": trace["token"]}))
    assert "기록된 요청입니다" in page.content.decode()
