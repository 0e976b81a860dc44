"""The broken-cluster scenarios on real sandboxes: each starts broken, its request fails the way its
symptom says, a learner's own fix (never "show me") solves it and the request then gets through;
the scenario's own fix ("show me") solves it too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from cluster.models import Cluster
from cluster.selectors import object_list
from cluster.services.console import console_run
from cluster.services.lessons import lesson_progress, lesson_request, lesson_solve, lesson_start
from cluster.services.manifests import manifests_apply
from cluster.services.objects import object_update
from cluster.services.sandboxes import cluster_update_settings
from cluster.services.workloads import pod_toggle_ready
from cluster.sim.api.apischema import schema_for
from cluster.sim.api.patch import strategic_merge_patch
from cluster.sim.lessons.progress import is_complete
from cluster.sim.objects import Obj, name_of, pod_ready

pytestmark = pytest.mark.django_db


def console(cluster: Cluster, command: str) -> str:
    result = console_run(cluster=cluster, command=command)
    assert result.ok, result.output
    return result.output


def kubectl_patch(cluster: Cluster, kind: str, name: str, patch: Obj, namespace: str = "default") -> Obj:
    """`kubectl patch KIND NAME -p PATCH`: a strategic merge patch through the write path."""
    return object_update(cluster=cluster, kind=kind, namespace=namespace, name=name,
                         mutate=lambda live: strategic_merge_patch(live, patch, schema_for(kind)))


def kubia_pods(cluster: Cluster) -> list[Obj]:
    return sorted((p for p in object_list(cluster=cluster, kind="Pod")
                   if (p["metadata"].get("labels") or {}).get("app") == "kubia"), key=name_of)


# --- what a learner does, scenario by scenario (looking first, then a fix of their own) ----------------


def fix_selector_typo(cluster: Cluster) -> None:
    assert "app=kubai" in console(cluster, "kubectl describe svc kubia")
    kubectl_patch(cluster, "Service", "kubia", {"spec": {"selector": {"app": "kubia"}}})


def fix_wrong_target_port(cluster: Cluster) -> None:
    assert ":80," in console(cluster, "kubectl get ep kubia")
    kubectl_patch(cluster, "Service", "kubia", {"spec": {"ports": [{"port": 80, "targetPort": 8080}]}})


def fix_missing_named_port(cluster: Cluster) -> None:
    """The pods' side: the ReplicaSet names its port http, and the old pods are replaced."""
    assert "<unset>" in console(cluster, "kubectl get endpointslices")
    manifests_apply(cluster=cluster, text="""\
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: kubia
spec:
  replicas: 3
  selector:
    matchLabels:
      app: kubia
  template:
    metadata:
      labels:
        app: kubia
    spec:
      containers:
      - name: kubia
        image: luksa/kubia
        ports:
        - name: http
          containerPort: 8080
""")
    console(cluster, "kubectl delete pod " + " ".join(name_of(p) for p in kubia_pods(cluster)))


def fix_no_ready_pods(cluster: Cluster) -> None:
    assert "0/1" in console(cluster, "kubectl get pods")
    assert pod_toggle_ready(cluster=cluster, namespace="default", name=name_of(kubia_pods(cluster)[0])) is True


def fix_local_policy_empty_node(cluster: Cluster) -> None:
    """Keep Local (and the client's IP): a kubia pod on every node."""
    assert "Local" in console(cluster, "kubectl describe svc kubia-nodeport")
    console(cluster, "kubectl scale rs kubia --replicas=3")


def fix_lb_pending(cluster: Cluster) -> None:
    """A pool of the learner's own: the controller gives the pending Service its first address."""
    assert "<pending>" in console(cluster, "kubectl get svc kubia-loadbalancer")
    cluster_update_settings(cluster=cluster, lb_pool=["192.168.1.240-192.168.1.250"])
    assert "192.168.1.240" in console(cluster, "kubectl get svc kubia-loadbalancer")


def fix_wrong_namespace(cluster: Cluster) -> None:
    """The pods move to the Service: the book's ReplicaSet in default."""
    assert "shop" in console(cluster, "kubectl get pods -A")
    console(cluster, "kubectl apply -f kubia-replicaset.yaml")


def fix_udp_vs_tcp(cluster: Cluster) -> None:
    """The YAML tab: the whole Service again, with its port over TCP."""
    assert "30123/UDP" in console(cluster, "kubectl get svc kubia-nodeport")
    manifests_apply(cluster=cluster, text="""\
apiVersion: v1
kind: Service
metadata:
  name: kubia-nodeport
spec:
  type: NodePort
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30123
    protocol: TCP
  selector:
    app: kubia
""")


@dataclass(frozen=True)
class Case:
    scenario: str
    outcome: str  # how the symptom's request fails
    ends_at: str  # the kind of place of the trace's last hop
    fix: Callable[[Cluster], None]
    reason: str = ""  # a phrase of the trace's reason


CASES = [
    Case("selector-typo", "refused", "node", fix_selector_typo, "default/kubia has no endpoints"),
    Case("wrong-target-port", "refused", "pod", fix_wrong_target_port, ":80/TCP"),
    Case("missing-named-port", "refused", "node", fix_missing_named_port, "default/kubia has no endpoints"),
    Case("no-ready-pods", "refused", "node", fix_no_ready_pods, "default/kubia has no endpoints"),
    Case("local-policy-empty-node", "dropped", "node", fix_local_policy_empty_node, "externalTrafficPolicy: Local"),
    Case("lb-pending", "unroutable", "client", fix_lb_pending, "130.211.53.173"),
    Case("wrong-namespace", "refused", "node", fix_wrong_namespace, "default/kubia has no endpoints"),
    Case("udp-vs-tcp", "refused", "node", fix_udp_vs_tcp, "30123/TCP"),
]


def failing_request(cluster: Cluster, case: Case) -> Obj:
    traces = lesson_request(cluster=cluster)
    assert len(traces) == 1
    trace = traces[0]
    assert trace["outcome"] == case.outcome, trace["reason"]
    assert trace["hops"][-1]["at"]["kind"] == case.ends_at, trace["hops"][-1]
    assert case.reason in trace["reason"]
    return trace


def solved(cluster: Cluster) -> bool:
    lesson, done, progress = lesson_progress(cluster=cluster)
    return is_complete(lesson, done) and progress.completed_at is not None


@pytest.mark.parametrize("case", CASES, ids=[c.scenario for c in CASES])
def test_a_learners_own_fix_solves_the_scenario(case: Case) -> None:
    cluster = lesson_start(lesson_id=case.scenario, seed=1)
    failing_request(cluster, case)
    assert lesson_progress(cluster=cluster)[1] == []
    assert not solved(cluster)

    case.fix(cluster)

    assert solved(cluster)
    after = lesson_request(cluster=cluster)[0]
    assert after["outcome"] == "delivered", after["reason"]


@pytest.mark.parametrize("case", CASES, ids=[c.scenario for c in CASES])
def test_show_me_solves_the_scenario(case: Case) -> None:
    cluster = lesson_start(lesson_id=case.scenario, seed=3)
    failing_request(cluster, case)
    performed = []
    while (step := lesson_solve(cluster=cluster)) is not None:
        assert step.id not in performed, f"showing {step.id} did not make it pass"
        performed.append(step.id)
    assert performed == ["look", "fix"]
    assert solved(cluster)
    assert lesson_request(cluster=cluster)[0]["outcome"] == "delivered"


def test_looking_alone_does_not_solve_a_scenario() -> None:
    cluster = lesson_start(lesson_id="selector-typo", seed=1)
    console(cluster, "kubectl describe svc kubia")
    lesson, done, _ = lesson_progress(cluster=cluster)
    assert done == ["look"] and not is_complete(lesson, done)


def test_a_fix_before_looking_counts_once_the_learner_looks() -> None:
    cluster = lesson_start(lesson_id="wrong-target-port", seed=1)
    kubectl_patch(cluster, "Service", "kubia", {"spec": {"ports": [{"port": 80, "targetPort": "http"}]}})
    assert lesson_progress(cluster=cluster)[1] == []
    console(cluster, "kubectl get ep kubia")
    assert solved(cluster)


def test_the_node_that_drops_is_one_without_a_kubia_pod() -> None:
    cluster = lesson_start(lesson_id="local-policy-empty-node", seed=1)
    trace = lesson_request(cluster=cluster)[0]
    entry = next(h["at"]["name"] for h in trace["hops"] if h["at"]["kind"] == "node")
    assert entry not in {p["spec"]["nodeName"] for p in kubia_pods(cluster) if pod_ready(p)}


def test_local_policy_is_also_solved_by_the_cluster_policy() -> None:
    cluster = lesson_start(lesson_id="local-policy-empty-node", seed=1)
    kubectl_patch(cluster, "Service", "kubia-nodeport", {"spec": {"externalTrafficPolicy": "Cluster"}})
    console(cluster, "kubectl get svc")
    assert solved(cluster)
    after = lesson_request(cluster=cluster)[0]
    assert after["outcome"] == "delivered"
    assert any(h["action"] == "SNAT" for h in after["hops"])


def test_wrong_namespace_is_also_solved_by_a_service_beside_the_pods() -> None:
    cluster = lesson_start(lesson_id="wrong-namespace", seed=1)
    console(cluster, "kubectl get pods -A")
    console(cluster, "kubectl expose rs kubia -n shop --port 80 --target-port 8080")
    assert solved(cluster)
    after = lesson_request(cluster=cluster)[0]
    assert after["outcome"] == "delivered" and after["service"] == "shop/kubia"


def test_missing_named_port_is_also_solved_on_the_services_side() -> None:
    cluster = lesson_start(lesson_id="missing-named-port", seed=1)
    console(cluster, "kubectl get endpointslices")
    kubectl_patch(cluster, "Service", "kubia", {"spec": {"ports": [{"port": 80, "targetPort": "web"}]}})
    assert solved(cluster)
    assert lesson_request(cluster=cluster)[0]["outcome"] == "delivered"


def test_a_new_address_pool_alone_gives_the_pending_service_an_address() -> None:
    cluster = lesson_start(lesson_id="lb-pending", seed=1)
    console(cluster, "kubectl get svc kubia-loadbalancer")
    cluster_update_settings(cluster=cluster, lb_pool=["192.168.1.240-192.168.1.250"])
    assert solved(cluster)
