"""For benchmarks/fanout.py only (never routed in the real app): the fan-out without the write.

Viewers get the real thing: `visualizer.routing.websocket_urlpatterns` (SandboxConsumer and its
Relay) behind the same stack as visualizer/asgi.py (SendInParts, origin validator, sessions,
URLRouter). Two benchmark-only paths are added inside that stack:

- `bench/publish/<cluster_id>/`, the control socket. `{"template": text}` stores an `events`
  message (the benchmark sends one captured from a real readiness flip); each `{"round": k}` then
  publishes it exactly as `cluster.events.broadcast` does, `group_send(group_name(id),
  relay_message(message))`, awaited here instead of through async_to_sync. Its seqs are restamped
  above any real one, so that every round is new to every socket.
- `bench/stock/<watch_token>/`, the stock Channels watch socket of benchmarks/stock_asgi.py (one
  group member per socket), for comparison. Serve it from its own process and sandbox: its
  members would otherwise share the group with the relay's.

HTTP is the real app. Run with Daphne: `benchmarks.publish_asgi:application`.
"""

import json
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visualizer.settings")
django_asgi_app = get_asgi_application()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402
from django.urls import path  # noqa: E402

from benchmarks.fanout import restamp  # noqa: E402
from benchmarks.stock_asgi import StockWatchConsumer  # noqa: E402
from cluster.events import group_name, relay_message  # noqa: E402
from visualizer.framing import SendInParts  # noqa: E402
from visualizer.routing import websocket_urlpatterns  # noqa: E402


class PublishControlConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = None  # publishes only: no channel, no pending receive

    async def connect(self) -> None:
        self.group = group_name(self.scope["url_route"]["kwargs"]["cluster_id"])
        self.layer = get_channel_layer()
        self.template: dict | None = None
        self.next: dict | None = None
        self.count = 0
        await self.accept()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        request = json.loads(text_data)
        if "template" in request:
            self.template = json.loads(request["template"])
            self.next = restamp(self.template, self.count)
            return
        # The timed path: what broadcast(cluster_id, message) does, minus async_to_sync.
        await self.layer.group_send(self.group, relay_message(self.next))
        self.count += 1
        self.next = restamp(self.template, self.count)  # ready for the next round


application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": SendInParts(AllowedHostsOriginValidator(SessionMiddlewareStack(URLRouter([
        *websocket_urlpatterns,
        path("bench/publish/<uuid:cluster_id>/", PublishControlConsumer.as_asgi()),
        path("bench/stock/<str:watch_token>/", StockWatchConsumer.as_asgi()),
    ])))),
})
