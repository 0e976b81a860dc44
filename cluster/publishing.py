"""Publishing to the channel layer from a sync thread without waiting for the event loop.

A request's sync code runs in a worker thread (asgiref's SyncToAsync) while the process's event
loop serves every websocket. `async_to_sync(layer.group_send)` would make the thread wait until the
loop had run the send, and the loop may be busy handing the previous message to a class of 200:
the teacher's answer waited for that. Here the thread queues the message for its loop, in call
order, and goes on; one task per loop sends what is queued, in that order. Without such a loop
(management commands, sync tests), the send is made at once with async_to_sync.
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from collections import deque
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync

log = logging.getLogger(__name__)


class _LoopPublisher:
    """The messages queued for one loop, and the task that sends them in order."""

    def __init__(self) -> None:
        self.pending: deque[tuple[Any, str, dict[str, Any]]] = deque()
        self.task: asyncio.Task | None = None

    def add(self, layer: Any, group: str, message: dict[str, Any]) -> None:
        # On the loop: a running task picks the message up after the ones before it.
        self.pending.append((layer, group, message))
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._send_all(), name="publish")

    async def _send_all(self) -> None:
        while self.pending:
            layer, group, message = self.pending.popleft()
            try:
                await layer.group_send(group, message)
            except Exception:  # a screen that misses one resumes from the log
                log.exception("could not publish to %s", group)


_publishers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopPublisher] = weakref.WeakKeyDictionary()


def _calling_loop() -> asyncio.AbstractEventLoop | None:
    """The running loop this thread was called from through SyncToAsync, if any."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() and not loop.is_closed() else None


def _queue(loop: asyncio.AbstractEventLoop, layer: Any, group: str, message: dict[str, Any]) -> None:
    publisher = _publishers.get(loop)
    if publisher is None:
        publisher = _publishers[loop] = _LoopPublisher()
    publisher.add(layer, group, message)


def publish(layer: Any, group: str, message: dict[str, Any]) -> None:
    """Send `message` to `group` soon, after every message this process published before it.
    Raises what async_to_sync raises when there is no loop to hand it to."""
    loop = _calling_loop()
    if loop is not None:
        try:
            loop.call_soon_threadsafe(_queue, loop, layer, group, message)
            return
        except RuntimeError:  # the loop closed meanwhile
            pass
    async_to_sync(layer.group_send)(group, message)


async def drained() -> None:
    """Return once this loop has sent everything published to it so far."""
    publisher = _publishers.get(asyncio.get_running_loop())
    while publisher is not None and publisher.task is not None and not publisher.task.done():
        await asyncio.shield(publisher.task)
