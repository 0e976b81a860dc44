"""Publishing from a request's thread (cluster/publishing.py): the thread does not wait for the
event loop, and the loop sends what the process published in the order it was published."""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer

from cluster.publishing import publish


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

    def change() -> None:
        for n in range(20):
            publish(layer, "class.X", {"type": "relay", "n": n, "fail": n == 5})

    # Waiting for the loop here would never end: the loop sends nothing until the gate opens.
    await asyncio.wait_for(sync_to_async(change, thread_sensitive=False)(), 5)
    with caplog.at_level(logging.ERROR, logger="cluster.publishing"):
        layer.gate.set()
        got = [(await asyncio.wait_for(layer.receive(channel), 5))["n"] for _ in range(19)]
    assert got == [n for n in range(20) if n != 5]  # in order; the one refused is logged, not retried
    assert "could not publish to class.X" in caplog.text
