"""Imperative kubectl: create deployment, expose, scale, delete."""

from __future__ import annotations

from tests.kubeclients.conftest import Kubectl, rows


def kubia_pods(kubectl: Kubectl) -> list[list[str]]:
    return rows(kubectl.out("get", "pods", "-l", "app=kubia"))[1:]


def test_create_expose_scale_and_delete(kubectl: Kubectl):
    assert kubectl.out("create", "deployment", "kubia", "--image=luksa/kubia", "--replicas=3") == (
        "deployment.apps/kubia created\n"
    )
    pods = kubia_pods(kubectl)
    assert len(pods) == 3 and all(p[1:3] == ["1/1", "Running"] for p in pods)

    assert (
        kubectl.out("expose", "deployment", "kubia", "--port=80", "--target-port=8080", "--name=kubia-http")
        == "service/kubia-http exposed\n"
    )
    svc = rows(kubectl.out("get", "svc", "kubia-http", "-o", "wide"))[1]
    assert svc[1] == "ClusterIP" and svc[4] == "80/TCP" and svc[6] == "app=kubia"
    endpoints = rows(kubectl.out("get", "ep", "kubia-http"))[1][1]
    assert len(endpoints.split(",")) == 3 and all(e.endswith(":8080") for e in endpoints.split(","))

    assert kubectl.out("scale", "deployment", "kubia", "--replicas=5") == "deployment.apps/kubia scaled\n"
    assert len(kubia_pods(kubectl)) == 5
    assert rows(kubectl.out("get", "deploy", "kubia"))[1][1:4] == ["5/5", "5", "5"]
    assert (
        kubectl.out("get", "ep", "kubia-http")
        .splitlines()[1]
        .split(None, 1)[1]
        .split("   ")[0]
        .endswith(":8080 + 2 more...")
    )

    assert kubectl.out("delete", "svc", "kubia-http") == 'service "kubia-http" deleted\n'
    missing = kubectl("get", "svc", "kubia-http", check=False)
    assert missing.returncode == 1
    assert missing.stderr == 'Error from server (NotFound): services "kubia-http" not found\n'

    assert kubectl.out("delete", "deployment", "kubia") == 'deployment.apps "kubia" deleted\n'
    gone = kubectl("get", "pods")
    assert gone.stdout == "" and gone.stderr == "No resources found in default namespace.\n"
    assert kubectl("get", "rs").stderr == "No resources found in default namespace.\n"


def test_scale_a_replicaset_down(kubectl_kubia: Kubectl):
    assert kubectl_kubia.out("scale", "rs", "kubia", "--replicas=1") == "replicaset.apps/kubia scaled\n"
    assert len(kubia_pods(kubectl_kubia)) == 1
    endpoints = rows(kubectl_kubia.out("get", "ep", "kubia"))[1][1]
    assert endpoints.count(":8080") == 1


def test_label_and_select(kubectl_kubia: Kubectl):
    assert kubectl_kubia.out("label", "svc", "kubia", "tier=front") == "service/kubia labeled\n"
    assert [r[0] for r in rows(kubectl_kubia.out("get", "svc", "-l", "tier=front"))[1:]] == ["kubia"]
    assert [r[0] for r in rows(kubectl_kubia.out("get", "svc", "-l", "tier!=front,!component"))[1:]] == [
        "kubia-loadbalancer",
        "kubia-nodeport",
    ]


def test_rollout_status_returns_at_once(kubectl: Kubectl):
    kubectl("create", "deployment", "web", "--image=luksa/kubia", "--replicas=2")
    result = kubectl("rollout", "status", "deployment/web", timeout=15)
    assert result.stdout == 'deployment "web" successfully rolled out\n'


def test_get_all(kubectl_kubia: Kubectl):
    text = kubectl_kubia.out("get", "all")
    assert "service/kubia-nodeport" in text and "replicaset.apps/kubia" in text and "pod/kubia-" in text


def test_kubectl_version_runs_the_131_client(kubectl: Kubectl):
    text = kubectl.out("version")
    assert "Client Version: v1.31." in text and "Server Version: v1.31.0" in text


def test_cordon_keeps_new_pods_off_and_uncordon_lets_them_land(kubectl_kubia: Kubectl):
    for node in ("node-1", "node-2", "node-3"):
        assert kubectl_kubia.out("cordon", node) == f"node/{node} cordoned\n"
    assert [r[1] for r in rows(kubectl_kubia.out("get", "nodes"))[1:]] == ["Ready,SchedulingDisabled"] * 3
    kubectl_kubia.out("scale", "rs", "kubia", "--replicas=4")
    pending = [p for p in kubia_pods(kubectl_kubia) if p[2] == "Pending"]
    assert len(pending) == 1
    message = kubectl_kubia.out("get", "pod", pending[0][0], "-o", "jsonpath={.status.conditions[0].message}")
    assert message == ("0/3 nodes are available: 3 node(s) were unschedulable. preemption: 0/3 nodes are "
                       "available: 3 Preemption is not helpful for scheduling.")

    assert kubectl_kubia.out("uncordon", "node-2") == "node/node-2 uncordoned\n"
    wide = {r[0]: r for r in rows(kubectl_kubia.out("get", "pods", "-l", "app=kubia", "-o", "wide"))[1:]}
    assert wide[pending[0][0]][2] == "Running" and wide[pending[0][0]][6] == "node-2"
