"""The server restarts under an open page: the page reconnects by itself, resumes from the last
event it saw, and shows a change made after the restart, without a reload."""

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage


def test_the_page_resumes_after_a_server_restart(page, page_errors, own_server):
    page_errors.allow(r"WebSocket connection to .* failed")  # while the server is down
    sandbox_url = own_server.create_sandbox("restart", "kubia")
    sandbox = SandboxPage.open(page, sandbox_url.owner_url)
    seq = sandbox.state()["seq"]
    sandbox.mark_document()

    own_server.stop()
    sandbox.wait_state("s.connection === 'waiting' || s.connection === 'reconnecting'")
    expect(page.locator("#conn-status")).not_to_have_attribute("data-state", "open")
    own_server.start()
    sandbox.wait_state("s.connection === 'open'", timeout=20_000)
    expect(page.locator("#conn-status")).to_have_text("● Live")

    # A change after the restart, made from outside the page (as kubectl would).
    answer = own_server.post_as_owner(f"{sandbox_url.path}nodes/new/", sandbox_url.token)
    assert answer == {"ok": True, "message": "node/node-4 created"}
    sandbox.wait_state("s.nodes === 4 && s.scene.nodes.includes('node-4')")
    assert sandbox.state()["seq"] > seq
    assert "node-4" in sandbox.column("nodes")
    assert sandbox.same_document()
