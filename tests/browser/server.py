"""The real server for browser tests and benchmarks: Daphne in a child process on a fresh SQLite file."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Sandbox:
    """What `manage.py createcluster` prints."""

    owner_url: str  # with ?token=: opening it once makes the browser the owner
    watch_url: str
    token: str

    @property
    def path(self) -> str:
        """`/clusters/<id>/`: the page, without host and token."""
        return urllib.parse.urlsplit(self.owner_url).path


# Headless Chromium as root, with nothing reaching out to the network (closed here).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


class DaphneServer:
    """`python -m daphne visualizer.asgi:application` on 127.0.0.1 and a throwaway database."""

    def __init__(self, workdir: Path, port: int | None = None):
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.db = Path("/tmp") / f"servicescope-browser-{uuid.uuid4().hex[:12]}.sqlite3"
        self.log = self.workdir / f"daphne-{self.port}.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
            "DATABASE_URL": f"sqlite:///{self.db}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "visualizer.settings",
        }
        self.process: subprocess.Popen | None = None
        self._migrated = False

    def manage(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def start(self, timeout: float = 30) -> None:
        if not self._migrated:
            self.manage("migrate", "--verbosity", "0")
            self._migrated = True
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(self.port),
                 "visualizer.asgi:application"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self._listening():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Daphne did not come up on {self.port}:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.05)

    def _listening(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        self.stop()
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)

    def create_sandbox(self, name: str, preset: str = "kubia", *options: str, timeout: float = 120) -> Sandbox:
        """`options`: more createcluster arguments (e.g. "--nodes", "100", "--pods", "10000")."""
        out = self.manage("createcluster", name, "--preset", preset, *options, "--base-url", self.base_url,
                          timeout=timeout)
        owner = re.search(r"^(http\S+/clusters/\S+\?token=\S+)$", out.strip().splitlines()[-1])
        watch = re.search(r"Watch link:\s+(\S+)", out)
        token = re.search(r"Access token:\s+(\S+)", out)
        if not (owner and watch and token):
            raise RuntimeError(f"unexpected createcluster output:\n{out}")
        return Sandbox(owner_url=owner[1], watch_url=watch[1], token=token[1])

    def post_as_owner(self, path: str, token: str, fields: dict[str, str] | None = None) -> dict:
        """A form/action POST with the access token (as a script would: no session, no CSRF)."""
        body = urllib.parse.urlencode(fields or {}).encode()
        request = urllib.request.Request(
            self.base_url + path, data=body, method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"})
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
        with direct.open(request, timeout=10) as response:
            return json.loads(response.read())
