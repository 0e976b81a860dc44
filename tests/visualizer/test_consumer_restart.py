"""A viewer resumes after the server restarts: real Daphne, a SQLite file, the `websockets` client.

Daphne is killed while a viewer watches, the sandbox changes meanwhile (through the service
function, from `manage.py shell`), Daphne starts again, and the viewer reconnects and resumes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from cluster.snapshots import snapshot_objects
from tests.hosted.processes import Backing

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One sandbox in a SQLite file, served by a Daphne child process that can be killed; or, with
    the hosted backing (`pytest --hosted`), in PostgreSQL with Redis, served by two Daphne processes
    that are started and killed together while `port` alternates between them."""

    def __init__(self, workdir: Path, backing: Backing | None = None) -> None:
        if backing is None:
            self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
                        "DJANGO_SETTINGS_MODULE": "visualizer.settings"}
            self.env.pop("REDIS_URL", None)
        else:
            self.env = backing.fresh_env()
        self.ports = [free_port() for _ in range(1 if backing is None else 2)]
        self.turn = itertools.count()
        self.daphnes: list[subprocess.Popen] = []

    @property
    def port(self) -> int:
        """The port to use next: each call the next process, so that clients are split over all."""
        return self.ports[next(self.turn) % len(self.ports)]

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=60, check=True)
        return done.stdout

    def start(self) -> None:
        self.daphnes = [subprocess.Popen(
            [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port),
             "visualizer.asgi:application"], cwd=ROOT, env=self.env) for port in self.ports]
        self.wait_listening()

    def wait_listening(self) -> None:
        deadline = time.monotonic() + 20
        while not all(map(self._listening, self.ports)):
            if time.monotonic() > deadline or any(daphne.poll() is not None for daphne in self.daphnes):
                raise RuntimeError("Daphne did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        for daphne in self.daphnes:
            if daphne.poll() is None:
                daphne.kill()
                daphne.wait(timeout=10)
        self.daphnes = []

    @staticmethod
    def _listening(port: int) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    def socket(self, path: str):
        port = self.port
        return connect(f"ws://127.0.0.1:{port}{path}", origin=f"http://127.0.0.1:{port}",
                       compression=None, ping_interval=None, proxy=None, open_timeout=10)


@pytest.fixture
def server(tmp_path, hosted_backing: Backing | None) -> Iterator[Server]:
    server = Server(tmp_path, hosted_backing)
    server.manage("migrate", "-v", "0")
    server.watch_token = re.search(r"/watch/([^/]+)/", server.manage(  # type: ignore[attr-defined]
        "createcluster", "demo", "--preset", "kubia", "--seed", "1")).group(1)
    try:
        yield server
    finally:
        server.kill()


async def receive(ws: ClientConnection) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=10))


def seqs(message: dict) -> list[int]:
    return [event["seq"] for event in message["events"]]


FLIP_TWICE = """
from cluster.models import Cluster
from cluster.services.workloads import pod_set_ready
cluster = Cluster.objects.get(name="demo")
pod_set_ready(cluster=cluster, namespace="{namespace}", name="{name}", ready=False)
pod_set_ready(cluster=cluster, namespace="{namespace}", name="{name}", ready=True)
"""


async def test_a_viewer_resumes_after_a_restart_without_losing_or_repeating(server: Server) -> None:
    path = f"/ws/watch/{server.watch_token}/"  # type: ignore[attr-defined]
    server.start()
    async with server.socket(path) as ws:
        assert (await receive(ws))["type"] == "hello"
        snapshot = await receive(ws)
        seen, pod = snapshot["seq"], snapshot_objects(snapshot)["Pod"][0]["metadata"]
        server.kill()
        with pytest.raises(ConnectionClosed):
            await receive(ws)

    server.manage("shell", "-c", FLIP_TWICE.format(namespace=pod["namespace"], name=pod["name"]))  # two writes while nobody serves
    server.start()

    # As the page's socket.js does today: reconnect, then ask for what it missed.
    async with server.socket(path) as ws:
        assert (await receive(ws))["type"] == "hello"
        now = (await receive(ws))["seq"]
        await ws.send(json.dumps({"type": "resume", "since": seen}))
        missed = await receive(ws)
    assert missed["type"] == "events"
    assert now > seen + 2 and seqs(missed) == list(range(seen + 1, now + 1))
    assert {e["kind"] for e in missed["events"]} >= {"Pod", "EndpointSlice"}

    # With the seq in the URL the snapshot is skipped: hello, then exactly the missed events.
    async with server.socket(f"{path}?since={seen}") as ws:
        assert (await receive(ws))["type"] == "hello"
        assert await receive(ws) == missed
