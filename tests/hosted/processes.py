"""The processes of the hosted site, started for tests and benchmarks: a throwaway PostgreSQL and
redis-server on loopback, and Daphne processes on them."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(check, what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.05)


class Postgres:
    """A throwaway PostgreSQL 15 cluster on loopback, run as the postgres user."""

    def __init__(self, workdir: Path) -> None:
        if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
            pytest.fail("PostgreSQL 15 is needed: apt-get install postgresql")
        self.dir = Path(tempfile.mkdtemp(prefix="servicescope-pg-"))  # outside root-only pytest dirs
        shutil.chown(self.dir, "postgres")
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/servicescope"
        self._as_postgres(PG_BIN / "initdb", "-D", self.dir / "db", "-A", "trust", "-U", "postgres")
        self.start()
        self._as_postgres(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "servicescope")

    def _as_postgres(self, *args) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *map(str, args)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)

    def start(self) -> None:
        # -l: the server must not inherit our pipes, or waiting for pg_ctl would never end.
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.dir / "db", "-l", self.dir / "server.log", "-o",
                          f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=300",
                          "-w", "start")

    def stop(self) -> None:
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.dir / "db", "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_database(self, name: str) -> str:
        """A new, empty database on this server; its DATABASE_URL."""
        self._as_postgres(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", name)
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def size(self) -> int:
        out = subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p",
                              str(self.port), "-U", "postgres", "-At", "-c",
                              "select pg_database_size('servicescope')"],
                             capture_output=True, text=True, check=True).stdout
        return int(out.strip())


class Redis:
    def __init__(self, workdir: Path) -> None:
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is needed: apt-get install redis-server")
        self.dir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.pidfile = workdir / "redis.pid"
        self.start()

    def start(self) -> None:
        subprocess.run(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--daemonize", "yes",
                        "--pidfile", str(self.pidfile), "--save", "", "--appendonly", "no",
                        "--logfile", str(self.dir / "redis.log")], check=True, timeout=30)
        wait_until(lambda: listening(self.port), "redis-server did not listen")

    def stop(self) -> None:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
            pid = int(self.pidfile.read_text())
            os.kill(pid, 15)
            wait_until(lambda: not _alive(pid), "redis-server did not stop", 10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def fresh_url(self) -> str:
        """The URL of one of Redis's numbered databases, emptied: a site of its own beside the others."""
        self.used = getattr(self, "used", 0) % 15 + 1
        subprocess.run(["redis-cli", "-p", str(self.port), "-n", str(self.used), "flushdb"], check=True, timeout=30,
                       stdout=subprocess.DEVNULL)
        return f"redis://127.0.0.1:{self.port}/{self.used}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Daphne:
    """One Daphne process of the hosted site, on its own port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(self.port),
                 # as visualizer/hosting runs it: a handshake may wait its turn under load
                 "--websocket_connect_timeout", "30", "visualizer.asgi:application"], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not listening(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"Daphne did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def origin(self) -> str:
        return self.base


def hosted_env(database_url: str, redis_url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "DJANGO_SETTINGS_MODULE": "visualizer.settings", "PYTHONPATH": str(ROOT)}
    # Nothing of this test run's own settings: the browser tests' conftest, when collected, lets
    # Django run sync code in async contexts, which the hosted site never does.
    for name in ("HTTPS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return env


class Backing:
    """PostgreSQL and Redis for suites that run again in the hosted configuration (`pytest --hosted`):
    started once per run; each server fixture takes a database of its own and an emptied Redis."""

    def __init__(self, workdir: Path) -> None:
        self.postgres = Postgres(workdir)
        try:
            self.redis = Redis(workdir)
        except BaseException:
            self.close()
            raise

    def fresh_env(self) -> dict[str, str]:
        """The environment of a new site: a migrated database and a Redis database no one else uses."""
        env = hosted_env(self.postgres.create_database(f"site_{uuid.uuid4().hex[:12]}"), self.redis.fresh_url())
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True,
                       timeout=120)
        return env

    def close(self) -> None:
        if getattr(self, "redis", None) is not None:
            self.redis.stop()
        self.postgres.stop()
        shutil.rmtree(self.postgres.dir, ignore_errors=True)
