"""A learner finishes every lesson from start to end in a real browser, doing the steps with the
forms, the YAML tab, the console, the Send tab and the real kubectl — "show me" only where the
step is about reading something the page shows. Two lessons run in Korean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.lesson_page import LessonPage

LOCAL_NODEPORT = """apiVersion: v1
kind: Service
metadata:
  name: kubia-nodeport
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector:
    app: kubia
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30123
"""


def finish(lesson: LessonPage, name: str) -> None:
    lesson.finished()
    lesson.screenshots(f"lesson-{name}-done")
    lesson.page.locator("#lesson-done a").click()
    expect(lesson.page.locator("h1")).to_contain_text(re.compile(r"(Finished|Fixed|완료|고침):"))


def test_clusterip(page, server):
    lesson = LessonPage.start(page, server.base_url, "clusterip")
    lesson.screenshots("lesson-clusterip-start")
    assert "Service \"kubia\"" not in lesson.console("kubectl apply -f kubia-svc.yaml")
    lesson.wait_done("create")
    assert "Right" in lesson.predict(1)
    cluster_ip = lesson.service("kubia")["spec"]["clusterIP"]
    [trace] = lesson.send_to(f"{cluster_ip}:80")
    assert trace["outcome"] == "unroutable"
    lesson.wait_done("from-outside")
    [trace] = lesson.send_to(f"{cluster_ip}:80", source=lesson.pod_source())
    assert trace["outcome"] == "delivered"
    lesson.wait_done("from-pod")
    finish(lesson, "clusterip")


def test_endpoints(page, server):
    lesson = LessonPage.start(page, server.base_url, "endpoints")
    assert "Endpoints:" in lesson.console("kubectl describe svc kubia")
    lesson.wait_done("describe")
    assert "Not quite" in lesson.predict(0)  # a wrong prediction is revealed, then the step goes on
    pod = lesson.pod_source().rsplit("/", 1)[1]
    lesson.tab("Tables")
    page.locator("#tables-pods tbody tr", has_text=pod).locator("button", has_text="✗").click()
    lesson.wait_done("not-ready")
    lesson.apply_yaml(book="external-service.yaml")
    lesson.apply_yaml(book="external-service-endpoints.yaml")
    lesson.wait_done("external-service")
    [trace] = lesson.send_to("external-service.default.svc.cluster.local:80", source=lesson.pod_source())
    assert trace["endpoint"]["ip"] in ("11.11.11.11", "22.22.22.22")
    lesson.wait_done("answer")
    finish(lesson, "endpoints")


def test_endpointslices(page, server):
    lesson = LessonPage.start(page, server.base_url, "endpointslices")
    lesson.predict(2)
    lesson.submit("scale", {"workload": "default/kubia", "replicas": 101})
    lesson.wait_done("split")
    slices = sorted(len(s.get("endpoints") or []) for s in lesson.objects("EndpointSlice")
                    if s["metadata"]["labels"].get("kubernetes.io/service-name") == "kubia")
    assert slices == [3, 98]
    page.click("#ctl-cost")
    expect(page.locator("#cost-body .cost-compare").first).to_be_visible()
    expect(page.locator("#cost-body")).to_contain_text("20,000")
    lesson.screenshots("lesson-endpointslices-cost")
    page.keyboard.press("Escape")
    lesson.wait_done("cost")
    lesson.predict(1)
    lesson.submit("settings", {"max_endpoints_per_slice": 50})
    lesson.console("kubectl scale rs kubia --replicas=130")
    lesson.wait_done("max", timeout=30_000)
    finish(lesson, "endpointslices")


def test_nodeport_with_the_real_kubectl(page, server, tmp_path, page_errors):
    page_errors.allow(r"status of 400 \(Bad Request\)")  # Chromium logs the refused form's answer
    lesson = LessonPage.start(page, server.base_url, "nodeport")
    lesson.screenshots("lesson-nodeport-start")
    assert lesson.hint()
    out = lesson.kubectl(tmp_path, "apply", "-f", "cluster/manifests/book/kubia-svc-nodeport.yaml").stdout
    assert out.strip() == "service/kubia-nodeport created"
    lesson.wait_done("create")
    [trace] = lesson.send_to(f"{lesson.node_ip(with_pod=False)}:30123")
    assert trace["outcome"] == "delivered"
    lesson.wait_done("empty-node")
    lesson.submit("service", {"name": "kubia-auto", "type": "NodePort", "selector": "app=kubia",
                              "ports-0-port": 80, "ports-0-target_port": 8080})
    lesson.wait_done("automatic")
    lesson.submit("service", {"name": "kubia-80", "type": "NodePort", "selector": "app=kubia",
                              "ports-0-port": 80, "ports-0-target_port": 8080, "ports-0-node_port": 80})
    expect(page.locator("#err-service-ports-0-node_port")).to_contain_text("provided port is not in the valid range")
    lesson.wait_done("port-80")
    lesson.submit("settings", {"node_port_range": "20000-32767"})
    lesson.apply_yaml(LOCAL_NODEPORT.replace("kubia-nodeport", "kubia-20080").replace("30123", "20080")
                      .replace("  externalTrafficPolicy: Local\n", ""))
    lesson.wait_done("range")
    finish(lesson, "nodeport")


def test_path(page, server):
    lesson = LessonPage.start(page, server.base_url, "path")
    [trace] = lesson.send_to(f"{lesson.node_ip(with_pod=True)}:30123")
    lesson.wait_done("send")
    page.click("#ctl-predict")
    [trace] = lesson.send_to(f"{lesson.node_ip(with_pod=True)}:30123")
    for _ in range(6):  # each question: key 1 answers, Enter continues, until the request's quiz is done
        lesson.wait_state("s.quiz && (s.quiz.phase === 'ask' || s.quiz.phase === 'done')", timeout=15_000)
        if lesson.state()["quiz"]["phase"] == "done":
            break
        page.locator("#quiz-choices [role=radio]").first.focus()  # out of the address field
        page.keyboard.press("1")
        lesson.wait_state("s.quiz.phase === 'revealed'")
        page.keyboard.press("Enter")
    lesson.wait_done("predict-hops")
    page.keyboard.press("Enter")  # Close, where the summary put the focus
    page.click("#ctl-predict")
    page.click("#toggle-book")
    lesson.wait_done("book")
    expect(page.locator("#bookview")).to_contain_text("clusterIP")
    page.click("#toggle-book")  # back to the real hops
    dnat = next(h["index"] for h in trace["hops"] if h["action"] == "DNAT")
    page.locator(f'#tracelog li[data-hop="{dnat}"] button').first.click()
    expect(page.locator("#inspector .rule-text")).to_contain_text("-j DNAT --to-destination")
    lesson.wait_done("dnat")
    finish(lesson, "path")


def test_loadbalancer(page, server):
    lesson = LessonPage.start(page, server.base_url, "loadbalancer")
    lesson.console("kubectl apply -f kubia-svc-loadbalancer.yaml")
    lesson.wait_done("create")
    lb_ip = lesson.service("kubia-loadbalancer")["status"]["loadBalancer"]["ingress"][0]["ip"]
    assert lb_ip == "130.211.53.173"
    traces = lesson.send_to(f"{lb_ip}:80", count=20)
    assert all(t["outcome"] == "delivered" for t in traces)
    lesson.wait_done("spread")
    lesson.predict(1)
    lesson.submit("settings", {"lb_pool": ""})
    lesson.submit("service", {"name": "kubia-lb-2", "type": "LoadBalancer", "selector": "app=kubia",
                              "ports-0-port": 80, "ports-0-target_port": 8080})
    assert "<pending>" in lesson.console("kubectl get svc kubia-lb-2")
    lesson.wait_done("pending")
    finish(lesson, "loadbalancer")


def test_traffic_policy(page, server):
    lesson = LessonPage.start(page, server.base_url, "traffic-policy")
    empty, busy = lesson.node_ip(with_pod=False), lesson.node_ip(with_pod=True)
    [trace] = lesson.send_to(f"{empty}:30123")
    assert any(h["action"] == "SNAT" for h in trace["hops"])
    lesson.wait_done("cluster")
    lesson.predict(1)
    lesson.apply_yaml(LOCAL_NODEPORT)
    lesson.wait_done("local")
    [trace] = lesson.send_to(f"{empty}:30123")
    assert trace["outcome"] == "dropped"
    lesson.wait_done("dropped")
    [trace] = lesson.send_to(f"{busy}:30123")
    assert trace["outcome"] == "delivered"
    lesson.wait_done("kept")
    finish(lesson, "traffic-policy")


def test_session_affinity(page, server):
    lesson = LessonPage.start(page, server.base_url, "session-affinity")
    source = lesson.pod_source()
    address = f"{lesson.service('kubia')['spec']['clusterIP']}:80"
    lesson.send_to(address, source=source, count=20)
    lesson.wait_done("spread")
    lesson.predict(1)
    lesson.console("kubectl apply -f kubia-svc-client-ip-session-affinity.yaml")
    lesson.wait_done("client-ip")
    traces = lesson.send_to(address, source=source, count=20)
    assert len({t["endpoint"]["pod"] for t in traces}) == 1
    lesson.wait_done("sticky")
    finish(lesson, "session-affinity")


@pytest.fixture
def korean_page(new_context):
    context = new_context(locale="ko-KR", extra_http_headers={"Accept-Language": "ko"})
    return context.new_page()


def test_nodeport_in_korean(korean_page, server):
    page = korean_page
    lesson = LessonPage.start(page, server.base_url, "nodeport")
    expect(page.locator("#lesson-title")).to_have_text("노드포트: 모든 노드에 열리는 하나의 포트")
    expect(page.locator("#lesson-progress")).to_have_text("5단계 중 1단계")
    lesson.console("kubectl apply -f kubia-svc-nodeport.yaml")
    lesson.wait_done("create")
    expect(page.locator("#status-message")).to_contain_text("단계 완료")
    lesson.send_to(f"{lesson.node_ip(with_pod=False)}:30123")
    lesson.wait_done("empty-node")
    lesson.screenshots("lesson-nodeport-ko")
    for step in ("automatic", "port-80", "range"):
        lesson.show_me()
        lesson.wait_done(step)
    finish(lesson, "nodeport-ko")


def test_clusterip_in_korean(korean_page, server):
    page = korean_page
    lesson = LessonPage.start(page, server.base_url, "clusterip")
    lesson.apply_yaml(book="kubia-svc.yaml")
    lesson.wait_done("create")
    assert "맞았습니다" in lesson.predict(1)
    cluster_ip = lesson.service("kubia")["spec"]["clusterIP"]
    lesson.send_to(f"{cluster_ip}:80")
    lesson.wait_done("from-outside")
    lesson.send_to(f"{cluster_ip}:80", source=lesson.pod_source())
    lesson.wait_done("from-pod")
    lesson.screenshots("lesson-clusterip-ko")
    finish(lesson, "clusterip-ko")
