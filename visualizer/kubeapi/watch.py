"""watch=true: a chunked stream of newline-delimited JSON events, from the event log and the
live events the websocket gets too.

The stream listens to the sandbox's published event batches through this process's relay
(visualizer/fanout.py) before it reads anything, so it sees changes committed by any Daphne process
as they are published, without polling. It resumes exactly after the resourceVersion the client
gives (a list's version, or the last event it saw) by reading the log up to now, then follows the
live batches: a batch at or below the last seq sent is dropped, and a batch that does not start
right after it (one lost on the way) sends the stream back to the log, which answers 410 Gone when
it no longer reaches back. A stream quiet for RESYNC_SECONDS looks at the log once. Without a version the stream starts with the current state as ADDED
events, as the apiserver does. With a label or field selector, an object that starts or stops
matching is reported as ADDED or DELETED. The stream ends after `timeoutSeconds`; clients reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from cluster.models import Cluster
from cluster.selectors import events_since
from cluster.sim.api.selection import Selection
from visualizer import fanout
from visualizer.fanout import Push
from visualizer.kubeapi.errors import KubeError, bad_request, expired, internal_error
from visualizer.kubeapi.negotiation import Rendering, rendering
from visualizer.kubeapi.reads import read_list
from visualizer.kubeapi.tables import as_table, include_object
from visualizer.kubeapi.target import Target

log = logging.getLogger(__name__)

Obj = dict[str, Any]
Key = tuple[str, str]

# A quiet stream reads the log this often anyway: it then shows a last batch that the channel
# layer lost (no later batch reveals that gap) or that a process outside the layer committed.
RESYNC_SECONDS = 10.0
# Batches kept for a client that reads slower than changes come: past this many the stream drops
# them and reads the log instead.
MAX_PENDING = 256
# The apiserver's default: a random timeout between 30 and 60 minutes (min-request-timeout 1800).
MIN_TIMEOUT = 1800


def frame(type_: str, obj: Obj) -> bytes:
    """One watch event: a JSON object on its own line."""
    return json.dumps({"type": type_, "object": obj}, separators=(",", ":")).encode() + b"\n"


@dataclass
class _Watcher:
    """One stream's position in the log and what it has told its client."""

    cluster: Cluster
    target: Target
    chosen: Selection
    render: Rendering
    include: str
    seq: int
    matching: set[Key] = field(default_factory=set)  # objects the client currently sees as selected
    columns_sent: bool = False
    initial_events_end: bool = False  # a watch-list client waits for this bookmark after the state

    def bookmark(self, version: str) -> bytes:
        resource = self.target.resource
        marker = {
            "kind": resource.kind,
            "apiVersion": resource.group_version,
            "metadata": {"resourceVersion": version, "annotations": {"k8s.io/initial-events-end": "true"}},
        }
        return frame("BOOKMARK", marker)

    def line(self, type_: str, obj: Obj) -> bytes:
        if self.render.table:
            version = obj.get("metadata", {}).get("resourceVersion", "")
            obj = as_table(
                self.target.resource.kind,
                [obj],
                now=timezone.now(),
                version=self.render.table_version,
                resource_version=version,
                include=self.include,
                columns=not self.columns_sent,
            )
            self.columns_sent = True
        return frame(type_, obj)

    def follow(self, events: Iterable[Obj]) -> list[bytes]:
        """The lines for wire events (`{seq, type, kind, object}`) in seq order, skipping those
        at or below the last seq this stream has passed."""
        lines = []
        for event in events:
            if event["seq"] <= self.seq:
                continue
            self.seq = event["seq"]
            obj = event["object"]
            if not self.in_scope(event["kind"], (obj.get("metadata") or {}).get("namespace", "")):
                continue
            type_ = self.translate(event["type"], obj)
            if type_ is not None:
                lines.append(self.line(type_, obj))
        return lines

    def in_scope(self, kind: str, namespace: str) -> bool:
        return kind == self.target.resource.kind and self.target.namespace in (None, namespace)

    def translate(self, type_: str, obj: Obj) -> str | None:
        """The event type this client should see for a change, or None to skip it."""
        meta = obj.get("metadata") or {}
        key = (meta.get("namespace", ""), meta.get("name", ""))
        selected = self.chosen.matches(obj)
        seen = key in self.matching
        if type_ == "DELETED":
            self.matching.discard(key)
            return type_ if seen or selected else None
        if selected:
            self.matching.add(key)
            return "MODIFIED" if seen and type_ == "MODIFIED" else "ADDED"
        if seen:
            self.matching.discard(key)
            return "DELETED"  # it no longer matches the selector: gone, from this client's view
        return None


class _Feed:
    """This stream as one of the relay's listeners: it keeps the published event batches and
    wakes the stream. Traces and snapshots carry no seq, and no Kubernetes object: skipped."""

    def __init__(self) -> None:
        self.pushes: list[Push] = []
        self.overflowed = False
        self.arrived = asyncio.Event()

    def take(self, push: Push) -> fanout.Send | None:
        if push.seq is not None:
            if len(self.pushes) < MAX_PENDING:
                self.pushes.append(push)
            else:
                self.overflowed = True
            self.arrived.set()
        return None

    async def wait(self, timeout: float) -> tuple[list[Push], bool]:
        """The batches published since the last call (waiting up to `timeout` for one), and
        whether some were dropped meanwhile."""
        if not self.pushes and not self.overflowed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), timeout)
        self.arrived.clear()
        pushes, self.pushes = self.pushes, []
        overflowed, self.overflowed = self.overflowed, False
        return pushes, overflowed


@lru_cache(maxsize=8)
def _wire_events(text: str) -> list[Obj]:
    """The events of a published batch, decoded once for all the streams of this process (they
    only read them)."""
    return json.loads(text).get("events") or []


def _log_after(cluster: Cluster, seq: int) -> list[Obj] | None:
    events = events_since(cluster=cluster, seq=seq)
    return None if events is None else [event.as_wire() for event in events]


def _timeout(request: HttpRequest) -> float:
    raw = request.GET.get("timeoutSeconds", "")
    if not raw:
        return MIN_TIMEOUT * (1 + random.random())
    try:
        seconds = int(raw)
    except ValueError:
        raise KubeError(bad_request(f"invalid timeoutSeconds: {raw!r}")) from None
    return max(0, min(seconds, 2 * MIN_TIMEOUT))


def _start(request: HttpRequest) -> int | None:
    raw = request.GET.get("resourceVersion", "")
    if raw in ("", "0") or request.GET.get("sendInitialEvents") == "true":
        return None  # "any version" (or a watch-list): start from the current state
    try:
        return int(raw)
    except ValueError:
        raise KubeError(bad_request(f"invalid resource version: {raw}")) from None


def serve(request: HttpRequest, cluster: Cluster, target: Target, chosen: Selection) -> HttpResponse:
    render = rendering(request.headers.get("Accept", ""))
    watcher = _Watcher(
        cluster, target, chosen, render, include_object(request.GET.get("includeObject", "")), 0
    )
    watcher.initial_events_end = request.GET.get("sendInitialEvents") == "true"
    response = StreamingHttpResponse(
        _stream(watcher, _start(request), _timeout(request)), content_type="application/json"
    )
    response["Cache-Control"] = "no-cache, private"
    return response


async def _stream(watcher: _Watcher, start: int | None, timeout: float) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    # An empty first chunk makes Daphne send the headers now: a client waits for them before it
    # reads events, and a watch may have none to send for minutes.
    yield b""
    cluster_id, feed, registry = str(watcher.cluster.pk), _Feed(), fanout.relays
    joined = False
    try:
        # Listen before reading, so that nothing committed in between is missed.
        await registry.join(cluster_id, feed)
        joined = True
        version, current = await sync_to_async(read_list)(watcher.cluster, watcher.target, watcher.chosen)
        watcher.matching = {(o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in current}
        behind = start is not None
        if start is None:
            watcher.seq = int(version)
            for obj in current:
                yield watcher.line("ADDED", obj)
            if watcher.initial_events_end:
                yield watcher.bookmark(version)
        else:
            watcher.seq = start
        while True:
            if behind:
                events = await sync_to_async(_log_after)(watcher.cluster, watcher.seq)
                if events is None:
                    yield frame("ERROR", expired(f"too old resource version: {watcher.seq}"))
                    return
                for line in watcher.follow(events):
                    yield line
            left = deadline - loop.time()
            if left <= 0:
                return
            pushes, behind = await feed.wait(min(left, RESYNC_SECONDS))
            if not pushes and not behind:
                behind = loop.time() < deadline  # quiet for a while: look at the log once
                continue
            for push in pushes:
                if push.seq is None or push.seq <= watcher.seq:
                    continue  # already sent, from the state or the log
                events = _wire_events(push.text)
                if not events or events[0]["seq"] != watcher.seq + 1:
                    behind = True  # a batch was lost on the way: the log has it
                    break
                for line in watcher.follow(events):
                    yield line
    except asyncio.CancelledError:
        raise  # the client went away
    except Exception:
        log.exception("watch of %s in sandbox %s failed", watcher.target.resource.plural, watcher.cluster.pk)
        yield frame("ERROR", internal_error("the simulator failed while watching"))
    finally:
        if joined:
            await registry.leave(cluster_id, feed)
