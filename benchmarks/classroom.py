"""Classroom fan-out: from the teacher's step to the last of N students, against a bare `websockets`
broadcast of the same bytes, in the same run.

Run: .venv/bin/python benchmarks/classroom.py [--students 1,200] [--rounds 20] [--warmup 3] [--no-redis]

Method (the pattern of benchmarks/fanout.py):
- servers: A, a bare `websockets` server (benchmarks/fanout.py's `bare-server`) whose control message
  `{"text": ...}` makes it `broadcast()` that text to every subscriber; B-inmem, the app under
  Daphne (`-v 0`) with the in-memory layer; B-redis, the same with the Redis layer when
  redis-server is installed (a throwaway one is started) or REDIS_URL is set. Each Daphne serves
  its own class (POST /api/classes/) on one throwaway SQLite file, with one 7-hop request sent
  through the traces API with the teacher token. Every server runs under `timeout`, stopped by pid.
- clients: this process (asyncio, `websockets`, compression and pings off), N students per server
  (`/ws/classes/<code>/?name=…&sandbox=0`: the class stream; for A, `/ws`), at most 50 handshakes
  in flight, then 1 s of quiet.
- a B round is a real step: t0, then the teacher's HTTP POST /api/classes/<code>/step/ (keep-alive,
  Bearer teacher token; the hop cycles through 0..6), until the `step` message with the round's seq
  reaches each student; an A round is t0, then the control message carrying the same bytes (a
  `step` message of the same length, the round number as its seq), until it reaches each student.
- per N: warm-up rounds, then measured ones; each round triggers every target, 50 ms apart, in an
  order rotated every round. Per round: last = max(t_i - t0), p50 = median(t_i - t0); the table gives
  medians (and the p95 of last) over the rounds, and for Daphne the POST's own round-trip.
- ratio = B / A of the median last-student latency, end to end: B's includes the step itself
  (HTTP, the view, the class row lock, the message log, the SQLite commit), which A does not do.
  The fan-out ratio compares only what N students add over one: (last(N) - last(1)) of B over A's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

from websockets.asyncio.client import ClientConnection

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.fanout import (
    RELAY_APP,
    HttpConnection,
    Servers,
    Target,
    measure,
    print_table,
    summary,
    ws_connect,
)

STEP_MARKER = '{"type":"step","seq":'
HOPS = 7
HANDSHAKES_IN_FLIGHT = 50


# --- the class of each Daphne --------------------------------------------------------------------------


@dataclass
class Lesson:
    code: str
    token: str
    trace: int
    seq: int  # the class's last message seq


def http(port: int, path: str, body: dict | None = None, token: str = "") -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method="POST" if body is not None else "GET",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=60) as response:
        return json.loads(response.read())


def start_class(port: int) -> Lesson:
    """A class on a new kubia sandbox, and a request of 7 hops sent to it (a pod to a NodePort)."""
    created = http(port, "/api/classes/", {})
    token = created["teacher_token"]
    snapshot = http(port, f"/api/clusters/{created['sandbox']}/", token=token)
    pod = next(p["metadata"]["name"] for p in snapshot["objects"]["Pod"])
    for _ in range(40):
        trace = http(port, f"/api/clusters/{created['sandbox']}/traces/",
                     {"source": f"pod/default/{pod}", "destination": "10.0.0.11:30123"}, token=token)["traces"][0]
        if len(trace["hops"]) == HOPS:
            break
    else:
        raise RuntimeError("no request of 7 hops")
    seq = http(port, f"/api/classes/{created['code']}/", token=token)["state"]["seq"]
    return Lesson(created["code"], token, trace["id"], seq)


# --- which round a message belongs to -----------------------------------------------------------------


def step_seq(text: str) -> int | None:
    if not text.startswith(STEP_MARKER):
        return None
    end = text.index(",", len(STEP_MARKER))
    return int(text[len(STEP_MARKER):end])


class StepTarget(Target):
    """Times the `step` message carrying the round's seq (`expect`), not just any step."""

    expect: int | None = None

    def timed(self, message: str) -> bool:
        return step_seq(message) == self.expect


def class_trigger(target: Target, http_conn: HttpConnection, lesson: Lesson):
    async def trigger(round_id: int) -> None:
        lesson.seq += 1
        target.expect = lesson.seq
        body = json.dumps({"trace": lesson.trace, "hop": round_id % HOPS})
        start = perf_counter()
        status = await http_conn.post(f"/api/classes/{lesson.code}/step/", body, lesson.token,
                                     "application/json")
        target.post_seconds = perf_counter() - start
        if status != 200:
            raise RuntimeError(f"{target.name}: the step POST answered {status}")

    return trigger


def bare_trigger(target: Target, control: ClientConnection, lesson: Lesson):
    """The same bytes as the class's step of this round: a step message of the same shape."""

    async def trigger(round_id: int) -> None:
        target.expect = 10_000_000 + round_id
        text = json.dumps({"type": "step", "seq": target.expect, "trace": lesson.trace, "hop": round_id % HOPS},
                          separators=(",", ":"))
        await control.send(json.dumps({"text": text}))

    return trigger


# --- the run -----------------------------------------------------------------------------------------


async def bench(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="classroom-bench-"))
    servers = Servers(workdir)
    https: list[HttpConnection] = []
    controls: list[ClientConnection] = []
    try:
        servers.manage("migrate", "-v", "0")
        port = servers.bare()
        bare = StepTarget("A ws", port, "/ws", STEP_MARKER)
        targets = [bare]
        layers = [("B-inmem", "")]
        redis_url = "" if args.no_redis else servers.redis()
        if redis_url:
            layers.append(("B-redis", redis_url))
        for name, url in layers:
            daphne_port = servers.daphne(RELAY_APP, url)
            targets.append(StepTarget(name, daphne_port, "", STEP_MARKER, greeting=2))  # hello, the class
            https.append(HttpConnection(daphne_port))
        control = await ws_connect(f"ws://127.0.0.1:{bare.port}/ctl", bare.port)
        controls.append(control)

        async def new_classes() -> None:
            """A fresh class on each Daphne for each N (a class holds at most 200 students)."""
            lessons = []
            for target, conn in zip(targets[1:], https, strict=True):
                lesson = await asyncio.get_running_loop().run_in_executor(None, start_class, target.port)
                target.path = f"/ws/classes/{lesson.code}/?name=student-{{i}}&sandbox=0"
                target.trigger = class_trigger(target, conn, lesson)
                lessons.append(lesson)
            bare.trigger = bare_trigger(bare, control, lessons[0])

        for t in targets:
            t.joined = 0
        print(f"targets: {', '.join(t.name for t in targets)}"
              f"{'' if redis_url or args.no_redis else ' (no redis-server: B-redis skipped)'}; "
              f"{os.cpu_count()} cores; {args.rounds} rounds after {args.warmup} warm-up; "
              f"a step of a {HOPS}-hop request")
        alone: dict[str, float] = {}
        for n in args.students:
            await new_classes()
            opened = await measure(n, targets, args.rounds, args.warmup)
            if n == 1:
                alone = {t.name: summary(t)["last"] for t in targets}
            print_table(n, targets, opened, alone)
        if 1 in args.students and len(args.students) > 1:
            n = max(args.students)
            base = summary(bare)
            added_base = base["last"] - alone["A ws"]
            for t in targets[1:]:
                s = summary(t)
                marginal = (f"{(s['last'] - alone[t.name]) / added_base:.2f}x" if added_base > 0.0005
                            else "n/a (too few students to tell)")
                print(f"\n{t.name}, {n} students: step -> last student {s['last'] * 1000:.1f} ms, bare broadcast "
                      f"{base['last'] * 1000:.1f} ms: {s['last'] / base['last']:.2f}x end to end (the step's POST "
                      f"and commit included); what {n} students add over one: {marginal} (goal: within 2x)")
    finally:
        for control in controls:
            await control.close()
        for conn in https:
            await conn.close()
        servers.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=lambda s: [int(x) for x in s.split(",")], default=[1, 200])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--no-redis", action="store_true")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
