"""Teach together: the presenter view on a projector, trace history after a reload, a trace's
permalink after the sandbox changed, and its PNG and JSON downloads."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.sandbox_page import SCREENSHOTS, SandboxPage

LB = "130.211.53.173:80"  # the kubia preset's load balancer


def first_pod(server, sandbox) -> str:
    cluster_id = sandbox.path.strip("/").split("/")[1]
    request = urllib.request.Request(f"{server.base_url}/api/clusters/{cluster_id}/",
                                     headers={"Authorization": f"Bearer {sandbox.token}"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
        return json.loads(response.read())["objects"]["Pod"][0]["metadata"]["name"]


def api_send(server, sandbox, destination: str = LB, count: int = 1, source: str = "external") -> list[dict]:
    cluster_id = sandbox.path.strip("/").split("/")[1]
    request = urllib.request.Request(
        f"{server.base_url}/api/clusters/{cluster_id}/traces/", method="POST",
        data=json.dumps({"source": source, "destination": destination, "count": count}).encode(),
        headers={"Authorization": f"Bearer {sandbox.token}", "Content-Type": "application/json"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
        return json.loads(response.read())["traces"]


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def test_presenter_view_at_1024x768_shows_the_slice_fills(new_context, server):
    sandbox = server.create_sandbox("projector")
    server.post_as_owner(sandbox.path + "scale/", sandbox.token, {"workload": "default/kubia", "replicas": "101"})
    for i in range(5):  # more Services than a 1280x720 page used to draw
        server.post_as_owner(sandbox.path + "services/new/", sandbox.token, {
            "name": f"web-{i}", "type": "ClusterIP", "selector": "app=kubia",
            "ports-TOTAL_FORMS": "1", "ports-0-port": "80", "ports-0-target_port": "8080", "ports-0-protocol": "TCP"})
    page = new_context().new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    view = SandboxPage.open(page, sandbox.owner_url)
    page.keyboard.press("p")
    expect(page.locator("#app")).to_have_class(re.compile(r"\bpresenting\b"))
    expect(page.locator(".side")).to_be_hidden()
    # A web-N Service got its 101 endpoints in one write: 100 + 1 (slices drawn in name order, so
    # either way round).
    view.wait_state("s.scene && s.scene.texts.some((t) => /(^|\\| )(100\\/100 · 1\\/100|1\\/100 · 100\\/100)$/.test(t))")
    scene = view.state()["scene"]
    assert len(scene["services"]) >= 8, scene["services"]
    api_send(server, sandbox)
    view.wait_state("s.packet !== null")
    page.keyboard.press("k")  # pause, then step with the clicker's keys
    page.keyboard.press("PageDown")
    page.keyboard.press("PageDown")
    view.wait_drawn()
    shot(page, "presenter-1024x768")
    page.set_viewport_size({"width": 1280, "height": 720})
    view.wait_drawn()
    shot(page, "presenter-1280x720")
    page.keyboard.press("p")
    view.wait_drawn()
    shot(page, "page-many-services-1280x720")

    # With the YAML panel open the canvas is narrower: a trace to a Service summarised as "+N more"
    # has its Service drawn, though the presenter view was used and another request was shown moments
    # before (a new request is never merged into the previous one's batch).
    page.click("#tab-yaml")
    view.wait_state("document.getElementById('app').classList.contains('side-tools')")
    view.wait_drawn()
    drawn = view.state()["scene"]["services"]
    hidden = [f"default/web-{i}" for i in range(5) if f"default/web-{i}" not in drawn]
    assert hidden, drawn  # some Services are summarised at this size
    pod = first_pod(server, sandbox)
    name = hidden[-1].split("/")[1]
    api_send(server, sandbox, destination=f"{name}:80", source=f"pod/default/{pod}")
    view.wait_state(f"s.scene.services.includes('{hidden[-1]}') && s.packet !== null")
    view.wait_drawn()
    shot(page, "page-yaml-focused-service-1280x720")


def test_history_survives_a_reload_and_a_permalink_replays_after_the_sandbox_changed(new_context, server):
    sandbox = server.create_sandbox("keep")
    page = new_context().new_page()
    view = SandboxPage.open(page, sandbox.owner_url)
    sent = api_send(server, sandbox, count=3)
    view.wait_state("s.packet !== null")

    page.reload()
    view.wait_live()
    view.wait_state("s.historyLoaded === 3")
    options = page.locator("#trace-history option")
    expect(options).to_have_count(3)
    page.click("#ctl-replay")
    view.wait_state("s.packet !== null")

    # The JSON and PNG downloads of the trace shown.
    with page.expect_download() as dl:
        page.click("#trace-json")
    stored = json.loads(Path(dl.value.path()).read_text())
    assert stored["id"] == sent[-1]["id"] and stored["hops"] == sent[-1]["hops"] and stored["token"] == sent[-1]["token"]
    with page.expect_download() as dl:
        page.click("#trace-png")
    png = Path(dl.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    (SCREENSHOTS / "trace-export.png").write_bytes(png)

    # The sandbox changes after the trace: its Service is deleted.
    server.post_as_owner(sandbox.path + "services/default/kubia-loadbalancer/delete/", sandbox.token)
    view.wait_state("!s.scene.services.includes('default/kubia-loadbalancer')")
    href = page.get_attribute("#trace-permalink", "href")
    assert href == f"/traces/{sent[-1]['token']}/"

    other = new_context().new_page()  # anyone with the link, read-only
    other.goto(server.base_url + href)
    permalink = SandboxPage(other)
    permalink.wait_state("s.permalink && s.scene && s.packet !== null")
    assert "default/kubia-loadbalancer" in permalink.state()["scene"]["services"]
    assert permalink.state()["permalink"]["rebuilt"] is True
    expect(other.locator("#permalink-bar")).to_contain_text("read-only")
    expect(other.locator("#tab-create")).to_have_count(0)
    expect(other.locator("#tracelog .log-line")).to_have_count(len(sent[-1]["hops"]))
    permalink.wait_drawn()
    shot(other, "permalink-1280x720")


def test_watch_link_in_korean_presenter_view_with_history(new_context, server):
    sandbox = server.create_sandbox("korean")
    sent = api_send(server, sandbox, count=2)
    page = new_context(locale="ko-KR").new_page()
    page.goto(sandbox.watch_url + "?present=1")
    view = SandboxPage(page).wait_live()
    view.wait_state("s.historyLoaded === 2")
    expect(page.locator("#app")).to_have_class(re.compile(r"\bpresenting\b"))
    expect(page.locator("#trace-history option")).to_have_count(2)
    expect(page.locator("#trace-permalink")).to_have_text("고정 링크")
    assert page.get_attribute("#trace-permalink", "href") == f"/traces/{sent[-1]['token']}/"
    page.keyboard.press("PageDown")  # a clicker: the first press starts at hop 1 of the newest trace
    page.keyboard.press("PageDown")
    view.wait_state("s.packet && s.packet.hop === 1")
    view.wait_drawn()
    shot(page, "presenter-watch-ko-1280x720")
    with page.expect_download() as dl:
        page.click("#trace-png")
    (SCREENSHOTS / "trace-export-ko.png").write_bytes(Path(dl.value.path()).read_bytes())


def test_downloads_and_permalink_work_under_the_pages_csp(new_context, server):
    """No evaluated test code here: the page runs with its own Content-Security-Policy."""
    sandbox = server.create_sandbox("csp")
    page = new_context(bypass_csp=False).new_page()
    page.goto(sandbox.owner_url)
    expect(page.locator("#conn-status")).to_have_attribute("data-state", "open")
    [trace] = api_send(server, sandbox)
    expect(page.locator("#trace-json")).to_be_visible()
    with page.expect_download() as dl:
        page.click("#trace-json")
    assert json.loads(Path(dl.value.path()).read_text())["token"] == trace["token"]
    with page.expect_download() as dl:
        page.click("#trace-png")
    assert Path(dl.value.path()).read_bytes()[:4] == b"\x89PNG"
    page.keyboard.press("p")
    expect(page.locator("#app")).to_have_class(re.compile(r"\bpresenting\b"))
    page.goto(server.base_url + f"/traces/{trace['token']}/")
    expect(page.locator("#conn-status")).to_have_attribute("data-state", "recorded")
    expect(page.locator("#tracelog .log-line")).to_have_count(len(trace["hops"]))
