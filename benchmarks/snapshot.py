"""The websocket snapshot and the page's first paint, at 100 and at 10,000 pods, in one run.

Run: .venv/bin/python benchmarks/snapshot.py [--pods 10000] [--repeat 3]
(Daphne on a throwaway SQLite file, headless /usr/bin/chromium)

Makes two sandboxes with `createcluster --preset scale` (3 nodes and 100 pods; 100 nodes and
10,000 pods) and prints, for each, the median of --repeat runs of
- the server's snapshot as the socket sends it (cluster/snapshots.py): read and packed with the
  cache emptied first, and again from the cache (what every further viewer at that seq costs);
- beside it, the snapshot as plain JSON (cluster_snapshot + encode, what the socket sent before
  and the JSON API still returns): the baseline of the same run;
- the bytes of each;
- the page's first paint: navigation to the first canvas frame showing every pod (the page's
  loop figures on window.__servicescope: `pods` counted and the static layer drawn), in headless
  Chromium (flags as in tests/browser/conftest.py) on a warm server: right after a write (one
  pod's readiness flipped), so the snapshot is read and packed for that load, and again at the
  same seq, when it comes from the cache;
and the 10,000-pod figures as ratios of the 100-pod ones. Goal: both under 1 s at 10,000 pods.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.server import CHROMIUM_ARGS, DaphneServer, Sandbox  # noqa: E402

VIEWPORT = {"width": 1280, "height": 720}
GOAL_S = 1.0

# Checked on every animation frame; answers the time since navigation once all pods are drawn.
FIRST_PAINT_JS = """(pods) => {
    const s = window.__servicescope;
    return Boolean(s && s.pods === pods && s.scene && s.frames > 0 && s.layerStale === false) && performance.now();
}"""


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def server_figures(name: str, repeat: int) -> dict[str, float]:
    from cluster import snapshots
    from cluster.events import encode
    from cluster.models import Cluster
    from cluster.selectors import cluster_snapshot

    cluster = Cluster.objects.get(name=name)
    plain, packed, cached = [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        plain_text = encode(cluster_snapshot(cluster=cluster))
        plain.append(time.perf_counter() - start)
        snapshots._packed.clear()
        start = time.perf_counter()
        packed_text = encode(snapshots.packed_snapshot(cluster=cluster))
        packed.append(time.perf_counter() - start)
        start = time.perf_counter()
        encode(snapshots.packed_snapshot(cluster=cluster))
        cached.append(time.perf_counter() - start)
    return {"plain_s": median(plain), "packed_s": median(packed), "cached_s": median(cached),
            "plain_mib": len(plain_text) / 2**20, "packed_mib": len(packed_text) / 2**20}


def first_paints(server: DaphneServer, urls: Sandbox, name: str, pods: int, repeat: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from cluster.models import Cluster
    from cluster.selectors import object_list
    from cluster.services.workloads import pod_set_ready

    cluster = Cluster.objects.get(name=name)
    pod = object_list(cluster=cluster, kind="Pod")[0]["metadata"]
    uncached, cached = [], []
    # Playwright's sync API runs an event loop in this thread: the writes go to another one.
    writer = ThreadPoolExecutor(1)
    with writer, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=VIEWPORT).new_page()

        def load(url: str) -> float:
            page.goto(url, wait_until="commit")
            return page.wait_for_function(FIRST_PAINT_JS, arg=pods, polling="raf", timeout=60_000).json_value() / 1000

        load(urls.owner_url)  # the token makes this browser the owner; the server warms up
        for n in range(repeat):
            # A new seq: the next load waits for its snapshot to be read and packed; the one after
            # it gets the same snapshot from the cache, as every further viewer at that seq does.
            writer.submit(pod_set_ready, cluster=cluster, namespace=pod["namespace"], name=pod["name"],
                          ready=bool(n % 2)).result()
            uncached.append(load(server.base_url + urls.path))
            cached.append(load(server.base_url + urls.path))
        browser.close()
    return {"paint_uncached_s": median(uncached), "paint_s": median(cached)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    server = DaphneServer(Path(tempfile.mkdtemp()))
    server.env.update({"SANDBOX_MAX_PODS": "200000", "SANDBOX_MAX_NODES": "10000"})
    os.environ.update({"DATABASE_URL": server.env["DATABASE_URL"], "DJANGO_SETTINGS_MODULE": "visualizer.settings"})
    import django

    django.setup()
    server.start()
    try:
        sizes = {"small": (3, 100), "large": (max(3, args.pods // 100), args.pods)}
        figures = {}
        for label, (nodes, pods) in sizes.items():
            start = time.perf_counter()
            out = server.manage("createcluster", f"snapshot-{pods}", "--preset", "scale", "--nodes", str(nodes),
                                "--pods", str(pods), "--base-url", server.base_url, timeout=600)
            urls = parse_urls(out)
            made = time.perf_counter() - start
            figures[label] = {**server_figures(f"snapshot-{pods}", args.repeat),
                              **first_paints(server, urls, f"snapshot-{pods}", pods, args.repeat),
                              "made": made, "pods": pods}
    finally:
        server.cleanup()
    report(figures)


def parse_urls(out: str) -> Sandbox:
    """The links `createcluster` printed (as DaphneServer.create_sandbox reads them)."""
    owner = re.search(r"^(http\S+/clusters/\S+\?token=\S+)$", out.strip().splitlines()[-1])
    watch = re.search(r"Watch link:\s+(\S+)", out)
    token = re.search(r"Access token:\s+(\S+)", out)
    return Sandbox(owner_url=owner[1], watch_url=watch[1], token=token[1])


def report(figures: dict[str, dict[str, float]]) -> None:
    small, large = figures["small"], figures["large"]
    rows = [("snapshot read+pack, uncached (ms)", "packed_s", 1000),
            ("snapshot from the cache (ms)", "cached_s", 1000),
            ("snapshot as plain JSON, before (ms)", "plain_s", 1000),
            ("snapshot bytes, packed (MiB)", "packed_mib", 1),
            ("snapshot bytes, plain JSON (MiB)", "plain_mib", 1),
            ("first paint, snapshot packed (ms)", "paint_uncached_s", 1000),
            ("first paint, snapshot cached (ms)", "paint_s", 1000)]
    columns = f"{small['pods']} pods", f"{large['pods']} pods"
    print(f"\n{'figure':<38}{columns[0]:>12}{columns[1]:>14}{'ratio':>8}")
    for label, key, scale in rows:
        print(f"{label:<38}{small[key] * scale:>12.2f}{large[key] * scale:>14.2f}{large[key] / small[key]:>8.1f}")
    print(f"\nat {large['pods']} pods: packed {large['plain_mib'] / large['packed_mib']:.1f}x smaller and "
          f"{large['plain_s'] / large['packed_s']:.1f}x faster than plain JSON; goal < {GOAL_S:.0f} s: "
          f"snapshot {'met' if large['packed_s'] < GOAL_S else 'NOT met'}, "
          f"first paint {'met' if max(large['paint_uncached_s'], large['paint_s']) < GOAL_S else 'NOT met'}")


if __name__ == "__main__":
    main()
