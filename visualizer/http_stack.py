"""Django's HTTP handling under Daphne with one thread hand-over per request.

Under ASGI, Django runs its middleware in async mode, and each sync-only step (the project's own
middleware, every MiddlewareMixin hook, process_view, the view itself) goes to a worker thread and
back through the event loop: about ten hand-overs per request, each a wake-up of the loop that
also serves every websocket of the process. Every view and middleware here is sync, so the whole
request runs in one worker thread, as under WSGI; the loop only reads the request and sends the
response (a streamed response, such as a Kubernetes watch, is still iterated on the loop).
"""

from __future__ import annotations

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class SyncStackHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_http_application() -> SyncStackHandler:
    """As django.core.asgi.get_asgi_application, with the one-hand-over handler."""
    django.setup(set_prefix=False)
    return SyncStackHandler()
