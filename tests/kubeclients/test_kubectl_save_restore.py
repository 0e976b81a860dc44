"""Saving work with `kubectl get -o yaml` and restoring it with `kubectl apply -f`.

The saved file is a `kind: List`, which kubectl validates on the client against /openapi/v2.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.kubeclients.conftest import Kubectl

MISSING_ANNOTATION = "is missing the kubectl.kubernetes.io/last-applied-configuration annotation"
CONFLICT = "the object has been modified; please apply your changes to the latest version and try again"

HAND_MADE_LIST = """\
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: hand
  spec:
    replicas: 2
    selector:
      matchLabels: {app: hand}
    template:
      metadata:
        labels: {app: hand}
      spec:
        containers:
        - name: hand
          image: luksa/kubia
          ports:
          - containerPort: 8080
- apiVersion: v1
  kind: Service
  metadata:
    name: hand
  spec:
    type: NodePort
    selector: {app: hand}
    ports:
    - port: 80
      targetPort: 8080
"""

MIXED_KINDS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: mixed
spec:
  replicas: 1
  selector:
    matchLabels: {app: mixed}
  template:
    metadata:
      labels: {app: mixed}
    spec:
      containers:
      - name: mixed
        image: luksa/kubia
---
apiVersion: v1
kind: Service
metadata:
  name: mixed
spec:
  selector: {app: mixed}
  ports:
  - port: 80
    targetPort: 8080
"""


def save(kubectl: Kubectl, what: str, path: Path) -> dict:
    path.write_text(kubectl.out("get", what, "-o", "yaml"))
    return yaml.safe_load(path.read_text())


def shape(kubectl: Kubectl) -> dict[str, tuple]:
    """What a restore must bring back: each Service's type, addresses and ports."""
    return {
        s["metadata"]["name"]: (
            s["spec"]["type"],
            s["spec"].get("clusterIP"),
            [(p["port"], p.get("nodePort")) for p in s["spec"]["ports"]],
            [i.get("ip") for i in s["status"].get("loadBalancer", {}).get("ingress", [])],
        )
        for s in kubectl.json("get", "svc")["items"]
    }


def test_saved_services_come_back(kubectl_kubia: Kubectl, tmp_path: Path):
    kubectl = kubectl_kubia
    saved = tmp_path / "saved.yaml"
    document = save(kubectl, "svc", saved)
    assert (document["apiVersion"], document["kind"]) == ("v1", "List")
    before = shape(kubectl)

    kubectl("delete", "svc", "kubia", "kubia-nodeport", "kubia-loadbalancer")
    restored = kubectl("apply", "-f", str(saved))

    assert restored.stdout.splitlines() == [
        "service/kubernetes configured",  # made by the apiserver, never applied: it gets the annotation
        "service/kubia created",
        "service/kubia-loadbalancer created",
        "service/kubia-nodeport created",
    ]
    assert "services/kubernetes " + MISSING_ANNOTATION in restored.stderr
    assert shape(kubectl) == before  # the same ClusterIPs, nodePorts and load-balancer address
    endpoints = kubectl.json("get", "ep", "kubia")["subsets"][0]["addresses"]
    assert len(endpoints) == 3


def test_a_saved_file_keeps_its_resource_versions(kubectl_kubia: Kubectl, tmp_path: Path):
    """The saved objects carry metadata.resourceVersion, and apply sends it in its patch.

    So, as on a real cluster, applying the file to objects that have not changed since works
    (`configured`: they only get the last-applied annotation), and applying it once more is
    refused: the annotation changed them, and the file's resourceVersion is now stale. A file
    without the server's fields (a hand-made one) re-applies as `unchanged`: see below.
    """
    kubectl = kubectl_kubia
    saved = tmp_path / "saved.yaml"
    save(kubectl, "svc", saved)

    first = kubectl("apply", "-f", str(saved))
    assert first.stdout.splitlines() == [
        f"service/{name} configured" for name in ("kubernetes", "kubia", "kubia-loadbalancer", "kubia-nodeport")
    ]
    assert first.stderr.count(MISSING_ANNOTATION) == 4

    again = kubectl("apply", "-f", str(saved), check=False)
    assert again.returncode == 1
    assert 'Operation cannot be fulfilled on services "kubia": ' + CONFLICT in again.stderr

    # Saved afresh, the file applies again, and the annotation becomes this file: `configured`.
    save(kubectl, "svc", saved)
    assert kubectl.out("apply", "-f", str(saved)).splitlines() == [
        f"service/{name} configured" for name in ("kubernetes", "kubia", "kubia-loadbalancer", "kubia-nodeport")
    ]


def test_services_and_deployments_come_back(kubectl: Kubectl, tmp_path: Path):
    kubectl("create", "deployment", "web", "--image=luksa/kubia", "--replicas=2")
    kubectl("expose", "deployment", "web", "--port=80", "--target-port=8080", "--type=NodePort")
    saved = tmp_path / "saved.yaml"
    document = save(kubectl, "svc,deploy", saved)
    assert [i["kind"] for i in document["items"]] == ["Service", "Service", "Deployment"]
    node_port = kubectl.json("get", "svc", "web")["spec"]["ports"][0]["nodePort"]

    kubectl("delete", "svc", "web")
    kubectl("delete", "deploy", "web")
    assert kubectl.out("get", "pods") == ""

    restored = kubectl("apply", "-f", str(saved))
    assert restored.stdout.splitlines() == [
        "service/kubernetes configured",
        "service/web created",
        "deployment.apps/web created",
    ]
    assert kubectl.json("get", "svc", "web")["spec"]["ports"][0]["nodePort"] == node_port
    pods = kubectl.json("get", "pods", "-l", "app=web")["items"]
    assert len(pods) == 2 and all(p["status"]["phase"] == "Running" for p in pods)
    assert len(kubectl.json("get", "ep", "web")["subsets"][0]["addresses"]) == 2


def test_a_hand_made_list_and_a_file_of_mixed_kinds(kubectl: Kubectl, tmp_path: Path):
    made = tmp_path / "list.yaml"
    made.write_text(HAND_MADE_LIST)
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text(MIXED_KINDS)

    assert kubectl.out("apply", "-f", str(made)) == "deployment.apps/hand created\nservice/hand created\n"
    assert kubectl.out("apply", "-f", str(made)) == "deployment.apps/hand unchanged\nservice/hand unchanged\n"
    made.write_text(HAND_MADE_LIST.replace("replicas: 2", "replicas: 3"))
    assert kubectl.out("apply", "-f", str(made)) == "deployment.apps/hand configured\nservice/hand unchanged\n"
    assert kubectl.json("get", "deploy", "hand")["status"]["readyReplicas"] == 3

    assert kubectl.out("apply", "-f", str(mixed)) == "deployment.apps/mixed created\nservice/mixed created\n"
    assert kubectl.out("apply", "-f", str(mixed)) == "deployment.apps/mixed unchanged\nservice/mixed unchanged\n"
    assert kubectl.out("apply", "-f", str(made), "-f", str(mixed)).splitlines() == [
        "deployment.apps/hand unchanged", "service/hand unchanged",
        "deployment.apps/mixed unchanged", "service/mixed unchanged",
    ]


def test_list_items_are_validated_strictly(kubectl: Kubectl, tmp_path: Path):
    # kubectl finds no schema for the items in our /openapi/v2 and leaves them to the server,
    # which it asks for fieldValidation=Strict.
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: bad\n"
        "  spec:\n    portz: []\n    ports:\n    - port: 80\n"
    )
    refused = kubectl("apply", "-f", str(bad), check=False)
    assert refused.returncode == 1
    assert 'unknown field "spec.portz"' in refused.stderr
    assert kubectl("get", "svc", "bad", check=False).returncode == 1

    empty = kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: List\nitems: []\n", check=False)
    assert (empty.returncode, empty.stderr) == (1, "error: no objects passed to apply\n")
