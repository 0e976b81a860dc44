"""Scaling past 100 endpoints: the EndpointSlice controller adds a second slice for the Service,
and the tables and the canvas show both.

Scaled 3 -> 100 -> 101, as a class would watch it: the first slice fills up to 100, then the 101st
endpoint needs a new slice. (Straight from 3 to 101 the real reconciler gives [98, 3]: the 98 new
endpoints do not fit the 97 free places of the old slice, so they get a new one of their own.)
"""

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage


def kubia_slice_sizes(sandbox: SandboxPage) -> list[int]:
    """Endpoints per slice of the Service `kubia`, largest first (tables: "100 endpoints, 100 ready")."""
    rows = [row for row in sandbox.table("slices") if row[1] == "kubia"]
    assert all(row[4] == "{0} endpoints, {0} ready".format(row[4].split()[0]) for row in rows), rows
    return sorted((int(row[4].split()[0]) for row in rows), reverse=True)


def scale_kubia(sandbox: SandboxPage, replicas: int) -> None:
    sandbox.submit("scale", {"workload": "default/kubia", "replicas": replicas})
    expect(sandbox.page.locator("#ok-scale")).to_have_text("✓ replicaset.apps/kubia scaled")
    sandbox.wait_state(f"s.pods === {replicas}")


def test_scaling_to_101_pods_makes_a_second_slice(page, server):
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")

    scale_kubia(sandbox, 100)
    assert kubia_slice_sizes(sandbox) == [100]

    scale_kubia(sandbox, 101)
    assert kubia_slice_sizes(sandbox) in ([100, 1], [99, 2])
    # At 1280x720 a Service with 101 endpoints is one compact line ("101/101 ready · 2 slices");
    # at 1920x1080 each slice has its box.
    sandbox.resize(1920, 1080)
    scene = sandbox.state()["scene"]
    assert len([key for key in scene["slices"] if key.split("/")[1].rsplit("-", 1)[0] == "kubia"]) == 2
    # kubernetes: 1 slice; kubia, kubia-nodeport, kubia-loadbalancer: 2 each.
    expect(page.locator("#canvas-summary")).to_have_text(
        "3 nodes, 101 pods (101 ready), 4 services, 7 EndpointSlices.")
    sandbox.screenshots("endpointslice-split")
