"""Requests through the kubia demo: every hop in the trace log and the inspector; "Send 20"
spreads over the pods, unless the Service has ClientIP session affinity."""

import re

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage

NODE_1_NODEPORT = "130.211.97.55:30123"  # node-1's ExternalIP, kubia-nodeport's nodePort


def test_a_nodeport_request_hop_by_hop(page, server):
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")
    [trace] = sandbox.send(NODE_1_NODEPORT)
    assert trace["outcome"] == "delivered"
    pod = trace["endpoint"]["pod"]

    expect(page.locator("#tracelog .log-main")).to_have_count(len(trace["hops"]))
    lines = sandbox.trace_lines()
    assert lines[0].startswith("1 · client external (203.0.113.10) · send")
    assert lines[0].endswith(f"→ {NODE_1_NODEPORT}")
    [dnat] = [i for i, line in enumerate(lines) if " · DNAT · " in line]
    assert re.search(rf"node node-1 \(10\.0\.0\.11\) · DNAT · dst {NODE_1_NODEPORT} → 10\.244\.\d+\.\d+:8080 · KUBE-SEP-",
                     lines[dnat])
    assert re.match(rf"{len(lines)} · pod default/{pod} \(10\.244\.\d+\.\d+\) · deliver", lines[-1])
    expect(page.locator("#tracelog-summary")).to_contain_text(f"delivered to {pod}")

    # A line of the log opens that hop in the inspector: the packet before and after the DNAT.
    page.locator("#tracelog .log-btn").nth(dnat).click()
    expect(page.get_by_role("tab", name="Inspector")).to_have_attribute("aria-selected", "true")
    inspector = page.locator("#inspector")
    expect(inspector.locator("h2")).to_have_text(f"Hop {dnat + 1}: node node-1 (10.0.0.11)")
    expect(inspector.locator(".hop-count")).to_have_text(f"hop {dnat + 1} of {len(lines)}")
    dst = inspector.locator("table.packet tr.changed")
    expect(dst.locator("th")).to_have_text("dst")
    expect(dst.locator("td").first).to_have_text(NODE_1_NODEPORT)
    expect(dst.locator("td").last).to_contain_text(f"→ {trace['endpoint']['ip']}:8080")
    expect(page.locator("#tracelog li.current")).to_have_attribute("data-hop", str(dnat))
    assert sandbox.state()["paused"] is True
    sandbox.screenshots("request-dnat-hop")

    # The hop before chose the endpoint: three candidates, the chosen one marked.
    inspector.get_by_role("button", name="Previous hop").click()
    candidates = inspector.locator("table.candidates tbody tr")
    expect(candidates).to_have_count(3)
    expect(inspector.locator("table.candidates tr.chosen")).to_contain_text(pod)


def test_send_20_spreads_over_the_pods(page, server):
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")
    traces = sandbox.send(NODE_1_NODEPORT, count=20)
    assert len(traces) == 20 and {t["outcome"] for t in traces} == {"delivered"}

    expect(page.locator("#req-tally h3")).to_have_text("Where the last 20 requests went")
    tally = sandbox.tally()
    assert sum(tally.values()) == 20
    assert len(tally) > 1  # all 20 on one of 3 pods by chance: p = 3^-19
    sandbox.wait_state("s.packets >= 15")  # they start 120 ms apart: most are on their way
    sandbox.screenshots("send-20")
    assert set(tally) <= set(sandbox.column("pods"))


def test_client_ip_affinity_sends_all_20_to_one_pod(page, server):
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")
    sandbox.submit("service", {"name": "kubia-sticky", "selector": "app=kubia", "session_affinity": "ClientIP",
                               "ports-0-port": 80, "ports-0-target_port": 8080})
    expect(page.locator("#ok-service")).to_have_text("✓ service/kubia-sticky created")
    sandbox.wait_state("s.scene.services.includes('default/kubia-sticky')")
    services = {row[0]: row for row in sandbox.table("services")}
    cluster_ip = services["kubia-sticky"][2]
    client = sandbox.column("pods")[0]

    traces = sandbox.send(f"{cluster_ip}:80", source=f"pod/default/{client}", count=20)

    [pod] = {t["endpoint"]["pod"] for t in traces}
    assert sandbox.tally() == {pod: 20}
    expect(page.locator("#req-tally")).to_contain_text("20 (100%)")


def test_a_service_of_150_endpoints_lists_100_candidates_and_counts_them_all(new_context, server):
    owned = server.create_sandbox("many-candidates")
    server.post_as_owner(owned.path + "scale/", owned.token, {"workload": "default/kubia", "replicas": "150"})
    page = new_context().new_page()
    sandbox = SandboxPage.open(page, owned.owner_url)
    [trace] = sandbox.send(NODE_1_NODEPORT)
    assert trace["outcome"] == "delivered"
    [select] = [i for i, hop in enumerate(trace["hops"]) if hop["candidates"]]
    page.locator("#tracelog .log-btn").nth(select).click()
    inspector = page.locator("#inspector")
    expect(inspector.locator("table.candidates tbody tr")).to_have_count(100)
    expect(inspector.locator("table.candidates tr.chosen")).to_contain_text(trace["endpoint"]["pod"])
    groups = inspector.locator(".candidate-groups")
    expect(groups.locator("p")).to_have_text("150 endpoints, by reason (the table lists 100):")
    expect(groups.locator("li")).to_have_count(1)
    expect(groups.locator("li")).to_contain_text("150")
    expect(groups.locator("li")).to_contain_text("Ready, so kube-proxy gave it a rule in this chain.")
    groups.scroll_into_view_if_needed()
    sandbox.screenshots("candidates-150")
