"""Book view: beside a real trace, the book's hops for the same request (client -> nodeIP:nodePort
-> clusterIP:port -> podIP:targetPort), the real packet's (one DNAT straight to the pod, the
clusterIP never visited), and why both are right. Its hop buttons open the real hops."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage

WHY = ("Why both are right: kube-proxy programs the Service's clusterIP:port → endpoints mapping into every node; "
       "the DNAT applies that mapping in one rewrite, so the clusterIP is a name for the rule set rather than a box "
       "the packet visits.")


def cells(page, lane: str) -> list[str]:
    return page.eval_on_selector_all(
        f"#bookview tr.{lane} td",
        "tds => tds.map(td => td.innerText.replace(/\\s+/g, ' ').replace(/([→⇢┄]) ?/g, '$1 ').trim())")


def test_the_books_hops_beside_a_nodeport_request(page, server):
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")
    services = {row[0]: row for row in sandbox.table("services")}
    cluster_ip = f"{services['kubia-nodeport'][2]}:80"
    destinations = page.eval_on_selector_all("#req-destination option", "os => os.map(o => o.value)")
    nodeport = next(d for d in destinations if d.startswith("130.211.") and d.endswith(":30123"))
    [trace] = sandbox.send(nodeport)
    pod = f"{trace['endpoint']['ip']}:{trace['endpoint']['port']}"
    dnat = next(i for i, h in enumerate(trace["hops"]) if h["action"] == "DNAT")
    arrived = next(i for i, h in enumerate(trace["hops"]) if h["at"]["kind"] == "node")
    expect(page.locator("#tracelog .log-main")).to_have_count(len(trace["hops"]))

    toggle = page.get_by_role("button", name="Book view")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#bookview")).to_be_visible()
    expect(page.locator("#tracelog")).to_be_hidden()  # the book view takes the hop lines' place

    heads = page.eval_on_selector_all("#bookview thead th", "ths => ths.map(th => th.innerText.trim())")
    assert heads == ["nodeIP:nodePort", "clusterIP:port", "podIP:targetPort"]
    expect(page.locator("#bookview .book-from")).to_have_text(f"from {trace['client']['ip']}")
    node = trace["hops"][arrived]["at"]["name"]
    assert cells(page, "book-lane-book") == [
        f"→ {nodeport} {node}", f"→ {cluster_ip} kubia-nodeport",
        f"→ {pod} {trace['endpoint']['pod']}"], "the book: every hop an address the packet visits"
    real = cells(page, "book-lane-real")
    assert real[0] == f"→ {nodeport} hop {arrived + 1}"
    assert real[1] == "┄ not visited: no machine has this address"
    assert re.fullmatch(rf"⇢ {re.escape(pod)} hop {dnat + 1} one DNAT by KUBE-SEP-\w+", real[2]), real[2]
    assert real[2].endswith(trace["hops"][dnat]["rules"][-1])
    expect(page.locator("#bookview th[scope=row]").nth(1)).to_have_text("This request (iptables)")
    expect(page.locator("#bookview .book-why")).to_have_text(WHY)
    sandbox.screenshots("book-view-nodeport")

    # The DNAT's hop button opens that hop: the inspector shows the one rewrite to the pod.
    page.locator("#bookview tr.book-lane-real .book-hop").last.click()
    expect(page.get_by_role("tab", name="Inspector")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#inspector h2")).to_contain_text(f"Hop {dnat + 1}: node")
    dst = page.locator("#inspector table.packet tr.changed")
    expect(dst.locator("td").last).to_contain_text(f"→ {pod}")

    # Off again: the hop lines come back, the current one marked.
    toggle.click()
    expect(page.locator("#bookview")).to_be_hidden()
    expect(page.locator("#tracelog")).to_be_visible()
    expect(page.locator("#tracelog li.current")).to_have_attribute("data-hop", str(dnat))


def test_a_load_balancer_request_and_a_pod_to_the_cluster_ip(page, server):
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")
    services = {row[0]: row for row in sandbox.table("services")}
    page.get_by_role("button", name="Book view").click()
    expect(page.locator("#bookview")).to_contain_text("Send a request: its path appears here beside the book's picture.")

    [trace] = sandbox.send(page.eval_on_selector("#req-destination option", "o => o.value"))  # the LB's address
    assert trace["hops"][1]["at"]["kind"] == "loadbalancer"
    expect(page.locator("#bookview thead th")).to_have_count(4)  # once the trace has come over the websocket
    heads = page.eval_on_selector_all("#bookview thead th", "ths => ths.map(th => th.innerText.trim())")
    assert heads == ["load balancer", "nodeIP:nodePort", "clusterIP:port", "podIP:targetPort"]
    book = cells(page, "book-lane-book")
    assert book[0] == f"→ {trace['destination']} kubia-loadbalancer"
    assert book[1].startswith(f"→ {trace['hops'][1]['after']['dst']} node-")
    assert book[2] == f"→ {services['kubia-loadbalancer'][2]}:80 kubia-loadbalancer"
    real = cells(page, "book-lane-real")
    assert real[1] == f"→ {trace['hops'][1]['after']['dst']} hop 3 the load balancer forwards here"
    assert real[2] == "┄ not visited: no machine has this address"
    sandbox.screenshots("book-view-loadbalancer")

    # From a pod to the clusterIP: the packet is addressed to it from the start, yet never visits it.
    client = sandbox.column("pods")[0]
    cluster_ip = f"{services['kubia'][2]}:80"
    page.wait_for_timeout(800)  # a request within 0.7 s of the last one joins its batch on the page
    [trace] = sandbox.send(cluster_ip, source=f"pod/default/{client}")
    expect(page.locator("#bookview thead th")).to_have_count(2)
    expect(page.locator("#bookview .book-from")).to_have_text(f"from default/{client}")
    real = cells(page, "book-lane-real")
    assert real[0] == f"→ {cluster_ip} the destination from the start, yet no machine has it"
    assert real[1].startswith(f"⇢ {trace['endpoint']['ip']}:8080 hop ")


def test_the_book_view_waits_while_a_prediction_is_open(page, server):
    """The book's pod column would give the answer away: during a quiz it says so and waits."""
    sandbox = SandboxPage.from_landing(page, server.base_url, "kubia")
    page.get_by_role("button", name="Book view").click()
    page.get_by_role("button", name="Predict").click()
    destinations = page.eval_on_selector_all("#req-destination option", "os => os.map(o => o.value)")
    sandbox.send(next(d for d in destinations if d.startswith("130.211.") and d.endswith(":30123")))
    sandbox.wait_state("s.quiz.phase === 'ask'")
    expect(page.locator("#bookview")).to_have_text(
        "The book view would give the answers away: it comes back when this prediction is done.")
    for _ in range(2):  # answer both questions with key 1, continue
        sandbox.wait_state("s.quiz.phase === 'ask'")
        page.keyboard.press("1")
        sandbox.wait_state("s.quiz.phase === 'revealed'")
        page.keyboard.press("Enter")
    sandbox.wait_state("s.quiz.phase === 'done'")
    expect(page.locator("#bookview .book-why")).to_have_text(WHY)
