"""Frames per second of the sandbox page while 20 requests animate over 10,000 pods, and how soon a
change (a Deployment scaled by one) is on screen.

Run: .venv/bin/python benchmarks/canvas_fps.py [--nodes 100] [--pods 10000]
(Daphne on a throwaway SQLite file, headless Chromium)

Starts Daphne with a `scale` sandbox (`createcluster NAME --preset scale --nodes N --pods M`; the
server's sandbox limits and send queue are raised for it), opens the owner page at 1920x1080 in
headless /usr/bin/chromium (CHROMIUM_ARGS; --disable-gpu: software raster) and, 3 times:
presses "Send 20" (from a pod to a Service's clusterIP), waits until all 20 packets move (they start 120 ms apart), then counts
requestAnimationFrame callbacks for 3 s. Then, 5 times, scales a Deployment by one (up, then
down) and reads the page's own figure `window.__servicescope.changeShownMs`: from the events
message arriving at the page to the end of the frame that first draws the new picture.

Baseline, in the same run and the same browser: benchmarks/canvas_full_redraw.html, which clears and
redraws N pods and 20 packets every frame (the "full redraw"); a page that redraws everything shows a
change in one such frame, so its frame interval is the change baseline. Targets: >= 50 fps while
20 requests animate, a change on screen within 100 ms.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.browser.sandbox_page import SandboxPage  # noqa: E402
from tests.browser.server import CHROMIUM_ARGS, DaphneServer  # noqa: E402

VIEWPORT = {"width": 1920, "height": 1080}
REPETITIONS = 3
CHANGES = 5
MEASURE_MS = 3000  # a pod-to-ClusterIP request takes about 7 s: all 20 packets move throughout
STAGGER_WAIT_MS = 2500  # 20 packets, 120 ms apart, plus a margin
BASELINE = ROOT / "benchmarks" / "canvas_full_redraw.html"
TARGET_FPS = 50
TARGET_CHANGE_MS = 100

# Counts rAF callbacks for `ms`; returns their timestamps and the page loop's figures.
MEASURE_JS = """async (ms) => {
    const s = window.__servicescope || {};
    const frames0 = s.frames || 0, fpsSamples = [], times = [];
    let minPackets = Infinity;
    await new Promise((done) => {
        let start = null, nextSample = 1000;
        const tick = (ts) => {
            if (start === null) start = ts;
            times.push(ts);
            minPackets = Math.min(minPackets, s.packets || 0);
            if (ts - start >= nextSample) { fpsSamples.push(s.fps); nextSample += 1000; }
            if (ts - start < ms) requestAnimationFrame(tick); else done();
        };
        requestAnimationFrame(tick);
    });
    return {times, loopFrames: (s.frames || 0) - frames0, fpsSamples, packets: s.packets === undefined ? null : minPackets};
}"""


def figures(sample: dict) -> dict:
    times = sample["times"]
    intervals = sorted(b - a for a, b in itertools.pairwise(times))
    seconds = (times[-1] - times[0]) / 1000
    return {
        "fps": (len(times) - 1) / seconds,
        "p50_ms": intervals[len(intervals) // 2],
        "p95_ms": intervals[min(len(intervals) - 1, round(0.95 * (len(intervals) - 1)))],
        "loop_fps": sample["loopFrames"] / seconds,
        "page_fps": sample["fpsSamples"],
        "packets": sample["packets"],
    }


def measure_app(sandbox: SandboxPage, source: str, destination: str) -> dict:
    traces = sandbox.send(destination, source=source, count=20)
    assert len(traces) == 20, traces
    sandbox.page.wait_for_timeout(STAGGER_WAIT_MS)
    sample = sandbox.page.evaluate(MEASURE_JS, MEASURE_MS)
    sandbox.wait_state("s.packets === 0 && s.idle", timeout=30_000)  # an idle page while the baseline runs
    return figures(sample)


def measure_change(server: DaphneServer, urls, sandbox: SandboxPage, workload: str, replicas: int) -> float:
    """Scale `workload` to `replicas`; the page's figure for the change (ms), and where its time went."""
    before = len(sandbox.state()["changeShownMs"])
    server.post_as_owner(urls.path + "scale/", urls.token, {"workload": workload, "replicas": str(replicas)})
    sandbox.wait_state(f"s.changeShownMs.length > {before} && s.idle", timeout=30_000)
    sandbox.page.wait_for_timeout(300)  # the rest of the change (pod status) settles
    state = sandbox.state()
    layout = state["lastLayout"]
    print(f"  change to {replicas} replicas: on screen after {state['changeShownMs'][before]:.1f} ms "
          f"(last layout: view {layout['deriveMs']} ms, scene {layout['layoutMs']} ms; "
          f"static layer {state['lastStaticBuildMs']} ms)")
    return state["changeShownMs"][before]


def measure_baseline(page: Page, pods: int) -> dict:
    page.goto(f"{BASELINE.as_uri()}?pods={pods}&packets=20")
    page.wait_for_timeout(500)  # warm-up
    return figures(page.evaluate(MEASURE_JS, MEASURE_MS))


def show(name: str, runs: list[dict]) -> None:
    print(f"{name}:")
    for i, r in enumerate(runs, 1):
        line = f"  rep {i}: {r['fps']:5.1f} fps (rAF), p95 frame interval {r['p95_ms']:5.1f} ms"
        if r["packets"] is not None:  # the sandbox page's own figures
            page_fps = ", ".join(f"{v:g}" for v in r["page_fps"])
            line += (f", page loop {r['loop_fps']:5.1f} frames/s, __servicescope.fps [{page_fps}], "
                     f"fewest packets moving {r['packets']}")
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--pods", type=int, default=10_000)
    args = parser.parse_args()
    workdir = tempfile.TemporaryDirectory(prefix="servicescope-fps-")  # Daphne's log
    server = DaphneServer(Path(workdir.name))
    # A sandbox of this size is above the default limits, and its snapshot above the send queue's.
    server.env.update(SANDBOX_MAX_PODS=str(args.pods), SANDBOX_MAX_NODES=str(args.nodes),
                      WS_SEND_QUEUE_BYTES=str(256 * 1024 * 1024))
    changes: list[float] = []
    try:
        server.start()
        urls = server.create_sandbox("fps", "scale", "--nodes", str(args.nodes), "--pods", str(args.pods),
                                     timeout=900)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                                 args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, bypass_csp=True)  # the figures are read by evaluated code
            context.set_default_timeout(120_000)
            page = context.new_page()
            page.goto(urls.owner_url)
            sandbox = SandboxPage(page)
            sandbox.wait_state(f"s.connection === 'open' && s.pods === {args.pods} && s.scene != null", timeout=300_000)
            sandbox.wait_drawn()
            sandbox.tab("Send request")
            destination = page.eval_on_selector("#req-destination", "s => s.options[0].value")
            source = page.eval_on_selector("#req-source", "s => [...s.options].map((o) => o.value).find((v) => v.startsWith('pod/'))")
            workload = "default/app-1"
            replicas = min(1000, args.pods)  # the preset's Deployments hold 1,000 pods each
            state = sandbox.state()
            print(f"scale sandbox: {state['nodes']} nodes, {state['pods']} pods; 20 requests {source} -> {destination}; "
                  f"changes: {workload} scaled by one (1920x1080, DPR 1)")
            app, baseline = [], []
            for _ in range(REPETITIONS):
                app.append(measure_app(sandbox, source, destination))
                baseline_page = context.new_page()
                baseline.append(measure_baseline(baseline_page, args.pods))
                baseline_page.close()
            for i in range(CHANGES):
                changes.append(measure_change(server, urls, sandbox, workload, replicas + (1 - i % 2)))  # up, down, …
            browser.close()
    finally:
        server.cleanup()
        workdir.cleanup()

    show("sandbox page, 20 requests animating", app)
    show(f"baseline: full redraw of {args.pods:,} pods + 20 packets every frame", baseline)
    print("change (scale by one) on screen after: " + ", ".join(f"{c:.1f} ms" for c in changes))
    fps = statistics.median(r["fps"] for r in app)
    p95 = statistics.median(r["p95_ms"] for r in app)
    base_fps = statistics.median(r["fps"] for r in baseline)
    base_p95 = statistics.median(r["p95_ms"] for r in baseline)
    base_frame = statistics.median(r["p50_ms"] for r in baseline)
    change = statistics.median(changes)
    print(f"\nsandbox page: {fps:.1f} fps median, p95 frame interval {p95:.1f} ms (median of {REPETITIONS})")
    print(f"baseline (same run): {base_fps:.1f} fps median, p95 frame interval {base_p95:.1f} ms")
    print(f"ratio sandbox / baseline fps: {fps / base_fps:.2f}x")
    print(f"change on screen: {change:.1f} ms median of {CHANGES} (max {max(changes):.1f} ms); "
          f"baseline full redraw frame {base_frame:.1f} ms; ratio change / baseline frame: {change / base_frame:.2f}x")
    print(f"target >= {TARGET_FPS} fps: {'met' if fps >= TARGET_FPS else 'NOT met'}; "
          f"target change <= {TARGET_CHANGE_MS} ms: {'met' if change <= TARGET_CHANGE_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
