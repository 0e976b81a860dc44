"""`kubectl get -w`: a change made meanwhile by another kubectl appears as a new row."""

from __future__ import annotations

import queue
import subprocess
import threading
import time

from tests.kubeclients.conftest import MANIFESTS, Kubectl


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def wait_for(lines: queue.Queue[str], predicate, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.05, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if predicate(line):
            return line
    raise AssertionError(f"no matching line within {timeout}s; saw {seen!r}")


def test_get_svc_watch_prints_a_change_made_meanwhile(kubectl: Kubectl):
    watcher = kubectl.popen("get", "svc", "-w")
    try:
        lines = _lines(watcher)
        wait_for(lines, lambda line: line.startswith("NAME"))
        wait_for(lines, lambda line: line.startswith("kubernetes "))
        kubectl("apply", "-f", str(MANIFESTS / "kubia-svc-nodeport.yaml"))
        row = wait_for(lines, lambda line: line.startswith("kubia-nodeport "))
        assert row.split()[1:5:3] == ["NodePort", "80:30123/TCP"]
        kubectl("delete", "svc", "kubia-nodeport")
        wait_for(lines, lambda line: line.startswith("kubia-nodeport "))  # DELETED carries the last state
    finally:
        watcher.kill()
        watcher.wait()


def test_get_pods_watch_with_a_label_selector_sees_a_scale_up(kubectl_kubia: Kubectl):
    before = {p["metadata"]["name"] for p in kubectl_kubia.json("get", "pods")["items"]}
    watcher = kubectl_kubia.popen("get", "pods", "-l", "app=kubia", "-w", "--no-headers")
    try:
        lines = _lines(watcher)
        for _ in before:
            wait_for(lines, lambda line: line.split()[0] in before)
        kubectl_kubia("scale", "rs", "kubia", "--replicas=4")
        row = wait_for(lines, lambda line: line.split()[0] not in before)
        assert row.split()[0].startswith("kubia-")
    finally:
        watcher.kill()
        watcher.wait()
