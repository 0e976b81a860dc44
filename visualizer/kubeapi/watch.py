"""watch=true: a chunked stream of newline-delimited JSON events, read from the event log.

The stream polls `events_since` every ~150 ms, so it sees changes committed by any Daphne
process, and resumes exactly after the resourceVersion the client gives (a list's version, or
the last event it saw). Without one it starts with the current state as ADDED events, as the
apiserver does. With a label or field selector, an object that starts or stops matching is
reported as ADDED or DELETED. The stream ends after `timeoutSeconds`; clients reconnect.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from cluster.models import Cluster
from cluster.selectors import events_since
from cluster.sim.selection import Selection
from visualizer.kubeapi.errors import KubeError, bad_request, expired, internal_error
from visualizer.kubeapi.negotiation import Rendering, rendering
from visualizer.kubeapi.reads import read_list
from visualizer.kubeapi.tables import as_table, include_object

if TYPE_CHECKING:
    from visualizer.kubeapi.resources import Target

log = logging.getLogger(__name__)

Obj = dict[str, Any]
Key = tuple[str, str]

POLL_SECONDS = 0.15
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
    try:
        version, current = await sync_to_async(read_list)(watcher.cluster, watcher.target, watcher.chosen)
        watcher.matching = {(o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in current}
        if start is None:
            watcher.seq = int(version)
            for obj in current:
                yield watcher.line("ADDED", obj)
            if watcher.initial_events_end:
                yield watcher.bookmark(version)
        else:
            watcher.seq = start
        while loop.time() < deadline:
            events = await sync_to_async(events_since)(cluster=watcher.cluster, seq=watcher.seq)
            if events is None:
                yield frame("ERROR", expired(f"too old resource version: {watcher.seq}"))
                return
            for event in events:
                watcher.seq = event.seq
                if not watcher.in_scope(event.kind, event.namespace):
                    continue
                type_ = watcher.translate(event.type, event.object)
                if type_ is not None:
                    yield watcher.line(type_, event.object)
            await asyncio.sleep(min(POLL_SECONDS, max(0.0, deadline - loop.time())))
    except asyncio.CancelledError:
        raise  # the client went away
    except Exception:
        log.exception("watch of %s in sandbox %s failed", watcher.target.resource.plural, watcher.cluster.pk)
        yield frame("ERROR", internal_error("the simulator failed while watching"))
