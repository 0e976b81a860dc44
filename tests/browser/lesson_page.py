"""A lesson page as a learner uses it: the lesson column (steps, predictions, hints, "show me",
a scenario's request and cause) beside the sandbox page, driven by DOM ids so it works in any
language. The learner's own actions go through the sandbox page's forms, YAML tab, console, Send
tab and the real kubectl."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from playwright.sync_api import Page, expect

from tests.browser.sandbox_page import SandboxPage

KUBECTL = "/usr/bin/kubectl"


class LessonPage(SandboxPage):
    @classmethod
    def start(cls, page: Page, base_url: str, lesson_id: str) -> LessonPage:
        """Catalogue -> the lesson's Start button -> its page, connected, its first step shown."""
        page.goto(base_url + "/lessons/")
        page.locator(f'[data-lesson="{lesson_id}"] button[type="submit"]').click()
        lesson = cls(page)
        lesson.wait_live()
        expect(page.locator(".lesson-step.current")).to_have_count(1)
        return lesson

    TABS = {"Create": "create", "Send request": "send", "YAML": "yaml", "Console": "console",
            "Inspector": "inspector", "Tables": "tables", "Settings": "settings"}

    def tab(self, name: str) -> None:
        """By id, so the same test runs in English and in Korean."""
        self.page.click(f"#tab-{self.TABS[name]}")

    # --- the lesson column -------------------------------------------------------------------------

    def step(self, step_id: str):
        return self.page.locator(f'.lesson-step[data-step="{step_id}"]')

    def current(self) -> str:
        return self.page.get_attribute(".lesson-step.current", "data-step") or ""

    def wait_done(self, step_id: str, timeout: float = 15_000) -> None:
        expect(self.step(step_id)).to_have_class("lesson-step done", timeout=timeout)

    def predict(self, choice: int) -> str:
        """Answer the current step's prediction; the reveal's text."""
        self.page.locator(".lesson-step.current .lesson-choice").nth(choice).click()
        reveal = self.page.locator(".lesson-step.current .lesson-reveal")
        expect(reveal).to_be_visible()
        return reveal.inner_text()

    def hint(self) -> str:
        self.page.locator(".lesson-step.current .lesson-actions button").first.click()
        hint = self.page.locator(".lesson-step.current .lesson-hint")
        expect(hint).to_be_visible()
        return hint.inner_text()

    def show_me(self) -> None:
        step = self.current()
        self.page.locator(".lesson-step.current .lesson-actions button").nth(1).click()
        self.wait_done(step)

    def finished(self) -> None:
        expect(self.page.locator("#lesson-done")).to_be_visible(timeout=15_000)

    # --- the learner's tools -------------------------------------------------------------------------

    def console(self, command: str) -> str:
        self.page.click("#tab-console")
        before = self.page.text_content("#console-output") or ""
        self.page.fill("#console-input", command)
        self.page.press("#console-input", "Enter")
        self.page.wait_for_function("n => (document.getElementById('console-output').textContent || '').length > n",
                                    arg=len(before))
        self.page.wait_for_timeout(200)
        return (self.page.text_content("#console-output") or "")[len(before):]

    def apply_yaml(self, text: str = "", *, book: str = "") -> str:
        self.page.click("#tab-yaml")
        if book:
            self.page.select_option("#yaml-book", book)
        else:
            self.page.fill("#yaml-text", text)
        with self.page.expect_response(lambda r: r.url.endswith("/apply/")):
            self.page.click("#yaml-apply")
        self.page.wait_for_timeout(150)
        return self.page.inner_text("#yaml-result")

    def send_to(self, destination: str, *, source: str = "external", count: int = 1) -> list[dict]:
        """The Send tab with a typed address (works in any language)."""
        self.page.click("#tab-send")
        self.page.select_option("#req-source", source)
        self.page.fill("#req-free", destination)
        with self.page.expect_response(lambda r: r.url.endswith("/traces/")) as answer:
            self.page.click("#req-send20" if count == 20 else "#req-send1")
        if self.page.locator("#req-free").is_visible():  # (a prediction may have taken the panel)
            self.page.fill("#req-free", "")
        return answer.value.json()["traces"]

    def absolute(self, path: str) -> str:
        return urljoin(self.page.url, path)

    def snapshot(self) -> dict[str, Any]:
        api = self.page.get_attribute("#app", "data-api-base")
        return self.page.request.get(self.absolute(api)).json()

    def objects(self, kind: str) -> list[dict]:
        return self.snapshot()["objects"][kind]

    def service(self, name: str) -> dict:
        return next(s for s in self.objects("Service") if s["metadata"]["name"] == name)

    def pod_source(self, label: str = "kubia") -> str:
        pod = sorted(p["metadata"]["name"] for p in self.objects("Pod") if p["metadata"]["labels"].get("app") == label)[0]
        return f"pod/default/{pod}"

    def node_ip(self, *, with_pod: bool) -> str:
        busy = {p["spec"].get("nodeName") for p in self.objects("Pod")}
        node = next(n for n in sorted(self.objects("Node"), key=lambda n: n["metadata"]["name"])
                    if (n["metadata"]["name"] in busy) == with_pod)
        return next(a["address"] for a in node["status"]["addresses"] if a["type"] == "ExternalIP")

    def kubectl(self, tmp_path: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        """The real kubectl, with the kubeconfig the page offers for download."""
        config = tmp_path / "kubeconfig"
        if not config.exists():
            href = self.page.get_attribute("a[download][href$='/kubeconfig/']", "href")
            config.write_text(self.page.request.get(self.absolute(href)).text())
        done = subprocess.run([KUBECTL, "--kubeconfig", str(config), "--cache-dir", str(tmp_path / "cache"), *args],
                              capture_output=True, text=True, timeout=60)
        if ok:
            assert done.returncode == 0, done.stderr
        return done
