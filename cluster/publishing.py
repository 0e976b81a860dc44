"""Publishing to the channel layer from a sync thread without waiting for the event loop.

A request's sync code runs in a worker thread (asgiref's SyncToAsync) while the process's event
loop serves every websocket. `async_to_sync(layer.group_send)` would make the thread wait until the
loop had run the send, and the loop may be busy handing the previous message to a class of 200:
the teacher's answer waited for that. Here the thread queues the message for its loop and goes on.

- Order: the messages to one group are sent one after another, in the order they were published;
  groups are independent, so one slow send (a sandbox, a class) holds up only its own group.
- Backpressure: past BACKLOG messages queued on a loop, a publishing thread waits until its own
  message is sent, so that writers cannot outrun the loop without bound.
- Without a loop (management commands, sync tests) the send is made at once with async_to_sync.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import threading
import weakref
from collections import deque
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync

log = logging.getLogger(__name__)

# Messages queued on one loop before publishers wait for theirs to be sent. A loop that falls
# behind holds viewers' deliveries back: under saturation (benchmarks/hosted_load.py) a bound of 8
# kept delivery within the writes' own round trip, 32 doubled it and 256 let it reach seconds.
BACKLOG = 8
WAIT_SECONDS = 10.0  # at most this long: a stuck layer must not hold a request forever

Queued = tuple[Any, dict[str, Any], "concurrent.futures.Future[None] | None"]


class _LoopPublisher:
    """The messages queued on one loop, one queue and one sending task per group."""

    def __init__(self) -> None:
        self.queues: dict[str, deque[Queued]] = {}
        self.tasks: dict[str, asyncio.Task] = {}
        self.backlog = 0  # published and not yet sent: counted by the threads, when they publish
        self.lock = threading.Lock()

    def count(self, delta: int) -> int:
        with self.lock:
            self.backlog += delta
            return self.backlog

    def add(self, layer: Any, group: str, message: dict[str, Any],
            sent: concurrent.futures.Future[None] | None) -> None:
        # On the loop: the group's task picks the message up after the ones before it.
        self.queues.setdefault(group, deque()).append((layer, message, sent))
        if group not in self.tasks:
            self.tasks[group] = asyncio.get_running_loop().create_task(self._send_all(group), name="publish")

    async def _send_all(self, group: str) -> None:
        queue = self.queues[group]
        try:
            while queue:
                layer, message, sent = queue[0]
                try:
                    await layer.group_send(group, message)
                except Exception:  # a screen that misses one resumes from the log
                    log.exception("could not publish to %s", group)
                queue.popleft()
                self.count(-1)
                if sent is not None and not sent.done():
                    sent.set_result(None)
        finally:
            del self.tasks[group]
            if not queue:
                del self.queues[group]


_publishers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopPublisher] = weakref.WeakKeyDictionary()


def _calling_loop() -> asyncio.AbstractEventLoop | None:
    """The running loop this thread was called from through SyncToAsync, if any."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() and not loop.is_closed() else None


_publishers_lock = threading.Lock()


def _publisher(loop: asyncio.AbstractEventLoop) -> _LoopPublisher:
    with _publishers_lock:
        publisher = _publishers.get(loop)
        if publisher is None:
            publisher = _publishers[loop] = _LoopPublisher()
        return publisher


def publish(layer: Any, group: str, message: dict[str, Any]) -> None:
    """Send `message` to `group` soon, after every message this process published to the group
    before it. Raises what async_to_sync raises when there is no loop to hand it to."""
    loop = _calling_loop()
    if loop is not None:
        publisher = _publisher(loop)
        sent = concurrent.futures.Future() if publisher.count(1) > BACKLOG else None
        try:
            loop.call_soon_threadsafe(publisher.add, layer, group, message, sent)
        except RuntimeError:  # the loop closed meanwhile
            publisher.count(-1)
        else:
            if sent is not None:
                concurrent.futures.wait([sent], timeout=WAIT_SECONDS)
            return
    async_to_sync(layer.group_send)(group, message)


async def drained() -> None:
    """Return once this loop has sent everything published to it so far."""
    publisher = _publishers.get(asyncio.get_running_loop())
    while publisher is not None and publisher.tasks:
        await asyncio.wait(list(publisher.tasks.values()))
