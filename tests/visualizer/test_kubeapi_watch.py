"""watch=true follows the published event batches (the websocket's relay), not a poll of the log;
the log is read to resume, and when a batch is lost on the way. In-memory layer, in process."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from django.test import AsyncClient

from cluster.events import broadcast
from cluster.models import Cluster
from cluster.services import writing
from cluster.services.objects import object_create
from visualizer import fanout
from visualizer.kubeapi import watch

pytestmark = pytest.mark.django_db(transaction=True)

SERVICES = "api/v1/namespaces/default/services"


@pytest.fixture(autouse=True)
async def relays(monkeypatch):
    """A fresh layer and relay registry per test: each test runs its own event loop."""
    channel_layers.backends.pop("default", None)
    registry = fanout.Relays()
    monkeypatch.setattr(fanout, "relays", registry)
    yield registry
    await registry.close()
    channel_layers.backends.pop("default", None)


@pytest.fixture
def log_reads(monkeypatch) -> list[int]:
    """The seqs the watch read the event log after."""
    reads: list[int] = []
    real = watch.events_since

    def spy(*, cluster, seq, **kwargs):
        reads.append(seq)
        return real(cluster=cluster, seq=seq, **kwargs)

    monkeypatch.setattr(watch, "events_since", spy)
    return reads


@pytest.fixture
def published(monkeypatch) -> list[str]:
    """What each write does with its batch: "send" (as usual), "lose" or "twice"; "send" when
    the list runs out."""
    plan: list[str] = []

    def publish(cluster_id, message):
        how = plan.pop(0) if plan else "send"
        for _ in range({"send": 1, "lose": 0, "twice": 2}[how]):
            broadcast(cluster_id, message)

    monkeypatch.setattr(writing, "broadcast", publish)
    return plan


class Watch:
    """A watch stream read by a task of its own (cancelling a read would end the stream)."""

    def __init__(self, stream: AsyncIterator[bytes]) -> None:
        self.stream = stream
        self.chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self.task = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        async for chunk in self.stream:
            if chunk:
                await self.chunks.put(chunk)

    async def next_raw(self, timeout: float = 5) -> dict:
        return json.loads(await asyncio.wait_for(self.chunks.get(), timeout))

    async def next(self, timeout: float = 5) -> tuple[str, str]:
        event = await self.next_raw(timeout)
        return event["type"], event["object"]["metadata"]["name"]

    async def nothing_within(self, seconds: float) -> bool:
        await asyncio.sleep(seconds)
        return self.chunks.empty()

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        await self.stream.aclose()


async def open_watch(cluster: Cluster, query: str = "") -> Watch:
    response = await AsyncClient().get(
        f"/k8s/{cluster.pk}/{SERVICES}?watch=true&timeoutSeconds=60&{query}",
        headers={"authorization": f"Bearer {cluster.access_token}"},
    )
    assert response.status_code == 200
    return Watch(aiter(response.streaming_content))


def service(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80}]}}


create = database_sync_to_async(lambda cluster, name: object_create(cluster=cluster.pk, obj=service(name)))
seq_now = database_sync_to_async(lambda cluster: Cluster.objects.get(pk=cluster.pk).resource_version)


async def test_a_change_arrives_from_the_published_batch_without_reading_the_log(kubia, log_reads, relays):
    w = await open_watch(kubia)
    try:
        initial = [await w.next() for _ in range(4)]
        assert {t for t, _ in initial} == {"ADDED"}
        assert relays.relay(str(kubia.pk)) is not None  # the watch listens with the websockets
        assert await w.nothing_within(0.5)  # idle: no poll of the log
        await create(kubia, "fresh")
        assert await w.next(timeout=2) == ("ADDED", "fresh")
        assert log_reads == []
    finally:
        await w.close()
    assert relays.relay(str(kubia.pk)) is None  # the stream left the relay


async def test_a_resumed_watch_reads_the_log_once_then_follows_live(kubia, log_reads):
    version = await seq_now(kubia)
    await create(kubia, "before")
    w = await open_watch(kubia, f"resourceVersion={version}")
    try:
        assert await w.next() == ("ADDED", "before")
        await create(kubia, "after")
        assert await w.next(timeout=2) == ("ADDED", "after")
        assert log_reads == [version]
    finally:
        await w.close()


async def test_a_lost_batch_is_read_from_the_log_when_the_next_one_shows_the_gap(kubia, log_reads, published):
    w = await open_watch(kubia)
    try:
        for _ in range(4):
            await w.next()
        seq = await seq_now(kubia)
        published[:] = ["lose", "send"]
        await create(kubia, "lost")
        assert await w.nothing_within(0.3)
        await create(kubia, "found")
        assert [await w.next() for _ in range(2)] == [("ADDED", "lost"), ("ADDED", "found")]
        assert log_reads == [seq]
        await create(kubia, "next")
        assert await w.next() == ("ADDED", "next")  # back on the live batches
        assert log_reads == [seq]
    finally:
        await w.close()


async def test_a_batch_delivered_twice_is_shown_once(kubia, published):
    w = await open_watch(kubia)
    try:
        for _ in range(4):
            await w.next()
        published[:] = ["twice", "send"]
        await create(kubia, "one")
        await create(kubia, "two")
        assert [await w.next() for _ in range(2)] == [("ADDED", "one"), ("ADDED", "two")]
        assert await w.nothing_within(0.3)
    finally:
        await w.close()


async def test_a_quiet_watch_still_finds_a_lost_last_batch_in_the_log(kubia, published, monkeypatch):
    monkeypatch.setattr(watch, "RESYNC_SECONDS", 0.2)
    w = await open_watch(kubia)
    try:
        for _ in range(4):
            await w.next()
        published[:] = ["lose"]
        await create(kubia, "lost")
        assert await w.next(timeout=3) == ("ADDED", "lost")
    finally:
        await w.close()


async def test_a_version_the_log_cannot_reach_is_gone(kubia):
    w = await open_watch(kubia, f"resourceVersion={10**9}")
    try:
        event = await w.next_raw()
        assert event["type"] == "ERROR" and event["object"]["code"] == 410
    finally:
        await w.close()


async def test_a_version_trimmed_from_the_log_is_gone(kubia, settings):
    settings.EVENT_LOG_MAX = 100

    @database_sync_to_async
    def many_changes() -> int:
        for i in range(110):
            object_create(cluster=kubia, obj=service(f"s{i}"))
        return Cluster.objects.get(pk=kubia.pk).resource_version

    current = await many_changes()
    w = await open_watch(kubia, f"resourceVersion={current - 150}")
    try:
        event = await w.next_raw()
        assert event["type"] == "ERROR" and event["object"]["code"] == 410
    finally:
        await w.close()
    w = await open_watch(kubia, f"resourceVersion={current - 5}")  # within the kept tail: resumes
    try:
        await database_sync_to_async(object_create)(cluster=kubia, obj=service("after"))
        seen = []
        while ("ADDED", "after") not in seen and len(seen) < 10:
            seen.append(await w.next())
        assert ("ADDED", "after") in seen and all(kind != "ERROR" for kind, _name in seen)
    finally:
        await w.close()
