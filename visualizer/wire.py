"""One published message written to many Daphne websockets: framed once, sent at once.

Through ASGI, each socket's send is a coroutine (Daphne's `Server.handle_reply`) that encodes the
text, frames it (autobahn's `sendMessage`) and gives the frame to Twisted, which only writes it
on the reactor's next turn, after registering the socket for writing, one callback per socket. A
relay handing the same text to a class of 200 thus did all of that 200 times before the first
student got a byte. Here the text is framed once per message (autobahn's `prepareMessage`, made for
broadcasting), and each socket's frame goes to the kernel at once when nothing waits before it.

Only for what this knows: a plain TCP connection of Daphne's autobahn websocket protocol, without
compression, for texts SendInParts leaves whole. Anything else (another server, TLS in the
process, a frame Twisted or autobahn still holds bytes before) takes the ordinary way, so the order
of a socket's messages is always kept; the ASGI send stays the fallback of the Outbox.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from visualizer.fanout import Push
from visualizer.framing import PART_SIZE

log = logging.getLogger(__name__)

WRITE_SCOPE_KEY = "servicescope.write_now"


class DirectWrite:
    """Writes a push to one Daphne websocket: True when done, False when the ASGI send must."""

    __slots__ = ("connections", "protocol", "socket", "transport")

    def __init__(self, connections: dict, protocol: Any, transport: Any) -> None:
        self.connections, self.protocol, self.transport = connections, protocol, transport
        self.socket = transport.getHandle()

    def __call__(self, push: Push) -> bool:
        protocol = self.protocol
        if (len(push.text) > PART_SIZE or protocol.state != protocol.STATE_OPEN
                or protocol._perMessageCompress is not None):
            return False  # parts, a closing socket, a compressed one: the ASGI send's to do
        connection = self.connections.get(protocol)
        if connection is None or "disconnected" in connection:
            return False
        frame = push.frame
        if frame is None:
            frame = push.frame = protocol.factory.prepareMessage(push.text.encode()).payloadHybi
        transport = self.transport
        if (protocol.send_queue or transport._tempDataLen or len(transport.dataBuffer) > transport.offset
                or not transport.connected or transport.disconnecting or transport._writeDisconnected):
            protocol.sendData(frame)  # behind what waits: Twisted keeps the order
            return True
        try:
            sent = self.socket.send(frame)
        except OSError:  # the kernel's buffer is full, or the peer is gone: Twisted's write handles both
            sent = 0
        if sent < len(frame):
            transport.write(frame[sent:] if sent else frame)
        return True


def direct_write(send: Any) -> DirectWrite | None:
    """The direct writer of a websocket whose ASGI send is Daphne's (`partial(server.handle_reply,
    protocol)`) over autobahn and a Twisted TCP transport, else None."""
    if not (isinstance(send, functools.partial) and len(send.args) == 1 and not send.keywords):
        return None
    server, protocol = getattr(send.func, "__self__", None), send.args[0]
    transport = getattr(protocol, "transport", None)
    connections = getattr(server, "connections", None)
    try:
        plain = (isinstance(connections, dict)
                 and getattr(send.func, "__name__", "") == "handle_reply"
                 and hasattr(protocol, "_perMessageCompress")
                 and callable(getattr(getattr(protocol, "factory", None), "prepareMessage", None))
                 and callable(getattr(protocol, "sendData", None))
                 and hasattr(protocol, "send_queue")
                 and hasattr(protocol, "STATE_OPEN")
                 and all(hasattr(transport, name) for name in
                         ("getHandle", "dataBuffer", "offset", "_tempDataLen", "connected", "disconnecting",
                          "_writeDisconnected")))
        return DirectWrite(connections, protocol, transport) if plain else None
    except Exception:  # anything unexpected: the ASGI send it is
        log.debug("no direct writes for this server", exc_info=True)
        return None


class DirectWrites:
    """ASGI middleware of the websocket stack, outside SendInParts: puts `direct_write(send)` in the
    scope for the socket's Outbox."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        if scope.get("type") == "websocket":
            scope = {**scope, WRITE_SCOPE_KEY: direct_write(send)}
        return await self.app(scope, receive, send)
