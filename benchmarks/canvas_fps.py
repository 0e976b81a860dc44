"""Frames per second of the sandbox page while 20 requests animate over 1,000 pods.

Run: .venv/bin/python benchmarks/canvas_fps.py   (Daphne on a throwaway SQLite file, headless Chromium)

Starts Daphne with a `scale` sandbox (20 nodes, 1,000 pods), opens the owner page at 1920x1080 in
headless /usr/bin/chromium (CHROMIUM_ARGS; --disable-gpu: software raster) and, 3 times:
presses "Send 20", waits until all 20 packets move (they start 120 ms apart), then counts
requestAnimationFrame callbacks for 3 s. Prints fps (median of 3), the p95 frame interval, the
page's own loop figures (window.__servicescope: frames drawn, fps), and the baseline of the same
run in the same browser: benchmarks/canvas_full_redraw.html, which clears and redraws 1,000 pods
and 20 packets every frame (the "full redraw" baseline). Target: >= 58 fps.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.browser.sandbox_page import SandboxPage  # noqa: E402
from tests.browser.server import DaphneServer  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
VIEWPORT = {"width": 1920, "height": 1080}
REPETITIONS = 3
MEASURE_MS = 3000
STAGGER_WAIT_MS = 2600  # 20 packets, 120 ms apart, plus a margin
BASELINE = ROOT / "benchmarks" / "canvas_full_redraw.html"
TARGET_FPS = 58

# Counts rAF callbacks for `ms`; returns their timestamps and the page loop's figures.
MEASURE_JS = """async (ms) => {
    const s = window.__servicescope || {};
    const frames0 = s.frames || 0, fpsSamples = [], times = [];
    await new Promise((done) => {
        let start = null, nextSample = 1000;
        const tick = (ts) => {
            if (start === null) start = ts;
            times.push(ts);
            if (ts - start >= nextSample) { fpsSamples.push(s.fps); nextSample += 1000; }
            if (ts - start < ms) requestAnimationFrame(tick); else done();
        };
        requestAnimationFrame(tick);
    });
    return {times, loopFrames: (s.frames || 0) - frames0, fpsSamples, packets: s.packets};
}"""


def figures(sample: dict) -> dict:
    times = sample["times"]
    intervals = sorted(b - a for a, b in itertools.pairwise(times))
    seconds = (times[-1] - times[0]) / 1000
    return {
        "fps": (len(times) - 1) / seconds,
        "p95_ms": intervals[min(len(intervals) - 1, round(0.95 * (len(intervals) - 1)))],
        "loop_fps": sample["loopFrames"] / seconds,
        "page_fps": sample["fpsSamples"],
        "packets": sample["packets"],
    }


def measure_app(sandbox: SandboxPage, destination: str) -> dict:
    traces = sandbox.send(destination, count=20)
    assert len(traces) == 20, traces
    sandbox.page.wait_for_timeout(STAGGER_WAIT_MS)
    sample = sandbox.page.evaluate(MEASURE_JS, MEASURE_MS)
    sandbox.wait_state("s.packets === 0 && s.idle", timeout=30_000)  # an idle page while the baseline runs
    return figures(sample)


def measure_baseline(page: Page) -> dict:
    page.goto(f"{BASELINE.as_uri()}?pods=1000&packets=20")
    page.wait_for_timeout(500)  # warm-up
    return figures(page.evaluate(MEASURE_JS, MEASURE_MS))


def show(name: str, runs: list[dict]) -> None:
    print(f"{name}:")
    for i, r in enumerate(runs, 1):
        line = f"  rep {i}: {r['fps']:5.1f} fps (rAF), p95 frame interval {r['p95_ms']:5.1f} ms"
        if r["packets"] is not None:  # the sandbox page's own figures
            page_fps = ", ".join(f"{v:g}" for v in r["page_fps"])
            line += (f", page loop {r['loop_fps']:5.1f} frames/s, __servicescope.fps [{page_fps}], "
                     f"packets {r['packets']}")
        print(line)


def main() -> None:
    workdir = tempfile.TemporaryDirectory(prefix="servicescope-fps-")  # Daphne's log
    server = DaphneServer(Path(workdir.name))
    try:
        server.start()
        sandbox_urls = server.create_sandbox("fps", "scale")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                                 args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
            context.set_default_timeout(30_000)
            sandbox = SandboxPage.open(context.new_page(), sandbox_urls.owner_url)
            sandbox.wait_state("s.pods === 1000")
            sandbox.tab("Send request")
            destination = sandbox.page.eval_on_selector("#req-destination", "s => s.options[0].value")
            print(f"scale sandbox: {sandbox.state()['nodes']} nodes, {sandbox.state()['pods']} pods; "
                  f"20 requests to {destination} (1920x1080, DPR 1)")
            app, baseline = [], []
            for _ in range(REPETITIONS):
                app.append(measure_app(sandbox, destination))
                baseline_page = context.new_page()
                baseline.append(measure_baseline(baseline_page))
                baseline_page.close()
            browser.close()
    finally:
        server.cleanup()
        workdir.cleanup()

    show("sandbox page, 20 requests animating", app)
    show("baseline: full redraw of 1,000 pods + 20 packets every frame", baseline)
    fps = statistics.median(r["fps"] for r in app)
    p95 = statistics.median(r["p95_ms"] for r in app)
    base_fps = statistics.median(r["fps"] for r in baseline)
    base_p95 = statistics.median(r["p95_ms"] for r in baseline)
    print(f"\nsandbox page: {fps:.1f} fps median, p95 frame interval {p95:.1f} ms (median of {REPETITIONS})")
    print(f"baseline (same run): {base_fps:.1f} fps median, p95 frame interval {base_p95:.1f} ms")
    print(f"ratio sandbox / baseline: {fps / base_fps:.2f}x")
    print(f"target >= {TARGET_FPS} fps: {'met' if fps >= TARGET_FPS else 'NOT met'}")


if __name__ == "__main__":
    main()
