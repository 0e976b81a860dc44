"""For benchmarks/fanout.py only: the app with stock Channels fan-out, for comparison.

HTTP is the real app (so the change is the same real write); the watch socket is what Channels
does out of the box: every socket joins the sandbox's group itself and gets its own copy of
each message from the layer. Run with Daphne: `benchmarks.stock_asgi:application`.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visualizer.settings")
django_asgi_app = get_asgi_application()

from channels.db import database_sync_to_async  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from cluster.events import group_name  # noqa: E402
from cluster.selectors import cluster_by_watch_token  # noqa: E402


class StockWatchConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        token = self.scope["url_route"]["kwargs"]["watch_token"]
        cluster = await database_sync_to_async(cluster_by_watch_token)(token=token)
        if cluster is None:
            await self.close()
            return
        self.group = group_name(cluster.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def relay_text(self, event: dict) -> None:
        await self.send(text_data=event["text"])


application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": URLRouter([path("ws/watch/<str:watch_token>/", StockWatchConsumer.as_asgi())]),
})
