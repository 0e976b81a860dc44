"""The real Daphne on a file SQLite database, sandboxes in it, and the real clients pointed at them.

These tests use no pytest-django database: the server owns its own database, migrated and
filled through `manage.py` and the cluster's service functions in subprocesses.
"""

from __future__ import annotations

import itertools
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
from tests.hosted.processes import Backing

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
    # Hosted (`pytest --hosted`): the same sandbox's kubeconfig for each Daphne process, taken in
    # turn by kubectl calls, so that a watch and the writes it shows go through different processes.
    kubeconfigs: tuple[Path, ...] = ()
    turn: Iterator[int] = field(default_factory=itertools.count)

    def next_kubeconfig(self) -> Path:
        return self.kubeconfigs[next(self.turn) % len(self.kubeconfigs)] if self.kubeconfigs else self.kubeconfig


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    workdir: Path
    cache_dir: Path
    pool: dict[str, list[Sandbox]] = field(default_factory=dict)
    # Hosted: every Daphne process's root; sandboxes are handed out on each in turn.
    base_urls: tuple[str, ...] = ()
    made: int = 0

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
                stock.append(self._sandbox(made))
        return stock.pop()

    def _sandbox(self, made: dict[str, str]) -> Sandbox:
        bases = self.base_urls or (self.base_url,)
        self.made += 1
        kubeconfigs = []
        for i in range(len(bases)):
            base = bases[(self.made + i) % len(bases)]  # the sandbox's own process first
            path = self.workdir / f"{made['name']}-{i}.kubeconfig"
            path.write_text(kubeconfig_yaml(cluster_name=made["name"], server=f"{base}/k8s/{made['id']}",
                                            token=made["token"]))
            kubeconfigs.append(path)
        server = f"{bases[self.made % len(bases)]}/k8s/{made['id']}"
        return Sandbox(made["id"], made["name"], made["token"], server, kubeconfigs[0],
                       tuple(kubeconfigs) if self.base_urls else ())


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


def _daphne(env: dict[str, str], workdir: Path, name: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    log = workdir / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "visualizer.asgi:application"],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, process, log)
    except BaseException:
        process.kill()
        raise
    return process, port


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, hosted_backing: Backing | None) -> Iterator[Server]:
    """One Daphne on a SQLite file; with --hosted, two on PostgreSQL and Redis."""
    if not Path(KUBECTL).exists():
        pytest.fail("the real kubectl is needed at /usr/bin/kubectl")
    workdir = tmp_path_factory.mktemp("kubeclients")
    if hosted_backing is None:
        database = workdir / f"{uuid.uuid4().hex}.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{database}",
            "DJANGO_SETTINGS_MODULE": "visualizer.settings",
            "PYTHONPATH": str(ROOT),
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    else:
        env = hosted_backing.fresh_env()
    processes: list[tuple[subprocess.Popen, int]] = []
    try:
        for i in range(1 if hosted_backing is None else 2):
            processes.append(_daphne(env, workdir, f"daphne-{i}"))
        bases = tuple(f"http://127.0.0.1:{port}" for _process, port in processes)
        cache_dir = workdir / "kubectl-cache"  # kubectl caches discovery per host:port: keep it per run
        yield Server(bases[0], env, workdir, cache_dir, base_urls=bases if hosted_backing is not None else ())
    finally:
        for process, _port in processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    for i in range(len(processes) if hosted_backing is not None else 0):
        # Daphne's access log (its output at the default verbosity): each process had its share.
        assert "/k8s/" in (workdir / f"daphne-{i}.log").read_text(), f"daphne-{i} served no Kubernetes API request"


@pytest.fixture
def sandbox(server: Server) -> Sandbox:
    return server.sandbox("empty")


@pytest.fixture
def kubia(server: Server) -> Sandbox:
    """The book's chapter-5 sandbox: 3 nodes, ReplicaSet kubia (3 pods) and its three Services."""
    return server.sandbox("kubia")


def kubectl_command(server: Server, box: Sandbox, *args: str) -> list[str]:
    return [KUBECTL, "--kubeconfig", str(box.next_kubeconfig()), "--cache-dir", str(server.cache_dir), *args]


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
