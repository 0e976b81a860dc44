"""The per-object buttons of the Tables panel: a pod marked not Ready leaves the Service's ready
endpoints (and gets no more requests); a deleted Service disappears."""

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage


def test_mark_a_pod_not_ready_then_delete_a_service(page, server):
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")
    pod = sandbox.column("pods")[0]

    page.locator("#tables-pods tbody tr", has_text=pod).get_by_role("button", name="Unready").click()
    expect(page.locator("#status-message")).to_have_text(f"pod/{pod} marked not Ready")
    expect(page.locator("#canvas-summary")).to_contain_text("3 pods (2 ready)")
    assert {row[0]: row[1] for row in sandbox.table("pods")}[pod] == "✗ not ready"
    assert {row[0]: row[2] for row in sandbox.table("endpoints")}["kubia"] == "2 ready, 1 not ready"
    traces = sandbox.send("130.211.97.55:30123", count=20)
    assert pod not in {t["endpoint"]["pod"] for t in traces}

    sandbox.tab("Tables")
    page.locator("#tables-services tbody tr", has_text="kubia-nodeport").get_by_role("button", name="Delete").click()
    expect(page.locator("#status-message")).to_have_text('service "kubia-nodeport" deleted')
    sandbox.wait_state("!s.scene.services.includes('default/kubia-nodeport')")
    assert "kubia-nodeport" not in sandbox.column("services")
    assert 30123 not in sandbox.state()["scene"]["nodePorts"]
