"""Fan-out once per process.

Stock Channels puts every websocket in the sandbox's group, so each change is copied and
JSON-encoded once per viewer, and every socket keeps a receive() pending on the layer. Here each
process joins the group once, through a Relay per sandbox, and hands the already-encoded text to
all of its local sockets in one pass.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.layers import BaseChannelLayer, get_channel_layer
from redis.exceptions import TimeoutError as RedisTimeoutError

from cluster.events import RELAY_MESSAGE_TYPE, group_name
from cluster.services.activity import cluster_touch

log = logging.getLogger(__name__)

# Group membership lapses: both layers expire it after `group_expiry` (a day by default), and the
# in-memory layer also drops a channel from its groups when one of its messages expires. A relay
# can outlive either, so it renews its membership (an idempotent group_add) this often.
REJOIN_SECONDS = 60.0
# After the layer fails (Redis restarting), wait this long before receiving again.
RETRY_SECONDS = 1.0


class Push:
    """One wire message for every viewer: its text, and the last event seq it carries (None for
    messages outside the event log, such as traces)."""

    __slots__ = ("asgi", "frame", "seq", "text")

    def __init__(self, text: str, seq: int | None = None) -> None:
        self.text, self.seq = text, seq
        # The ASGI send message, built once and passed as is to every socket (servers only read it).
        self.asgi = {"type": "websocket.send", "text": text}
        # The websocket frame, built once by the first socket written to directly (visualizer/wire.py).
        self.frame: bytes | None = None

    @classmethod
    def from_layer(cls, message: dict[str, Any]) -> Push | None:
        text, seq = message.get("text"), message.get("seq")
        if message.get("type") != RELAY_MESSAGE_TYPE or not isinstance(text, str):
            return None
        return cls(text, seq if isinstance(seq, int) else None)


Send = Callable[[dict[str, Any]], Awaitable[None]]


class Socket(Protocol):
    def take(self, push: Push) -> Send | None:
        """Take a published message, synchronously: the ASGI send to pass `push.asgi` to now, or
        None when the socket keeps it for later, already holds it, or the server took it directly
        (visualizer/wire.py)."""
        ...


class Relay:
    """This process's one member of a sandbox's group."""

    def __init__(self, cluster_id: str, layer: BaseChannelLayer):
        self.cluster_id = cluster_id
        self.group = group_name(cluster_id)
        self.layer = layer
        self.sockets: set[Socket] = set()
        self.channel = ""
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        self.channel = await self.layer.new_channel(prefix="relay")
        await self.layer.group_add(self.group, self.channel)
        self._tasks = [
            asyncio.create_task(self._pump(), name=f"relay {self.cluster_id}"),
            asyncio.create_task(self._keep_membership(), name=f"relay membership {self.cluster_id}"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        try:
            await self.layer.group_discard(self.group, self.channel)
        except Exception:  # the membership lapses on its own (group_expiry)
            log.warning("could not leave %s", self.group, exc_info=True)

    async def hand_out(self, push: Push) -> None:
        # One pass, one await per socket: the per-socket decision is a plain call (no coroutine),
        # and the one ASGI message is shared.
        asgi = push.asgi
        for socket in tuple(self.sockets):
            try:
                send = socket.take(push)
                if send is not None:
                    await send(asgi)
            except Exception:  # one broken socket must not starve the others
                log.exception("could not push to a viewer of %s", self.cluster_id)

    async def _pump(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except RedisTimeoutError:
                # redis-py 8 gives up reading after socket_timeout (5 s by default) while
                # channels_redis blocks in BZPOPMIN for 5 s: an idle receive may time out. Receive
                # again at once. (A host `socket_timeout` above 5 s avoids this, and the rare
                # message popped just as the read gave up, which viewers would see as a seq gap.)
                continue
            except Exception:
                # Viewers see a seq gap on the next batch and resume from the log.
                log.exception("relay of %s lost the channel layer; retrying", self.cluster_id)
                await asyncio.sleep(RETRY_SECONDS)
                # A restarted Redis has forgotten the group: join it again (idempotent) before
                # receiving, or nothing published from now on would come.
                try:
                    await self.layer.group_add(self.group, self.channel)
                except Exception:
                    log.warning("could not rejoin %s", self.group, exc_info=True)
                continue
            push = Push.from_layer(message)
            if push is not None:
                await self.hand_out(push)

    async def _keep_membership(self) -> None:
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            try:
                await self.layer.group_add(self.group, self.channel)
            except Exception:
                log.warning("could not renew %s", self.group, exc_info=True)
            try:  # a sandbox with connected viewers is in use: cleanup_sandboxes leaves it
                await database_sync_to_async(cluster_touch)(cluster=self.cluster_id)
            except Exception:
                log.warning("could not mark %s active", self.cluster_id, exc_info=True)


class Relays:
    """The relays of this process, one per sandbox that has local viewers."""

    def __init__(self, layer: BaseChannelLayer | None = None) -> None:
        self._layer = layer
        self._relays: dict[str, Relay] = {}
        self._lock: asyncio.Lock | None = None

    @property
    def lock(self) -> asyncio.Lock:
        # Created on first use, inside the running loop (tests run one loop per test).
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def join(self, cluster_id: str, socket: Socket) -> None:
        """Add a socket; it receives every message published after this returns."""
        async with self.lock:
            relay = self._relays.get(cluster_id)
            if relay is None:
                relay = Relay(cluster_id, self._layer or get_channel_layer())
                await relay.start()
                self._relays[cluster_id] = relay
            relay.sockets.add(socket)

    async def leave(self, cluster_id: str, socket: Socket) -> None:
        async with self.lock:
            relay = self._relays.get(cluster_id)
            if relay is None:
                return
            relay.sockets.discard(socket)
            if not relay.sockets:
                del self._relays[cluster_id]
                await relay.stop()

    async def close(self) -> None:
        """Stop every relay (shutdown, and between tests)."""
        async with self.lock:
            relays, self._relays = list(self._relays.values()), {}
            for relay in relays:
                await relay.stop()

    def relay(self, cluster_id: str) -> Relay | None:
        return self._relays.get(cluster_id)

    def viewers(self, cluster_id: str) -> int:
        relay = self._relays.get(cluster_id)
        return len(relay.sockets) if relay else 0


relays = Relays()
