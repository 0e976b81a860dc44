"""Lessons on real sandboxes: steps are checked from the state however it was changed, done steps
stay done, "show me" goes through the write path, and a reset returns to the start."""

from __future__ import annotations

import pytest

from cluster.models import Event, LessonProgress
from cluster.selectors import object_get, object_list
from cluster.services.console import console_run
from cluster.services.lessons import (
    LessonError,
    lesson_catalogue,
    lesson_observe,
    lesson_progress,
    lesson_request,
    lesson_reset,
    lesson_solve,
    lesson_start,
)
from cluster.services.manifests import manifests_apply
from cluster.services.objects import object_create
from cluster.services.traces import trace_create
from cluster.services.workloads import pod_set_ready
from cluster.sim.objects import node_external_ip

pytestmark = pytest.mark.django_db

LESSONS = [lid for lid, lesson in lesson_catalogue().items() if lesson.kind == "lesson"]
NODEPORT_80 = """
apiVersion: v1
kind: Service
metadata: {name: web-80}
spec:
  type: NodePort
  selector: {app: kubia}
  ports: [{port: 80, targetPort: 8080, nodePort: 80}]
"""


def done(cluster) -> list[str]:
    return lesson_progress(cluster=cluster)[1]


def test_every_required_lesson_is_there():
    required = {"clusterip", "endpoints", "endpointslices", "nodeport", "path", "loadbalancer", "traffic-policy",
                "session-affinity"}
    assert required <= set(LESSONS)


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_show_me_finishes_every_lesson_through_the_write_path(lesson_id):
    cluster = lesson_start(lesson_id=lesson_id, seed=7)
    assert done(cluster) == [], "no step may be done before the learner acts"
    lesson = lesson_catalogue()[lesson_id]
    before = Event.objects.filter(cluster=cluster).count()
    for step in lesson.steps:
        assert lesson_solve(cluster=cluster).id == step.id
        assert done(cluster)[-1] == step.id
    assert lesson_solve(cluster=cluster) is None
    progress = LessonProgress.objects.get(cluster=cluster)
    assert progress.completed_at is not None
    assert Event.objects.filter(cluster=cluster).count() >= before  # changes were ordinary events


def test_nodeport_steps_done_by_hand_with_the_console_and_manifests():
    cluster = lesson_start(lesson_id="nodeport", seed=3)
    console_run(cluster=cluster, command="kubectl apply -f kubia-svc-nodeport.yaml")
    assert done(cluster) == ["create"]
    # A node that runs no kubia pod (2 pods on 3 nodes), reached on its ExternalIP.
    pods = object_list(cluster=cluster, kind="Pod")
    busy = {p["spec"]["nodeName"] for p in pods}
    empty = next(n for n in object_list(cluster=cluster, kind="Node") if n["metadata"]["name"] not in busy)
    trace_create(cluster=cluster, source="external", destination=f"{node_external_ip(empty)}:30123")
    assert done(cluster) == ["create", "empty-node"]
    console_run(cluster=cluster, command="kubectl expose rs kubia --name auto --type NodePort --port 80 --target-port 8080")
    assert done(cluster)[-1] == "automatic"
    with pytest.raises(Exception):  # noqa: B017 - the refusal itself is what the step looks for
        manifests_apply(cluster=cluster, text=NODEPORT_80)
    assert done(cluster)[-1] == "port-80"
    with pytest.raises(Exception):  # noqa: B017 - 20080 is outside the default range
        manifests_apply(cluster=cluster, text=NODEPORT_80.replace("nodePort: 80", "nodePort: 20080"))
    assert done(cluster)[-1] == "port-80"


def test_a_step_is_not_done_by_a_request_to_a_node_with_a_pod():
    cluster = lesson_start(lesson_id="nodeport", seed=3)
    console_run(cluster=cluster, command="kubectl apply -f kubia-svc-nodeport.yaml")
    busy = object_list(cluster=cluster, kind="Pod")[0]["spec"]["nodeName"]
    node = object_get(cluster=cluster, kind="Node", namespace="", name=busy)
    trace_create(cluster=cluster, source="external", destination=f"{node_external_ip(node)}:30123")
    assert done(cluster) == ["create"]


def test_done_steps_stay_done_when_the_state_moves_on():
    cluster = lesson_start(lesson_id="endpoints", seed=3)
    lesson_solve(cluster=cluster)  # describe svc
    lesson_observe(cluster=cluster, what="predict", step="not-ready", choice=0)
    pod = object_list(cluster=cluster, kind="Pod")[0]["metadata"]["name"]
    pod_set_ready(cluster=cluster, namespace="default", name=pod, ready=False)
    assert done(cluster) == ["describe", "not-ready"]
    pod_set_ready(cluster=cluster, namespace="default", name=pod, ready=True)
    assert done(cluster) == ["describe", "not-ready"]


def test_a_prediction_is_asked_before_the_step_counts():
    cluster = lesson_start(lesson_id="endpointslices", seed=3)
    console_run(cluster=cluster, command="kubectl scale rs kubia --replicas=101")
    assert done(cluster) == [], "scaled, but the prediction was not answered"
    lesson_observe(cluster=cluster, what="predict", step="split", choice=1)
    assert done(cluster) == ["split"]


def test_scaling_3_to_101_in_one_write_gives_98_and_3():
    cluster = lesson_start(lesson_id="endpointslices", seed=3)
    lesson_solve(cluster=cluster)
    sizes = sorted(len(s.get("endpoints") or []) for s in object_list(cluster=cluster, kind="EndpointSlice")
                   if s["metadata"]["labels"].get("kubernetes.io/service-name") == "kubia")
    assert sizes == [3, 98]


def test_reset_returns_the_lesson_to_its_start():
    cluster = lesson_start(lesson_id="nodeport", seed=3)
    lesson_solve(cluster=cluster)
    assert object_get(cluster=cluster, kind="Service", namespace="default", name="kubia-nodeport")
    lesson_reset(cluster=cluster)
    assert object_get(cluster=cluster, kind="Service", namespace="default", name="kubia-nodeport") is None
    assert len(object_list(cluster=cluster, kind="Pod")) == 2
    assert done(cluster) == []
    assert LessonProgress.objects.get(cluster=cluster).observations == []


def test_the_cause_of_a_scenario_waits_until_the_learner_has_looked():
    scenario = next(lid for lid, lesson in lesson_catalogue().items() if lesson.kind == "scenario")
    cluster = lesson_start(lesson_id=scenario, seed=3)
    with pytest.raises(LessonError):
        lesson_observe(cluster=cluster, what="cause")
    lesson_request(cluster=cluster)
    lesson_observe(cluster=cluster, what="cause")


def test_a_free_sandbox_records_nothing(kubia):
    object_create(cluster=kubia, obj={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}})
    console_run(cluster=kubia, command="kubectl get svc")
    assert not LessonProgress.objects.filter(cluster=kubia).exists()
