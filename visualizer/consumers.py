"""The sandbox websocket: hello, snapshot, event batches, traces; resume after a reconnect.

Protocol (README.md). On connect the server sends `hello`, then either a `snapshot` or, when
the URL carries `?since=<seq>` and the log still reaches back, the `events` after that seq (a
reconnecting client skips the snapshot that way). After that it sends every `events` batch and
`trace` as they are published. The client may send `{"type": "resume", "since": N}` at any time
(answered by the events after N, possibly none, or a snapshot) and `{"type": "ping"}`; anything
else gets an `error` message and the socket stays open.

Each socket's stream has no repeats: events at or below the last seq it was sent are dropped.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from cluster.events import PROTOCOL_VERSION, encode, events_message
from cluster.models import Cluster
from cluster.selectors import cluster_by_watch_token, cluster_get, events_since
from cluster.services.activity import cluster_touch
from cluster.snapshots import packed_snapshot
from visualizer import fanout
from visualizer.access import owned_cluster_ids
from visualizer.actions import sandbox_actions
from visualizer.fanout import Push
from visualizer.outbox import BACKLOG_SCOPE_KEY, CLOSE_TOO_SLOW, Outbox
from visualizer.wire import WRITE_SCOPE_KEY

log = logging.getLogger(__name__)

OWNER, VIEWER = "owner", "viewer"
MAX_CLIENT_MESSAGE = 4096
CLOSE_REFUSED = 4403  # sent before accept, so browsers see a failed handshake
CLOSE_UNAVAILABLE = 1011
CLOSE_REVOKED = 4401  # the token this socket was opened with was rotated away
REVOKED_TEXT = encode({"type": "revoked"})  # as cluster/services/tokens.py publishes it


def _query(scope: dict[str, Any], name: str) -> str:
    return parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name, [""])[0]


def _seq(value: Any) -> int | None:
    """A seq the client claims to hold: a non-negative integer, else None."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _seq_param(scope: dict[str, Any]) -> int | None:
    value = _query(scope, "since")
    # Length-capped: int() refuses strings of over 4,300 digits, and no seq needs 19.
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


@database_sync_to_async
def _resolve(scope: dict[str, Any]) -> tuple[Cluster | None, str]:
    """Which sandbox this socket may watch, and as whom: OWNER, VIEWER, or nobody ("")."""
    kwargs = scope["url_route"]["kwargs"]
    if "watch_token" in kwargs:
        cluster = cluster_by_watch_token(token=str(kwargs["watch_token"]))
        if cluster is None:
            return None, ""
        cluster_touch(cluster=cluster)
        return cluster, VIEWER
    cluster_id = str(kwargs.get("cluster_id", ""))
    token = _query(scope, "token")
    session = scope.get("session")
    by_session = session is not None and cluster_id in owned_cluster_ids(session)
    if not token and not by_session:
        return None, ""  # as access.owner_cluster: refuse before touching the database
    cluster = cluster_get(cluster_id=cluster_id)
    if cluster is None:
        return None, ""
    if by_session or secrets.compare_digest(token.encode(), cluster.access_token.encode()):
        cluster_touch(cluster=cluster)
        return cluster, OWNER
    return None, ""


@database_sync_to_async
def _snapshot(cluster: Cluster, role: str) -> tuple[str, int]:
    """The encoded snapshot (read and packed off the event loop) and its seq."""
    message = packed_snapshot(cluster=cluster)
    if role == OWNER:
        message["actions"] = sandbox_actions(cluster)
    return encode(message), message["seq"]


@database_sync_to_async
def _events_after(cluster: Cluster, since: int) -> tuple[str, int] | None:
    """The encoded `events` message after `since` and its last seq, or None if the log cannot
    bring the client up to date (then it needs a snapshot)."""
    events = events_since(cluster=cluster, seq=since)
    if events is None:
        return None
    return encode(events_message(events)), (events[-1].seq if events else since)


class SandboxConsumer(AsyncWebsocketConsumer):
    # No channel of its own: the process's Relay receives for every socket of the sandbox, which
    # saves a pending layer receive() (and, on Redis, a share of its receive loop) per socket.
    channel_layer_alias = None
    relays: fanout.Relays = fanout.relays

    cluster: Cluster | None = None
    role = ""
    joined = False
    rate_second = -1
    rate_count = 0

    async def connect(self) -> None:
        self.cluster, self.role = await _resolve(self.scope)
        if self.cluster is None:
            await self.close(code=CLOSE_REFUSED)
            return
        self.cluster_id = str(self.cluster.pk)
        # Opened with a token (a watch link, or ?token=): closed when the sandbox's tokens rotate.
        self.by_token = self.role == VIEWER or bool(_query(self.scope, "token"))
        self.live = False  # until caught up, pushes wait in the backlog
        self.backlog: list[Push] = []
        self.sent_seq = -1  # the highest event seq this socket has been sent
        await self.accept()
        self.outbox = Outbox(
            self.base_send, backlog=self.scope.get(BACKLOG_SCOPE_KEY), label=self.cluster_id,
            max_messages=settings.WS_SEND_QUEUE_MESSAGES, max_bytes=settings.WS_SEND_QUEUE_BYTES,
            server_buffer=settings.WS_SEND_SERVER_BUFFER_BYTES, on_overflow=self._too_slow,
            write=self.scope.get(WRITE_SCOPE_KEY))
        self.outbox.start()
        if not await self._join():
            return
        self._emit(encode({
            "type": "hello", "protocol": PROTOCOL_VERSION, "role": self.role,
            "cluster": {"id": self.cluster_id, "name": self.cluster.name},
        }))
        await self._catch_up(_seq_param(self.scope))

    async def _join(self) -> bool:
        # Join before reading the snapshot, so that nothing committed in between is missed.
        try:
            await self.relays.join(self.cluster_id, self)
        except Exception:
            log.exception("could not follow sandbox %s", self.cluster_id)
            await self.close(code=CLOSE_UNAVAILABLE)
            return False
        self.joined = True
        return True

    async def disconnect(self, code: int) -> None:
        if self.joined:
            self.joined = False
            await self.relays.leave(self.cluster_id, self)
        outbox = getattr(self, "outbox", None)
        if outbox is not None:
            await outbox.stop()

    def _emit(self, text: str) -> None:
        """Queue a text message behind everything this socket was sent before."""
        self.outbox.put({"type": "websocket.send", "text": text}, len(text))

    async def _too_slow(self) -> None:
        """The Outbox overflowed: stop following the sandbox and close with CLOSE_TOO_SLOW."""
        if self.joined:
            self.joined = False
            await self.relays.leave(self.cluster_id, self)
        await self.close(code=CLOSE_TOO_SLOW)

    # --- the stream ----------------------------------------------------------------------------

    def take(self, push: Push) -> fanout.Send | None:
        """A published message, from the Relay: the send to pass it to now, or None (kept in
        the backlog until caught up, or already sent)."""
        if push.seq is None and push.text == REVOKED_TEXT:
            return self._revoked if self.by_token else None
        if not self.live:
            self.backlog.append(push)
        elif self._due(push):
            return self.outbox.offer(push)
        return None

    async def _revoked(self, _message: dict[str, Any]) -> None:
        await self.close(code=CLOSE_REVOKED)

    def _due(self, push: Push) -> bool:
        if push.seq is not None:
            if push.seq <= self.sent_seq:
                return False  # already in the snapshot or catch-up this socket was sent
            self.sent_seq = push.seq
        return True

    def _forward(self, push: Push) -> None:
        if self._due(push):
            self.outbox.put(push.asgi, len(push.text))  # the shared ASGI message: nothing to build

    async def _catch_up(self, since: int | None) -> None:
        """Send the events after `since` (or a snapshot when that is None or out of the log's
        reach), then whatever was published meanwhile, in order and without repeats."""
        self.live = False
        answer = None if since is None else await _events_after(self.cluster, since)
        text, seq = answer or await _snapshot(self.cluster, self.role)
        # From here on no await: the answer, then whatever was published meanwhile, queue in order.
        self._emit(text)
        self.sent_seq = seq
        while self.backlog:
            self._forward(self.backlog.pop(0))
        self.live = True

    # --- client messages -----------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.joined or not await self._within_rate():
            return
        message = self._parse(text_data)
        kind = message.get("type") if message is not None else None
        if message is None:
            await self._error(f"messages must be JSON objects of at most {MAX_CLIENT_MESSAGE} characters")
        elif kind == "resume":
            await self._resume(message.get("since"))
        elif kind == "ping":
            self._emit(encode({"type": "pong"}))
        else:
            await self._error(f"unknown message type {str(kind)[:40]!r}")

    async def _within_rate(self) -> bool:
        """At most RATE_WS_MESSAGES_PER_SECOND client messages a second; the rest are dropped,
        with one `error` (code 429, retryAfter 1) per second that had too many."""
        limit = settings.RATE_WS_MESSAGES_PER_SECOND
        if limit <= 0:
            return True
        second = int(time.monotonic())
        if second != self.rate_second:
            self.rate_second, self.rate_count = second, 0
        self.rate_count += 1
        if self.rate_count <= limit:
            return True
        if self.rate_count == limit + 1:
            self._emit(encode({
                "type": "error", "code": 429, "retryAfter": 1,
                "message": f"too many messages: at most {limit} a second; the others were dropped"}))
        return False

    @staticmethod
    def _parse(text: str | None) -> dict | None:
        if not text or len(text) > MAX_CLIENT_MESSAGE:
            return None
        try:
            message = json.loads(text)
        except (ValueError, RecursionError):  # 4 KiB of "[" nests deeper than the recursion limit
            return None
        return message if isinstance(message, dict) else None

    async def _resume(self, since: Any) -> None:
        seq = _seq(since)
        if seq is None:
            await self._error('resume needs {"since": <the last seq you hold>}')
            return
        await self._catch_up(seq)

    async def _error(self, text: str) -> None:
        self._emit(encode({"type": "error", "message": text}))
