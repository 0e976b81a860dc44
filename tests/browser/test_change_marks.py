"""Change marks: after an `events` batch the canvas marks what changed for a moment, a "+ new" ring
around an added pod, a dashed ghost tagged "gone" where a deleted one was, then the loop goes idle."""

from playwright.sync_api import expect

from tests.browser.sandbox_page import SCREENSHOTS, SandboxPage

RECORD_MARKS = """() => {
    window.__marksSeen = [];
    const record = () => {
        for (const m of window.__servicescope.marks || []) {
            if (!window.__marksSeen.some(s => s.ref === m.ref && s.kind === m.kind)) window.__marksSeen.push(m);
        }
        requestAnimationFrame(record);
    };
    requestAnimationFrame(record);
}"""


def kubia_pods(sandbox: SandboxPage) -> set[str]:
    return {name for name in sandbox.column("pods") if name.startswith("kubia-")}


def scale_kubia(sandbox: SandboxPage, replicas: int) -> None:
    sandbox.submit("scale", {"workload": "default/kubia", "replicas": replicas})
    expect(sandbox.page.locator("#ok-scale")).to_have_text("✓ replicaset.apps/kubia scaled")
    sandbox.wait_state(f"s.pods === {replicas}")


def seen(sandbox: SandboxPage, kind: str) -> set[str]:
    marks = sandbox.page.evaluate("window.__marksSeen")
    return {m["ref"] for m in marks if m["kind"] == kind}


def test_scaling_marks_added_and_deleted_pods(page, server):
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")
    assert sandbox.state()["marks"] == []  # the first snapshot is not a change
    before = kubia_pods(sandbox)
    assert len(before) == 3
    page.evaluate(RECORD_MARKS)

    # Scale up: the new pod gets an "added" mark (with its "+ new" tag), visible right away.
    sandbox.submit("scale", {"workload": "default/kubia", "replicas": 4})
    sandbox.wait_state("s.marks.some(m => m.kind === 'added' && m.ref.startsWith('Pod:default/kubia-'))")
    state = sandbox.state()
    added = [m for m in state["marks"] if m["kind"] == "added" and m["ref"].startswith("Pod:")]
    assert all(m["text"] == "+ new" for m in added)
    assert not state["idle"]  # the loop runs while marks are shown
    sandbox.screenshots("change-marks")
    sandbox.wait_state("s.pods === 4")
    after = kubia_pods(sandbox)
    new_pods = after - before
    assert len(new_pods) == 1
    assert {f"Pod:default/{name}" for name in new_pods} <= seen(sandbox, "added")
    assert not seen(sandbox, "deleted")

    # The marks fade out and the loop goes idle again.
    sandbox.wait_state("s.marks.length === 0 && s.idle", timeout=5_000)

    # Scale down: a dashed ghost, tagged "gone", where the removed pod was. At 1920x1080 each
    # EndpointSlice has its box, so the kubia slices losing the endpoint get a brief ring too.
    sandbox.resize(1920, 1080)
    sandbox.wait_state("s.scene.slices.length > 0")
    page.evaluate("window.__marksSeen = []")
    scale_kubia(sandbox, 3)
    sandbox.wait_state("s.marks.some(m => m.kind === 'deleted' && m.ref.startsWith('Pod:default/kubia-'))")
    deleted = [m for m in sandbox.state()["marks"] if m["kind"] == "deleted"]
    page.screenshot(path=str(SCREENSHOTS / "change-marks-deleted-1920x1080.png"))
    assert all(m["text"] == "\N{MINUS SIGN} gone" for m in deleted)
    gone = before | new_pods
    gone -= kubia_pods(sandbox)
    assert len(gone) == 1
    assert {f"Pod:default/{name}" for name in gone} <= seen(sandbox, "deleted")
    sandbox.wait_state("s.marks.length === 0 && s.idle", timeout=5_000)
    assert any(ref.startswith("EndpointSlice:default/kubia") for ref in seen(sandbox, "modified"))
    assert not seen(sandbox, "added")


def test_reduced_motion_marks_are_shown_still(new_context, server):
    page = new_context(reduced_motion="reduce").new_page()
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")
    assert sandbox.state()["reducedMotion"] is True
    page.evaluate(RECORD_MARKS)
    sandbox.submit("scale", {"workload": "default/kubia", "replicas": 4})
    sandbox.wait_state("s.marks.some(m => m.kind === 'added' && m.ref.startsWith('Pod:'))")
    sandbox.wait_state("s.marks.length === 0 && s.idle", timeout=5_000)
