"""The sandbox websocket against the in-memory layer: who may connect, what they are sent, resume.

The sockets go through `visualizer.asgi.application` itself (origin check, session cookie,
routing), with `WebsocketCommunicator`. Writes go through the cluster service functions in a
worker thread, as a view would, so their events are published after commit.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from cluster.events import broadcast, group_name
from cluster.models import Cluster, Event
from cluster.selectors import object_list
from cluster.services.traces import trace_create
from cluster.services.workloads import pod_set_ready
from cluster.snapshots import snapshot_objects
from visualizer import consumers, fanout
from visualizer.asgi import application
from visualizer.consumers import SandboxConsumer

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = "http://testserver"


# --- helpers --------------------------------------------------------------------------------------


def communicator(path: str, *, origin: str | None = ORIGIN, client: Client | None = None,
                 app=application) -> WebsocketCommunicator:
    headers = [(b"host", b"testserver")]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if client is not None:
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        headers.append((b"cookie", f"{cookie.key}={cookie.value}".encode()))
    return WebsocketCommunicator(app, path, headers=headers)


def owner_path(cluster: Cluster, query: str = "") -> str:
    return f"/ws/clusters/{cluster.pk}/" + (f"?{query}" if query else "")


def watch_path(cluster: Cluster, query: str = "") -> str:
    return f"/ws/watch/{cluster.watch_token}/" + (f"?{query}" if query else "")


async def receive(ws: WebsocketCommunicator) -> dict:
    return json.loads(await ws.receive_from(timeout=5))


async def opened(ws: WebsocketCommunicator) -> tuple[dict, dict]:
    """Connect and return (hello, the first state message)."""
    connected, code = await ws.connect(timeout=5)
    assert connected, code
    return await receive(ws), await receive(ws)


def seqs(message: dict) -> list[int]:
    return [event["seq"] for event in message["events"]]


def flip_first_pod(cluster: Cluster, ready: bool = False) -> str:
    pod = next(p for p in object_list(cluster=cluster, kind="Pod", namespace="default")
               if p["metadata"].get("labels", {}).get("app") == "kubia")
    name = pod["metadata"]["name"]
    pod_set_ready(cluster=cluster.pk, namespace="default", name=name, ready=ready)
    return name


def current_seq(cluster: Cluster) -> int:
    return Cluster.objects.get(pk=cluster.pk).resource_version


flip = database_sync_to_async(flip_first_pod)
seq_now = database_sync_to_async(current_seq)


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
async def relays(monkeypatch):
    """A fresh layer and relay registry per test: each test runs its own event loop."""
    channel_layers.backends.pop("default", None)
    registry = fanout.Relays()
    monkeypatch.setattr(SandboxConsumer, "relays", registry)
    yield registry
    await registry.close()
    channel_layers.backends.pop("default", None)


# --- who may connect ------------------------------------------------------------------------------


async def test_owner_by_session_gets_hello_then_snapshot_with_actions(kubia, owner_client) -> None:
    ws = communicator(owner_path(kubia), client=owner_client)

    hello, snapshot = await opened(ws)

    assert hello == {"type": "hello", "protocol": 1, "role": "owner",
                     "cluster": {"id": str(kubia.pk), "name": kubia.name}}
    assert snapshot["type"] == "snapshot"
    assert snapshot["seq"] == await seq_now(kubia)
    assert len(snapshot_objects(snapshot)["Pod"]) == 3
    assert snapshot["actions"]["podReadiness"].startswith(f"/clusters/{kubia.pk}/pods/")
    await ws.disconnect()


async def test_owner_by_query_token(kubia) -> None:
    ws = communicator(owner_path(kubia, f"token={kubia.access_token}"))

    hello, snapshot = await opened(ws)

    assert hello["role"] == "owner" and "actions" in snapshot
    await ws.disconnect()


async def test_viewer_by_watch_token_gets_the_snapshot_without_actions(kubia) -> None:
    ws = communicator(watch_path(kubia))

    hello, snapshot = await opened(ws)

    assert hello["role"] == "viewer"
    assert snapshot["type"] == "snapshot" and "actions" not in snapshot
    assert snapshot_objects(snapshot)["Service"]
    await ws.disconnect()


@pytest.mark.parametrize("who", ["stranger", "wrong token", "watch token as access token",
                                 "unknown watch token", "unknown sandbox", "nobody"])
async def test_others_are_refused_before_accept(kubia, stranger_client, who) -> None:
    path, client = {
        "stranger": (owner_path(kubia), stranger_client),
        "wrong token": (owner_path(kubia, "token=nope"), None),
        "watch token as access token": (owner_path(kubia, f"token={kubia.watch_token}"), None),
        "unknown watch token": ("/ws/watch/nope/", None),
        "unknown sandbox": ("/ws/clusters/00000000-0000-0000-0000-000000000000/?token=x", None),
        "nobody": (owner_path(kubia), None),
    }[who]
    ws = communicator(path, client=client)

    connected, code = await ws.connect(timeout=5)

    assert (connected, code) == (False, consumers.CLOSE_REFUSED)


@pytest.mark.parametrize("origin", ["http://evil.example", "null", None])
async def test_a_foreign_or_missing_origin_is_refused(kubia, origin) -> None:
    ws = communicator(watch_path(kubia), origin=origin)

    connected, _code = await ws.connect(timeout=5)

    assert connected is False


# --- the stream -----------------------------------------------------------------------------------


async def test_a_change_arrives_as_one_batch_with_continuous_seqs(kubia, owner_client) -> None:
    owner, viewer = communicator(owner_path(kubia), client=owner_client), communicator(watch_path(kubia))
    _, snapshot = await opened(owner)
    await opened(viewer)

    await flip(kubia)

    batch = await receive(owner)
    assert batch["type"] == "events"
    assert seqs(batch) == list(range(snapshot["seq"] + 1, await seq_now(kubia) + 1))
    assert {e["kind"] for e in batch["events"]} >= {"Pod", "Endpoints", "EndpointSlice"}
    assert await receive(viewer) == batch
    assert await owner.receive_nothing(timeout=0.2)
    await owner.disconnect()
    await viewer.disconnect()


async def test_a_rolled_back_write_publishes_nothing(kubia) -> None:
    ws = communicator(watch_path(kubia))
    await opened(ws)

    @database_sync_to_async
    def flip_and_roll_back() -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            flip_first_pod(kubia)
            raise RuntimeError("roll back")

    await flip_and_roll_back()

    assert await ws.receive_nothing(timeout=0.3)
    await ws.disconnect()


async def test_events_are_published_only_once_committed(kubia) -> None:
    ws = communicator(watch_path(kubia))
    _, snapshot = await opened(ws)

    @database_sync_to_async
    def flip_and_commit_later() -> None:
        with transaction.atomic():
            flip_first_pod(kubia)
            time.sleep(0.4)

    writer = asyncio.ensure_future(flip_and_commit_later())
    assert await ws.receive_nothing(timeout=0.2)  # written, not yet committed
    await writer

    assert seqs(await receive(ws))[0] == snapshot["seq"] + 1
    await ws.disconnect()


async def test_a_burst_beyond_the_layer_capacity_arrives_whole(kubia) -> None:
    burst = settings.CHANNEL_LAYERS["default"]["CONFIG"]["capacity"] + 100
    ws = communicator(watch_path(kubia))
    await opened(ws)

    await database_sync_to_async(lambda: [broadcast(kubia.pk, {"type": "trace", "trace": {"id": i}})
                                          for i in range(burst)])()

    assert [(await receive(ws))["trace"]["id"] for _ in range(burst)] == list(range(burst))
    await ws.disconnect()


async def test_a_burst_of_writes_arrives_whole_and_in_order(kubia) -> None:
    ws = communicator(watch_path(kubia))
    _, snapshot = await opened(ws)

    @database_sync_to_async
    def burst() -> None:
        for i in range(20):
            flip_first_pod(kubia, ready=bool(i % 2))

    await burst()

    received: list[int] = []
    while len(received) < await seq_now(kubia) - snapshot["seq"]:
        received += seqs(await receive(ws))
    assert received == list(range(snapshot["seq"] + 1, await seq_now(kubia) + 1))
    await ws.disconnect()


async def test_a_change_between_join_and_snapshot_is_sent_once(kubia, monkeypatch) -> None:
    read_snapshot = consumers._snapshot.func

    @database_sync_to_async
    def write_then_snapshot(cluster, role):
        flip_first_pod(kubia)  # published while the socket is joined but not yet live
        return read_snapshot(cluster, role)

    monkeypatch.setattr(consumers, "_snapshot", write_then_snapshot)
    ws = communicator(watch_path(kubia))

    _, snapshot = await opened(ws)

    assert snapshot["seq"] == await seq_now(kubia)  # the change is in the snapshot ...
    assert await ws.receive_nothing(timeout=0.3)  # ... and not sent again
    await ws.disconnect()


async def test_a_change_after_the_snapshot_read_follows_it(kubia, monkeypatch) -> None:
    read_snapshot = consumers._snapshot.func

    @database_sync_to_async
    def snapshot_then_write(cluster, role):
        result = read_snapshot(cluster, role)
        flip_first_pod(kubia)
        return result

    monkeypatch.setattr(consumers, "_snapshot", snapshot_then_write)
    ws = communicator(watch_path(kubia))

    _, snapshot = await opened(ws)

    batch = await receive(ws)
    assert seqs(batch) == list(range(snapshot["seq"] + 1, await seq_now(kubia) + 1))
    await ws.disconnect()


async def test_a_trace_reaches_every_viewer(kubia, owner_client) -> None:
    sockets = [communicator(watch_path(kubia)), communicator(watch_path(kubia)),
               communicator(owner_path(kubia), client=owner_client)]
    for ws in sockets:
        await opened(ws)

    traces = await database_sync_to_async(trace_create)(
        cluster=kubia, source="external", destination="kubia-nodeport:30123", seed=7)

    for ws in sockets:
        message = await receive(ws)
        assert message["type"] == "trace"
        assert message["trace"]["id"] == traces[0]["id"]
        assert message["trace"]["hops"] == json.loads(json.dumps(traces[0]["hops"]))
    for ws in sockets:
        await ws.disconnect()


async def test_one_relay_per_sandbox_and_it_leaves_with_the_last_viewer(kubia, relays) -> None:
    first, second = communicator(watch_path(kubia)), communicator(watch_path(kubia))
    await opened(first)
    await opened(second)
    layer = get_channel_layer()

    assert relays.viewers(str(kubia.pk)) == 2
    assert list(layer.groups[group_name(kubia.pk)]) == [relays.relay(str(kubia.pk)).channel]

    await first.disconnect()
    await second.disconnect()
    assert relays.relay(str(kubia.pk)) is None
    assert group_name(kubia.pk) not in layer.groups


async def test_a_relay_dropped_from_its_group_rejoins(kubia, relays, monkeypatch) -> None:
    monkeypatch.setattr(fanout, "REJOIN_SECONDS", 0.05)
    ws = communicator(watch_path(kubia))
    _, snapshot = await opened(ws)
    # What the in-memory layer does when a message expires in a channel, and both layers do after
    # group_expiry: the membership silently goes.
    await get_channel_layer().group_discard(group_name(kubia.pk), relays.relay(str(kubia.pk)).channel)
    await asyncio.sleep(0.2)

    await flip(kubia)

    assert seqs(await receive(ws))[0] == snapshot["seq"] + 1
    await ws.disconnect()


async def test_a_relay_survives_a_failing_layer(kubia, relays, monkeypatch) -> None:
    monkeypatch.setattr(fanout, "RETRY_SECONDS", 0.01)
    layer = get_channel_layer()
    real_receive, failures = layer.receive, []

    async def flaky_receive(channel):
        if not failures:
            failures.append(channel)
            raise ConnectionError("redis went away")
        return await real_receive(channel)

    monkeypatch.setattr(layer, "receive", flaky_receive)
    ws = communicator(watch_path(kubia))
    _, snapshot = await opened(ws)

    await flip(kubia)

    assert failures and seqs(await receive(ws))[0] == snapshot["seq"] + 1
    await ws.disconnect()


# --- resume ---------------------------------------------------------------------------------------


async def test_resume_from_an_old_seq_returns_exactly_the_missing_events(kubia) -> None:
    ws = communicator(watch_path(kubia))
    _, snapshot = await opened(ws)
    await flip(kubia, False)
    await flip(kubia, True)
    live = seqs(await receive(ws)) + seqs(await receive(ws))

    await ws.send_json_to({"type": "resume", "since": snapshot["seq"]})

    answer = await receive(ws)
    assert answer["type"] == "events"
    assert seqs(answer) == live == list(range(snapshot["seq"] + 1, await seq_now(kubia) + 1))
    assert await ws.receive_nothing(timeout=0.2)
    await ws.disconnect()


async def test_reconnect_with_since_skips_the_snapshot(kubia) -> None:
    first = communicator(watch_path(kubia))
    _, snapshot = await opened(first)
    await first.disconnect()
    await flip(kubia)

    again = communicator(watch_path(kubia, f"since={snapshot['seq']}"))
    hello, answer = await opened(again)

    assert hello["type"] == "hello"
    assert answer["type"] == "events"
    assert seqs(answer) == list(range(snapshot["seq"] + 1, await seq_now(kubia) + 1))
    await flip(kubia, True)
    assert seqs(await receive(again))[0] == seqs(answer)[-1] + 1
    await again.disconnect()


@pytest.mark.parametrize("since", ["-1", "x", "1.5", "٣", "9" * 5000])
async def test_a_bad_since_in_the_url_gets_a_snapshot(kubia, since) -> None:
    ws = communicator(watch_path(kubia, f"since={since}"))

    _hello, answer = await opened(ws)

    assert answer["type"] == "snapshot"
    await ws.disconnect()


async def test_resume_when_up_to_date_answers_an_empty_batch(kubia) -> None:
    ws = communicator(watch_path(kubia))
    _, snapshot = await opened(ws)

    await ws.send_json_to({"type": "resume", "since": snapshot["seq"]})

    assert await receive(ws) == {"type": "events", "events": []}
    await ws.disconnect()


async def test_resume_beyond_the_log_returns_a_snapshot(kubia) -> None:
    ws = communicator(watch_path(kubia))
    _, snapshot = await opened(ws)

    await ws.send_json_to({"type": "resume", "since": snapshot["seq"] + 1000})

    answer = await receive(ws)
    assert answer["type"] == "snapshot" and answer["seq"] == snapshot["seq"]
    await ws.disconnect()


async def test_resume_from_before_a_trimmed_log_returns_a_snapshot(kubia) -> None:
    ws = communicator(watch_path(kubia, "since=0"))
    await database_sync_to_async(lambda: Event.objects.filter(cluster=kubia, seq__lte=3).delete())()

    _hello, first = await opened(ws)
    await ws.send_json_to({"type": "resume", "since": 1})
    second = await receive(ws)

    assert first["type"] == second["type"] == "snapshot"
    await ws.disconnect()


async def test_live_batches_resume_after_a_resume(kubia) -> None:
    ws = communicator(watch_path(kubia))
    _, snapshot = await opened(ws)
    await ws.send_json_to({"type": "resume", "since": snapshot["seq"]})
    assert seqs(await receive(ws)) == []

    await flip(kubia)

    assert seqs(await receive(ws))[0] == snapshot["seq"] + 1
    await ws.disconnect()


# --- bad client messages --------------------------------------------------------------------------


GARBAGE = [
    "not json",
    "[1, 2]",
    "42",
    '"resume"',
    "{}",
    '{"type": "nope"}',
    '{"type": ["resume"]}',
    '{"type": "resume"}',
    '{"type": "resume", "since": -1}',
    '{"type": "resume", "since": "3"}',
    '{"type": "resume", "since": true}',
    '{"type": "resume", "since": 1.5}',
    "[" * 4000,
    '{"type": "ping", "pad": "' + "x" * 5000 + '"}',
    "\x00\xff",
]


async def test_garbage_gets_an_error_and_the_socket_stays_usable(kubia) -> None:
    ws = communicator(watch_path(kubia))
    await opened(ws)

    for text in GARBAGE:
        await ws.send_to(text_data=text)
        answer = await receive(ws)
        assert answer["type"] == "error" and answer["message"], text
    await ws.send_to(bytes_data=b"\x00\x01")
    assert (await receive(ws))["type"] == "error"

    await ws.send_json_to({"type": "ping"})
    assert await receive(ws) == {"type": "pong"}
    await flip(kubia)
    assert (await receive(ws))["type"] == "events"
    await ws.disconnect()


async def test_the_relay_message_carries_the_batch_s_last_seq(kubia) -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group_name(kubia.pk), channel)

    await flip(kubia)

    message = await layer.receive(channel)
    assert message["seq"] == await seq_now(kubia) == seqs(json.loads(message["text"]))[-1]
