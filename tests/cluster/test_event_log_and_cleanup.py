"""The event log is trimmed past EVENT_LOG_MAX and stays consistent; idle sandboxes are deleted by
cleanup_sandboxes, and a sandbox in use never is."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from cluster.models import Cluster, Event, Pod
from cluster.selectors import events_since
from cluster.services.activity import cluster_touch
from cluster.services.sandboxes import cluster_create
from cluster.services.workloads import pod_set_ready


def flip_many(cluster: Cluster, times: int) -> None:
    name = Pod.objects.filter(cluster=cluster).order_by("name").first().name
    for i in range(times):
        pod_set_ready(cluster=cluster, namespace="default", name=name, ready=bool(i % 2))


@override_settings(EVENT_LOG_MAX=150)
def test_the_log_keeps_a_bounded_tail_and_a_reader_behind_it_gets_none(kubia):
    flip_many(kubia, 120)
    kubia.refresh_from_db()
    current = kubia.resource_version
    kept = Event.objects.filter(cluster=kubia)
    assert kept.count() <= 150 + 100  # trimmed at every hundredth seq
    oldest = kept.order_by("seq").first().seq
    assert oldest > 1 and kept.order_by("-seq").first().seq == current
    # Within the tail: exactly the events after the reader's seq, in order.
    recent = events_since(cluster=kubia, seq=current - 20)
    assert [e.seq for e in recent] == list(range(current - 19, current + 1))
    # Behind the trimmed part (or the bound): no partial answer, a fresh snapshot instead.
    assert events_since(cluster=kubia, seq=oldest - 2) is None
    assert events_since(cluster=kubia, seq=current - 150) is None
    assert events_since(cluster=kubia, seq=0) is None


def test_cleanup_deletes_only_idle_sandboxes(db):
    idle = cluster_create(preset="empty", seed=1)
    busy = cluster_create(preset="empty", seed=2)
    read_lately = cluster_create(preset="empty", seed=3)
    long_ago = timezone.now() - timedelta(hours=25)
    Cluster.objects.filter(pk__in=[idle.pk, busy.pk, read_lately.pk]).update(last_active=long_ago)
    from cluster.services.workloads import node_add

    node_add(cluster=busy)
    read_lately.refresh_from_db()
    cluster_touch(cluster=read_lately)  # as a page, API or websocket read does

    out = StringIO()
    call_command("cleanup_sandboxes", "--dry-run", stdout=out)
    assert f"would delete {idle.name}" in out.getvalue() and "1 sandbox(es)" in out.getvalue()
    assert Cluster.objects.filter(pk=idle.pk).exists()

    out = StringIO()
    call_command("cleanup_sandboxes", stdout=out)
    assert f"deleted {idle.name}" in out.getvalue()
    assert not Cluster.objects.filter(pk=idle.pk).exists()
    assert not Event.objects.filter(cluster_id=idle.pk).exists()
    assert set(Cluster.objects.values_list("pk", flat=True)) >= {busy.pk, read_lately.pk}


def test_a_page_read_marks_the_sandbox_active(kubia):
    long_ago = timezone.now() - timedelta(hours=30)
    Cluster.objects.filter(pk=kubia.pk).update(last_active=long_ago)
    owner = Client()
    assert owner.get(f"/clusters/{kubia.pk}/", {"token": kubia.access_token}, follow=True).status_code == 200
    assert Cluster.objects.get(pk=kubia.pk).last_active > timezone.now() - timedelta(minutes=1)
    out = StringIO()
    call_command("cleanup_sandboxes", stdout=out)
    assert Cluster.objects.filter(pk=kubia.pk).exists()


def test_a_touch_writes_at_most_every_few_minutes(kubia):
    kubia.refresh_from_db()
    before = kubia.last_active
    cluster_touch(cluster=kubia.pk)  # just written: nothing to do
    assert Cluster.objects.get(pk=kubia.pk).last_active == before
