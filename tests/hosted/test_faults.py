"""Faults in the middle of a session: one Daphne process killed, Redis restarted, PostgreSQL
restarted, each while websocket viewers on both processes and the real `kubectl get -w` watch and a
writer keeps changing the sandbox through both processes.

After each: every viewer holds every event exactly once (it resumed with ?since= or over the socket
after a gap), every acknowledged write is still there, each refused request had a clear error
(a Status with a message, not a crash page), and the site served again within seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.hosted.conftest import (
    Daphne,
    Sandbox,
    Site,
    create_service,
    resource_version,
    service_names,
    viewers_on_both,
)

BACK_WITHIN = 15.0  # seconds from the end of a fault to the first acknowledged write


@dataclass
class Writer:
    """Creates Services one after another through both processes, in a thread."""

    servers: list[Daphne]
    box: Sandbox
    prefix: str
    acked: list[str] = field(default_factory=list)
    refused: list[tuple[int, object]] = field(default_factory=list)
    unreachable: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    last_ack: float = 0.0

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            name = f"{self.prefix}-{i}"
            i += 1
            server = self.servers[i % len(self.servers)]
            try:
                status, body = create_service(server, self.box, name)
            except OSError:
                self.unreachable += 1
                time.sleep(0.05)
                continue
            if status == 201:
                self.acked.append(name)
                self.last_ack = time.monotonic()
            else:
                self.refused.append((status, body))
            time.sleep(0.05)


def kubectl_lines(process) -> tuple[list[str], str]:
    """What a `kubectl get -w -o name` printed, and its errors, after it was stopped."""
    with contextlib.suppress(Exception):
        process.kill()
    out, err = process.communicate(timeout=10)
    return [line for line in out.splitlines() if line.strip()], err


async def session_with_a_fault(site: Site, prefix: str, fault: Callable[[], None],
                               watch_server: int = 1) -> tuple[Writer, list[str], float]:
    box = site.sandbox("empty")
    viewers = await viewers_on_both(site, box, 10)
    await asyncio.gather(*(v.wait_for_seq(0) for v in viewers))
    watch = site.kubectl_popen(box, watch_server, "get", "svc", "-w", "-o", "name", "--request-timeout=0")
    writer = Writer(site.servers, box, prefix)
    thread = threading.Thread(target=writer.run)
    thread.start()
    loop = asyncio.get_running_loop()
    try:
        await asyncio.sleep(1.5)
        before = len(writer.acked)
        assert before > 0, writer.refused
        await loop.run_in_executor(None, fault)
        recovered = time.monotonic()
        deadline = recovered + BACK_WITHIN
        while len(writer.acked) <= before or writer.last_ack < recovered:
            assert time.monotonic() < deadline, f"no write acknowledged {BACK_WITHIN}s after the fault"
            await asyncio.sleep(0.1)
        back_after = writer.last_ack - recovered
        await asyncio.sleep(1.5)
    finally:
        writer.stop.set()
        await loop.run_in_executor(None, thread.join)
    # Every acknowledged write is there, through either process.
    for server in site.servers:
        names = await loop.run_in_executor(None, service_names, server, box)
        assert set(writer.acked) <= names
    last = await loop.run_in_executor(None, resource_version, site.servers[0], box)
    await asyncio.gather(*(v.wait_for_seq(last, 30) for v in viewers))
    await asyncio.sleep(0.3)
    for viewer in viewers:
        viewer.assert_whole(last)
    await asyncio.gather(*(v.stop() for v in viewers))
    # Refusals were clear: a Status naming the cause, never a 500 page.
    for status, body in writer.refused:
        assert status == 503 and isinstance(body, dict) and body.get("message"), (status, body)
    lines, _err = kubectl_lines(watch)
    return writer, lines, back_after


def assert_kubectl_saw_everything(lines: list[str], names: set[str]) -> None:
    assert len(lines) == len(set(lines)), "kubectl saw an event twice"
    assert {f"service/{n}" for n in names} <= set(lines)



async def test_one_daphne_process_killed(site: Site) -> None:
    victim = site.servers[0]

    def fault() -> None:
        victim.kill()
        time.sleep(1.0)  # the other process alone, for a moment
        victim.start()

    # kubectl watches through the process that stays up: its stream goes on.
    writer, lines, back = await session_with_a_fault(site, "kill", fault, watch_server=1)
    assert_kubectl_saw_everything(lines, set(writer.acked))
    assert back < BACK_WITHIN


async def test_kubectl_watch_on_a_killed_process_ends_and_a_new_one_sees_everything(site: Site) -> None:
    # kubectl's own behaviour: `get -w` ends (exit 0, nothing on stderr) when its stream is cut,
    # rather than hanging; run again against any process, it lists and watches from there.
    box = site.sandbox("empty")
    victim, other = site.servers
    watch = site.kubectl_popen(box, 0, "get", "svc", "-w", "-o", "name", "--request-timeout=0")
    await asyncio.sleep(1.0)
    victim.kill()
    try:
        watch.wait(timeout=20)
    finally:
        victim.start()
    for i in range(3):
        assert create_service(other, box, f"after-{i}")[0] == 201
    done = site.kubectl(box, 1, "get", "svc", "-o", "name")
    assert {f"service/after-{i}" for i in range(3)} <= set(done.stdout.split())


async def test_redis_restarted(site: Site) -> None:
    writer, lines, back = await session_with_a_fault(site, "redis", site.redis.restart)
    assert_kubectl_saw_everything(lines, set(writer.acked))
    assert back < BACK_WITHIN


async def test_postgres_restarted(site: Site) -> None:
    def fault() -> None:
        site.postgres.stop()
        time.sleep(1.0)
        site.postgres.start()

    writer, lines, back = await session_with_a_fault(site, "pg", fault)
    assert_kubectl_saw_everything(lines, set(writer.acked))
    assert back < BACK_WITHIN
