"""Zoom and pan on the picture of the `scale` sandbox (20 nodes, 1,000 pods): keys, wheel, drag and
double click; the level of detail grows to single pods, a pod drawn only when zoomed in can be
selected, the page's other keys still do what they did, and a trace in a zoomed picture is followed."""

import pytest
from playwright.sync_api import expect

from tests.browser.sandbox_page import SCREENSHOTS, SandboxPage


def canvas_center(page) -> tuple[float, float]:
    box = page.locator("#scene-canvas").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_zoom_drills_down_to_single_pods_and_back(page, server):
    urls = server.create_sandbox("zoom", "scale")
    view = SandboxPage.open(page, urls.owner_url)
    whole = view.state()["scene"]
    assert whole["zoom"] == 1 and whole["podBoxes"] == 0, whole["lod"]  # pods counted or drawn as glyphs

    page.focus("#scene-canvas")
    for _ in range(8):  # + on the canvas zooms (it is not the speed key there)
        page.keyboard.press("+")
    view.wait_state("s.scene.zoom === s.zoom.max && s.scene.lod.nodes === 'full'")
    view.wait_drawn()
    deep = view.state()
    assert deep["speed"] == 1, "the speed did not change"
    assert deep["scene"]["podBoxes"] == 1000, "every pod is its own box"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "zoom-pods-1280x720.png"))

    # Drag pans the window; a click on a pod box there selects that pod.
    x, y = canvas_center(page)
    before = view.state()["zoom"]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 200, y - 150, steps=5)
    page.mouse.up()
    view.wait_state(f"s.zoom.x !== {before['x']} || s.zoom.y !== {before['y']}")
    view.wait_drawn()
    picked = None
    for dx, dy in [(0, 0), (40, 0), (0, 30), (-60, 20), (90, -40), (-120, -60), (150, 60)]:
        page.mouse.click(x + dx, y + dy)
        view.next_frame()
        picked = view.state().get("selection")
        if picked and picked.startswith("Pod:"):
            break
    assert picked and picked.startswith("Pod:"), picked
    expect(page.locator("#inspector")).to_contain_text(picked.split("/")[-1])

    page.focus("#scene-canvas")
    page.keyboard.press("0")
    view.wait_state("s.scene.zoom === 1 && s.zoom.x === 0 && s.zoom.y === 0")
    assert view.state()["scene"]["podBoxes"] == 0

    # The wheel zooms around the pointer, a double click drills in; elsewhere + is still the speed key.
    page.mouse.move(x, y)
    page.mouse.wheel(0, -400)
    view.wait_state("s.scene.zoom > 1")
    page.mouse.dblclick(x, y)
    view.wait_state("s.scene.zoom >= 2")
    page.locator("#ctl-play").focus()
    page.keyboard.press("+")
    view.wait_state("s.speed === 2")


def test_a_trace_in_a_zoomed_picture_is_followed_and_draws_its_service(page, server):
    urls = server.create_sandbox("zoomtrace", "scale")
    view = SandboxPage.open(page, urls.owner_url)
    page.focus("#scene-canvas")
    for _ in range(4):
        page.keyboard.press("+")
    view.wait_state("s.scene.zoom > 3")
    view.tab("Send request")
    destination = page.eval_on_selector("#req-destination", "s => s.options[0].value")
    source = page.eval_on_selector("#req-source", "s => [...s.options].map((o) => o.value).find((v) => v.startsWith('pod/'))")
    [trace] = view.send(destination, source=source)
    view.wait_state(f"s.scene.services.includes('{trace['service']}') && s.packet !== null")
    # The window keeps the moving packet in view (40 px inside its edges, give or take a frame).
    for _ in range(5):
        view.next_frame()
        s = view.state()
        if s["packet"] is None:
            break
        box = page.locator("#scene-canvas").bounding_box()
        px, py = s["packet"]["x"] - s["zoom"]["x"], s["packet"]["y"] - s["zoom"]["y"]
        assert -60 <= px <= box["width"] + 60 and -60 <= py <= box["height"] + 60, (s["packet"], s["zoom"])
        page.wait_for_timeout(300)


def zoom_in_until(view: SandboxPage, page, level: str) -> None:
    """Zoom in one step at a time, each step laid out before the next, until nodes draw at `level`."""
    for _ in range(10):
        scene = view.state()["scene"]
        if scene["lod"]["nodes"] == level:
            return
        page.keyboard.press("+")
        view.wait_state(f"s.scene.zoom > {scene['zoom']}")
    raise AssertionError(f"nodes never drawn at level {level!r}")


def test_a_selected_service_outlines_its_pods_in_every_node(page, server):
    urls = server.create_sandbox("select-service", "scale")
    view = SandboxPage.open(page, urls.owner_url)
    scene = view.state()["scene"]
    key, box = next((k, b) for k, b in scene["serviceBoxes"].items() if k != "default/kubernetes")
    canvas = page.locator("#scene-canvas").bounding_box()
    page.mouse.click(canvas["x"] + box["x"] + box["w"] / 2, canvas["y"] + box["y"] + 8)
    view.wait_state(f"s.selection === 'Service:{key}'")
    page.focus("#scene-canvas")
    zoom_in_until(view, page, "grid")  # nodes draw a glyph per pod
    view.wait_state("s.selectedPodRuns > 0")
    state = view.state()
    # A node lists its pods grouped by the Services selecting them: one run per node at most.
    assert 1 <= state["selectedPodRuns"] <= state["scene"]["grids"], state["selectedPodRuns"]
    view.wait_drawn()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "selected-service-pods-1280x720.png"))
    zoom_in_until(view, page, "full")  # every pod a box: the same runs, around boxes
    view.wait_state("s.selectedPodRuns > 0")
    page.screenshot(path=str(SCREENSHOTS / "selected-service-pod-boxes-1280x720.png"))
    page.keyboard.press("Escape")
    view.wait_state("s.selection === null && s.selectedPodRuns === 0")


def test_two_fingers_pinch_to_zoom_and_drag_to_pan(new_context, server):
    urls = server.create_sandbox("pinch", "scale")
    page = new_context(has_touch=True).new_page()
    view = SandboxPage.open(page, urls.owner_url)
    box = page.locator("#scene-canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    touch = page.context.new_cdp_session(page)

    def fingers(kind: str, spread: float, shift: float = 0.0) -> None:
        points = [] if kind == "touchEnd" else [
            {"x": x - spread + shift, "y": y, "id": 1}, {"x": x + spread + shift, "y": y, "id": 2}]
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    fingers("touchStart", 40)
    for spread in range(50, 170, 10):  # the fingers move apart: zoom in around their middle
        fingers("touchMove", spread)
    fingers("touchEnd", 0)
    view.wait_state("s.zoom.z > 1.5")
    zoomed = view.state()["zoom"]

    fingers("touchStart", 60)
    for shift in range(-10, -130, -10):  # both fingers to the left: the picture pans right
        fingers("touchMove", 60, shift)
    fingers("touchEnd", 0)
    view.wait_state(f"s.zoom.x > {zoomed['x']}")
    assert view.state()["zoom"]["z"] == pytest.approx(zoomed["z"], rel=0.05)  # a pan, not a zoom
