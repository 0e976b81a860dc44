"""Every broken cluster in a real browser: the failing request is sent and fails, the cause is
only named after the learner has looked, the learner diagnoses with the console and fixes it by
their own means (the real kubectl patch, YAML, forms, the Tables buttons), and the same request
then gets through."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.lesson_page import LessonPage

SERVICE_TARGET_WEB = """apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  selector:
    app: kubia
  ports:
  - port: 80
    targetPort: web
"""
CLUSTER_POLICY = """apiVersion: v1
kind: Service
metadata:
  name: kubia-nodeport
spec:
  type: NodePort
  externalTrafficPolicy: Cluster
  selector:
    app: kubia
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30123
"""


def fix_selector_typo(lesson: LessonPage, tmp_path) -> None:
    lesson.kubectl(tmp_path, "patch", "svc", "kubia", "-p", '{"spec":{"selector":{"app":"kubia"}}}')


def fix_wrong_target_port(lesson: LessonPage, tmp_path) -> None:
    lesson.kubectl(tmp_path, "patch", "svc", "kubia", "-p", '{"spec":{"ports":[{"port":80,"targetPort":8080}]}}')


def fix_missing_named_port(lesson: LessonPage, tmp_path) -> None:
    lesson.apply_yaml(SERVICE_TARGET_WEB)


def fix_no_ready_pods(lesson: LessonPage, tmp_path) -> None:
    lesson.tab("Tables")
    lesson.page.locator("#tables-pods tbody tr", has_text="kubia").first.locator("button", has_text="✓").click()


def fix_local_policy_empty_node(lesson: LessonPage, tmp_path) -> None:
    lesson.apply_yaml(CLUSTER_POLICY)


def fix_lb_pending(lesson: LessonPage, tmp_path) -> None:
    lesson.submit("settings", {"lb_pool": "130.211.53.173-130.211.53.182"})


def fix_wrong_namespace(lesson: LessonPage, tmp_path) -> None:
    lesson.console("kubectl apply -f kubia-svc.yaml -n shop")


def fix_udp_vs_tcp(lesson: LessonPage, tmp_path) -> None:
    lesson.apply_yaml(book="kubia-svc-nodeport.yaml")


SCENARIOS = {
    "selector-typo": ("kubectl describe svc kubia", fix_selector_typo),
    "wrong-target-port": ("kubectl get ep kubia", fix_wrong_target_port),
    "missing-named-port": ("kubectl get endpointslices", fix_missing_named_port),
    "no-ready-pods": ("kubectl get pods", fix_no_ready_pods),
    "local-policy-empty-node": ("kubectl describe svc kubia-nodeport", fix_local_policy_empty_node),
    "lb-pending": ("kubectl get svc kubia-loadbalancer", fix_lb_pending),
    "wrong-namespace": ("kubectl get pods -A", fix_wrong_namespace),
    "udp-vs-tcp": ("kubectl get svc kubia-nodeport", fix_udp_vs_tcp),
}


def send_failing_request(lesson: LessonPage) -> dict:
    with lesson.page.expect_response(lambda r: r.url.endswith("/lesson/request/")) as answer:
        lesson.page.click("#lesson-send")
    return answer.value.json()["traces"][0]


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_broken_cluster_is_diagnosed_and_fixed(page, server, tmp_path, page_errors, scenario):
    page_errors.allow(r"status of 409 \(Conflict\)")  # the cause asked for before looking
    diagnose, fix = SCENARIOS[scenario]
    lesson = LessonPage.start(page, server.base_url, scenario)
    expect(page.locator("#lesson-cause")).to_be_hidden()
    page.click("#lesson-cause-btn")  # asking before looking: not yet
    expect(page.locator("#lesson-error")).to_contain_text("Send the failing request")
    expect(page.locator("#lesson-cause")).to_be_hidden()

    failing = send_failing_request(lesson)
    assert failing["outcome"] != "delivered", failing["reason"]
    expect(page.locator("#tracelog li").first).to_be_visible()
    page.click("#lesson-cause-btn")
    expect(page.locator("#lesson-cause")).to_be_visible()
    expect(page.locator("#lesson-cause")).to_contain_text("Cause:")

    lesson.console(diagnose)
    lesson.wait_done("look")
    fix(lesson, tmp_path)
    lesson.wait_done("fix")
    lesson.finished()
    if scenario == "selector-typo":
        lesson.screenshots("scenario-selector-typo-fixed")
    assert send_failing_request(lesson)["outcome"] == "delivered"
