"""A sandbox with a connected viewer is in use: cleanup_sandboxes leaves it."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from django.utils import timezone

from cluster.models import Cluster
from cluster.services.cleanup import sandboxes_cleanup
from tests.visualizer.test_consumer import communicator, opened, watch_path
from visualizer import fanout
from visualizer.consumers import SandboxConsumer

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def make_idle(cluster: Cluster) -> None:
    Cluster.objects.filter(pk=cluster.pk).update(last_active=timezone.now() - timedelta(hours=30))


@database_sync_to_async
def cleanup() -> list[str]:
    return sandboxes_cleanup(idle_for=timedelta(hours=24))


async def test_a_connected_viewer_keeps_its_sandbox(kubia, monkeypatch):
    channel_layers.backends.pop("default", None)
    registry = fanout.Relays()
    monkeypatch.setattr(SandboxConsumer, "relays", registry)
    monkeypatch.setattr(fanout, "REJOIN_SECONDS", 0.05)
    await make_idle(kubia)
    ws = communicator(watch_path(kubia))
    await opened(ws)  # connecting marks it active
    assert await cleanup() == []
    await make_idle(kubia)  # a day later, still connected: the relay marks it again
    await asyncio.sleep(0.3)
    assert await cleanup() == []
    await ws.disconnect()
    await registry.close()
    await make_idle(kubia)  # gone, and idle: now it goes
    assert await cleanup() == [kubia.name]
    channel_layers.backends.pop("default", None)
