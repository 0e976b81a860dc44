"""Settings → Reset sandbox: the owner confirms, the sandbox is back at its start, and a viewer
on the watch link follows without a reload."""

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage


def test_reset_returns_the_demo_to_its_start_and_viewers_follow(new_context, server):
    owner = SandboxPage.from_landing(new_context().new_page(), server.base_url, "kubia")
    viewer = SandboxPage.open(new_context().new_page(), owner.page.get_attribute("#app", "data-watch-url"))
    page = owner.page

    owner.submit("service", {"name": "kubia-extra", "selector": "app=kubia", "ports-0-port": 80,
                             "ports-0-target_port": 8080})
    owner.tab("Tables")
    page.locator("#tables-services tbody tr", has_text="kubia-nodeport").get_by_role("button", name="Delete").click()
    viewer.wait_state("s.scene.services.includes('default/kubia-extra') && "
                      "!s.scene.services.includes('default/kubia-nodeport')")
    viewer.mark_document()

    owner.tab("Settings")
    page.get_by_text("Reset sandbox…").click()
    reset = page.get_by_role("button", name="Reset sandbox", exact=True)
    reset.click()  # not confirmed: the browser keeps the form (the checkbox is required)
    assert owner.page.evaluate("document.querySelector('#reset-form input[name=confirm]').validity.valueMissing")
    page.get_by_label("Yes, delete my changes").check()
    reset.click()

    owner.wait_live()
    assert sorted(owner.column("services")) == ["kubernetes", "kubia", "kubia-loadbalancer", "kubia-nodeport"]
    viewer.wait_state("!s.scene.services.includes('default/kubia-extra') && "
                      "s.scene.services.includes('default/kubia-nodeport')")
    assert viewer.same_document()
    expect(viewer.page.locator("#reset-form")).to_have_count(0)
    [trace] = owner.send("130.211.97.55:30123")
    assert trace["outcome"] == "delivered"
