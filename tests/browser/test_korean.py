"""Korean on a machine without Korean system fonts: the page and the canvas draw Hangul from the
subset web font in static/fonts/, and a request's hops read in Korean."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.sandbox_page import SCREENSHOTS, SIZES, SandboxPage

FAMILY = "Servicescope Hangul"
FONT_FILE = re.compile(r"/static/fonts/servicescope-hangul-(regular|bold)\.woff2$")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def drawn_with_web_font(page, selector: str) -> bool:
    """The element's first syllable is as wide as the Hangul web font makes it (a box is narrower)."""
    return page.evaluate(
        """([selector, family]) => {
            const node = document.querySelector(selector);
            const text = node.firstChild;
            const at = text.data.search(/[\\uac00-\\ud7a3]/);
            const range = document.createRange();
            range.setStart(text, at);
            range.setEnd(text, at + 1);
            const style = getComputedStyle(node);
            const c = document.createElement("canvas").getContext("2d");
            c.font = `${style.fontWeight} ${style.fontSize} "${family}"`;
            const want = c.measureText(text.data[at]).width;
            return at >= 0 && want > 0 && Math.abs(range.getBoundingClientRect().width - want) < 0.5;
        }""",
        [selector, FAMILY],
    )


def watch_font_files(page) -> list[tuple[str, int, str]]:
    """(weight, status, content type) of each Hangul font file the page fetches."""
    seen: list[tuple[str, int, str]] = []

    def on_response(response) -> None:
        if match := FONT_FILE.search(response.url):
            seen.append((match[1], response.status, response.headers.get("content-type", "")))

    page.on("response", on_response)
    return seen


def korean_context(new_context, server):
    context = new_context(locale="ko-KR")
    context.add_cookies([{"name": "django_language", "value": "ko", "url": server.base_url}])
    return context


def test_landing_page_draws_hangul_from_the_web_font(new_context, server):
    page = korean_context(new_context, server).new_page()
    fonts = watch_font_files(page)
    page.goto(server.base_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.evaluate(f"document.fonts.check('16px \"{FAMILY}\"', '서비스')")
    assert page.evaluate(f"document.fonts.check('bold 16px \"{FAMILY}\"', '서비스')")
    assert sorted(fonts) == [("bold", 200, "font/woff2"), ("regular", 200, "font/woff2")]
    # Hangul is drawn with the web font: a syllable is as wide as the face says (0.92 em), not a box.
    width = page.evaluate("""() => { const c = document.createElement('canvas').getContext('2d');
        c.font = '100px system-ui, "Servicescope Hangul", sans-serif'; return c.measureText('서').width; }""")
    assert round(width) == 92
    assert drawn_with_web_font(page, ".hero h1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for w, h in SIZES:
        page.set_viewport_size({"width": w, "height": h})
        page.screenshot(path=str(SCREENSHOTS / f"ko-landing-{w}x{h}.png"))


def test_sandbox_canvas_and_trace_in_korean(new_context, server):
    sandbox_urls = server.create_sandbox("한글-데모")
    page = korean_context(new_context, server).new_page()
    fonts = watch_font_files(page)
    sandbox = SandboxPage.open(page, sandbox_urls.owner_url)
    assert page.evaluate(f"document.fonts.check('bold 16px \"{FAMILY}\"', '노드')")
    assert sorted(fonts) == [("bold", 200, "font/woff2"), ("regular", 200, "font/woff2")]
    for selector in ("#role-badge", "#panel-create .panel-title"):
        assert drawn_with_web_font(page, selector), selector
    sandbox.wait_drawn()
    sandbox.screenshots("ko-sandbox")

    # A request: every hop and the ending read in Korean (the trace carries both languages).
    page.click("#tab-send")
    page.select_option("#req-source", "external")
    destination = page.eval_on_selector_all(
        "#req-destination option", "os => os.map(o => o.value).find(v => v.startsWith('130.211.') && v.endsWith(':30123'))")
    page.select_option("#req-destination", destination)
    with page.expect_response(lambda r: r.url.endswith("/traces/")) as answer:
        page.click("#req-send1")
    trace = answer.value.json()["traces"][0]
    assert trace["outcome"] == "delivered" and trace["hops"]
    page.wait_for_function("document.querySelectorAll('#tracelog .log-text').length > 0")
    texts = page.eval_on_selector_all("#tracelog .log-text", "els => els.map(e => e.textContent)")
    assert texts == [hop["i18n"]["ko"]["text"] for hop in trace["hops"]]
    assert all(HANGUL.search(text) for text in texts) and texts[0].startswith("외부 클라이언트(")
    page.click("#tracelog li:last-child .log-btn")
    expect(page.locator(".hop-text")).to_have_text(trace["hops"][-1]["i18n"]["ko"]["text"])
    assert drawn_with_web_font(page, ".hop-text")
    sandbox.screenshots("ko-trace")


def test_canvas_asks_for_the_font_on_an_english_page_with_a_korean_name(page, server):
    """No Hangul in the page's own text: the canvas's first Hangul label fetches the font and the
    picture is repainted when it is there."""
    sandbox_urls = server.create_sandbox("데모")
    fonts = watch_font_files(page)
    sandbox = SandboxPage.open(page, sandbox_urls.owner_url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.wait_for_function(f"document.fonts.check('bold 16px \"{FAMILY}\"', '데모')")
    assert ("bold", 200, "font/woff2") in fonts
    sandbox.wait_drawn()
    sandbox.screenshots("en-sandbox-korean-name")
