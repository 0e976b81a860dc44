"""Load on the hosted configuration, on loopback: many viewers over many sandboxes, each sandbox
changed several times a second, served by two Daphne processes on PostgreSQL and Redis.

Run: .venv/bin/python benchmarks/hosted_load.py [--minutes 5] [--viewers 1000] [--sandboxes 50]
     [--rate 5] [--processes 2] [--client-processes 2] [--drain 3]

Method:
- a throwaway PostgreSQL 15 and redis-server are started (as tests/hosted does), the database is
  migrated, and N sandboxes (`kubia` preset) are made; then the Daphne processes (`-v 0`), each on
  its own port.
- viewers: `--viewers` websockets on the sandboxes' read-only links, spread evenly over sandboxes
  and, alternately, over the Daphne processes; they run in `--client-processes` child processes
  (asyncio, `websockets`, compression and pings off), at most 50 handshakes in flight.
- writers: one per sandbox in this process, on a kept-alive HTTP/1.1 connection to the
  Kubernetes API (alternating processes), `--rate` changes a second on a fixed schedule (the
  sandboxes' schedules spread evenly over one interval, as independent people's are): a merge
  patch of the Service `kubia` that sets an annotation to the wall-clock send time. Each change
  is one MODIFIED event; a viewer's latency for it is its arrival time minus that send time.
- after the last change, `--drain` seconds for deliveries still on their way; a delivery that has
  not arrived by then counts as missing (a seq gap would show a lost one).
- a viewer that sees a seq gap asks for the missed events with `resume`, as the page does.
- reported: delivery latency p50/p95/max over every (viewer, change); errors: writes that did not
  answer 200, viewer disconnections, seq gaps, changes a viewer never got; memory per viewer: the
  Daphne processes' RSS (sum) with all viewers connected at the end, minus before any viewer,
  divided by the viewers; the database size before and after; the CPU each part used while the
  writers ran, in cores (PostgreSQL with its backends, ended ones included).
Client, servers, PostgreSQL and Redis share this machine's cores: the figures are for the whole
loopback system, not the server alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hosted.processes import Daphne, Postgres, Redis, hosted_env  # noqa: E402

ANNOTATION = "load.servicescope/sent"
HANDSHAKES_IN_FLIGHT = 50

_CREATE = """
import json, sys
import django
django.setup()
from cluster.services.sandboxes import cluster_create
made = [cluster_create(name=f"load-{i}", preset="kubia", seed=i) for i in range(int(sys.argv[1]))]
print(json.dumps([{"id": str(c.pk), "token": c.access_token, "watch": c.watch_token} for c in made]))
"""


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_ticks(pid: int, *, reaped: bool = False) -> int:
    """User and system CPU of a process, in clock ticks; with `reaped`, also that of the children
    it has waited for (PostgreSQL's backends that ended)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0
    return sum(int(f) for f in fields[11:15 if reaped else 13])


def child_pids(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rpartition(")")[2].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return found


def busy_ticks() -> int:
    """The machine's busy CPU ticks, all cores (everything but idle and iowait)."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4]


class CpuShares:
    """CPU used by each part of the loopback system between start() and stop()."""

    def __init__(self, parts: dict[str, tuple[list[int], list[int]]]) -> None:
        self.parts = parts  # name -> (processes, processes whose reaped children count too)

    def _read(self) -> dict[str, int]:
        taken = {name: sum(cpu_ticks(pid) for pid in plain) + sum(
            cpu_ticks(pid, reaped=True) + sum(cpu_ticks(child) for child in child_pids(pid)) for pid in parents)
            for name, (plain, parents) in self.parts.items()}
        taken["the whole machine"] = busy_ticks()
        return taken

    def start(self) -> None:
        self.before, self.started = self._read(), time.monotonic()

    def stop(self) -> None:
        after, seconds = self._read(), time.monotonic() - self.started
        tick = os.sysconf("SC_CLK_TCK")
        self.used = {name: (after[name] - self.before[name]) / tick / seconds for name in after}

    def report(self) -> str:
        return "; ".join(f"{name} {cores:.2f}" for name, cores in self.used.items())


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- viewers (child processes) -------------------------------------------------------------------


async def _viewers(jobs: list[tuple[str, str]], ready, stop, results) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    latencies: list[float] = []
    stats = {"connected": 0, "failed": 0, "closed": 0, "gaps": 0, "received": 0, "events": 0, "synced": 0}
    seqs: dict[int, int] = {}
    reasons: dict[str, int] = {}
    resuming: dict[int, int] = {}
    gate = asyncio.Semaphore(HANDSHAKES_IN_FLIGHT)

    async def one(index: int, url: str, origin: str) -> None:
        async with gate:
            try:
                ws = await connect(url, origin=origin, compression=None, ping_interval=None, proxy=None,
                                   open_timeout=60, max_size=None)
            except Exception as error:
                stats["failed"] += 1
                reasons[type(error).__name__ + ": " + str(error)[:60]] = reasons.get(
                    type(error).__name__ + ": " + str(error)[:60], 0) + 1
                return
        stats["connected"] += 1
        try:
            async for text in ws:
                now = time.time()
                message = json.loads(text)
                if message["type"] == "snapshot":
                    seqs[index] = message["seq"]
                    stats["synced"] += 1
                elif message["type"] == "events":
                    for event in sorted(message["events"], key=lambda e: e["seq"]):
                        if event["seq"] <= seqs[index]:
                            continue  # already held (a resume's answer overlapping a live batch)
                        if event["seq"] != seqs[index] + 1:
                            # As the page does: ask for the missed events from the log, once per gap.
                            stats["gaps"] += 1
                            if resuming.get(index) != seqs[index]:
                                resuming[index] = seqs[index]
                                await ws.send(json.dumps({"type": "resume", "since": seqs[index]}))
                            break
                        seqs[index] = event["seq"]
                        stats["events"] += 1
                        sent = (event["object"]["metadata"].get("annotations") or {}).get(ANNOTATION)
                        if sent:
                            latencies.append(now - float(sent))
                            stats["received"] += 1
        except ConnectionClosed:
            if not stop.is_set():
                stats["closed"] += 1
        finally:
            await ws.close()

    tasks = [asyncio.create_task(one(i, url, origin)) for i, (url, origin) in enumerate(jobs)]
    while stats["synced"] + stats["failed"] < len(jobs):  # every viewer has its snapshot
        await asyncio.sleep(0.05)
    ready.set()
    while not stop.is_set():
        await asyncio.sleep(0.2)
    for task in tasks:
        task.cancel()
    results.put({"latencies": latencies, "stats": stats, "reasons": reasons})


def viewer_process(jobs, ready, stop, results) -> None:
    asyncio.run(_viewers(jobs, ready, stop, results))


# --- writers (this process) ----------------------------------------------------------------------


class Writer:
    def __init__(self, port: int, box: dict, rate: float) -> None:
        self.port, self.box, self.interval = port, box, 1.0 / rate
        self.ok = self.failed = self.skipped = 0
        self.rtts: list[float] = []

    async def run(self, until: float, phase: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        path = f"/k8s/{self.box['id']}/api/v1/namespaces/default/services/kubia"
        next_at = time.monotonic() + phase * self.interval
        await asyncio.sleep(phase * self.interval)
        try:
            while time.time() < until:
                sent = time.time()
                body = json.dumps({"metadata": {"annotations": {ANNOTATION: f"{sent:.6f}"}}}).encode()
                writer.write(
                    f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                    f"Authorization: Bearer {self.box['token']}\r\nContent-Type: application/merge-patch+json\r\n"
                    f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
                status = await self._response(reader)
                self.rtts.append(time.time() - sent)
                if status == 200:
                    self.ok += 1
                else:
                    self.failed += 1
                next_at += self.interval
                delay = next_at - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:  # behind schedule: skip the changes that are already late
                    missed = int(-delay / self.interval)
                    self.skipped += missed
                    next_at += missed * self.interval
        finally:
            writer.close()

    @staticmethod
    async def _response(reader: asyncio.StreamReader) -> int:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in headers:
            await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while True:
                size = int((await reader.readline()).strip(), 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        return status


async def write_all(writers: list[Writer], until: float) -> None:
    # Independent sandboxes: their schedules are spread over one interval, not all in the same instant.
    await asyncio.gather(*(w.run(until, i / len(writers)) for i, w in enumerate(writers)))


# --- where the servers' time goes (py-spy) -------------------------------------------------------


def start_profile(directory: Path, index: int, pid: int, seconds: float) -> subprocess.Popen:
    directory.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    return subprocess.Popen([str(spy), "record", "--nonblocking", "--gil", "--format", "raw", "--rate", "50",
                             "--duration", str(max(1, int(seconds) - 2)), "--pid", str(pid),
                             "--output", str(directory / f"daphne-{index}.txt")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# Frames that name what a sample is doing, most specific first: the first one found in a stack
# (from the innermost frame out) is where that sample's time is counted.
PROFILE_AREAS = (
    ("psycopg", "database driver (PostgreSQL round trips)"),
    ("django/db/backends", "database driver (PostgreSQL round trips)"),
    ("django/db/models", "ORM (building queries, rows to objects)"),
    ("channels_redis", "channel layer (Redis)"),
    ("redis/", "channel layer (Redis)"),
    ("visualizer/fanout.py", "fan-out to local sockets"),
    ("visualizer/outbox.py", "outboxes (per-socket send)"),
    ("autobahn", "websocket framing (Autobahn)"),
    ("cluster/sim", "simulation core"),
    ("cluster/store.py", "write path (store, controllers)"),
    ("cluster/controllers", "write path (store, controllers)"),
    ("cluster/services", "write path (services)"),
    ("visualizer/kubeapi", "Kubernetes API views"),
    ("visualizer/ratelimit.py", "rate limits"),
    ("django/", "Django request handling (middleware, views)"),
    ("asgiref", "sync/async hand-over (asgiref)"),
    ("twisted", "Twisted reactor (sockets, HTTP)"),
    ("daphne", "Daphne server"),
    ("json", "JSON"),
)


def print_profile(files: list[Path]) -> None:
    """Share of the GIL-holding samples per area (where the innermost known frame is; and anywhere in
    the stack), and the busiest innermost frames."""
    areas: dict[str, int] = {}
    within: dict[str, int] = {}
    leaves: dict[str, int] = {}
    total = 0
    for path in files:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            frames = stack.split(";")
            total += int(count)
            area = next((label for frame in reversed(frames) for key, label in PROFILE_AREAS if key in frame),
                        "other")
            areas[area] = areas.get(area, 0) + int(count)
            for label in {label for frame in frames for key, label in PROFILE_AREAS if key in frame}:
                within[label] = within.get(label, 0) + int(count)
            leaves[frames[-1]] = leaves.get(frames[-1], 0) + int(count)
    print(f"profile: {total} samples holding the GIL in {len(files)} Daphne processes (py-spy, 50/s)")
    print("   own  within  area")
    for area, count in sorted(areas.items(), key=lambda x: -x[1])[:14]:
        print(f"  {100 * count / max(1, total):4.1f}%  {100 * within.get(area, count) / max(1, total):5.1f}%  {area}")
    print("busiest innermost frames:")
    for frame, count in sorted(leaves.items(), key=lambda x: -x[1])[:12]:
        print(f"  {100 * count / max(1, total):5.1f}%  {frame[:110]}")


# --- the run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--sandboxes", type=int, default=50)
    parser.add_argument("--rate", type=float, default=5.0, help="changes a second per sandbox")
    parser.add_argument("--processes", type=int, default=2, help="Daphne processes")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--drain", type=float, default=3.0,
                        help="seconds after the last change for deliveries still on their way")
    parser.add_argument("--profile", type=Path, default=None,
                        help="a directory: py-spy samples each Daphne process while the writers run "
                             "(collapsed stacks, one file per process) and the busiest frames are printed")
    args = parser.parse_args()

    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="servicescope-load-"))
    postgres = Postgres(workdir)
    redis = Redis(workdir)
    servers: list[Daphne] = []
    children: list[mp.Process] = []
    try:
        env = {**hosted_env(postgres.url, redis.url),
               # this run is one visitor per sandbox token from one address: no per-visitor limits
               "RATE_REQUESTS_PER_MINUTE": "0", "RATE_ADDRESS_REQUESTS_PER_MINUTE": "0",
               "RATE_WS_MESSAGES_PER_SECOND": "0"}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        out = subprocess.run([sys.executable, "-c", _CREATE, str(args.sandboxes)], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout
        boxes = json.loads(out.strip().splitlines()[-1])
        servers = [Daphne(env, workdir / f"daphne-{i}.log") for i in range(args.processes)]
        for server in servers:
            server.start()
        time.sleep(1.0)
        rss_before = sum(rss_kib(s.process.pid) for s in servers)
        db_before = postgres.size()

        jobs = []
        for i in range(args.viewers):
            # a sandbox's viewers alternate between processes; its writer uses either
            box, server = boxes[i % len(boxes)], servers[(i // len(boxes)) % len(servers)]
            jobs.append((server.ws_url(f"/ws/watch/{box['watch']}/"), server.origin()))
        connect_budget = 120.0
        stop = mp.Event()
        results: mp.Queue = mp.Queue()
        readies = []
        for k in range(args.client_processes):
            ready = mp.Event()
            child = mp.Process(target=viewer_process, args=(jobs[k::args.client_processes], ready, stop, results))
            child.start()
            children.append(child)
            readies.append(ready)
        started = time.time()
        for ready in readies:
            ready.wait(connect_budget)
        connected_in = time.time() - started
        write_until = time.time() + args.minutes * 60
        writers = [Writer(servers[i % len(servers)].port, box, args.rate) for i, box in enumerate(boxes)]
        print(f"{args.viewers} viewers connected in {connected_in:.1f} s; writing for {args.minutes} min ...",
              flush=True)
        cpu = CpuShares({"Daphne": ([s.process.pid for s in servers], []),
                         "PostgreSQL": ([], [int((postgres.dir / "db" / "postmaster.pid").read_text().split()[0])]),
                         "Redis": ([int(redis.pidfile.read_text())], []),
                         "viewers' clients": ([c.pid for c in children], []), "writers": ([os.getpid()], [])})
        cpu.start()
        profilers = [start_profile(args.profile, i, s.process.pid, args.minutes * 60)
                     for i, s in enumerate(servers)] if args.profile else []
        asyncio.run(write_all(writers, write_until))
        cpu.stop()
        for profiler in profilers:
            profiler.wait(timeout=60)
        time.sleep(args.drain)  # the last changes reach their viewers
        rss_after = sum(rss_kib(s.process.pid) for s in servers)
        stop.set()
        collected = [results.get(timeout=60) for _ in children]
        db_after = postgres.size()
    finally:
        for child in children:
            child.join(timeout=30)
            if child.is_alive():
                child.kill()
        for server in servers:
            server.stop()
        redis.stop()
        postgres.stop()
        import shutil

        shutil.rmtree(postgres.dir, ignore_errors=True)

    latencies = [x for c in collected for x in c["latencies"]]
    stats = {k: sum(c["stats"][k] for c in collected) for k in collected[0]["stats"]}
    ok = sum(w.ok for w in writers)
    # viewer i watches sandbox i % len(boxes): each sandbox's acknowledged changes times its viewers
    expected = sum(w.ok * len(range(i, args.viewers, len(boxes))) for i, w in enumerate(writers))
    rtts = [x for w in writers for x in w.rtts]
    seconds = args.minutes * 60
    print()
    print(f"setup: {args.processes} Daphne processes, PostgreSQL 15, Redis; {args.sandboxes} sandboxes, "
          f"{args.viewers} viewers ({stats['connected']} connected, {stats['failed']} refused), "
          f"{args.rate:g} changes/s per sandbox for {args.minutes:g} min; {os.cpu_count()} cores shared by all")
    print(f"changes: {ok} acknowledged ({ok / seconds:.0f}/s of {args.rate * args.sandboxes:.0f}/s asked), "
          f"{sum(w.failed for w in writers)} refused, {sum(w.skipped for w in writers)} skipped (writer behind)")
    print(f"write round-trip: p50 {statistics.median(rtts) * 1000:.1f} ms, p95 {percentile(rtts, 0.95) * 1000:.1f} ms")
    print(f"delivery latency (change sent -> viewer has it), {len(latencies)} deliveries: "
          f"p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {percentile(latencies, 0.95) * 1000:.1f} ms, "
          f"max {max(latencies) * 1000:.1f} ms")
    print(f"errors: {sum(w.failed for w in writers)} refused writes, {stats['closed']} viewer disconnections, "
          f"{stats['gaps']} seq gaps, {max(0, expected - stats['received'])} deliveries missing of {expected}")
    reasons: dict[str, int] = {}
    for c in collected:
        for reason, count in c["reasons"].items():
            reasons[reason] = reasons.get(reason, 0) + count
    if reasons:
        print("viewers refused:", "; ".join(f"{n}x {r}" for r, n in sorted(reasons.items(), key=lambda x: -x[1])))
    print(f"CPU while writing, in cores of {os.cpu_count()}: {cpu.report()}")
    print(f"memory: Daphne RSS {rss_before / 1024:.0f} MiB before viewers, {rss_after / 1024:.0f} MiB after; "
          f"{(rss_after - rss_before) / max(1, args.viewers):.0f} KiB per viewer")
    print(f"database: {db_before / 2**20:.1f} MiB before, {db_after / 2**20:.1f} MiB after")
    if args.profile:
        print_profile(sorted(args.profile.glob("daphne-*.txt")))


if __name__ == "__main__":
    main()
