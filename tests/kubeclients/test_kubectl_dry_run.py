"""`--dry-run=server` with the real kubectl, for each verb: the answer is the write's (with the
addresses the write would allocate), and the sandbox does not change; delete preconditions
through the official Python client."""

from __future__ import annotations

import json

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.kubeclients.conftest import MANIFESTS, Kubectl, Sandbox
from tests.kubeclients.test_python_client import api_client

NEW_NODEPORT = """apiVersion: v1
kind: Service
metadata:
  name: dry-svc
spec:
  type: NodePort
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app: kubia
"""


def state(kubectl: Kubectl) -> tuple[str, list[str]]:
    """The sandbox's resourceVersion and every object's name and version."""
    listed = kubectl.json("get", "svc,rs,pods,endpoints")
    return listed["metadata"].get("resourceVersion", ""), sorted(
        f"{o['kind']}/{o['metadata']['name']}@{o['metadata']['resourceVersion']}" for o in listed["items"])


@pytest.mark.parametrize("server_side", [False, True])
def test_apply_dry_run_allocates_and_stores_nothing(kubectl_kubia: Kubectl, server_side: bool):
    before = state(kubectl_kubia)
    args = ["apply", *(["--server-side"] if server_side else []), "--dry-run=server", "-f", "-"]
    answer = json.loads(kubectl_kubia(*args, "-o", "json", input=NEW_NODEPORT).stdout)
    assert answer["metadata"]["name"] == "dry-svc" and answer["spec"]["clusterIP"]
    assert 30000 <= answer["spec"]["ports"][0]["nodePort"] <= 32767
    printed = kubectl_kubia(*args, input=NEW_NODEPORT).stdout
    assert printed == ("service/dry-svc serverside-applied (server dry run)\n" if server_side
                       else "service/dry-svc created (server dry run)\n")
    assert state(kubectl_kubia) == before


def test_patch_scale_and_delete_dry_runs_change_nothing(kubectl_kubia: Kubectl):
    before = state(kubectl_kubia)
    patched = json.loads(kubectl_kubia.out("patch", "svc", "kubia", "--dry-run=server", "-o", "json",
                                           "-p", '{"spec":{"type":"NodePort"}}'))
    assert patched["spec"]["type"] == "NodePort" and patched["spec"]["ports"][0]["nodePort"]
    assert kubectl_kubia.out("scale", "rs", "kubia", "--replicas=5", "--dry-run=server") == (
        "replicaset.apps/kubia scaled (server dry run)\n")
    assert kubectl_kubia.out("delete", "svc", "kubia", "--dry-run=server") == (
        'service "kubia" deleted (server dry run)\n')
    assert kubectl_kubia.out("delete", "-f", str(MANIFESTS / "kubia-replicaset.yaml"), "--dry-run=server") == (
        'replicaset.apps "kubia" deleted (server dry run)\n')
    assert state(kubectl_kubia) == before


def test_delete_preconditions_through_the_python_client(kubia: Sandbox):
    core = client.CoreV1Api(api_client(kubia))
    uid = core.read_namespaced_service("kubia", "default").metadata.uid
    with pytest.raises(ApiException) as refused:
        core.delete_namespaced_service(
            "kubia", "default", body=client.V1DeleteOptions(preconditions=client.V1Preconditions(uid="nope")))
    assert refused.value.status == 409
    assert json.loads(refused.value.body)["message"] == (
        f'Operation cannot be fulfilled on Service "kubia": the UID in the precondition (nope) does not match the '
        f"UID in record ({uid}). The object might have been deleted and then recreated")
    deleted = core.delete_namespaced_service(
        "kubia", "default", body=client.V1DeleteOptions(preconditions=client.V1Preconditions(uid=uid)))
    assert deleted.metadata.uid == uid
    assert "kubia" not in [s.metadata.name for s in core.list_namespaced_service("default").items]
