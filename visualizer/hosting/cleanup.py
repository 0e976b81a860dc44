"""Run `manage.py cleanup_sandboxes` every N minutes (the hosted configuration's scheduler).

A run that fails is logged and the next one comes on time; a Django without that command (an
older checkout) is said once per run, and the loop goes on.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
COMMAND = "cleanup_sandboxes"


def run_once() -> int:
    done = subprocess.run([sys.executable, "manage.py", COMMAND], cwd=ROOT, capture_output=True, text=True)
    out = (done.stdout + done.stderr).strip()
    if done.returncode != 0 and f"Unknown command: '{COMMAND}'" in out:
        print(f"cleanup: manage.py {COMMAND} is not available in this version; skipped", flush=True)
    elif done.returncode != 0:
        print(f"cleanup: manage.py {COMMAND} failed ({done.returncode}): {out[-2000:]}", flush=True)
    elif out:
        print(f"cleanup: {out[-2000:]}", flush=True)
    return done.returncode


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--every", type=float, default=10.0, help="minutes between runs")
    parser.add_argument("--once", action="store_true", help="run once and exit with its status")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visualizer.settings")
    if args.once:
        sys.exit(run_once())
    while True:
        started = time.monotonic()
        run_once()
        time.sleep(max(1.0, args.every * 60 - (time.monotonic() - started)))


if __name__ == "__main__":
    main()
