"""In an empty sandbox: a Deployment, then a NodePort Service on nodePort 30123, both through the
page's forms; the Service shows up in the tables and on the canvas."""

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage

WORKLOAD = {"name": "web", "replicas": 3, "labels": "app=web", "container_port": 8080}
NODEPORT_SERVICE = {"name": "web-nodeport", "type": "NodePort", "selector": "app=web",
                    "ports-0-port": 80, "ports-0-target_port": 8080, "ports-0-node_port": 30123}


def test_create_a_nodeport_service_through_the_form(page, server):
    sandbox = SandboxPage.from_landing(page, server.base_url, "empty")
    assert sandbox.state()["pods"] == 0
    # An empty sandbox opens the workload form by itself: the first step.
    expect(page.locator("#form-workload")).to_be_visible()

    sandbox.submit("workload", WORKLOAD)
    expect(page.locator("#ok-workload")).to_have_text("✓ deployment.apps/web created")
    sandbox.wait_state("s.pods === 3")

    sandbox.submit("service", NODEPORT_SERVICE)
    expect(page.locator("#ok-service")).to_have_text("✓ service/web-nodeport created")
    sandbox.wait_state("s.scene.services.includes('default/web-nodeport')")

    scene = sandbox.state()["scene"]
    assert scene["nodePorts"] == [30123]  # a badge on every node
    assert any(key.startswith("default/web-nodeport-") for key in scene["slices"])
    sandbox.screenshots("nodeport-created")

    services = {row[0]: row for row in sandbox.table("services")}
    assert services["web-nodeport"][1] == "NodePort"
    assert services["web-nodeport"][4] == "80:30123/TCP"
    assert services["web-nodeport"][5] == "app=web"
    endpoints = {row[0]: row for row in sandbox.table("endpoints")}
    assert endpoints["web-nodeport"][2] == "3 ready, 0 not ready"
    assert all(address.endswith(":8080") for address in endpoints["web-nodeport"][1].split(","))
