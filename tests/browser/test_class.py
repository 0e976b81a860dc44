"""A class in the browser: a teacher and three students in their own browser contexts run a class
without a lesson in follow mode, answer a question, the teacher sees the answers come in, reveals,
releases control and calls everyone back. Screenshots of both pages at 1280x720 and 1024x768."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.sandbox_page import SCREENSHOTS, SandboxPage

SIZES = ((1280, 720), (1024, 768))
STUDENTS = ("Ana", "Bo", "<i>Chul</i>")


def class_state(page: Page) -> dict:
    return page.evaluate("JSON.parse(JSON.stringify(window.__servicescopeClass))")


def wait_class(page: Page, condition: str, timeout: float = 10_000) -> None:
    """Wait until `condition` (JS over `c` = window.__servicescopeClass, `s` = window.__servicescope)."""
    page.wait_for_function(
        f"(() => {{ const c = window.__servicescopeClass, s = window.__servicescope; return Boolean(c && s && ({condition})); }})()",
        timeout=timeout, polling=50)


def join(new_context, base_url: str, code: str, name: str) -> Page:
    page = new_context().new_page()
    page.goto(base_url + "/join/")
    page.fill("#join-code", code.lower())
    page.fill("#join-name", name)
    page.click(".join-submit")
    expect(page).to_have_url(re.compile(rf"/classes/{code}/learn/$"))
    wait_class(page, "c.classSeq !== null && s.connection === 'open' && s.scene")
    return page


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(400)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}x{height}.png"))
        # Nothing of the page is wider than the window, and the class bar is in view.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (name, width)
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})


def packet_hop(page: Page) -> int | None:
    return page.evaluate("window.__servicescope.packet && window.__servicescope.packet.hop")


def test_a_class_in_follow_mode_answers_a_question_then_is_released_and_called_back(server, new_context) -> None:
    teacher = new_context().new_page()
    teacher.goto(server.base_url + "/")
    teacher.get_by_role("button", name="Start a class").click()
    expect(teacher).to_have_url(re.compile(r"/classes/[A-Z2-9]{6}/teach/$"))
    code = teacher.url.split("/")[-3]
    SandboxPage(teacher).wait_live()
    expect(teacher.locator("#class-code")).to_have_text(f"{code[:3]} {code[3:]}")

    students = [join(new_context, server.base_url, code, name) for name in STUDENTS]
    wait_class(teacher, "c.connected === 3")
    names = teacher.locator(".class-student-name").all_text_contents()
    assert names == list(STUDENTS)  # as text: the markup in a name is not markup
    assert teacher.locator("#class-roster i").count() == 0

    # The teacher sends a request; every student's screen plays it.
    teacher.click("#tab-send")
    teacher.select_option("#req-source", "external")
    teacher.select_option("#req-destination", index=0)
    with teacher.expect_response(lambda r: r.url.endswith("/traces/")) as answer:
        teacher.click("#req-send1")
    trace = answer.value.json()["traces"][0]
    for student in students:
        wait_class(student, f"c.cursor && c.cursor.trace === {trace['id']}")

    # Pause, then step: the students' screens pause and stand on the teacher's hop.
    teacher.click("#ctl-play")
    teacher.click("#ctl-back")
    teacher.click("#ctl-back")
    teacher.click("#ctl-forward")
    wait_class(teacher, "c.posted.length >= 4 && c.posted.every(p => p.status === 200)")
    hop = packet_hop(teacher)
    for student in students:
        wait_class(student, f"c.cursor && c.cursor.paused && c.cursor.hop === {hop} && s.paused")
        assert packet_hop(student) == hop
        assert student.locator("#ctl-play").get_attribute("aria-pressed") == "true"

    # A question: where does the packet go next? Each student answers; the teacher sees the counts.
    teacher.click("#class-ask")
    wait_class(teacher, "c.question && c.question.answer !== undefined")
    question = class_state(teacher)["question"]
    for student in students:
        expect(student.locator("button.cq-choice")).to_have_count(len(teacher.locator(".cq-choice").all()))
    picks = [question["answer"], question["answer"], (question["answer"] + 1) % 3]
    for student, pick in zip(students, picks, strict=True):
        student.click(f"button.cq-choice[data-choice='{pick}']")
        wait_class(student, f"c.answered && c.answered.question === {question['id']}")
        expect(student.locator("button.cq-choice")).to_have_count(0)  # one answer each
    wait_class(teacher, "c.counts && c.counts.reduce((a, b) => a + b, 0) === 3")
    counts = class_state(teacher)["counts"]
    assert counts[question["answer"]] == 2 and sum(counts) == 3
    expect(teacher.locator(".cq-answered")).to_contain_text("3 of 3 answered")
    shot(teacher, "class-teacher-question")
    shot(students[0], "class-student-question")

    # The reveal reaches everyone.
    teacher.click(".cq-reveal")
    for student, pick in zip(students, picks, strict=True):
        wait_class(student, f"c.reveal && c.reveal.answer === {question['answer']}")
        expect(student.locator(".cq-choice.is-right")).to_have_count(1)
        expect(student.locator(".cq-verdict")).to_be_visible()
        assert student.locator(".cq-choice.is-mine").get_attribute("data-choice") == str(pick)
    shot(students[2], "class-student-reveal")

    # Release: each student gets their own copy to change; call back: everyone follows again.
    teacher.click("#class-follow")
    for student in students:
        expect(student.locator("#app")).to_have_attribute("data-class-mode", "explore", timeout=15_000)
        SandboxPage(student).wait_live()
        expect(student.locator("#panel-create")).to_be_attached()
    sandboxes = {student.evaluate("document.getElementById('app').dataset.clusterId") for student in students}
    assert len(sandboxes) == 3 and teacher.evaluate("document.getElementById('app').dataset.clusterId") not in sandboxes
    shot(students[1], "class-student-explore")
    shot(teacher, "class-teacher-released")
    teacher.click("#class-follow")
    for student in students:
        expect(student.locator("#app")).to_have_attribute("data-class-mode", "follow", timeout=15_000)
        wait_class(student, "c.classSeq !== null && s.connection === 'open' && s.scene")
    wait_class(teacher, "c.follow === true && c.connected === 3")
    shot(students[0], "class-student-follow")
    shot(teacher, "class-teacher-follow")

    # Speed and selection follow the teacher's too.
    teacher.click(".cq-close")
    teacher.click("#tab-class")
    expect(teacher.locator(".class-student.is-on")).to_have_count(3)
    shot(teacher, "class-teacher-roster")
    teacher.keyboard.press("+")
    for student in students:
        wait_class(student, "s.speed === 2")
    teacher.focus("#scene-canvas")
    teacher.keyboard.press("Enter")
    wait_class(teacher, "c.posted.some(p => p.path === 'selection/' && p.body.selection)")
    chosen = next(p for p in class_state(teacher)["posted"] if p["path"] == "selection/")["body"]["selection"]
    for student in students:
        wait_class(student, f"c.selection && c.selection.key === {chosen['key']!r}")

    # Spotlight one student's copy on every screen, then end the class.
    teacher.click("#tab-class")
    expect(teacher.locator("#class-spotlight-open")).to_be_hidden()
    expect(teacher.locator("#class-spotlight-off")).to_be_hidden()
    teacher.locator(".class-student[data-student] .class-spot").first.click()
    for student in students:
        wait_class(student, "c.spotlight && c.view === c.spotlight.cluster")
        expect(student.locator("#class-mode")).to_contain_text("The teacher is showing Ana's sandbox")
    expect(teacher.locator("#class-spotlight-open")).to_be_visible()
    shot(students[1], "class-student-spotlight")
    expect(students[0].locator("#class-copy-link")).to_be_hidden()
    teacher.click("#class-end")
    teacher.click("#class-end")
    for student in students:
        wait_class(student, "c.ended")
        expect(student.locator("#class-mode")).to_contain_text("The class has ended")
        expect(student.locator("#class-copy-link")).to_be_visible()


def test_the_join_page_on_a_phone(server, new_context, page_errors) -> None:
    page_errors.allow(r"status of 404")  # the answer to a wrong code
    page = new_context().new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server.base_url + "/join/")
    page.fill("#join-code", "ZZZZZZ")
    page.fill("#join-name", "Ana")
    page.click(".join-submit")
    expect(page.locator("#join-code-error")).to_contain_text("No class has this code")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "class-join-390x844.png"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
