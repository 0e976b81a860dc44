"""No user-supplied text reaches a page as markup: XSS payloads in every field the apiserver's
validation lets through (annotations of every kind, a container image, a class display name),
in a YAML error, in console commands and their output, in a request's destination; then every
panel, every object's inspector, the tables, the canvas, the watch page, a class's teacher page
and its student page are opened. No dialog may fire and no injected element may exist. A second
pass keeps the Content-Security-Policy on and checks the page runs without a single violation."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid

from playwright.sync_api import Page, expect

from tests.browser.sandbox_page import SandboxPage

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(2)>',
    "javascript:alert(3)",
    "</script><script>alert(4)</script>",
    "'-alert(5)-'",
    "<iframe src=javascript:alert(6)>",
    "{{7*7}}<b>bold</b>&lt;i&gt;",
    '<a href="javascript:alert(8)">x</a>',
]
NAMES = [p for p in PAYLOADS if len(p) <= 40]

# Anything a payload could have made: an element with an event handler attribute, a javascript: URL,
# or a tag that only a payload brings (the app draws on a canvas and builds no such element).
INJECTED = """() => {
  const found = [];
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.attributes) {
      if (a.name.startsWith('on')) found.push(e.tagName + ' ' + a.name);
      if (['href', 'src', 'action', 'formaction'].includes(a.name) && /^\\s*javascript:/i.test(a.value))
        found.push(e.tagName + ' ' + a.name + '=' + a.value);
    }
  }
  for (const e of document.querySelectorAll('img[src="x"], svg[onload], iframe, b, body script:not([src]):not([type="application/json"])'))
    found.push('element ' + e.outerHTML.slice(0, 80));
  return found;
}"""


def kube(base: str, token: str, method: str, path: str, body: dict, patch: bool = False) -> int:
    request = urllib.request.Request(
        f"{base}{path}", method=method, data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}",
                 "Content-Type": "application/merge-patch+json" if patch else "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=15) as response:
        return response.status


def poison(server, box) -> None:
    """Payloads wherever validation lets them through."""
    cluster = re.search(r"/clusters/([^/]+)/", box.owner_url).group(1)
    root = f"/k8s/{cluster}"
    notes = {"metadata": {"annotations": {f"x{i}.example.com/note": p for i, p in enumerate(PAYLOADS)}}}
    get = urllib.request.Request(f"{server.base_url}{root}/api/v1/namespaces/default/pods",
                                 headers={"Authorization": f"Bearer {box.token}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    pods = json.loads(opener.open(get, timeout=15).read())["items"]
    nodes = json.loads(opener.open(urllib.request.Request(f"{server.base_url}{root}/api/v1/nodes", headers={
        "Authorization": f"Bearer {box.token}"}), timeout=15).read())["items"]
    for path in [f"{root}/api/v1/namespaces/default/services/kubia",
                 f"{root}/api/v1/namespaces/default/services/kubia-nodeport",
                 f"{root}/apis/apps/v1/namespaces/default/replicasets/kubia",
                 f"{root}/api/v1/namespaces/default/pods/{pods[0]['metadata']['name']}",
                 f"{root}/api/v1/nodes/{nodes[0]['metadata']['name']}",
                 f"{root}/api/v1/namespaces/default"]:
        assert kube(server.base_url, box.token, "PATCH", path, notes, patch=True) == 200, path
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "web", **notes["metadata"]},
                  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}, **notes["metadata"]},
                                        "spec": {"containers": [{"name": "web", "image": PAYLOADS[0],
                                                                 "ports": [{"containerPort": 80}]}]}}}}
    assert kube(server.base_url, box.token, "POST", f"{root}/apis/apps/v1/namespaces/default/deployments",
                deployment) == 201
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", **notes["metadata"]},
               "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], "type": "LoadBalancer"}}
    assert kube(server.base_url, box.token, "POST", f"{root}/api/v1/namespaces/default/services", service) == 201


def watch_for_dialogs(page: Page) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


def run(page: Page, command: str) -> None:
    page.fill("#console-input", command)
    with page.expect_response(lambda r: r.url.endswith("/console/")):
        page.press("#console-input", "Enter")


def open_everything(page: Page) -> None:
    """Every tab, every object from the tables into the inspector, the tools fed with payloads."""
    sandbox = SandboxPage(page)
    for tab in page.locator('[role="tab"]').all():
        if tab.is_visible():
            tab.click()
    sandbox.tab("Tables")
    buttons = page.locator("#panel-tables button.linkish")
    for i in range(buttons.count()):
        sandbox.tab("Tables")
        buttons.nth(i).click()
        sandbox.next_frame()
    if page.locator("#yaml-text").count():
        sandbox.tab("YAML")
        for payload in PAYLOADS[:4]:
            page.fill("#yaml-text", f"apiVersion: v1\nkind: Service\nmetadata:\n  name: '{payload}'\nspec:\n"
                                    f"  ports: [{{port: 80}}]\n  type: '{payload}'\n")
            page.click("#yaml-apply")
            expect(page.locator("#yaml-result .yaml-error").first).to_be_visible()
        page.fill("#yaml-text", PAYLOADS[3] + "\n: : :\n")
        page.click("#yaml-apply")
        page.click("#yaml-export-all")
        sandbox.tab("Console")
        for command in ["kubectl describe svc kubia", "kubectl get svc kubia -o yaml", "kubectl describe pods",
                        "kubectl describe deploy web", "kubectl get pods -o wide", "kubectl describe nodes",
                        f"kubectl get svc '{PAYLOADS[0]}'", f"curl '{PAYLOADS[1]}'", f"cat {PAYLOADS[3]}",
                        PAYLOADS[5]]:
            run(page, command)
    sandbox.tab("Inspector")
    sandbox.next_frame()


def assert_clean(page: Page, dialogs: list[str]) -> None:
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.evaluate(INJECTED) == []
    for frame in page.frames:
        assert frame == page.main_frame, "an injected frame"


def test_payloads_everywhere_never_become_markup(page: Page, server, new_context, page_errors) -> None:
    page_errors.allow(r"status of 400 \(Bad Request\).*/apply/")  # the refused manifests
    box = server.create_sandbox(f"xss-{uuid.uuid4().hex[:8]}", "kubia")
    poison(server, box)
    dialogs = watch_for_dialogs(page)
    sandbox = SandboxPage.open(page, box.owner_url)
    sandbox.wait_state("s.seq != null")
    open_everything(page)
    page.click("#tab-send")
    assert_clean(page, dialogs)
    page.click("#tab-console")
    assert PAYLOADS[0] in page.locator("#console-output").inner_text()  # there, as text

    # The read-only page, another visitor.
    viewer = new_context().new_page()
    viewer_dialogs = watch_for_dialogs(viewer)
    SandboxPage.open(viewer, box.watch_url)
    open_everything(viewer)
    assert_clean(viewer, viewer_dialogs)

    # A class on this sandbox: students with payloads for names, the teacher's roster.
    sandbox.tab("Settings")
    page.get_by_role("button", name="Start a class with this sandbox").click()
    expect(page).to_have_url(re.compile(r"/classes/\w+/teach/"))
    code = re.search(r"/classes/(\w+)/teach/", page.url).group(1)
    for name in NAMES:
        student = new_context().new_page()
        student_dialogs = watch_for_dialogs(student)
        student.goto(f"{server.base_url}/join/{code}/")
        student.fill("#join-name", name)
        student.locator("form.join-form button[type=submit]").click()
        expect(student).to_have_url(re.compile(r"/classes/\w+/learn/"))
        student.wait_for_timeout(300)
        assert_clean(student, student_dialogs)
    expect(page.locator("#class-roster-count")).to_contain_text(str(len(NAMES)))
    roster = page.locator("#panel-class, [aria-labelledby=class-roster-title]").first.inner_text()
    assert NAMES[0] in roster  # shown as text
    assert_clean(page, dialogs)


def test_the_page_runs_under_its_content_security_policy(server, new_context, page_errors) -> None:
    """With the policy enforced: the page connects, draws and runs its tools with no violation
    (a violation is a console error, which fails the test), and a payload stays inert."""
    box = server.create_sandbox(f"csp-{uuid.uuid4().hex[:8]}", "kubia")
    poison(server, box)
    page = new_context(bypass_csp=False).new_page()
    violations: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    dialogs = watch_for_dialogs(page)
    page.goto(box.owner_url)
    expect(page.locator("#tab-tables")).to_be_visible()
    page.locator("#tab-tables").click()
    expect(page.locator("#panel-tables button.linkish").first).to_be_visible()
    page.locator("#tab-console").click()
    run(page, "kubectl get svc")
    expect(page.locator("#console-output")).to_contain_text("kubia-nodeport")
    page.select_option("#language-select", "ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    assert violations == [] and dialogs == []
