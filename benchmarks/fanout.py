"""Websocket fan-out: from a real change to its `events` message at every viewer, against a bare
`websockets` broadcast of a payload of the same size, in the same run.

Run: .venv/bin/python benchmarks/fanout.py [--viewers 1,50,200,1000] [--rounds 20] [--warmup 3]

Method:
- servers: A, a bare `websockets` server (this script, `bare-server`), whose control message
  `{"round", "size"}` makes it `broadcast()` a payload of that size; B-inmem, the app under Daphne
  (`-v 0`) with the in-memory layer; B-redis, the same with the Redis layer when redis-server is
  installed (a throwaway one is started) or REDIS_URL is set; B-stock, the same HTTP app with
  stock Channels fan-out (benchmarks/stock_asgi.py: one group member per socket), in-memory.
  Each Daphne serves its own `kubia` sandbox of one throwaway SQLite file. Every server runs
  under `timeout` and is stopped by pid.
- clients: this process (asyncio, `websockets`, compression and pings off), N viewers per server
  (watch links for Daphne), at most 50 handshakes in flight, then 1 s of quiet.
- a Daphne round is a real write: t0, then an HTTP POST to the pod-readiness action with the
  sandbox's Bearer token (flipping one pod), until the `events` message reaches each viewer;
  an A round is t0, then the control message, until a payload of the same size (that of the
  last `events` message) reaches each viewer.
- per N: 3 warm-up rounds, then 20 measured ones; each round triggers every target, 50 ms apart,
  in an order rotated every round. Per round: last = max(t_i - t0), p50 = median(t_i - t0),
  first = min(t_i - t0); the table gives medians (and the p95 of last) over the rounds, and for
  Daphne the POST's own round-trip.
- ratio = B / A of the median last-viewer latency, end to end: B's includes the write itself
  (HTTP, view, controllers, SQLite commit), which A does not do. The fan-out ratio compares only
  what N viewers add over one viewer: (last(N) - last(1)) of B over the same for A.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import broadcast, serve

ROOT = Path(__file__).resolve().parents[1]
LIFETIME = 1800  # hard limit (seconds) on every server this script starts
ROUND_TIMEOUT = 20.0
GAP = 0.05
RELAY_APP = "visualizer.asgi:application"
STOCK_APP = "benchmarks.stock_asgi:application"  # stock Channels fan-out, for comparison
PUBLISH_APP = "benchmarks.publish_asgi:application"  # publish -> viewers: a control socket publishes
EVENTS_MARKER = '{"type":"events"'
SEQ_BASE = 100_000  # publish mode's seqs: above any real one of a fresh sandbox
HANDSHAKES_IN_FLIGHT = 50


# --- A: the bare websockets server (run as a child process) ----------------------------------------


def bare_payload(round_id: int, size: int) -> str:
    """`{"round":k,"pad":"xx…"}` padded to `size` characters ("round" first: clients read it)."""
    head = f'{{"round":{round_id},"pad":"'
    return head + "x" * max(0, size - len(head) - 2) + '"}'


def restamp(message: dict, n: int) -> dict:
    """`message` (an `events` batch) with its seqs moved to the n-th block above SEQ_BASE: every
    publish is then new to every socket (SandboxConsumer drops seqs it already holds)."""
    events = message["events"]
    base = SEQ_BASE + n * max(1, len(events))
    return {**message, "events": [{**event, "seq": base + i} for i, event in enumerate(events)]}


async def bare_server(port: int, lifetime: float) -> None:
    clients = set()

    async def handler(ws) -> None:
        if ws.request.path == "/ctl":
            template, upcoming, count = None, None, 0
            async for message in ws:
                request = json.loads(message)
                if "text" in request:  # these exact bytes (benchmarks/classroom.py)
                    broadcast(clients, request["text"])
                elif "template" in request:  # publish mode: the batch to send, as publish_asgi.py
                    template = json.loads(request["template"])
                    upcoming = restamp(template, count)
                elif "size" in request:
                    broadcast(clients, bare_payload(request["round"], request["size"]))
                else:  # encoded per round, as cluster.events.relay_message does
                    broadcast(clients, json.dumps(upcoming, separators=(",", ":")))
                    count += 1
                    upcoming = restamp(template, count)
        else:
            clients.add(ws)
            try:
                await ws.wait_closed()
            finally:
                clients.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None, max_queue=None):
        await asyncio.sleep(lifetime)


# --- starting and stopping the servers -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen | None = None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        if time.monotonic() > deadline or (proc is not None and proc.poll() is not None):
            raise RuntimeError(f"nothing listens on port {port}")
        time.sleep(0.05)


@dataclass
class Sandbox:
    cluster_id: str
    access_token: str
    watch_token: str


class Servers:
    """Every child process of the run, stopped by pid at the end."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.procs: list[subprocess.Popen] = []
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
                    "DJANGO_SETTINGS_MODULE": "visualizer.settings", "LOG_LEVEL": "WARNING"}
        self.env.pop("REDIS_URL", None)

    def manage(self, *args: str) -> str:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True,
                              capture_output=True, text=True, timeout=120).stdout

    def sandbox(self, name: str) -> Sandbox:
        out = self.manage("createcluster", name, "--preset", "kubia", "--seed", "1")
        cluster_id = re.search(r"/clusters/([0-9a-f-]+)/", out).group(1)
        return Sandbox(cluster_id, re.search(r"Access token: (\S+)", out).group(1),
                       re.search(r"/watch/([^/]+)/", out).group(1))

    def start(self, args: list[str], port: int, env: dict | None = None, quiet: bool = False) -> None:
        # Its own process group: `timeout` and the server it runs are stopped together.
        proc = subprocess.Popen(["timeout", str(LIFETIME), *args], cwd=ROOT, env=env or self.env,
                                stdout=subprocess.DEVNULL if quiet else None, start_new_session=True)
        self.procs.append(proc)
        wait_listening(port, proc)

    def bare(self) -> int:
        port = free_port()
        self.start([sys.executable, __file__, "bare-server", "--port", str(port)], port)
        return port

    def daphne(self, app: str, redis_url: str = "") -> int:
        port = free_port()
        env = {**self.env, "REDIS_URL": redis_url} if redis_url else self.env
        self.start([sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port),
                    "--ping-interval", "3600", "--websocket_connect_timeout", "60",
                    app], port, env)
        return port

    def redis(self) -> str:
        """REDIS_URL if set, else a throwaway redis-server; "" when there is neither."""
        if os.environ.get("REDIS_URL"):
            return os.environ["REDIS_URL"]
        if shutil.which("redis-server") is None:
            return ""
        port = free_port()  # a foreground child like the other servers: stopped by its pid
        self.start(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", str(self.workdir)], port, quiet=True)
        return f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        # Last started first: the Daphnes go before the redis-server they use (else their relays
        # log a lost channel layer on the way out).
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # a Daphne still closing hundreds of sockets
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


# --- client side ---------------------------------------------------------------------------------


class HttpConnection:
    """A keep-alive HTTP/1.1 connection for the trigger POSTs (no extra dependency, no thread)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: str, token: str,
                   content_type: str = "application/x-www-form-urlencoded") -> int:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        data = body.encode()
        self.writer.write((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                           f"Authorization: Bearer {token}\r\n"
                           f"Content-Type: {content_type}\r\n"
                           f"Content-Length: {len(data)}\r\n\r\n").encode() + data)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Target:
    name: str
    port: int
    path: str  # the viewers' websocket path
    marker: str  # the text prefix of the timed message
    trigger: Callable[[int], Awaitable[None]] = None  # type: ignore[assignment]
    viewers: list[ClientConnection] = field(default_factory=list)
    readers: list[asyncio.Task] = field(default_factory=list)
    times: list[float | None] = field(default_factory=list)
    count: int = 0
    active: bool = False
    done: asyncio.Event = field(default_factory=asyncio.Event)
    size: int = 0  # characters of the last timed message
    post_seconds: float | None = None
    rounds: list[dict] = field(default_factory=list)
    greeting: int = 0  # messages a socket reads after connecting, before it is counted open
    joined: int = 0  # sockets opened so far (the path may number them: `{i}`)

    def url(self, i: int = 0) -> str:
        return f"ws://127.0.0.1:{self.port}{self.path.format(i=i)}"

    def timed(self, message: str) -> bool:
        """Whether `message` is the one this round waits for."""
        return message.startswith(self.marker)


def ws_connect(url: str, port: int):
    return connect(url, origin=f"http://127.0.0.1:{port}", compression=None, ping_interval=None,
                   proxy=None, max_size=None, open_timeout=120, close_timeout=10)


async def read(target: Target, ws: ClientConnection, slot: int) -> None:
    async for message in ws:
        if target.active and target.times[slot] is None and target.timed(message):
            target.times[slot] = perf_counter()
            target.size = len(message)
            target.count += 1
            if target.count == len(target.times):
                target.done.set()


async def open_viewers(target: Target, n: int) -> float:
    gate = asyncio.Semaphore(HANDSHAKES_IN_FLIGHT)

    async def one(i: int) -> ClientConnection:
        async with gate:
            ws = await ws_connect(target.url(i), target.port)
            for _ in range(target.greeting):
                await ws.recv()
            return ws

    start = perf_counter()
    target.viewers = list(await asyncio.gather(*(one(target.joined + i) for i in range(n))))
    target.joined += n
    elapsed = perf_counter() - start
    target.readers = [asyncio.create_task(read(target, ws, i)) for i, ws in enumerate(target.viewers)]
    return elapsed


async def close_viewers(target: Target) -> None:
    await asyncio.gather(*(ws.close() for ws in target.viewers), return_exceptions=True)
    for task in target.readers:
        task.cancel()
    target.viewers, target.readers = [], []


async def run_round(target: Target, round_id: int, measured: bool) -> None:
    target.times = [None] * len(target.viewers)
    target.count, target.post_seconds = 0, None
    target.done.clear()
    target.active = True
    t0 = perf_counter()
    await target.trigger(round_id)
    try:
        await asyncio.wait_for(target.done.wait(), ROUND_TIMEOUT)
    except TimeoutError:
        raise RuntimeError(f"{target.name}: {target.count} of {len(target.times)} viewers got "
                           f"round {round_id} within {ROUND_TIMEOUT:g} s") from None
    target.active = False
    if measured:
        lags = [t - t0 for t in target.times]
        target.rounds.append({"last": max(lags), "first": min(lags), "p50": statistics.median(lags),
                              "post": target.post_seconds})


def daphne_trigger(target: Target, http: HttpConnection, sandbox: Sandbox, pod: str) -> Callable:
    path = f"/clusters/{sandbox.cluster_id}/pods/default/{pod}/readiness/"

    flips = itertools.count()

    async def trigger(round_id: int) -> None:
        ready = "true" if next(flips) % 2 else "false"  # alternate, so that every POST is a change
        start = perf_counter()
        status = await http.post(path, f"ready={ready}", sandbox.access_token)
        target.post_seconds = perf_counter() - start
        if status != 200:
            raise RuntimeError(f"{target.name}: the readiness POST answered {status}")

    return trigger


def bare_trigger(control: ClientConnection, size: Callable[[], int]) -> Callable:
    async def trigger(round_id: int) -> None:
        await control.send(json.dumps({"round": round_id, "size": size()}))

    return trigger


async def kubia_pod(port: int, sandbox: Sandbox) -> str:
    async with ws_connect(f"ws://127.0.0.1:{port}/ws/watch/{sandbox.watch_token}/", port) as ws:
        await ws.recv()  # hello
        snapshot = json.loads(await ws.recv())
    return next(p["metadata"]["name"] for p in snapshot["objects"]["Pod"]
                if p["metadata"].get("labels", {}).get("app") == "kubia")


# --- the run -------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}" if seconds < 0.1 else f"{seconds * 1000:.0f}"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def summary(target: Target) -> dict[str, float]:
    rounds = target.rounds
    out = {key: statistics.median(r[key] for r in rounds) for key in ("last", "first", "p50")}
    out["last95"] = p95([r["last"] for r in rounds])
    posts = [r["post"] for r in rounds if r["post"] is not None]
    out["post"] = statistics.median(posts) if posts else float("nan")
    return out


def print_table(n: int, targets: list[Target], opened: dict[str, float], alone: dict[str, float]) -> None:
    """`alone` holds each target's median last-viewer latency at N=1 (when measured): the marginal
    ratio compares what N viewers add to it, i.e. the fan-out without the write."""
    base = summary(targets[0])
    print(f"\nN = {n} viewers (payload {targets[1].size} characters; opening took "
          f"{', '.join(f'{k} {v:.2f} s' for k, v in opened.items())})")
    print(f"{'target':<9} {'last med':>9} {'last p95':>9} {'p50 med':>8} {'first':>7} {'POST':>7}"
          f" {'ratio':>7} {'fan-out ratio':>14}")
    for target in targets:
        s = summary(target)
        post = "" if math.isnan(s["post"]) else ms(s["post"])
        marginal = ""
        if n > 1 and target.name in alone:
            added, added_base = s["last"] - alone[target.name], base["last"] - alone[targets[0].name]
            marginal = f"{added / added_base:.1f}x"
        print(f"{target.name:<9} {ms(s['last']):>9} {ms(s['last95']):>9} {ms(s['p50']):>8} {ms(s['first']):>7}"
              f" {post:>7} {s['last'] / base['last']:>6.1f}x {marginal:>14}")


async def measure_all(targets: list, args) -> None:
    """Every viewer count in turn, printing a table each; N=1 is the baseline of the fan-out ratio."""
    alone: dict[str, float] = {}
    for n in args.viewers:
        opened = await measure(n, targets, args.rounds, args.warmup)
        if n == 1:
            alone = {t.name: summary(t)["last"] for t in targets}
        print_table(n, targets, opened, alone)


async def measure(n: int, targets: list[Target], rounds: int, warmup: int) -> dict[str, float]:
    opened = {t.name: await open_viewers(t, n) for t in targets}
    await asyncio.sleep(1)
    for t in targets:
        t.rounds = []
    for k in range(warmup + rounds):
        for t in targets[k % len(targets):] + targets[:k % len(targets)]:
            await run_round(t, k, measured=k >= warmup)
            await asyncio.sleep(GAP)
    for t in targets:
        await close_viewers(t)
    return opened


async def daphne_target(servers: Servers, name: str, app: str, redis_url: str = "",
                        pod_from: int | None = None) -> tuple[Target, HttpConnection]:
    """A Daphne target with its own sandbox; `pod_from` is a port whose watch socket sends snapshots
    (the stock app does not)."""
    sandbox = servers.sandbox(f"bench-{name.lower()}")
    port = servers.daphne(app, redis_url)
    target = Target(name, port, f"/ws/watch/{sandbox.watch_token}/", EVENTS_MARKER)
    http = HttpConnection(port)
    target.trigger = daphne_trigger(target, http, sandbox, await kubia_pod(pod_from or port, sandbox))
    return target, http


async def bench(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="fanout-bench-"))
    servers = Servers(workdir)
    https: list[HttpConnection] = []
    try:
        servers.manage("migrate", "-v", "0")
        bare = Target("A ws", servers.bare(), "/ws", '{"round":')
        relay, http = await daphne_target(servers, "B-inmem", RELAY_APP)
        targets, https = [bare, relay], [http]
        redis_url = "" if args.no_redis else servers.redis()
        if redis_url:
            target, http = await daphne_target(servers, "B-redis", RELAY_APP, redis_url)
            targets.append(target)
            https.append(http)
        if not args.no_stock:
            target, http = await daphne_target(servers, "B-stock", STOCK_APP, pod_from=relay.port)
            targets.append(target)
            https.append(http)
        control = await ws_connect(f"ws://127.0.0.1:{bare.port}/ctl", bare.port)
        # A sends what B sent: the size of the last events message B delivered (2 KiB until known).
        bare.trigger = bare_trigger(control, lambda: relay.size or 2048)
        print(f"targets: {', '.join(t.name for t in targets)}"
              f"{'' if redis_url or args.no_redis else ' (no redis-server: B-redis skipped)'}; "
              f"{os.cpu_count()} cores; {args.rounds} rounds after {args.warmup} warm-up")
        await measure_all(targets, args)
        await control.close()
    finally:
        for http in https:
            await http.close()
        servers.stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def readiness_batch(port: int, sandbox: Sandbox) -> str:
    """The `events` message of one real readiness flip, as a viewer receives it."""
    pod = await kubia_pod(port, sandbox)
    http = HttpConnection(port)
    try:
        async with ws_connect(f"ws://127.0.0.1:{port}/ws/watch/{sandbox.watch_token}/", port) as ws:
            await ws.recv()  # hello
            await ws.recv()  # snapshot
            path = f"/clusters/{sandbox.cluster_id}/pods/default/{pod}/readiness/"
            if await http.post(path, "ready=false", sandbox.access_token) != 200:
                raise RuntimeError("the readiness POST failed")
            while not (text := await asyncio.wait_for(ws.recv(), ROUND_TIMEOUT)).startswith(EVENTS_MARKER):
                pass
    finally:
        await http.close()
    return text


def control_trigger(control: ClientConnection) -> Callable:
    async def trigger(round_id: int) -> None:
        await control.send(json.dumps({"round": round_id}))

    return trigger


async def publish_target(servers: Servers, name: str, redis_url: str = "",
                         stock: bool = False) -> tuple[Target, ClientConnection, Sandbox]:
    """A Daphne target of benchmarks/publish_asgi.py, with its own sandbox and control socket."""
    sandbox = servers.sandbox(f"pub-{name.lower()}")
    port = servers.daphne(PUBLISH_APP, redis_url)
    path = f"/bench/stock/{sandbox.watch_token}/" if stock else f"/ws/watch/{sandbox.watch_token}/"
    target = Target(name, port, path, EVENTS_MARKER)
    control = await ws_connect(f"ws://127.0.0.1:{port}/bench/publish/{sandbox.cluster_id}/", port)
    target.trigger = control_trigger(control)
    return target, control, sandbox


async def bench_publish(args: argparse.Namespace) -> None:
    """Publish -> viewers: each round is one group_send of the same pre-built batch."""
    workdir = Path(tempfile.mkdtemp(prefix="fanout-bench-"))
    servers = Servers(workdir)
    controls: list[ClientConnection] = []
    try:
        servers.manage("migrate", "-v", "0")
        bare = Target("A ws", servers.bare(), "/ws", EVENTS_MARKER)
        controls.append(await ws_connect(f"ws://127.0.0.1:{bare.port}/ctl", bare.port))
        bare.trigger = control_trigger(controls[0])
        relay, control, sandbox = await publish_target(servers, "P-inmem")
        targets, controls = [bare, relay], [*controls, control]
        template = await readiness_batch(relay.port, sandbox)
        redis_url = "" if args.no_redis else servers.redis()
        if redis_url:
            target, control, _ = await publish_target(servers, "P-redis", redis_url)
            targets.append(target)
            controls.append(control)
        if not args.no_stock:
            target, control, _ = await publish_target(servers, "P-stock", stock=True)
            targets.append(target)
            controls.append(control)
        for control in controls:  # every server sends the same bytes
            await control.send(json.dumps({"template": template}))
        print(f"publish -> viewers: a control socket makes each server publish the {len(template)}-character "
              f"events batch of a real readiness flip (seqs restamped)\n"
              f"targets: {', '.join(t.name for t in targets)}"
              f"{'' if redis_url or args.no_redis else ' (no redis-server: P-redis skipped)'}; "
              f"{os.cpu_count()} cores; {args.rounds} rounds after {args.warmup} warm-up")
        await measure_all(targets, args)
    finally:
        for control in controls:
            await control.close()
        servers.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    server = sub.add_parser("bare-server")
    server.add_argument("--port", type=int, required=True)
    server.add_argument("--lifetime", type=float, default=LIFETIME)
    parser.add_argument("--viewers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 50, 200, 1000])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--no-stock", action="store_true", help="skip the stock Channels comparison")
    parser.add_argument("--mode", choices=["end-to-end", "publish", "both"], default="end-to-end",
                        help="end-to-end: a real write (HTTP POST) to the viewers; publish: a control "
                             "socket's group_send to the viewers (benchmarks/publish_asgi.py)")
    args = parser.parse_args()
    if args.command == "bare-server":
        asyncio.run(bare_server(args.port, args.lifetime))
    else:
        if args.mode in ("end-to-end", "both"):
            asyncio.run(bench(args))
        if args.mode in ("publish", "both"):
            asyncio.run(bench_publish(args))


if __name__ == "__main__":
    main()
