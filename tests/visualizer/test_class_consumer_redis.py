"""Class sockets through a real Redis (channels_redis), as several Daphne processes run them: each
process joins a class's group once, and a step reaches the students of both."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from channels.sessions import SessionMiddlewareStack
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.urls import path

from cluster.publishing import drained
from cluster.services.classes import class_create, class_group, class_step
from tests.visualizer.test_class_consumer import seven_hops
from tests.visualizer.test_consumer import communicator, receive
from tests.visualizer.test_consumer_redis import (  # noqa: F401
    PUBSUB,
    layer_config,
    publishes,
    redis_client,
    redis_url,
    subscribers,
    wait_for,
)
from visualizer import class_consumers, fanout
from visualizer.class_consumers import ClassSocket, StudentConsumer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def relays(settings, redis_client, redis_url, monkeypatch):  # noqa: F811
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": PUBSUB, "CONFIG": layer_config(redis_url)}}
    class_relays, sandbox_relays = class_consumers.GroupRelays(), fanout.Relays()
    monkeypatch.setattr(ClassSocket, "relays", class_relays)
    monkeypatch.setattr(ClassSocket, "sandbox_relays", sandbox_relays)
    yield class_relays
    await class_relays.close()
    await sandbox_relays.close()
    await get_channel_layer().flush()  # closes its connections


@pytest.fixture
async def second_process(redis_url):  # noqa: F811
    """The student socket with its own relays and Redis layer, like a second Daphne process."""
    layer = RedisPubSubChannelLayer(**layer_config(redis_url))
    class_relays, sandbox_relays = class_consumers.GroupRelays(layer=layer), fanout.Relays(layer=layer)
    consumer = type("SecondProcessStudent", (StudentConsumer,), {"relays": class_relays,
                                                                  "sandbox_relays": sandbox_relays})
    app = AllowedHostsOriginValidator(SessionMiddlewareStack(URLRouter([
        path("ws/classes/<str:code>/", consumer.as_asgi()),
    ])))
    yield app, class_relays
    await class_relays.close()
    await sandbox_relays.close()
    await layer.flush()  # closes its connections


async def test_a_step_reaches_the_students_of_two_processes_through_redis(relays, second_process,
                                                                          redis_client) -> None:  # noqa: F811
    app_b, relays_b = second_process
    klass = await database_sync_to_async(class_create)(seed=1)
    students = [communicator(f"/ws/classes/{klass.code}/?name=a{i}&sandbox=0") for i in range(3)]
    students += [communicator(f"/ws/classes/{klass.code}/?name=b{i}&sandbox=0", app=app_b) for i in range(3)]
    for ws in students:
        assert (await ws.connect(timeout=5))[0]
        assert (await receive(ws))["type"] == "hello"
        assert (await receive(ws))["type"] == "class"
    group = class_group(klass.code)
    assert relays.relay(group) is not None and relays_b.relay(group) is not None
    assert subscribers(redis_client, group) == 2  # one subscription per process
    trace = await seven_hops(klass)
    await drained()  # the traces' own messages, published while the trace was made
    published_before = publishes(redis_client)

    await database_sync_to_async(class_step)(klass=klass, trace=trace["id"], hop=4)

    for ws in students:
        assert (await receive(ws))["type"] == "trace"
        step = await receive(ws)
        assert (step["type"], step["trace"], step["hop"]) == ("step", trace["id"], 4)
    assert publishes(redis_client) == published_before + 1  # one PUBLISH for both processes
    for ws in students:
        await ws.disconnect()
    wait_for(lambda: subscribers(redis_client, group) == 0, "the relays did not unsubscribe")
