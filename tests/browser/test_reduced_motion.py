"""prefers-reduced-motion: the packet jumps from stop to stop instead of gliding between them."""

from tests.browser.sandbox_page import SandboxPage

NODE_1_NODEPORT = "130.211.97.55:30123"


def packet_track(sandbox: SandboxPage) -> list[dict]:
    """Send one request at 4x speed; the focused packet as drawn in every frame until it is done."""
    page = sandbox.page
    page.keyboard.press("+")
    page.keyboard.press("+")
    page.evaluate("""() => {
        window.__track = [];
        const record = () => {
            const p = window.__servicescope.packet;
            if (p) window.__track.push(p);
            requestAnimationFrame(record);
        };
        requestAnimationFrame(record);
    }""")
    sandbox.send(NODE_1_NODEPORT)
    sandbox.wait_state("window.__track.length > 0 && s.packets === 0", timeout=15_000)
    return page.evaluate("window.__track")


def positions(track: list[dict], phase: str | None = None) -> set[tuple[int, int]]:
    return {(p["x"], p["y"]) for p in track if phase is None or p["phase"] == phase}


def test_reduced_motion_jumps_hop_to_hop(new_context, server):
    reduced = SandboxPage.from_landing(new_context(reduced_motion="reduce").new_page(), server.base_url)
    assert reduced.state()["reducedMotion"] is True
    track = packet_track(reduced)
    stops = positions(track, "dwell")
    assert {p["phase"] for p in track} >= {"dwell", "travel"}
    assert positions(track) == stops  # while "travelling" it is still drawn at a stop
    assert len(stops) >= 4  # client, node, service, pod

    # The same request with motion: the packet is drawn between the stops.
    moving = SandboxPage.from_landing(new_context(reduced_motion="no-preference").new_page(), server.base_url)
    assert moving.state()["reducedMotion"] is False
    track = packet_track(moving)
    assert len(positions(track, "travel") - positions(track, "dwell")) > 5
