"""Sandboxes whose snapshot or event batch is bigger than Daphne's 1 MiB websocket message limit
(they go out in parts, visualizer/framing.py): the `scale` preset, and a scale-up to 1,000 pods."""

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage


def test_the_scale_preset_opens(page, server):
    urls = server.create_sandbox("big", "scale")  # 20 nodes, 1,000 pods: a ~2.4 MB snapshot
    sandbox = SandboxPage.open(page, urls.owner_url)
    state = sandbox.state()
    assert (state["nodes"], state["pods"], state["services"]) == (20, 1000, 6)
    assert state["scene"]["pods"] == 1000 and len(state["scene"]["nodes"]) == 20
    expect(page.locator("#canvas-summary")).to_contain_text("20 nodes, 1000 pods (1000 ready), 6 services")
    sandbox.screenshots("scale-preset")


def test_a_scale_up_to_1000_pods_arrives_live(page, server):
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")
    sandbox.mark_document()
    sandbox.submit("scale", {"workload": "default/kubia", "replicas": 1000})
    sandbox.wait_state("s.pods === 1000", timeout=20_000)
    assert sandbox.state()["connection"] == "open" and sandbox.same_document()
    # A node takes at most 110 pods (the kubelet's default max-pods): the other 670 stay Pending,
    # without an IP. kubernetes has 1 slice; kubia, kubia-nodeport and kubia-loadbalancer 4 each.
    expect(page.locator("#canvas-summary")).to_have_text(
        "3 nodes, 1000 pods (330 ready), 4 services, 13 EndpointSlices.")
