"""A student on the read-only watch link sees the teacher's changes and requests live, and has no
way to change anything."""

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage

WRITE_CONTROLS = ["#panel-create", "#panel-send", "#panel-settings", "#ctl-send", "#request-form",
                  "form[data-ajax]", "#copy-watch", "a[download]"]


def test_a_viewer_sees_the_owners_changes_live(new_context, server):
    owner = SandboxPage.from_landing(new_context().new_page(), server.base_url, "kubia")
    watch_url = owner.page.get_attribute("#app", "data-watch-url")
    viewer = SandboxPage.open(new_context().new_page(), watch_url)

    page = viewer.page
    expect(page.locator("#role-badge")).to_have_text("Read-only view")
    for selector in WRITE_CONTROLS:
        expect(page.locator(selector)).to_have_count(0)
    assert viewer.column("services") == ["kubernetes", "kubia", "kubia-loadbalancer", "kubia-nodeport"]
    expect(page.locator("#tables button.btn")).to_have_count(0)  # no Delete / readiness buttons
    viewer.mark_document()

    owner.submit("service", {"name": "kubia-live", "selector": "app=kubia", "ports-0-port": 80,
                             "ports-0-target_port": 8080})
    viewer.wait_state("s.scene.services.includes('default/kubia-live')")
    assert "kubia-live" in viewer.column("services")

    [trace] = owner.send("130.211.97.55:30123")
    expect(page.locator("#tracelog .log-main")).to_have_count(len(trace["hops"]))
    expect(page.locator("#tracelog-summary")).to_contain_text(f"delivered to {trace['endpoint']['pod']}")
    assert viewer.same_document()  # all of it without a reload
    viewer.screenshots("viewer")
