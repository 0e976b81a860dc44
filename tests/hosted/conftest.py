"""The hosted configuration for real: PostgreSQL and Redis started here, and two Daphne processes
on them, each on its own port so that a test can put clients on one or the other, stop one, or
restart either service under them.

Everything is module-scoped: a module gets a fresh database, Redis and servers, so a fault
injected by one module cannot leak into another.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cluster.kubeconfig import kubeconfig_yaml
from tests.hosted.processes import (  # noqa: F401 (the suite's modules import them from here)
    ROOT,
    Daphne,
    Postgres,
    Redis,
    free_port,
    hosted_env,
    listening,
    wait_until,
)

KUBECTL = "/usr/bin/kubectl"

_CREATE_SANDBOXES = """
import json, sys, uuid
import django
django.setup()
from cluster.services.sandboxes import cluster_create
preset, count = sys.argv[1], int(sys.argv[2])
made = [cluster_create(name=f"h-{preset}-{uuid.uuid4().hex[:10]}", preset=preset, seed=i) for i in range(count)]
print(json.dumps([{"id": str(c.pk), "name": c.name, "token": c.access_token, "watch": c.watch_token}
                  for c in made]))
"""


@dataclass
class Sandbox:
    id: str
    name: str
    token: str
    watch: str
    kubeconfigs: list[Path] = field(default_factory=list)  # one per Daphne


@dataclass
class Site:
    workdir: Path
    env: dict[str, str]
    postgres: Postgres
    redis: Redis
    servers: list[Daphne]

    def sandboxes(self, preset: str = "empty", count: int = 1) -> list[Sandbox]:
        out = subprocess.run([sys.executable, "-c", _CREATE_SANDBOXES, preset, str(count)], env=self.env, cwd=ROOT,
                             check=True, capture_output=True, text=True, timeout=120).stdout
        made = []
        for row in json.loads(out.strip().splitlines()[-1]):
            box = Sandbox(row["id"], row["name"], row["token"], row["watch"])
            for i, server in enumerate(self.servers):
                path = self.workdir / f"{box.name}-{i}.kubeconfig"
                path.write_text(kubeconfig_yaml(cluster_name=box.name, server=f"{server.base}/k8s/{box.id}",
                                                token=box.token))
                box.kubeconfigs.append(path)
            made.append(box)
        return made

    def sandbox(self, preset: str = "empty") -> Sandbox:
        return self.sandboxes(preset, 1)[0]

    def manage(self, *args: str, env: dict[str, str] | None = None, check: bool = True
               ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env or self.env,
                              capture_output=True, text=True, timeout=120, check=check)

    def kubectl(self, box: Sandbox, server: int, *args: str, check: bool = True, timeout: float = 60
                ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([KUBECTL, "--kubeconfig", str(box.kubeconfigs[server]), "--cache-dir",
                               str(self.workdir / f"kubectl-cache-{server}"), *args],
                              capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
        return done

    def kubectl_popen(self, box: Sandbox, server: int, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([KUBECTL, "--kubeconfig", str(box.kubeconfigs[server]), "--cache-dir",
                                 str(self.workdir / f"kubectl-cache-{server}"), *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    workdir = tmp_path_factory.mktemp("hosted")
    postgres = Postgres(workdir)
    redis = None
    servers: list[Daphne] = []
    try:
        redis = Redis(workdir)
        env = hosted_env(postgres.url, redis.url)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True,
                       timeout=120)
        servers = [Daphne(env, workdir / f"daphne-{i}.log") for i in range(2)]
        for server in servers:
            server.start()
        yield Site(workdir, env, postgres, redis, servers)
    finally:
        for server in servers:
            server.stop()
        if redis is not None:
            redis.stop()
        postgres.stop()
        shutil.rmtree(postgres.dir, ignore_errors=True)


# --- plain HTTP -------------------------------------------------------------------------------------


def http(method: str, url: str, body: dict | None = None, token: str = "", timeout: float = 15,
         headers: dict[str, str] | None = None) -> tuple[int, dict | str]:
    """(status, JSON body or text); connection failures raise OSError."""
    request = urllib.request.Request(
        url, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Accept": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def service(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80}]}}


def create_service(server: Daphne, box: Sandbox, name: str) -> tuple[int, dict | str]:
    return http("POST", f"{server.base}/k8s/{box.id}/api/v1/namespaces/default/services", service(name),
                token=box.token)


def service_names(server: Daphne, box: Sandbox) -> set[str]:
    status, body = http("GET", f"{server.base}/k8s/{box.id}/api/v1/namespaces/default/services", token=box.token)
    assert status == 200, body
    return {item["metadata"]["name"] for item in body["items"]}


def resource_version(server: Daphne, box: Sandbox) -> int:
    status, body = http("GET", f"{server.base}/k8s/{box.id}/api/v1/namespaces/default/services", token=box.token)
    assert status == 200, body
    return int(body["metadata"]["resourceVersion"])


# --- a websocket viewer as the page's socket.js behaves -----------------------------------------------


class Viewer:
    """Connects, applies the snapshot and every batch in seq order, resumes after a gap (over the
    socket) or a lost connection (with ?since=, on whichever server answers)."""

    def __init__(self, servers: list[Daphne], path: str, first: int) -> None:
        self.servers, self.path, self.index = servers, path, first
        self.seq: int | None = None
        self.first: int | None = None  # the seq of the first snapshot
        self.applied: list[int] = []
        self.repeated = 0
        self.reconnects = 0
        self.snapshots = 0
        self.closed_codes: list[int] = []
        self.task: asyncio.Task | None = None
        self.changed = asyncio.Event()
        self.stopping = False
        self.refused = False

    async def _connect(self):
        from websockets.asyncio.client import connect

        server = self.servers[self.index % len(self.servers)]
        query = ("&" if "?" in self.path else "?") + f"since={self.seq}" if self.seq is not None else ""
        return await connect(server.ws_url(self.path + query), origin=server.origin(), compression=None,
                             ping_interval=None, proxy=None, open_timeout=5, max_size=None)

    def _apply(self, message: dict, ws) -> bool:
        """True when the socket must be asked to resume (a gap)."""
        if message["type"] == "snapshot":
            self.snapshots += 1
            self.seq = message["seq"]
            if self.first is None:
                self.first = self.seq
            self.changed.set()
            return False
        if message["type"] != "events":
            return False
        for event in sorted(message["events"], key=lambda e: e["seq"]):
            if self.seq is not None and event["seq"] <= self.seq:
                self.repeated += 1
                continue
            if self.seq is not None and event["seq"] != self.seq + 1:
                return True
            self.seq = event["seq"]
            self.applied.append(event["seq"])
        self.changed.set()
        return False

    async def start(self) -> None:
        ws = await self._connect()
        self.task = asyncio.create_task(self._run(ws))

    async def _run(self, ws) -> None:
        from websockets.exceptions import ConnectionClosed, InvalidStatus

        parts: list[str] = []
        while not self.stopping:
            try:
                async for text in ws:
                    message = json.loads(text)
                    if message["type"] == "part":
                        parts.append(message["data"])
                        if not message.get("last"):
                            continue
                        message, parts = json.loads("".join(parts)), []
                    if self._apply(message, ws):
                        await ws.send(json.dumps({"type": "resume", "since": self.seq}))
                if ws.close_code is not None:
                    self.closed_codes.append(ws.close_code)
            except ConnectionClosed as closed:
                self.closed_codes.append(closed.rcvd.code if closed.rcvd else 1006)
            if self.stopping:
                return
            if self.closed_codes and self.closed_codes[-1] == 4403:
                self.refused = True
                return
            # Reconnect with backoff, trying the other server first.
            for attempt in range(200):
                self.index += 1
                try:
                    ws = await self._connect()
                    self.reconnects += 1
                    break
                except InvalidStatus as refused:
                    if refused.response.status_code == 403:
                        self.refused = True
                        return
                    await asyncio.sleep(min(0.1 * (attempt + 1), 0.5))
                except (TimeoutError, OSError, ConnectionClosed):
                    await asyncio.sleep(min(0.1 * (attempt + 1), 0.5))
            else:
                return
        await ws.close()

    async def wait_for_seq(self, seq: int, seconds: float = 30) -> None:
        async def reached() -> None:
            while self.seq is None or self.seq < seq:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(reached(), seconds)

    async def stop(self) -> None:
        self.stopping = True
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task

    def assert_whole(self, last: int) -> None:
        first = self.first
        assert self.snapshots == 1, f"{self.snapshots} snapshots: the log should have reached back"
        assert self.repeated == 0, f"{self.repeated} events came twice"
        assert self.applied == list(range(first + 1, last + 1)), (self.applied[:5], self.applied[-5:], first, last)


async def viewers_on_both(site: Site, box: Sandbox, count: int, watch: bool = True) -> list[Viewer]:
    path = f"/ws/watch/{box.watch}/" if watch else f"/ws/clusters/{box.id}/?token={box.token}"
    viewers = [Viewer(site.servers, path, i) for i in range(count)]
    await asyncio.gather(*(v.start() for v in viewers))
    return viewers
