"""Django's HTTP handling under ASGI (visualizer/http_stack.py): a request's sync steps run on one
thread kept between requests, lent to one request at a time."""

from __future__ import annotations

import threading

import pytest
from asgiref.testing import ApplicationCommunicator

from visualizer.http_stack import RequestThread, RequestThreads, get_http_application


async def get(app, path: str) -> int:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 4000),
             "server": ("testserver", 80)}
    request = ApplicationCommunicator(app, scope)
    await request.send_input({"type": "http.request", "body": b""})
    start = await request.receive_output(10)
    while (await request.receive_output(10)).get("more_body"):
        pass
    await request.wait(10)
    return start["status"]


@pytest.mark.django_db(transaction=True)
async def test_requests_borrow_one_kept_thread_in_turn():
    app = get_http_application()
    app.threads = RequestThreads(keep=2)
    assert await get(app, "/") == 200
    assert len(app.threads.free) == 1
    kept = app.threads.free[0]
    assert await get(app, "/lessons/") == 200
    assert app.threads.free == [kept] and kept.idle()  # the same thread again, not a new one


def test_a_thread_still_busy_is_not_lent_again():
    threads, release = RequestThreads(keep=2), threading.Event()
    busy = threads.take()
    running = busy.submit(release.wait, 10)  # a view still running after its client left
    threads.give_back(busy)
    assert threads.free == [] and busy._shutdown
    release.set()
    running.result(10)
    idle = RequestThread()
    idle.submit(int).result(10)
    threads.give_back(idle)
    assert threads.free == [idle] and threads.take() is idle


def test_no_more_than_the_kept_number_stay():
    threads = RequestThreads(keep=1)
    first, second = threads.take(), threads.take()
    threads.give_back(first)
    threads.give_back(second)
    assert threads.free == [first] and second._shutdown
    first.shutdown()
