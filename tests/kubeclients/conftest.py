"""The real Daphne on a file SQLite database, sandboxes in it, and the real clients pointed at them.

These tests use no pytest-django database: the server owns its own database, migrated and
filled through `manage.py` and the cluster's service functions in subprocesses.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cluster.kubeconfig import kubeconfig_yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = Path(__file__).resolve().parent / "manifests"
KUBECTL = "/usr/bin/kubectl"

# Creates sandboxes in one Django start-up; prints their ids, names and tokens as JSON.
_CREATE_SANDBOXES = """
import json, sys, uuid
import django
django.setup()
from cluster.services.sandboxes import cluster_create
preset, count = sys.argv[1], int(sys.argv[2])
made = [cluster_create(name=f"kt-{preset}-{uuid.uuid4().hex[:10]}", preset=preset, seed=i) for i in range(count)]
print(json.dumps([{"id": str(c.pk), "name": c.name, "token": c.access_token} for c in made]))
"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "kubeclients: runs the real kubectl / Python client against Daphne")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.kubeclients)


@dataclass
class Sandbox:
    id: str
    name: str
    token: str
    server: str  # the server root: http://127.0.0.1:<port>/k8s/<id>
    kubeconfig: Path


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    workdir: Path
    cache_dir: Path
    pool: dict[str, list[Sandbox]] = field(default_factory=dict)

    def sandbox(self, preset: str = "empty") -> Sandbox:
        """A sandbox no other test has used; made in batches to pay Django's start-up once."""
        stock = self.pool.setdefault(preset, [])
        if not stock:
            out = subprocess.run(
                [sys.executable, "-c", _CREATE_SANDBOXES, preset, "6"],
                env=self.env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            for made in json.loads(out.strip().splitlines()[-1]):
                server = f"{self.base_url}/k8s/{made['id']}"
                path = self.workdir / f"{made['name']}.kubeconfig"
                path.write_text(
                    kubeconfig_yaml(cluster_name=made["name"], server=server, token=made["token"])
                )
                stock.append(Sandbox(made["id"], made["name"], made["token"], server, path))
        return stock.pop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited early:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"daphne did not listen on {port} within {timeout}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not Path(KUBECTL).exists():
        pytest.fail("the real kubectl is needed at /usr/bin/kubectl")
    workdir = tmp_path_factory.mktemp("kubeclients")
    database = workdir / f"{uuid.uuid4().hex}.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "visualizer.settings",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    port = _free_port()
    log = workdir / "daphne.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "visualizer.asgi:application",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, process, log)
        cache_dir = workdir / "kubectl-cache"  # kubectl caches discovery per host:port: keep it per run
        yield Server(f"http://127.0.0.1:{port}", env, workdir, cache_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def sandbox(server: Server) -> Sandbox:
    return server.sandbox("empty")


@pytest.fixture
def kubia(server: Server) -> Sandbox:
    """The book's chapter-5 sandbox: 3 nodes, ReplicaSet kubia (3 pods) and its three Services."""
    return server.sandbox("kubia")


def kubectl_command(server: Server, box: Sandbox, *args: str) -> list[str]:
    return [KUBECTL, "--kubeconfig", str(box.kubeconfig), "--cache-dir", str(server.cache_dir), *args]


@dataclass
class Kubectl:
    server: Server
    box: Sandbox

    def __call__(
        self, *args: str, input: str | None = None, check: bool = True, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            kubectl_command(self.server, self.box, *args),
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result

    def out(self, *args: str) -> str:
        return self(*args).stdout

    def json(self, *args: str) -> dict:
        return json.loads(self.out(*args, "-o", "json"))

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            kubectl_command(self.server, self.box, *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


@pytest.fixture
def kubectl(server: Server, sandbox: Sandbox) -> Kubectl:
    """kubectl against a fresh `empty` sandbox."""
    return Kubectl(server, sandbox)


@pytest.fixture
def kubectl_kubia(server: Server, kubia: Sandbox) -> Kubectl:
    return Kubectl(server, kubia)


def rows(output: str) -> list[list[str]]:
    """kubectl's table output split into cells (no cell in these tests contains a space)."""
    return [line.split() for line in output.strip().splitlines()]
