"""Big websocket messages go out in parts.

Daphne (autobahn) refuses to send a websocket message over its payload limit, 1 MiB unless the
server is started with `--websocket_max_message_size`, and closes the socket instead. The event
batch of a scale-up to 1,000 pods is about 2.4 MB, and the packed snapshot of a 10,000-pod sandbox
(cluster/snapshots.py) 1.7 MB: the page would reconnect, get the same message, and loop. So any
text over PART_SIZE characters is sent as
`{"type": "part", "n": i, "of": total, "data": "<text[i * PART_SIZE:(i + 1) * PART_SIZE]>"}`
messages, which static/js/socket.js joins back before parsing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cluster.events import encode

# Texts are JSON encoded with ensure_ascii: escaping a part in its own message at most doubles it,
# so parts stay well under the 1 MiB limit.
PART_SIZE = 256 * 1024


@lru_cache(maxsize=8)
def parts(text: str, size: int = PART_SIZE) -> tuple[str, ...]:
    """The `part` messages that carry `text`, or (text,) when it is small enough to go whole.

    Cached: the relay hands the same text to every viewer, so it is split and encoded once."""
    if len(text) <= size:
        return (text,)
    chunks = [text[i:i + size] for i in range(0, len(text), size)]
    return tuple(encode({"type": "part", "n": n, "of": len(chunks), "data": chunk}) for n, chunk in enumerate(chunks))


class SendInParts:
    """ASGI middleware for the websocket stack: splits every big outgoing text message."""

    def __init__(self, app: Any, size: int = PART_SIZE):
        self.app = app
        self.size = size

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        async def send_in_parts(message: dict) -> None:
            text = message.get("text") if message.get("type") == "websocket.send" else None
            if text is None or len(text) <= self.size:
                await send(message)
                return
            for part in parts(text, self.size):
                await send({"type": "websocket.send", "text": part})

        return await self.app(scope, receive, send_in_parts)
