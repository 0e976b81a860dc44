"""Direct writes (visualizer/wire.py) under a real Daphne, and the ASGI send where there are none:
every message arrives once, in the order it was written, whichever way it went."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from channels.testing import WebsocketCommunicator

from tests.visualizer.test_consumer_restart import ROOT, Server
from tests.visualizer.wire_app import application


@pytest.fixture
def daphne(tmp_path) -> Iterator[Server]:
    server = Server(tmp_path)
    server.daphnes = [subprocess.Popen(
        [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(server.ports[0]),
         "tests.visualizer.wire_app:application"], cwd=ROOT, env=server.env)]
    try:
        server.wait_listening()
        yield server
    finally:
        server.kill()


async def recv(ws) -> str:
    return await asyncio.wait_for(ws.recv(), 10)


async def test_direct_writes_under_daphne_keep_their_order_with_the_asgi_sends(daphne):
    async with daphne.socket("/") as ws:
        # a and c directly, b through the ASGI send between them (still in Twisted's buffer when c
        # is written), d directly after the last one; big is refused (SendInParts splits it).
        await ws.send("w:a s:b w:c w:d big s:e w:f")
        got = [await recv(ws) for _ in range(7)]
        assert got[:6] == ["a", "b", "c", "d", "e", "f"]
        assert json.loads(got[6]) == {"direct": True, "answers": [True, True, True, False, True]}
        await ws.send("w:" + "y" * 200_000)  # a frame the kernel may take in part: the rest follows
        assert await recv(ws) == "y" * 200_000
        assert json.loads(await recv(ws)) == {"direct": True, "answers": [True]}


async def test_without_daphne_there_are_no_direct_writes():
    socket = WebsocketCommunicator(application, "/")
    connected, _ = await socket.connect()
    assert connected
    await socket.send_to(text_data="w:a s:b")
    assert await socket.receive_from() == "b"
    assert json.loads(await socket.receive_from()) == {"direct": False, "answers": []}
    await socket.disconnect()
