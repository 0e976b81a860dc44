"""`kubectl apply -f` through the write path: all documents or none, kubectl's results and errors."""

from __future__ import annotations

import json

import pytest

from cluster.book import book_manifest_names, book_manifest_text
from cluster.models import Cluster
from cluster.selectors import object_get, object_list
from cluster.services.manifests import (
    MAX_BYTES,
    ManifestError,
    manifests_apply,
    manifests_create,
    manifests_delete,
)
from cluster.sim.api.yamldoc import dump_yaml
from cluster.sim.printers.writer import LAST_APPLIED_ANNOTATION
from tests.cluster.helpers import service

WEB = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: luksa/kubia
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30200
"""

NODEPORT2 = """\
apiVersion: v1
kind: Service
metadata:
  name: kubia-nodeport2
spec:
  type: NodePort
  selector: {app: kubia}
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30123
"""


def rv(cluster: Cluster) -> int:
    cluster.refresh_from_db()
    return cluster.resource_version


def texts(results) -> list[str]:
    return [r.text for r in results]


def refused(cluster: Cluster, text: str, **kwargs) -> ManifestError:
    """Apply `text`, expect a refusal, and check that nothing changed."""
    before = rv(cluster)
    with pytest.raises(ManifestError) as caught:
        manifests_apply(cluster=cluster, text=text, **kwargs)
    assert rv(cluster) == before
    return caught.value


def test_several_documents_in_one_write(kubia):
    results = manifests_apply(cluster=kubia, text=WEB)

    assert texts(results) == ["namespace/shop created", "deployment.apps/web created", "service/web created"]
    assert [r.index for r in results] == [1, 2, 3]
    svc = service(kubia, "web", "shop")
    assert svc["spec"]["ports"][0]["nodePort"] == 30200
    assert len([p for p in object_list(cluster=kubia, kind="Pod", namespace="shop")]) == 2
    recorded = json.loads(svc["metadata"]["annotations"][LAST_APPLIED_ANNOTATION])
    assert recorded["metadata"] == {"annotations": {}, "name": "web", "namespace": "shop"}


def test_applying_the_same_text_twice_changes_nothing(kubia):
    manifests_apply(cluster=kubia, text=WEB)
    before = rv(kubia)

    results = manifests_apply(cluster=kubia, text=WEB)

    assert texts(results) == ["namespace/shop unchanged", "deployment.apps/web unchanged", "service/web unchanged"]
    assert rv(kubia) == before


def test_an_edit_is_configured_and_a_dropped_field_is_removed(kubia):
    manifests_apply(cluster=kubia, text=WEB)
    edited = WEB.replace("  replicas: 2", "  replicas: 4").replace("    nodePort: 30200\n", "")
    edited = edited.replace("  type: NodePort\n", "")

    results = manifests_apply(cluster=kubia, text=edited)

    assert texts(results) == ["namespace/shop unchanged", "deployment.apps/web configured", "service/web configured"]
    svc = service(kubia, "web", "shop")
    # Three-way: type and nodePort were in the last applied configuration, so dropping them deletes them.
    assert svc["spec"]["type"] == "ClusterIP"
    assert "nodePort" not in svc["spec"]["ports"][0]
    assert len(object_list(cluster=kubia, kind="Pod", namespace="shop")) == 4


def test_fields_nobody_applied_are_kept(kubia):
    """The preset made kubia-nodeport without apply: applying the book's manifest keeps its clusterIP
    and warns about the missing annotation, as kubectl does."""
    before = service(kubia, "kubia-nodeport")

    [result] = manifests_apply(cluster=kubia, text=book_manifest_text("kubia-svc-nodeport.yaml"), source="x.yaml")

    assert result.text == "service/kubia-nodeport configured"
    assert result.warnings == [
        "Warning: resource services/kubia-nodeport is missing the kubectl.kubernetes.io/last-applied-configuration "
        "annotation which is required by kubectl apply. kubectl apply should only be used on resources created "
        "declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be "
        "patched automatically."]
    after = service(kubia, "kubia-nodeport")
    assert after["spec"]["clusterIP"] == before["spec"]["clusterIP"]
    assert after["metadata"]["uid"] == before["metadata"]["uid"]


def test_one_bad_document_applies_none_and_names_the_document(kubia):
    text = WEB + "---\n" + NODEPORT2

    error = refused(kubia, text)

    assert error.index == 4
    assert error.text == (
        'error when creating "<doc 4: Service kubia-nodeport2>": The Service "kubia-nodeport2" is invalid: '
        "spec.ports[0].nodePort: Invalid value: 30123: provided port is already allocated")
    assert object_get(cluster=kubia, kind="Namespace", namespace="", name="shop") is None


def test_with_a_file_name_the_invalid_text_is_kubectls(kubia):
    error = refused(kubia, NODEPORT2, source="kubia-nodeport2.yaml")
    assert error.text == ('The Service "kubia-nodeport2" is invalid: spec.ports[0].nodePort: Invalid value: 30123: '
                          "provided port is already allocated")


def test_the_books_publish_not_ready_manifest_has_an_unknown_field(kubia):
    name = "kubia-svc-publish-not-ready.yaml"

    error = refused(kubia, book_manifest_text(name), source=name)

    assert error.text == (
        'Error from server (BadRequest): error when creating "kubia-svc-publish-not-ready.yaml": Service in version '
        '"v1" cannot be handled as a Service: strict decoding error: unknown field "spec.publishNotReadyEndpoints"')
    assert 'strict decoding error: unknown field "spec.publishNotReadyEndpoints"' in refused(
        kubia, book_manifest_text(name)).text


def test_malformed_yaml_gives_line_and_column(kubia):
    error = refused(kubia, "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n   bad: 1\n")
    assert error.text == ("error: error parsing the YAML: error converting YAML to JSON: yaml: line 5, column 7: "
                          "mapping values are not allowed here")


def test_a_repeated_key_is_an_error(kubia):
    error = refused(kubia, "apiVersion: v1\nkind: Service\nkind: Pod\n")
    assert error.text.endswith('yaml: line 3, column 1: key "kind" already set in map')


@pytest.mark.parametrize(("text", "message"), [
    ("apiVersion: v1\nkind: Foo\nmetadata:\n  name: x\n",
     'error: resource mapping not found for name: "x" namespace: "" from "<doc 1: Foo x>": no matches for kind "Foo" '
     'in version "v1"\nensure CRDs are installed first'),
    ("apiVersion: apps/v1beta1\nkind: Deployment\nmetadata:\n  name: x\n",
     'no matches for kind "Deployment" in version "apps/v1beta1"'),
    ("metadata:\n  name: x\n",
     'error: error validating "<doc 1: object x>": error validating data: [apiVersion not set, kind not set]; if you '
     "choose to ignore these errors, turn validation off with --validate=false"),
    ("kind: Service\nmetadata:\n  name: x\n", "error validating data: apiVersion not set;"),
    ("- a\n- b\n", 'error: error validating "<doc 1>": error validating data: invalid object to validate'),
    ("apiVersion: v1\nkind: Service\nspec: {}\n", "resource name may not be empty"),
    ("apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  ports:\n  - port: \"80\"\n",
     'Error from server (BadRequest): error when creating "<doc 1: Service x>": Service in version "v1" cannot be '
     "handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type "
     "int32"),
    ("apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  namespace: nowhere\nspec:\n  ports:\n  - port: 80\n",
     'Error from server (NotFound): error when creating "<doc 1: Service x>": namespaces "nowhere" not found'),
    ("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: x\n",
     "EndpointSlices are written by the simulator's controllers"),
    ("# only a comment\n", "error: no objects passed to apply"),
])
def test_bad_documents_change_nothing(kubia, text, message):
    error = refused(kubia, text)
    assert message in error.text


def test_more_than_a_mebibyte_is_refused(kubia):
    padding = "#" + "x" * 1023 + "\n"
    error = refused(kubia, NODEPORT2 + padding * (MAX_BYTES // len(padding) + 1))
    assert error.text == "error: the manifests are 1.0 MiB; at most 1 MiB can be applied at once"


def test_json_and_lists_are_read_too(kubia):
    doc = {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}, "spec": {"ports": [{"port": 80}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b"}, "spec": {"ports": [{"port": 81}]}},
    ]}
    assert texts(manifests_apply(cluster=kubia, text=json.dumps(doc, indent="\t"))) == [
        "service/a created", "service/b created"]


def test_a_list_saved_by_kubectl_get_restores_what_was_deleted(kubia):
    """`kubectl get svc,deploy -o yaml` keeps every server field; the YAML tab takes it as kubectl does."""
    manifests_apply(cluster=kubia, text=WEB.split("---\n", 1)[1].replace("  namespace: shop\n", ""))
    saved = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": [
        *object_list(cluster=kubia, kind="Service", namespace="default"),
        *object_list(cluster=kubia, kind="Deployment", namespace="default"),
    ]}
    text = dump_yaml(saved)
    assert "resourceVersion" in text and "creationTimestamp" in text and "status:" in text
    before = {s["metadata"]["name"]: s["spec"] for s in object_list(cluster=kubia, kind="Service")}
    manifests_delete(cluster=kubia, text=WEB.split("---\n", 1)[1].replace("  namespace: shop\n", ""))
    assert object_get(cluster=kubia, kind="Service", namespace="default", name="web") is None

    assert texts(manifests_apply(cluster=kubia, text=text, source="saved.yaml")) == [
        "service/kubernetes configured",  # never applied: they get the last-applied annotation
        "service/kubia configured",
        "service/kubia-loadbalancer configured",
        "service/kubia-nodeport configured",
        "service/web created",
        "deployment.apps/web created",
    ]
    after = {s["metadata"]["name"]: s["spec"] for s in object_list(cluster=kubia, kind="Service")}
    assert after == before
    assert len(object_list(cluster=kubia, kind="Pod", namespace="default")) == 3 + 2


def test_create_and_delete_from_a_file(kubia):
    text = book_manifest_text("kubia-svc-headless.yaml")

    assert texts(manifests_create(cluster=kubia, text=text, source="h.yaml")) == ["service/kubia-headless created"]
    with pytest.raises(ManifestError) as caught:
        manifests_create(cluster=kubia, text=text, source="h.yaml")
    assert caught.value.text == ('Error from server (AlreadyExists): error when creating "h.yaml": services '
                                 '"kubia-headless" already exists')
    assert texts(manifests_delete(cluster=kubia, text=text, source="h.yaml")) == ['service "kubia-headless" deleted']
    with pytest.raises(ManifestError) as caught:
        manifests_delete(cluster=kubia, text=text, source="h.yaml")
    assert caught.value.text == ('Error from server (NotFound): error when deleting "h.yaml": services '
                                 '"kubia-headless" not found')


BOOK_ORDER = [
    "kubia-replicaset.yaml", "kubia-svc.yaml", "kubia-svc-named-ports.yaml",
    "kubia-svc-client-ip-session-affinity.yaml", "kubia-svc-nodeport.yaml", "kubia-svc-nodeport-onlylocal.yaml",
    "kubia-svc-loadbalancer.yaml", "kubia-svc-headless.yaml", "external-service.yaml",
    "external-service-endpoints.yaml", "external-service-externalname.yaml", "kubia-deployment.yaml",
]


def test_every_book_manifest_applies_on_an_empty_sandbox(empty):
    assert sorted([*BOOK_ORDER, "kubia-svc-publish-not-ready.yaml"]) == book_manifest_names()
    for name in BOOK_ORDER:
        manifests_apply(cluster=empty, text=book_manifest_text(name), source=name)

    services = {s["metadata"]["name"]: s for s in object_list(cluster=empty, kind="Service", namespace="default")}
    assert services["kubia"]["spec"]["sessionAffinity"] == "ClientIP"
    assert services["kubia-nodeport"]["spec"]["ports"][0]["nodePort"] == 30123
    assert services["kubia-nodeport-onlylocal"]["spec"]["externalTrafficPolicy"] == "Local"
    assert services["kubia-headless"]["spec"]["clusterIP"] == "None"
    assert services["external-service"]["spec"]["type"] == "ExternalName"
    endpoints = object_get(cluster=empty, kind="Endpoints", namespace="default", name="external-service")
    assert [a["ip"] for a in endpoints["subsets"][0]["addresses"]] == ["11.11.11.11", "22.22.22.22"]
    pods = object_list(cluster=empty, kind="Pod", namespace="default")
    assert len(pods) == 6  # three of the ReplicaSet, three of the Deployment
