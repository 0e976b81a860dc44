"""Each websocket's own bounded queue of outgoing messages, so a viewer that stops reading never
delays the others, and what the server holds for it is bounded.

The relay hands a message to every socket by putting it in that socket's Outbox (a plain call, no
await); one writer task per socket passes its messages on to the server. Daphne writes a sent
message into the connection's buffer at once, whether or not the client reads, so the writer waits
while that buffer holds more than WS_SEND_SERVER_BUFFER_BYTES (read through `ServerBacklog`; on a
server it cannot read, it only awaits each send). Messages wait in the Outbox meanwhile; when more
than WS_SEND_QUEUE_MESSAGES or WS_SEND_QUEUE_BYTES wait, the Outbox is emptied and the socket is
closed with code 4008 (CLOSE_TOO_SLOW). The page reconnects and resumes from its last seq.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from visualizer.fanout import Push

log = logging.getLogger(__name__)

CLOSE_TOO_SLOW = 4008  # as HTTP 408: the client did not keep up
BACKLOG_SCOPE_KEY = "servicescope.server_backlog"
POLL_SECONDS = 0.05  # how often a writer looks again at a full server buffer

Send = Callable[[dict[str, Any]], Awaitable[None]]
Backlog = Callable[[], int]
Write = Callable[["Push"], bool]  # visualizer/wire.py: True when the server took it directly


def _twisted_backlog(transport: Any) -> int:
    """Bytes a Twisted TCP transport holds that the kernel has not taken yet."""
    data = getattr(transport, "dataBuffer", b"")
    return len(data) - int(getattr(transport, "offset", 0)) + int(getattr(transport, "_tempDataLen", 0))


def server_backlog(send: Any) -> Backlog | None:
    """How many bytes the server holds unsent for this connection, when the server is Daphne
    (its send is `partial(server.handle_reply, protocol)`, the protocol has a Twisted transport)."""
    protocol = send.args[0] if isinstance(send, functools.partial) and send.args else None
    transport = getattr(protocol, "transport", None)
    if transport is None or not hasattr(transport, "dataBuffer"):
        return None
    return functools.partial(_twisted_backlog, transport)


class ServerBacklog:
    """Outermost ASGI middleware of the websocket stack: puts `server_backlog(send)` in the scope."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        if scope.get("type") == "websocket":
            scope = {**scope, BACKLOG_SCOPE_KEY: server_backlog(send)}
        return await self.app(scope, receive, send)


class Outbox:
    def __init__(self, send: Send, *, backlog: Backlog | None, max_messages: int, max_bytes: int,
                 server_buffer: int, on_overflow: Callable[[], Awaitable[None]], label: str = "",
                 write: Write | None = None):
        self._send, self._backlog, self._write_now = send, backlog, write
        self.max_messages, self.max_bytes, self.server_buffer = max_messages, max_bytes, server_buffer
        self._on_overflow = on_overflow
        self.label = label
        self._queue: deque[tuple[dict[str, Any], int]] = deque()
        self.queued_bytes = 0
        self.overflowed = False
        self._ready = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._sending = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._write(), name=f"outbox {self.label}")

    async def stop(self) -> None:
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
        self._queue.clear()
        self.queued_bytes = 0

    def put(self, message: dict[str, Any], size: int) -> None:
        """Queue one ASGI message (synchronous: the relay never waits on a socket)."""
        if self.overflowed:
            return
        self._queue.append((message, size))
        self.queued_bytes += size
        if len(self._queue) > self.max_messages or self.queued_bytes > self.max_bytes:
            self.overflowed = True
            log.warning("a viewer of %s fell behind (%d messages, %d bytes waiting): closing it with %d",
                        self.label, len(self._queue), self.queued_bytes, CLOSE_TOO_SLOW)
            self._queue.clear()
            self.queued_bytes = 0
        self._ready.set()

    def offer(self, push: Push) -> Send | None:
        """A published message, from the relay, when nothing waits before it and the server's
        buffer has room: written to the server at once (None) where it can take it directly,
        else the server's send to pass `push.asgi` to at once (the relay then sends to every such
        socket in one pass, with no task switch per socket); otherwise it is queued (None)."""
        if (self._queue or self._sending or self.overflowed
                or (self._backlog is not None and self._backlog() > self.server_buffer)):
            self.put(push.asgi, len(push.text))
            return None
        if self._write_now is not None and self._write_now(push):
            return None
        return self._send

    def __len__(self) -> int:
        return len(self._queue)

    async def _write(self) -> None:
        while True:
            await self._ready.wait()
            if self.overflowed:
                await self._on_overflow()
                return
            if not self._queue:
                self._ready.clear()
                continue
            if self._backlog is not None and self._backlog() > self.server_buffer:
                await asyncio.sleep(POLL_SECONDS)  # the client is not reading: let its bytes go first
                continue
            message, size = self._queue.popleft()
            self.queued_bytes -= size
            self._sending = True
            try:
                await self._send(message)
            except Exception:  # the socket is gone; its disconnect stops this task
                log.debug("could not send to a viewer of %s", self.label, exc_info=True)
            finally:
                self._sending = False
