"""Fan-out once per process.

Stock Channels puts every websocket in the sandbox's group, so each change is copied and
JSON-encoded once per viewer. Here each process joins the group once, through a Relay per
sandbox, and hands the already-encoded text to all of its local sockets.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from channels.layers import get_channel_layer

from cluster.events import group_name

log = logging.getLogger(__name__)


class Socket(Protocol):
    async def push(self, text: str) -> None: ...


class Relay:
    def __init__(self, cluster_id: str):
        self.cluster_id = cluster_id
        self.sockets: set[Socket] = set()
        self.channel = ""
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        layer = get_channel_layer()
        self.channel = await layer.new_channel(prefix="relay.")
        await layer.group_add(group_name(self.cluster_id), self.channel)
        self.task = asyncio.create_task(self._pump(layer), name=f"relay {self.cluster_id}")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
        await get_channel_layer().group_discard(group_name(self.cluster_id), self.channel)

    async def _pump(self, layer) -> None:
        while True:
            message = await layer.receive(self.channel)
            text = message.get("text")
            if not isinstance(text, str):
                continue
            for socket in list(self.sockets):
                try:
                    await socket.push(text)
                except Exception:  # one broken socket must not starve the others
                    log.exception("could not push to a viewer of %s", self.cluster_id)


class Relays:
    """The relays of this process, one per sandbox that has local viewers."""

    def __init__(self) -> None:
        self._relays: dict[str, Relay] = {}
        self._lock = asyncio.Lock()

    async def join(self, cluster_id: str, socket: Socket) -> None:
        async with self._lock:
            relay = self._relays.get(cluster_id)
            if relay is None:
                relay = Relay(cluster_id)
                await relay.start()
                self._relays[cluster_id] = relay
            relay.sockets.add(socket)

    async def leave(self, cluster_id: str, socket: Socket) -> None:
        async with self._lock:
            relay = self._relays.get(cluster_id)
            if relay is None:
                return
            relay.sockets.discard(socket)
            if not relay.sockets:
                del self._relays[cluster_id]
                await relay.stop()

    def viewers(self, cluster_id: str) -> int:
        relay = self._relays.get(cluster_id)
        return len(relay.sockets) if relay else 0


relays = Relays()
