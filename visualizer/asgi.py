"""ASGI entry point: Django is set up before any consumer is imported."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visualizer.settings")

from visualizer.http_stack import get_http_application

django_asgi_app = get_http_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402

from visualizer.framing import SendInParts  # noqa: E402
from visualizer.outbox import ServerBacklog  # noqa: E402
from visualizer.routing import websocket_urlpatterns  # noqa: E402
from visualizer.wire import DirectWrites  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # SendInParts: a big snapshot or event batch goes out in parts (visualizer/framing.py).
        # ServerBacklog: each socket's Outbox can see what the server holds unsent (visualizer/outbox.py).
        # DirectWrites: a relay's message is framed once and written to each socket at once (visualizer/wire.py).
        "websocket": ServerBacklog(DirectWrites(SendInParts(
            AllowedHostsOriginValidator(SessionMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ))),
    }
)
