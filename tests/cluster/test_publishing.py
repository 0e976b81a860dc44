"""Publishing from a request's thread (cluster/publishing.py): the thread does not wait for the
event loop, and the loop sends what the process published to a group in the order it was published;
groups do not wait for each other, and past a backlog the thread waits for its message."""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer

from cluster import publishing
from cluster.publishing import drained, publish


class GatedLayer(InMemoryChannelLayer):
    """The in-memory layer, whose group_send waits for `gate`, and refuses `{"fail": True}`."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def group_send(self, group: str, message: dict) -> None:
        await self.gate.wait()
        if message.get("fail"):
            raise ConnectionError("the layer is restarting")
        await super().group_send(group, message)


async def test_the_thread_goes_on_and_the_loop_sends_in_order(caplog):
    layer = GatedLayer()
    channel = await layer.new_channel()
    await layer.group_add("class.X", channel)

    count = publishing.BACKLOG  # as many as a loop may hold before a publisher waits

    def change() -> None:
        for n in range(count):
            publish(layer, "class.X", {"type": "relay", "n": n, "fail": n == 5})

    # Waiting for the loop here would never end: the loop sends nothing until the gate opens.
    await asyncio.wait_for(sync_to_async(change, thread_sensitive=False)(), 5)
    with caplog.at_level(logging.ERROR, logger="cluster.publishing"):
        layer.gate.set()
        got = [(await asyncio.wait_for(layer.receive(channel), 5))["n"] for _ in range(count - 1)]
    assert got == [n for n in range(count) if n != 5]  # in order; the one refused is logged, not retried
    assert "could not publish to class.X" in caplog.text


class GroupGatedLayer(InMemoryChannelLayer):
    """The in-memory layer, whose group_send to a group in `gates` waits for that group's gate."""

    def __init__(self, *gated: str) -> None:
        super().__init__()
        self.gates = {group: asyncio.Event() for group in gated}

    async def group_send(self, group: str, message: dict) -> None:
        if group in self.gates:
            await self.gates[group].wait()
        await super().group_send(group, message)


async def test_a_slow_group_holds_up_only_itself():
    layer = GroupGatedLayer("sandbox.slow")
    slow, fast = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("sandbox.slow", slow)
    await layer.group_add("sandbox.fast", fast)

    def change() -> None:
        for n in range(3):
            publish(layer, "sandbox.slow", {"type": "relay", "n": n})
            publish(layer, "sandbox.fast", {"type": "relay", "n": n})

    await sync_to_async(change, thread_sensitive=False)()
    assert [(await asyncio.wait_for(layer.receive(fast), 5))["n"] for _ in range(3)] == [0, 1, 2]
    layer.gates["sandbox.slow"].set()
    assert [(await asyncio.wait_for(layer.receive(slow), 5))["n"] for _ in range(3)] == [0, 1, 2]
    await asyncio.wait_for(drained(), 5)


async def test_past_the_backlog_a_publisher_waits_for_its_message(monkeypatch):
    monkeypatch.setattr(publishing, "BACKLOG", 3)
    layer = GroupGatedLayer("sandbox.slow")
    channel = await layer.new_channel()
    await layer.group_add("sandbox.slow", channel)
    returned: list[int] = []

    def change() -> None:
        for n in range(6):
            publish(layer, "sandbox.slow", {"type": "relay", "n": n})
            returned.append(n)

    writer = asyncio.ensure_future(sync_to_async(change, thread_sensitive=False)())
    await asyncio.sleep(0.3)
    # three queued, then the thread waits for the fourth: the layer sends nothing yet
    assert returned == [0, 1, 2] and not writer.done()
    layer.gates["sandbox.slow"].set()
    await asyncio.wait_for(writer, 5)
    assert returned == list(range(6))
    assert [(await asyncio.wait_for(layer.receive(channel), 5))["n"] for _ in range(6)] == list(range(6))
