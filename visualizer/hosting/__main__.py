"""Serve the hosted configuration on this machine: `python -m visualizer.hosting`.

Migrates the database, writes a supervisord configuration (supervisord.conf.in beside this file)
and replaces itself with supervisord, which runs WORKERS Daphne processes on one shared listening
socket and the idle-sandbox cleanup every CLEANUP_MINUTES. Needs DATABASE_URL (PostgreSQL) and
REDIS_URL: the processes share nothing else. Stop it with Ctrl+C or SIGTERM.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        sys.exit(f"{name} must be a whole number from {low} to {high}, not {raw!r}")
    return int(raw)


def configuration(rundir: Path) -> str:
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"{name} is not set: the hosted configuration needs PostgreSQL and Redis "
                     "(run line 1 of README.md for the one-process laptop setup)")
    return (HERE / "supervisord.conf.in").read_text().format(
        rundir=rundir, root=ROOT, python=sys.executable,
        bind=os.environ.get("BIND", "127.0.0.1"),
        port=_int("PORT", 8000, 1, 65535),
        workers=_int("WORKERS", 2, 1, 64),
        cleanup_minutes=_int("CLEANUP_MINUTES", 10, 1, 24 * 60),
        verbosity=_int("DAPHNE_VERBOSITY", 1, 0, 3),
    )


def main() -> None:
    rundir = Path(os.environ.get("RUN_DIR") or tempfile.mkdtemp(prefix="servicescope-"))
    rundir.mkdir(parents=True, exist_ok=True)
    conf = rundir / "supervisord.conf"
    conf.write_text(configuration(rundir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visualizer.settings")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True)
    supervisord = Path(sys.executable).with_name("supervisord")
    os.execv(supervisord, [str(supervisord), "-c", str(conf)])


if __name__ == "__main__":
    main()
