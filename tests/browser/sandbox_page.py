"""The sandbox page as the tests use it: open, read its state, fill its forms, send requests, take
screenshots. DOM ids are those of templates/visualizer/sandbox.html (tests/js/README.md)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
SIZES = ((1280, 720), (1920, 1080))

PRESET_BUTTONS = {"kubia": "Open the kubia demo", "empty": "Create an empty sandbox"}
SANDBOX_PATH = re.compile(r"/clusters/[0-9a-f-]{36}/$")


class SandboxPage:
    def __init__(self, page: Page):
        self.page = page

    # --- opening ----------------------------------------------------------------------------------

    @classmethod
    def from_landing(cls, page: Page, base_url: str, preset: str = "kubia") -> SandboxPage:
        """Landing page -> one click on the preset's button -> the new sandbox, connected."""
        page.goto(base_url + "/")
        page.get_by_role("button", name=PRESET_BUTTONS[preset]).click()
        expect(page).to_have_url(SANDBOX_PATH)
        return cls(page).wait_live()

    @classmethod
    def open(cls, page: Page, url: str) -> SandboxPage:
        page.goto(url)
        return cls(page).wait_live()

    def wait_live(self) -> SandboxPage:
        """The websocket is open and the first snapshot is drawn."""
        self.wait_state("s.connection === 'open' && s.seq != null && s.scene != null")
        self.wait_drawn()
        return self

    def wait_drawn(self) -> None:
        """The canvas shows the current scene (its static layer is rebuilt at most every 100 ms)."""
        self.wait_state("s.layerStale === false")

    # --- state ------------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """window.__servicescope: loop figures, connection, counts, seq, what the canvas shows."""
        return self.page.evaluate("JSON.parse(JSON.stringify(window.__servicescope))")

    def wait_state(self, condition: str, timeout: float = 10_000) -> None:
        """Wait until `condition` (JS, over `s` = window.__servicescope) holds."""
        try:
            self.page.wait_for_function(
                f"(() => {{ const s = window.__servicescope; return Boolean(s && ({condition})); }})()",
                timeout=timeout, polling=50)
        except PlaywrightTimeoutError:
            state = self.state()
            scene = state.pop("scene", None) or {}
            # What the Services band said (the scene's texts) tells most waits on the picture apart.
            raise AssertionError(f"timed out waiting for {condition!r}; state: {state}; "
                                 f"scene texts: {scene.get('texts', [])[:12]}") from None

    def next_frame(self) -> None:
        """Let the page draw (window.__servicescope is updated while drawing)."""
        self.page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")

    def mark_document(self) -> None:
        """Tag this document, to prove later that no reload happened (see `same_document`)."""
        self.page.evaluate("window.__sameDocument = true")

    def same_document(self) -> bool:
        return self.page.evaluate("window.__sameDocument === true")

    # --- panels -----------------------------------------------------------------------------------

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=name, exact=True).click()

    def table(self, section: str) -> list[list[str]]:
        """Rows of one Tables section (services, endpoints, slices, pods, nodes, deployments) as cell texts."""
        self.tab("Tables")
        return self.page.eval_on_selector_all(
            f"#tables-{section} tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))")

    def column(self, section: str, index: int = 0) -> list[str]:
        return [row[index] for row in self.table(section)]

    def trace_lines(self) -> list[str]:
        return self.page.eval_on_selector_all("#tracelog .log-main", "els => els.map(e => e.textContent)")

    def current_hop(self) -> int | None:
        hop = self.page.get_attribute("#tracelog li.current", "data-hop") if self.page.query_selector(
            "#tracelog li.current") else None
        return None if hop is None else int(hop)

    # --- forms ------------------------------------------------------------------------------------

    def form(self, key: str):
        """The form `key` (service, workload, scale, node, settings), its <details> opened."""
        self.tab("Settings" if key == "settings" else "Create")
        form = self.page.locator(f"#form-{key}")
        if not form.is_visible():
            self.page.locator("details.form-block", has=form).locator("summary").click()
        return form

    def fill(self, key: str, fields: dict[str, str | int]) -> None:
        form = self.form(key)
        for name, value in fields.items():
            control = form.locator(f'[name="{name}"]')
            if control.evaluate("e => e.tagName") == "SELECT":
                control.select_option(str(value))
            else:
                control.fill(str(value))

    def submit(self, key: str, fields: dict[str, str | int]) -> None:
        """Fill and submit a form; wait for the server's answer."""
        self.fill(key, fields)
        form = self.form(key)
        with self.page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(
                form.get_attribute("action") or "")):
            form.locator('button[type="submit"]').click()
        expect(form).not_to_have_attribute("aria-busy", "true")

    def ok_message(self, key: str) -> str:
        return self.page.text_content(f"#ok-{key}") or ""

    def field_error(self, key: str, field: str) -> str:
        return (self.page.text_content(f"#err-{key}-{field}") or "").strip()

    # --- requests ---------------------------------------------------------------------------------

    def send(self, destination: str, *, source: str = "external", count: int = 1) -> list[dict]:
        """Pick source and destination in the request panel, press "Send 1" or "Send 20"; the traces."""
        self.tab("Send request")
        self.page.select_option("#req-source", source)
        self.page.select_option("#req-destination", destination)
        with self.page.expect_response(lambda r: r.url.endswith("/traces/")) as answer:
            self.page.click("#req-send20" if count == 20 else "#req-send1")
        return answer.value.json()["traces"]

    def tally(self) -> dict[str, int]:
        """The "where the last requests went" box: pod name -> count."""
        rows = self.page.eval_on_selector_all(
            "#req-tally li:not(.tally-other)",
            "lis => lis.map(li => [li.querySelector('.tally-name').title, li.querySelector('.tally-count').textContent])")
        return {pod: int(count.split()[0]) for pod, count in rows}

    # --- screenshots ------------------------------------------------------------------------------

    def screenshots(self, name: str) -> list[Path]:
        """artifacts/screenshots/<name>-<w>x<h>.png at 1280x720 and 1920x1080 (then back to the first)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        paths = []
        for width, height in SIZES:
            self.resize(width, height)
            self.wait_drawn()
            path = SCREENSHOTS / f"{name}-{width}x{height}.png"
            self.page.screenshot(path=str(path))
            paths.append(path)
        self.resize(*SIZES[0])
        return paths

    def resize(self, width: int, height: int) -> None:
        """Change the viewport and wait until the picture is redrawn at the new size."""
        size = self.page.viewport_size or {}
        if (size.get("width"), size.get("height")) == (width, height):
            return
        builds = self.state().get("staticBuilds", 0)
        self.page.set_viewport_size({"width": width, "height": height})
        self.wait_state(
            f"s.staticBuilds > {builds} && document.getElementById('scene-canvas').width === "
            "Math.floor(document.getElementById('canvas-wrap').getBoundingClientRect().width)")
