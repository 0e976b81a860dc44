"""Predict, then reveal, keyboard only: turn Predict on, send a request, answer every question of
its trace with Tab, the arrow keys and Enter; the score, the screen reader's words (aria-live) and
where the focus goes are checked on the way. The question never covers the canvas or the log."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage
from tests.browser.test_keyboard import focused_id, press_until_focused

QUIZ = "window.__servicescope.quiz"


def quiz_state(page) -> dict:
    return page.evaluate(f"JSON.parse(JSON.stringify({QUIZ}))")


def expected_value(trace: dict, hop: int) -> str:
    """What the trace did at `hop`: the new destination, or the same one if nothing rewrote it."""
    h = trace["hops"][hop]
    return h["after"]["dst"] if "dst" in h["changed"] else h["before"]["dst"]


def choices(page) -> list[dict]:
    return page.eval_on_selector_all(
        "#quiz-choices [role=radio]",
        "bs => bs.map(b => ({value: b.dataset.value, checked: b.getAttribute('aria-checked'), "
        "focused: b === document.activeElement, label: b.innerText}))")


def boxes_overlap(page, a: str, b: str) -> bool:
    return page.evaluate(
        """([a, b]) => {
            const r = document.querySelector(a).getBoundingClientRect();
            const s = document.querySelector(b).getBoundingClientRect();
            return r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
        }""", [a, b])


def move_to(page, target: int) -> None:
    """Arrow down/up from the focused choice to `target`: each press moves the check (radio group)."""
    now = next(i for i, c in enumerate(choices(page)) if c["focused"])
    key = "ArrowDown" if target > now else "ArrowUp"
    for _ in range(abs(target - now)):
        page.keyboard.press(key)
    after = choices(page)
    assert after[target]["focused"] and after[target]["checked"] == "true", after
    assert [c["checked"] for c in after].count("true") == 1


def test_a_whole_trace_answered_with_the_keyboard(page, server):
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")
    page.evaluate("""document.getElementById('app').addEventListener('servicescope:quiz',
        (e) => (window.__quizEvents = window.__quizEvents || []).push(e.detail))""")

    # Predict on: Tab to the toggle in the trace log's head, Enter.
    press_until_focused(page, "ctl-predict", limit=25)
    page.keyboard.press("Enter")
    expect(page.locator("#ctl-predict")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#quiz-live")).to_have_text("Predict is on: playback stops before each hop that decides where the packet goes.")

    # Send one request to the load balancer (the first destination), as in test_keyboard.
    page.keyboard.press("2")
    assert focused_id(page) == "tab-send"
    press_until_focused(page, "req-send1")
    with page.expect_response(lambda r: r.url.endswith("/traces/")) as answer:
        page.keyboard.press("Enter")
    [trace] = answer.value.json()["traces"]
    assert trace["outcome"] == "delivered" and trace["hops"][1]["at"]["kind"] == "loadbalancer"

    sandbox.wait_state("s.quiz.phase === 'ask'")
    asked = quiz_state(page)["questions"]
    assert asked[0] == 1 and len(asked) == 3, asked  # the load balancer, the first kube-proxy rule, the DNAT
    assert [trace["hops"][h]["action"] for h in asked] == ["forward", "forward", "DNAT"]
    expect(page.locator("#quiz-panel")).to_be_visible()
    expect(page.locator("#panel-send")).to_be_hidden()  # the question has the side panel to itself
    assert not boxes_overlap(page, "#quiz-panel", "#canvas-wrap")
    assert not boxes_overlap(page, "#quiz-panel", ".log")

    picks = {0: "right", 1: "wrong", 2: "right"}
    for n, hop in enumerate(asked):
        sandbox.wait_state(f"s.quiz.phase === 'ask' && s.quiz.hop === {hop}")
        state = sandbox.state()
        # The packet waits at the hop before; the log shows nothing of the hops not asked yet.
        assert state["paused"] is True and state["packet"]["hop"] == hop - 1, state["packet"]
        expect(page.locator("#tracelog li:not([hidden])")).to_have_count(hop)
        expect(page.locator("#tracelog-summary")).to_have_css("visibility", "hidden")
        expect(page.locator("#quiz-progress")).to_have_text(f"Hop {hop + 1} of {len(trace['hops'])}")
        here = trace["hops"][hop]["before"]["dst"]
        expect(page.locator("#quiz-prompt")).to_contain_text(f"the packet is addressed to {here}")
        live = page.locator("#quiz-live")
        expect(live).to_contain_text(f"Hop {hop + 1} of {len(trace['hops'])}. ")
        expect(live).to_contain_text("Choices: 1: ")

        # The focus is on the first choice; nothing is checked until an arrow key moves.
        now = choices(page)
        assert 3 <= len(now) <= 4 and len({c["value"] for c in now}) == len(now)
        assert now[0]["focused"] and all(c["checked"] == "false" for c in now)
        right = expected_value(trace, hop)
        values = [c["value"] for c in now]
        assert values.count(right) == 1, (right, values)
        target = values.index(right) if picks[n] == "right" else next(i for i, v in enumerate(values) if v != right)
        move_to(page, target if target else 1)  # always use the arrows at least once
        if target == 0:
            move_to(page, 0)
        # Stepping past the question is undone: the packet stays before the hop.
        page.keyboard.press("Tab")  # the focus leaves the radio group (to the help text's next stop)
        page.keyboard.press("Shift+Tab")
        assert choices(page)[target]["focused"], "Tab returns to the checked choice (roving tabindex)"
        page.keyboard.press("Enter")

        sandbox.wait_state(f"s.quiz.phase === 'revealed' && s.quiz.hop === {hop}")
        assert page.evaluate("document.activeElement.classList.contains('quiz-continue')")
        verdict = page.locator(".quiz-verdict")
        if picks[n] == "right":
            expect(verdict).to_have_text(f"Right: the packet went to {right}.")
        else:
            expect(verdict).to_have_text(f"The packet went to {right}, not {values[target]}.")
        expect(live).to_contain_text(verdict.inner_text())
        rule = trace["hops"][hop]["rules"][-1] if trace["hops"][hop]["rules"] else ""
        if rule:
            expect(page.locator(".quiz-why")).to_contain_text(rule)
            expect(page.locator(".quiz-rule summary code")).to_have_text(rule)
        right_so_far = sum(1 for k in range(n + 1) if picks[k] == "right")
        expect(page.locator("#quiz-score")).to_have_text(f"Score {right_so_far}/{n + 1}")
        expect(live).to_contain_text(f"Score {right_so_far}/{n + 1}")
        # The hop itself is on screen now: the packet at the asked hop, its line in the log.
        assert sandbox.state()["packet"]["hop"] == hop
        expect(page.locator("#tracelog li.current")).to_have_attribute("data-hop", str(hop))
        chosen = page.locator("#quiz-choices [role=radio]").nth(values.index(right))
        expect(chosen).to_have_class(re.compile(r"\bis-answer\b"))
        if n == 0:
            sandbox.screenshots("quiz-reveal")
        page.keyboard.press("Enter")  # Continue

    # The last Continue: the summary, read out, with the focus on Close.
    expect(page.locator(".quiz-summary-text")).to_have_text("This request: 2 of 3 predicted right.")
    expect(page.locator("#quiz-live")).to_have_text("This request: 2 of 3 predicted right. Score 2/3")
    assert page.evaluate("document.activeElement.textContent") == "Close"
    expect(page.locator("#tracelog li:not([hidden])")).to_have_count(len(trace["hops"]))
    expect(page.locator("#tracelog-summary")).to_have_css("visibility", "visible")
    assert quiz_state(page)["phase"] == "done" and quiz_state(page)["right"] == 2

    events = page.evaluate("window.__quizEvents")
    assert [(e["hop"], e["correct"], e["complete"]) for e in events[:3]] == [(1, True, False), (2, False, False), (4, True, False)]
    assert events[3] == {"traceId": trace["id"], "complete": True, "right": 2, "total": 3, "score": {"right": 2, "total": 3}}

    # Close: the tabs come back. "Send 1" lost the focus while its request was in flight (it is
    # disabled meanwhile), so the focus goes to the Predict toggle beside the trace log.
    page.keyboard.press("Enter")
    expect(page.locator("#quiz-panel")).to_be_hidden()
    expect(page.locator("#panel-send")).to_be_visible()
    assert focused_id(page) == "ctl-predict"


def test_keys_1_to_4_and_a_quiz_started_by_the_page(page, server):
    """A lesson starts the quiz of a request already seen ("servicescope:quiz-start"); keys 1-4 answer."""
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")
    destination = page.eval_on_selector_all(
        "#req-destination option", "os => os.map(o => o.value)")
    nodeport = next(d for d in destination if d.startswith("130.211.") and d.endswith(":30123"))
    services = {row[0]: row for row in sandbox.table("services")}
    cluster_ip = f"{services['kubia-nodeport'][2]}:80"
    [trace] = sandbox.send(nodeport)
    sandbox.wait_state("s.packet === null || s.packet.phase === 'end'", timeout=20_000)
    assert quiz_state(page)["enabled"] is False

    page.evaluate("""(id) => document.getElementById('app').dispatchEvent(
        new CustomEvent('servicescope:quiz-start', {detail: {traceId: id}}))""", trace["id"])
    expect(page.locator("#ctl-predict")).to_have_attribute("aria-pressed", "true")
    sandbox.wait_state("s.quiz.phase === 'ask'")
    assert quiz_state(page)["questions"] == [1, 3]  # KUBE-EXT (nothing rewritten yet), KUBE-SEP's DNAT
    sandbox.screenshots("quiz-question")

    values = [c["value"] for c in choices(page)]
    page.keyboard.press(str(values.index(trace["destination"]) + 1))  # still the nodeIP:nodePort
    sandbox.wait_state("s.quiz.phase === 'revealed'")
    expect(page.locator(".quiz-verdict")).to_have_text(f"Right: the packet went to {trace['destination']}.")
    expect(page.locator(".quiz-why")).to_contain_text("only jumps to the next chain")
    page.keyboard.press("Enter")

    sandbox.wait_state("s.quiz.phase === 'ask' && s.quiz.hop === 3")
    values = [c["value"] for c in choices(page)]
    assert cluster_ip in values, values
    page.keyboard.press(str(values.index(cluster_ip) + 1))  # the book's clusterIP hop: wrong
    sandbox.wait_state("s.quiz.phase === 'revealed'")
    pod = f"{trace['endpoint']['ip']}:{trace['endpoint']['port']}"
    expect(page.locator(".quiz-verdict")).to_have_text(f"The packet went to {pod}, not {cluster_ip}.")
    expect(page.locator(".quiz-why")).to_contain_text("rewrote the destination from")
    expect(page.locator(".quiz-why")).to_contain_text("in one step (DNAT)")
    expect(page.locator(".quiz-hint")).to_have_text(
        f"No hop ever goes to the clusterIP {cluster_ip}: it is only the address kube-proxy's rules match on every node.")
    expect(page.locator("#quiz-score")).to_have_text("Score 1/2")

    # Stop predicting: the panel goes, playback goes on, the toggle is off.
    page.locator(".quiz-stop").click()
    expect(page.locator("#quiz-panel")).to_be_hidden()
    expect(page.locator("#ctl-predict")).to_have_attribute("aria-pressed", "false")
    assert focused_id(page) == "ctl-predict"
    sandbox.wait_state("s.paused === false")
