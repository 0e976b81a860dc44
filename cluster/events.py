"""Publishing committed events to everyone watching a sandbox.

Each batch is encoded to JSON once, here, and sent once to the sandbox's channel-layer group.
The group's members are per-process relays (see visualizer/fanout.py), which hand the same text
to every local websocket: no per-viewer copy or encoding.

Callers publish from `transaction.on_commit`, so a viewer never sees a change that was rolled back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from channels.layers import get_channel_layer

from cluster.models import Event
from cluster.publishing import publish

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
RELAY_MESSAGE_TYPE = "relay.text"


def group_name(cluster_id: Any) -> str:
    return f"cluster.{cluster_id}"


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


def events_message(events: Iterable[Event]) -> dict[str, Any]:
    return {"type": "events", "events": [event.as_wire() for event in events]}


def last_seq(message: dict[str, Any]) -> int | None:
    """The highest seq of an `events` message; None for messages outside the log (traces)."""
    if message.get("type") != "events":
        return None
    return max((event["seq"] for event in message["events"]), default=None)


def relay_message(message: dict[str, Any]) -> dict[str, Any]:
    """The channel-layer message: the wire text, plus its last seq so that a socket can drop a
    batch it already holds (from a snapshot or a catch-up) without decoding the text."""
    return {"type": RELAY_MESSAGE_TYPE, "text": encode(message), "seq": last_seq(message)}


def broadcast(cluster_id: Any, message: dict[str, Any]) -> None:
    """Send one wire message to every viewer of the sandbox, in every process. The writer does not
    wait for the send (cluster/publishing.py): its answer goes out while the loop publishes."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        publish(layer, group_name(cluster_id), relay_message(message))
    except Exception:  # a viewer missing one batch resyncs from the log; a write must not fail
        log.exception("could not publish to sandbox %s", cluster_id)
