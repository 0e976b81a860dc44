"""Django's HTTP handling under Daphne with one thread hand-over per request, on a kept thread.

Under ASGI, Django runs its middleware in async mode, and each sync-only step (the project's own
middleware, every MiddlewareMixin hook, process_view, the view itself) goes to a worker thread and
back through the event loop: about ten hand-overs per request, each a wake-up of the loop that
also serves every websocket of the process. Every view and middleware here is sync, so the whole
request runs in one worker thread, as under WSGI; the loop only reads the request and sends the
response (a streamed response, such as a Kubernetes watch, is still iterated on the loop).

Django also gives each request a thread of its own (a ThreadSensitiveContext with a new
one-thread executor): the loop waits for that thread to start, and another thread is started to
join it afterwards. Here a request borrows a one-thread executor kept from an earlier request
instead, so its sync steps (request_started, the view, request_finished) still run on one
thread, used by no other request meanwhile; on SQLite the thread keeps its database connection
from one request to the next (CONN_MAX_AGE in settings).
"""

from __future__ import annotations

import inspect
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase

KEEP_THREADS = 16  # idle request threads kept; more are made while more requests run at once
# asgiref takes a caller's executor from 3.11 on; before, Django's own thread per request it is.
_EXECUTOR_CONTEXT = "executor" in inspect.signature(ThreadSensitiveContext.__init__).parameters


class RequestThread(ThreadPoolExecutor):
    """One thread, for one request at a time."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="request")
        self.last: Future | None = None

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        self.last = super().submit(fn, *args, **kwargs)
        return self.last

    def idle(self) -> bool:
        # One worker runs calls in order: the last one done, all are (a request cancelled when its
        # client left may still be running its view).
        return self.last is None or self.last.done()


class RequestThreads:
    """The kept request threads (used from the event loop only)."""

    def __init__(self, keep: int = KEEP_THREADS) -> None:
        self.keep = keep
        self.free: list[RequestThread] = []

    def take(self) -> RequestThread:
        return self.free.pop() if self.free else RequestThread()

    def give_back(self, thread: RequestThread) -> None:
        if thread.idle() and len(self.free) < self.keep:
            self.free.append(thread)
        else:
            thread.shutdown(wait=False)  # it ends once its work is done


class SyncStackHandler(ASGIHandler):
    threads = RequestThreads()

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not _EXECUTOR_CONTEXT:
            await super().__call__(scope, receive, send)
            return
        thread = self.threads.take()
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            self.threads.give_back(thread)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_http_application() -> SyncStackHandler:
    """As django.core.asgi.get_asgi_application, with the one-hand-over handler."""
    django.setup(set_prefix=False)
    return SyncStackHandler()
