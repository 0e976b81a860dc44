"""A nodePort outside the sandbox's range: the apiserver's exact message beside the field, and
nothing changes."""

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage

MESSAGE = ("spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. "
           "The range of valid ports is 30000-32767")


def test_nodeport_80_is_refused_beside_the_field(page, page_errors, server):
    page_errors.allow(r"status of 400 \(Bad Request\)")  # Chromium logs the form's 400 answer
    sandbox = SandboxPage.from_landing(page, server.base_url, "empty")
    before = sandbox.state()
    services_before = sandbox.column("services")

    sandbox.submit("service", {"name": "web", "type": "NodePort", "selector": "app=web",
                               "ports-0-port": 80, "ports-0-node_port": 80})

    node_port = page.locator("#form-service [name='ports-0-node_port']")
    expect(page.locator("#err-service-ports-0-node_port")).to_have_text(MESSAGE)
    expect(node_port).to_have_attribute("aria-invalid", "true")
    expect(node_port).to_be_focused()
    expect(node_port).to_have_value("80")  # the input is kept, to be corrected
    expect(page.locator("#ok-service")).to_have_text("")
    expect(page.locator("#err-service-__all__")).to_have_text("")
    sandbox.screenshots("nodeport-out-of-range")

    page.wait_for_timeout(300)  # an event, had there been one, would have arrived by now
    after = sandbox.state()
    assert (after["seq"], after["services"]) == (before["seq"], before["services"])
    assert sandbox.column("services") == services_before == ["kubernetes"]
