"""One click on the landing page opens the kubia demo: its nodes, pods and three Services, drawn
and listed."""

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage

KUBIA_SERVICES = ["default/kubernetes", "default/kubia", "default/kubia-loadbalancer", "default/kubia-nodeport"]


def test_landing_opens_the_kubia_demo(page, server):
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")

    state = sandbox.state()
    assert (state["nodes"], state["pods"], state["services"]) == (3, 3, 4)
    assert sorted(state["scene"]["services"]) == KUBIA_SERVICES
    assert state["scene"]["nodes"] == ["node-1", "node-2", "node-3"]
    assert state["scene"]["pods"] == 3
    assert 30123 in state["scene"]["nodePorts"]
    expect(page.locator("#canvas-summary")).to_have_text("3 nodes, 3 pods (3 ready), 4 services, 4 EndpointSlices.")
    expect(page.locator("#conn-status")).to_have_attribute("data-state", "open")
    sandbox.screenshots("demo")

    services = {row[0]: row for row in sandbox.table("services")}
    assert services["kubia"][1:5] == ["ClusterIP", services["kubia"][2], "<none>", "80/TCP"]
    assert services["kubia-nodeport"][1] == "NodePort"
    assert services["kubia-nodeport"][4] == "80:30123/TCP"
    assert services["kubia-loadbalancer"][1] == "LoadBalancer"
    assert all(row[5] == "app=kubia" for name, row in services.items() if name.startswith("kubia"))
    pods = sandbox.table("pods")
    assert len(pods) == 3 and all(row[1] == "✓ ready" and row[0].startswith("kubia-") for row in pods)
    assert sandbox.column("nodes") == ["node-1", "node-2", "node-3"]
    sandbox.screenshots("demo-tables")
