"""The sandbox websocket: hello, snapshot, event batches, traces; resume after a reconnect."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from cluster.events import PROTOCOL_VERSION, encode, events_message
from cluster.models import Cluster
from cluster.selectors import cluster_by_watch_token, cluster_get, cluster_snapshot, events_since
from visualizer.access import owned_cluster_ids
from visualizer.actions import sandbox_actions
from visualizer.fanout import relays

log = logging.getLogger(__name__)

MAX_CLIENT_MESSAGE = 4096


@database_sync_to_async
def _resolve(scope) -> tuple[Cluster | None, str]:
    """Which sandbox this socket may watch, and as whom: 'owner', 'viewer', or nobody."""
    kwargs = scope["url_route"]["kwargs"]
    if "watch_token" in kwargs:
        return cluster_by_watch_token(token=kwargs["watch_token"]), "viewer"
    cluster = cluster_get(cluster_id=str(kwargs.get("cluster_id", "")))
    if cluster is None:
        return None, ""
    token = parse_qs(scope.get("query_string", b"").decode()).get("token", [""])[0]
    session = scope.get("session")
    owns = session is not None and str(cluster.pk) in owned_cluster_ids(session)
    if owns or (token and token == cluster.access_token):
        return cluster, "owner"
    return None, ""


@database_sync_to_async
def _snapshot(cluster: Cluster, role: str) -> str:
    message = cluster_snapshot(cluster=cluster)
    if role == "owner":
        message["actions"] = sandbox_actions(cluster)
    return encode(message)


@database_sync_to_async
def _catch_up(cluster: Cluster, since: int) -> list | None:
    return events_since(cluster=cluster, seq=since)


class SandboxConsumer(AsyncWebsocketConsumer):
    cluster: Cluster | None = None
    role = ""

    async def connect(self) -> None:
        self.ready = False
        self.backlog: list[str] = []
        self.cluster, self.role = await _resolve(self.scope)
        if self.cluster is None:
            await self.close(code=4403)
            return
        await self.accept()
        self.cluster_id = str(self.cluster.pk)
        # Join before the snapshot so nothing committed in between is lost; the client drops
        # events it already has (seq <= the snapshot's).
        await relays.join(self.cluster_id, self)
        await self.send(text_data=encode({
            "type": "hello", "protocol": PROTOCOL_VERSION, "role": self.role,
            "cluster": {"id": self.cluster_id, "name": self.cluster.name},
        }))
        await self.send(text_data=await _snapshot(self.cluster, self.role))
        await self._go_live()

    async def _go_live(self) -> None:
        self.ready = True
        backlog, self.backlog = self.backlog, []
        for text in backlog:
            await self.send(text_data=text)

    async def push(self, text: str) -> None:
        if self.ready:
            await self.send(text_data=text)
        else:
            self.backlog.append(text)

    async def disconnect(self, code: int) -> None:
        if self.cluster is not None:
            await relays.leave(self.cluster_id, self)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.cluster is None:
            return
        message = self._parse(text_data)
        if message is None:
            await self._error("messages must be JSON objects of at most 4 KiB with a \"type\"")
        elif message.get("type") == "resume":
            await self._resume(message.get("since"))
        elif message.get("type") == "ping":
            await self.send(text_data=encode({"type": "pong"}))
        else:
            await self._error(f"unknown message type {str(message.get('type'))[:40]!r}")

    @staticmethod
    def _parse(text: str | None) -> dict | None:
        if not text or len(text) > MAX_CLIENT_MESSAGE:
            return None
        try:
            message = json.loads(text)
        except ValueError:
            return None
        return message if isinstance(message, dict) else None

    async def _resume(self, since) -> None:
        if not isinstance(since, int) or isinstance(since, bool) or since < 0:
            await self._error("resume needs {\"since\": <last seq seen>}")
            return
        self.ready = False
        events = await _catch_up(self.cluster, since)
        if events is None:
            await self.send(text_data=await _snapshot(self.cluster, self.role))
        elif events:
            await self.send(text_data=encode(events_message(events)))
        await self._go_live()

    async def _error(self, text: str) -> None:
        await self.send(text_data=encode({"type": "error", "message": text}))
