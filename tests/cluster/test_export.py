"""Export: the sandbox as YAML a person would write; applied to an empty sandbox it gives the same cluster."""

from __future__ import annotations

from collections import Counter

import yaml

from cluster.book import book_manifest_text
from cluster.models import Cluster
from cluster.selectors import object_list
from cluster.services.export import object_export_yaml, sandbox_export, sandbox_export_yaml
from cluster.services.manifests import manifests_apply
from cluster.services.workloads import workload_create
from cluster.sim.api.yamldoc import load_documents

EXTRA = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
spec:
  clusterIP: None
  selector: {app: cart}
  ports:
  - port: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: cart-0
  namespace: shop
  labels: {app: cart}
spec:
  containers:
  - name: cart
    image: luksa/kubia
    ports:
    - containerPort: 8080
"""


def shape(cluster: Cluster) -> dict:
    """What "the same cluster" means: nodes, namespaces, workloads, Services (all but allocated IPs), pods."""
    def by_name(kind: str) -> list:
        return [(o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in object_list(cluster=cluster,
                                                                                               kind=kind)]

    services = {
        (s["metadata"]["namespace"], s["metadata"]["name"]): (
            s["spec"].get("type"), s["spec"].get("selector"), s["spec"].get("clusterIP") == "None",
            [(p["port"], p.get("targetPort"), p.get("nodePort")) for p in s["spec"].get("ports") or []])
        for s in object_list(cluster=cluster, kind="Service")
    }
    workloads = {
        (kind, o["metadata"]["namespace"], o["metadata"]["name"]): o["spec"]["replicas"]
        for kind in ("Deployment", "ReplicaSet") for o in object_list(cluster=cluster, kind=kind)
        if kind == "Deployment" or not o["metadata"].get("ownerReferences")
    }
    pods = Counter(
        (p["metadata"]["namespace"], (p["metadata"].get("labels") or {}).get("app"))
        for p in object_list(cluster=cluster, kind="Pod"))
    nodes = {n["metadata"]["name"]: n["status"]["addresses"] for n in object_list(cluster=cluster, kind="Node")}
    return {"nodes": nodes, "namespaces": by_name("Namespace"), "services": services, "workloads": workloads,
            "pods": pods, "endpoints": by_name("Endpoints")}


def grow(cluster: Cluster) -> None:
    """The kubia preset plus what students add: a Deployment, a headless Service and a bare pod in
    another namespace, a selector-less Service with hand-written Endpoints."""
    workload_create(cluster=cluster, name="web", replicas=2, labels={"app": "web"}, container_port=8080)
    manifests_apply(cluster=cluster, text=EXTRA)
    for name in ("external-service.yaml", "external-service-endpoints.yaml"):
        manifests_apply(cluster=cluster, text=book_manifest_text(name), source=name)


def test_the_export_rebuilds_the_sandbox(kubia, empty):
    grow(kubia)

    results = manifests_apply(cluster=empty, text=sandbox_export_yaml(cluster=kubia))

    assert shape(empty) == shape(kubia)
    assert {r.text for r in results} >= {"deployment.apps/web created", "service/kubia-nodeport created",
                                         "endpoints/external-service created", "pod/cart-0 created"}


def test_applying_the_export_again_changes_nothing(kubia, empty):
    grow(kubia)
    text = sandbox_export_yaml(cluster=kubia)
    manifests_apply(cluster=empty, text=text)

    assert {r.action for r in manifests_apply(cluster=empty, text=text)} == {"unchanged"}


def test_the_export_leaves_out_what_the_cluster_derives(kubia):
    grow(kubia)

    objs = sandbox_export(cluster=kubia)
    names = [(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in objs]

    kinds = [kind for kind, _ns, _name in names]
    assert kinds == sorted(kinds, key=["Namespace", "Node", "Deployment", "ReplicaSet", "Pod", "Service",
                                       "Endpoints"].index)
    assert ("Namespace", "", "shop") in names and ("Namespace", "", "default") not in names
    assert ("Service", "default", "kubernetes") not in names
    assert ("Endpoints", "default", "external-service") in names
    assert ("Endpoints", "default", "kubia") not in names  # its selector's controller writes it
    assert "EndpointSlice" not in kinds
    assert [n for k, _ns, n in names if k == "Pod"] == ["cart-0"]  # the ReplicaSets' pods are theirs
    assert [n for k, _ns, n in names if k == "ReplicaSet"] == ["kubia"]  # not the Deployment's
    for obj in objs:
        assert not {"uid", "resourceVersion", "creationTimestamp", "ownerReferences", "generation"} & set(
            obj["metadata"]), obj["metadata"]
        assert "status" not in obj or obj["kind"] == "Node"
    by_name = {(o["kind"], o["metadata"]["name"]): o for o in objs}
    assert "clusterIP" not in by_name[("Service", "kubia")]["spec"]
    assert by_name[("Service", "cart")]["spec"]["clusterIP"] == "None"
    assert by_name[("Service", "kubia-nodeport")]["spec"]["ports"][0]["nodePort"] == 30123
    assert "nodeName" not in by_name[("Pod", "cart-0")]["spec"]


def test_the_export_is_yaml_documents(kubia):
    text = sandbox_export_yaml(cluster=kubia)

    assert text.startswith("apiVersion: v1\nkind: Node\n")
    assert text.count("\n---\n") == len(load_documents(text)) - 1
    assert list(yaml.safe_load_all(text)) == sandbox_export(cluster=kubia)


def test_one_object_is_exported_cleaned(kubia):
    pod = object_list(cluster=kubia, kind="Pod")[0]["metadata"]["name"]

    svc = yaml.safe_load(object_export_yaml(cluster=kubia, kind="Service", namespace="default", name="kubia-nodeport"))
    node = yaml.safe_load(object_export_yaml(cluster=kubia, kind="Node", namespace="", name="node-1"))
    owned = yaml.safe_load(object_export_yaml(cluster=kubia, kind="Pod", namespace="default", name=pod))

    assert svc["metadata"] == {"name": "kubia-nodeport", "namespace": "default"}
    assert node["status"]["addresses"][0] == {"type": "InternalIP", "address": "10.0.0.11"}
    assert "ownerReferences" not in owned["metadata"] and "status" not in owned
    assert object_export_yaml(cluster=kubia, kind="Service", namespace="default", name="nope") is None
    assert object_export_yaml(cluster=kubia, kind="Secret", namespace="default", name="x") is None
