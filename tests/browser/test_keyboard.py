"""Keyboard only: reach the request panel, send a request, step through its hops with the
documented shortcuts (. / L forward, , / J back, K pause, + faster)."""

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def press_until_focused(page, target: str, limit: int = 8) -> list[str]:
    """Press Tab until `#target` has the focus; the ids passed on the way."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        passed.append(focused_id(page))
        if passed[-1] == target:
            return passed
    raise AssertionError(f"Tab never reached #{target}: {passed}")


def test_send_and_step_with_the_keyboard(page, server):
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")

    page.keyboard.press("2")  # documented: 1 … 5 switch the panel tabs
    assert focused_id(page) == "tab-send"
    expect(page.locator("#panel-send")).to_be_visible()
    passed = press_until_focused(page, "req-send1")
    assert passed.index("req-source") < passed.index("req-destination") < passed.index("req-send1")
    destination = page.input_value("#req-destination")  # the first one: the load balancer's address

    with page.expect_response(lambda r: r.url.endswith("/traces/")) as answer:
        page.keyboard.press("Enter")
    [trace] = answer.value.json()["traces"]
    assert trace["destination"] == destination and trace["outcome"] == "delivered"
    hops = len(trace["hops"])
    expect(page.locator("#tracelog .log-main")).to_have_count(hops)

    # Forward to the last hop, one stop per key press; the trace log marks the current hop.
    page.keyboard.press("k")
    sandbox.wait_state("s.paused === true")
    seen = []
    for key in ["."] * 3 + ["L"] * 12:
        page.keyboard.press(key)
        sandbox.next_frame()
        seen.append(sandbox.state()["packet"]["hop"])
        expect(page.locator("#tracelog li.current")).to_have_attribute("data-hop", str(seen[-1]))
        if seen[-1] == hops - 1:
            break
    assert seen == sorted(seen) and seen[-1] == hops - 1, seen
    assert sandbox.state()["paused"] is True

    # And back to the first hop.
    back = []
    for key in [","] * 3 + ["J"] * 12:
        page.keyboard.press(key)
        sandbox.next_frame()
        back.append(sandbox.state()["packet"]["hop"])
        if back[-1] == 0:
            break
    assert back == sorted(back, reverse=True) and back[-1] == 0, back
    expect(page.locator("#tracelog li.current")).to_have_attribute("data-hop", "0")
    expect(page.locator("#tracelog li.current button")).to_have_attribute("aria-current", "step")

    page.keyboard.press("+")
    expect(page.locator("#ctl-speed-value")).to_have_text("2\N{MULTIPLICATION SIGN}")
    sandbox.next_frame()
    assert sandbox.state()["speed"] == 2
