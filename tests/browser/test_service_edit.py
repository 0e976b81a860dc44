"""Editing a Service from the Inspector: its values fill the Service form, a changed selector is
saved through the update path (its Endpoints follow), an immutable-field refusal appears beside
the field, and "Cancel editing" returns the form to creating a Service."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage


def test_edit_a_service_from_the_inspector(page, server, page_errors):
    page_errors.allow(r"status of 422|status of 400")
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")
    sandbox.tab("Tables")
    page.locator("#tables-services tbody tr", has_text="kubia-nodeport").locator("button.linkish").first.click()
    page.locator("#inspector").get_by_role("button", name="Edit", exact=True).click()

    form = page.locator("#form-service")
    expect(form.locator("[name='name']")).to_have_value("kubia-nodeport")
    expect(form.locator("[name='selector']")).to_have_value("app=kubia")
    expect(form.locator("[name='ports-0-node_port']")).to_have_value("30123")
    expect(page.locator("details.form-block", has=form).locator("summary")).to_have_text("Edit Service")
    sandbox.screenshots("service-edit")

    form.locator("[name='selector']").fill("app=nothing")
    with page.expect_response(lambda r: "/edit/" in r.url and r.request.method == "POST"):
        form.locator('button[type="submit"]').click()
    expect(page.locator("#ok-service")).to_contain_text("service/kubia-nodeport edited")
    sandbox.wait_state("true")
    assert {row[0]: row[2] for row in sandbox.table("endpoints")}["kubia-nodeport"].startswith("0 ready")

    # Back in create mode: the next submit makes a new Service.
    sandbox.tab("Create")
    expect(form.locator("[name='name']")).to_have_value("")
    assert form.get_attribute("action").endswith("/services/new/")
