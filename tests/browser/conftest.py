"""Browser tests: the real Daphne in a child process, the system Chromium through Playwright.

- `server` (session): a fresh SQLite file, migrated, served by Daphne on a free port;
- `own_server` (function): the same, private to one test (it may be restarted);
- `browser` (session): headless Chromium with CHROMIUM_ARGS;
- `new_context(**options)` / `page` (function): browser contexts (one per visitor) and a page in
  one, 1280x720; the test fails on any console error or uncaught page exception in them
  (`page_errors.allow(regex)` for the ones a test expects).

Screenshots go to artifacts/screenshots/ (gitignored), at 1280x720 and 1920x1080.

No pytest-django database: sandboxes are made through the UI or `manage.py createcluster`.
Run apart from the rest of the suite, as the README's test command does: `pytest tests/browser`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from tests.browser.server import CHROMIUM_ARGS, DaphneServer

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 720}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaphneServer]:
    daphne = DaphneServer(tmp_path_factory.mktemp("daphne"))
    daphne.start()
    yield daphne
    daphne.cleanup()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[DaphneServer]:
    """A server of this test alone (e.g. to restart it)."""
    daphne = DaphneServer(tmp_path)
    daphne.start()
    yield daphne
    daphne.cleanup()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageErrors:
    """Console errors and uncaught exceptions of the pages of one context."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.seen.append(f"uncaught {error.name}: {error.message}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.seen.append(f"console: {message.text} ({message.location.get('url', '')})")

    def unexpected(self) -> list[str]:
        return [e for e in self.seen if not any(p.search(e) for p in self.allowed)]


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
def new_context(browser: Browser, page_errors: PageErrors) -> Iterator:
    """Make browser contexts (each its own cookies: another visitor); all are checked for errors."""
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        # The tests read the page's state with evaluated expressions, which the page's CSP (no eval)
        # would refuse; a test of the CSP itself passes bypass_csp=False.
        context = browser.new_context(viewport=VIEWPORT, **{"bypass_csp": True, **options})
        context.set_default_timeout(10_000)
        context.on("page", page_errors.watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    if errors := page_errors.unexpected():
        pytest.fail("errors in the page:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()
