"""The sandbox websocket against a real Redis (channels_redis), as the hosted site runs it.

A throwaway redis-server is started for this module on a free port. The layer is the site's:
channels_redis's pub/sub layer (visualizer/settings.py). Two relay registries, each with its own
layer (as two Daphne processes would have), show that a change reaches both through Redis with
one PUBLISH.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from channels.sessions import SessionMiddlewareStack
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.urls import path

from cluster.events import group_name
from cluster.services.traces import trace_create
from tests.visualizer.test_consumer import (
    communicator,
    flip,
    opened,
    owner_path,
    receive,
    seq_now,
    seqs,
    watch_path,
)
from visualizer import fanout
from visualizer.consumers import SandboxConsumer

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, what: str, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.02)


def redis_answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def stop_redis(client: redis.Redis, pidfile: Path) -> None:
    if not pidfile.exists():  # never got that far: ask it to stop instead
        with contextlib.suppress(redis.ConnectionError):
            client.shutdown(nosave=True)
        return
    pid = int(pidfile.read_text())
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: process_gone(pid), "redis-server did not stop")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> str:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed: apt-get install redis-server")
    workdir: Path = tmp_path_factory.mktemp("redis")
    port, pidfile = free_port(), workdir / "redis.pid"
    subprocess.run(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--daemonize", "yes", "--pidfile", str(pidfile),
                    "--dir", str(workdir)], check=True, stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    try:
        wait_for(lambda: redis_answers(client), "redis-server does not answer")
        wait_for(pidfile.exists, "redis-server wrote no pidfile")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_redis(client, pidfile)


PUBSUB = "channels_redis.pubsub.RedisPubSubChannelLayer"


def layer_config(url: str) -> dict:
    # The dict host form: redis-py 8's async pool otherwise refuses its 101st connection.
    return {"hosts": [{"address": url, "max_connections": 1000}]}


@pytest.fixture
def redis_client(redis_url) -> redis.Redis:
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    return client


@pytest.fixture(autouse=True)
async def relays(settings, redis_client, redis_url, monkeypatch):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": PUBSUB, "CONFIG": layer_config(redis_url)}}
    registry = fanout.Relays()
    monkeypatch.setattr(SandboxConsumer, "relays", registry)
    yield registry
    await registry.close()
    await get_channel_layer().flush()  # closes its connections


@pytest.fixture
async def second_process(redis_url):
    """A consumer app with its own relays and its own Redis layer, like a second Daphne process."""
    layer = RedisPubSubChannelLayer(**layer_config(redis_url))
    registry = fanout.Relays(layer=layer)
    consumer = type("SecondProcessConsumer", (SandboxConsumer,), {"relays": registry})
    app = AllowedHostsOriginValidator(SessionMiddlewareStack(URLRouter([
        path("ws/watch/<str:watch_token>/", consumer.as_asgi()),
    ])))
    yield app, registry
    await registry.close()
    await layer.flush()  # closes its connections


def publishes(client: redis.Redis) -> int:
    """How many PUBLISH commands Redis has run: the pub/sub layer's group_send is one."""
    return client.info("commandstats").get("cmdstat_publish", {}).get("calls", 0)


def subscribers(client: redis.Redis, group: str) -> int:
    """How many connections listen to a group: one per layer (process) with a member in it."""
    return dict(client.pubsub_numsub(f"asgi__group__{group}")).get(f"asgi__group__{group}".encode(), 0)


async def test_the_core_flow_through_redis(kubia, owner_client) -> None:
    owner, viewer = communicator(owner_path(kubia), client=owner_client), communicator(watch_path(kubia))
    hello, snapshot = await opened(owner)
    assert hello["role"] == "owner" and "actions" in snapshot
    assert (await opened(viewer))[0]["role"] == "viewer"

    await flip(kubia)
    batch = await receive(owner)
    assert seqs(batch) == list(range(snapshot["seq"] + 1, await seq_now(kubia) + 1))
    assert await receive(viewer) == batch

    traces = await database_sync_to_async(trace_create)(
        cluster=kubia, source="external", destination="kubia-nodeport:30123", seed=3)
    for ws in (owner, viewer):
        assert (await receive(ws))["trace"]["id"] == traces[0]["id"]

    await viewer.send_json_to({"type": "resume", "since": snapshot["seq"]})
    assert await receive(viewer) == batch
    await owner.disconnect()
    await viewer.disconnect()


async def test_two_processes_relays_both_receive_through_redis(kubia, relays, second_process,
                                                               redis_client) -> None:
    app_b, relays_b = second_process
    in_a, in_b = communicator(watch_path(kubia)), communicator(watch_path(kubia), app=app_b)
    _, snapshot = await opened(in_a)
    await opened(in_b)
    assert relays.relay(str(kubia.pk)) is not None and relays_b.relay(str(kubia.pk)) is not None
    assert subscribers(redis_client, group_name(kubia.pk)) == 2  # one subscription per process
    published_before = publishes(redis_client)

    await flip(kubia)

    expected = list(range(snapshot["seq"] + 1, await seq_now(kubia) + 1))
    assert seqs(await receive(in_a)) == seqs(await receive(in_b)) == expected
    assert publishes(redis_client) == published_before + 1  # one PUBLISH for both processes
    await in_a.disconnect()
    await in_b.disconnect()
    wait_for(lambda: subscribers(redis_client, group_name(kubia.pk)) == 0, "the relays did not unsubscribe")


async def test_an_idle_relay_outlives_redis_read_timeouts(kubia, settings, redis_url, monkeypatch) -> None:
    # The site's layer reads with a socket timeout (10 s in settings; here 0.3 s): a relay idle for
    # longer keeps its subscription and gets the next change, with no failure and no back-off.
    config = {"hosts": [{"address": redis_url, "max_connections": 1000, "socket_timeout": 0.3}]}
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": PUBSUB, "CONFIG": config}}
    monkeypatch.setattr(fanout, "RETRY_SECONDS", 30)  # a failed receive would stall the relay for 30 s
    ws = communicator(watch_path(kubia))
    _, snapshot = await opened(ws)
    await asyncio.sleep(1.0)

    await flip(kubia)

    assert seqs(await receive(ws))[0] == snapshot["seq"] + 1
    await ws.disconnect()
    await get_channel_layer().flush()  # closes its connections
