"""ASGI entry point: Django is set up before any consumer is imported."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visualizer.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402

from visualizer.framing import SendInParts  # noqa: E402
from visualizer.outbox import ServerBacklog  # noqa: E402
from visualizer.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # SendInParts: a big snapshot or event batch goes out in parts (visualizer/framing.py).
        # ServerBacklog: each socket's Outbox can see what the server holds unsent (visualizer/outbox.py).
        "websocket": ServerBacklog(SendInParts(
            AllowedHostsOriginValidator(SessionMiddlewareStack(URLRouter(websocket_urlpatterns)))
        )),
    }
)
