"""The YAML and Console tabs in the real Chromium: apply the book's manifests, read the apiserver's
refusals, run kubectl and curl, and watch the results arrive on the canvas and in the tables."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from cluster.book import book_manifest_text
from tests.browser.sandbox_page import SandboxPage


def open_kubia(page: Page, server) -> SandboxPage:
    sandbox = server.create_sandbox(f"tools-{uuid.uuid4().hex[:8]}", "kubia")
    return SandboxPage.open(page, sandbox.owner_url)


def run(page: Page, command: str) -> None:
    """Type a command at the console's prompt and wait for its answer."""
    page.fill("#console-input", command)
    with page.expect_response(lambda r: r.url.endswith("/console/")):
        page.press("#console-input", "Enter")


def test_a_book_manifest_applied_in_the_yaml_tab_appears_in_the_tables(page, server):
    sandbox = open_kubia(page, server)
    sandbox.tab("YAML")
    page.select_option("#yaml-book", "kubia-svc-headless.yaml")
    expect(page.locator("#yaml-text")).to_have_value(book_manifest_text("kubia-svc-headless.yaml"))

    page.click("#yaml-apply")

    expect(page.locator("#yaml-result li")).to_have_text(["service/kubia-headless created"])
    sandbox.wait_state("s.services === 5")
    services = {row[0]: row for row in sandbox.table("services")}
    assert services["kubia-headless"][1:3] == ["ClusterIP", "None"]
    sandbox.tab("YAML")
    sandbox.screenshots("yaml-tab")


def test_a_bad_manifest_shows_the_apiservers_message(page, server, page_errors):
    page_errors.allow(r"status of 400")  # the refusal is an HTTP 400 the browser logs
    sandbox = open_kubia(page, server)
    sandbox.tab("YAML")
    page.fill("#yaml-text", book_manifest_text("kubia-svc-publish-not-ready.yaml"))

    page.click("#yaml-apply")

    expect(page.locator("#yaml-result .yaml-error")).to_have_text(
        'Error from server (BadRequest): error when creating "<doc 1: Service kubia-all>": Service in version "v1" '
        'cannot be handled as a Service: strict decoding error: unknown field "spec.publishNotReadyEndpoints"')
    assert sandbox.state()["services"] == 4

    page.fill("#yaml-text", "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n   bad: 1\n")
    page.click("#yaml-apply")
    expect(page.locator("#yaml-result .yaml-error")).to_contain_text("line 5, column 7: mapping values are not allowed")
    # The caret is put where the error is.
    assert page.evaluate("document.activeElement.id") == "yaml-text"
    assert page.evaluate("document.getElementById('yaml-text').selectionStart") == len(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n") + 6


def test_export_fills_the_editor(page, server):
    sandbox = open_kubia(page, server)
    sandbox.tab("YAML")

    page.click("#yaml-export-all")

    page.wait_for_function("document.getElementById('yaml-text').value.startsWith('apiVersion: v1\\nkind: Node\\n')")
    assert "name: kubia-nodeport" in page.input_value("#yaml-text")


def test_kubectl_get_svc_in_the_console(page, server):
    sandbox = open_kubia(page, server)
    sandbox.tab("Console")
    expect(page.locator("#console-input")).to_be_focused()

    run(page, "kubectl get svc")

    output = page.locator("#console-output")
    expect(output).to_contain_text("$ kubectl get svc\nNAME                 TYPE           CLUSTER-IP")
    text = output.text_content() or ""
    rows = {line.split()[0]: line.split() for line in text.splitlines()[2:] if line.strip()}
    assert rows["kubia-nodeport"][1] == "NodePort" and rows["kubia-nodeport"][4] == "80:30123/TCP"

    run(page, "kubectl get nope")
    expect(output.locator(".console-err")).to_have_text('error: the server doesn\'t have a resource type "nope"\n')
    page.press("#console-input", "ArrowUp")
    expect(page.locator("#console-input")).to_have_value("kubectl get nope")
    page.press("#console-input", "ArrowUp")
    expect(page.locator("#console-input")).to_have_value("kubectl get svc")
    page.press("#console-input", "ArrowDown")
    page.press("#console-input", "ArrowDown")
    expect(page.locator("#console-input")).to_have_value("")
    sandbox.screenshots("console-tab")


def test_curl_in_the_console_animates_a_trace(page, server):
    sandbox = open_kubia(page, server)
    sandbox.tab("Console")
    expect(page.locator("#tracelog li")).to_have_count(0)

    run(page, "curl http://130.211.97.55:30123")

    expect(page.locator("#console-output")).to_contain_text("You've hit kubia-")
    expect(page.locator("#tracelog li").first).to_be_visible()
    expect(page.locator("#trace-history option")).to_have_count(1)
    assert "130.211.97.55:30123" in (page.text_content("#trace-history") or "")


def test_the_viewer_has_neither_tab(page, server):
    sandbox = server.create_sandbox(f"tools-{uuid.uuid4().hex[:8]}", "kubia")
    SandboxPage.open(page, sandbox.watch_url)
    assert page.locator("#tab-yaml").count() == 0
    assert page.locator("#tab-console").count() == 0
    assert page.locator("#console-input").count() == 0
