"""The YAML and Console tabs' endpoints: owner only, CSRF-checked, kubectl's text in JSON."""

from __future__ import annotations

import json

import yaml
from django.test import Client
from django.urls import reverse

from cluster.book import book_manifest_text
from cluster.models import Cluster, Trace
from cluster.selectors import object_get


def url(route: str, cluster: Cluster, **kwargs: str) -> str:
    return reverse(route, kwargs={"cluster_id": cluster.pk, **kwargs})


def post_json(client: Client, path: str, body: object, **extra):
    return client.post(path, data=json.dumps(body), content_type="application/json", **extra)


def rv(cluster: Cluster) -> int:
    cluster.refresh_from_db()
    return cluster.resource_version


# --- console --------------------------------------------------------------------------------------


def test_console_prints_kubectls_table(kubia, owner_client):
    response = post_json(owner_client, url("console", kubia), {"command": "kubectl get svc kubia-nodeport"})

    assert response.status_code == 200
    body = response.json()
    assert (body["ok"], body["exit_code"]) == (True, 0)
    header, row = body["output"].splitlines()
    assert header.split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert row.split()[:5] == ["kubia-nodeport", "NodePort", "10.105.28.118", "<none>", "80:30123/TCP"]


def test_console_errors_are_answers_not_http_errors(kubia, owner_client):
    body = post_json(owner_client, url("console", kubia), {"command": "kubectl get svc nope"}).json()
    assert body == {"ok": False, "output": 'Error from server (NotFound): services "nope" not found\n', "exit_code": 1}


def test_console_changes_go_through_the_write_path(kubia, owner_client):
    before = rv(kubia)
    body = post_json(owner_client, url("console", kubia), {"command": "kubectl apply -f kubia-svc-headless.yaml"}).json()
    assert body["output"] == "service/kubia-headless created\n"
    assert rv(kubia) > before
    assert object_get(cluster=kubia, kind="Service", namespace="default", name="kubia-headless") is not None


def test_console_curl_stores_a_trace(kubia, owner_client):
    body = post_json(owner_client, url("console", kubia), {"command": "curl http://130.211.99.206:30123"}).json()
    assert body["ok"] and body["output"].startswith("You've hit kubia-")
    assert Trace.objects.filter(cluster=kubia).count() == 1


def test_console_wants_a_json_command(kubia, owner_client):
    response = owner_client.post(url("console", kubia), {"command": "kubectl get svc"})
    assert response.status_code == 400
    assert response.json()["exit_code"] == 2
    assert owner_client.get(url("console", kubia)).status_code == 405


def test_console_is_the_owners(kubia, viewer_client, stranger_client):
    for client in (viewer_client, stranger_client, Client()):
        response = post_json(client, url("console", kubia), {"command": "kubectl delete svc kubia"})
        assert response.status_code == 404
    assert object_get(cluster=kubia, kind="Service", namespace="default", name="kubia") is not None


def test_console_checks_csrf_for_a_session(kubia):
    client = Client(enforce_csrf_checks=True)
    assert client.get(url("sandbox", kubia), {"token": kubia.access_token}).status_code == 302
    response = post_json(client, url("console", kubia), {"command": "kubectl delete svc kubia"})
    assert response.status_code == 403
    client.get(url("sandbox", kubia))  # the page sets the CSRF cookie its scripts send back
    token = client.cookies["csrftoken"].value
    ok = post_json(client, url("console", kubia), {"command": "kubectl version"}, HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200 and ok.json()["ok"]


def test_console_takes_the_access_token(kubia):
    response = post_json(Client(), url("console", kubia), {"command": "kubectl get ns"},
                         HTTP_AUTHORIZATION=f"Bearer {kubia.access_token}")
    assert response.json()["output"].startswith("NAME              STATUS   AGE\n")


# --- apply ----------------------------------------------------------------------------------------


def test_apply_answers_each_documents_result(kubia, owner_client):
    text = book_manifest_text("external-service.yaml") + "---\n" + book_manifest_text("external-service-endpoints.yaml")

    body = post_json(owner_client, url("manifests-apply", kubia), {"yaml": text}).json()

    assert body["ok"] is True
    assert [(r["index"], r["text"]) for r in body["results"]] == [
        (1, "service/external-service created"), (2, "endpoints/external-service created")]


def test_apply_refusal_names_the_document_and_changes_nothing(kubia, owner_client):
    before = rv(kubia)
    text = book_manifest_text("kubia-svc-headless.yaml") + "---\n" + book_manifest_text(
        "kubia-svc-publish-not-ready.yaml")

    response = post_json(owner_client, url("manifests-apply", kubia), {"yaml": text})

    assert response.status_code == 400
    assert response.json() == {"ok": False, "document": 2, "error": (
        'Error from server (BadRequest): error when creating "<doc 2: Service kubia-all>": Service in version "v1" '
        'cannot be handled as a Service: strict decoding error: unknown field "spec.publishNotReadyEndpoints"')}
    assert rv(kubia) == before


def test_apply_is_the_owners(kubia, viewer_client):
    response = post_json(viewer_client, url("manifests-apply", kubia), {"yaml": book_manifest_text("kubia-svc.yaml")})
    assert response.status_code == 404


def test_apply_wants_json(kubia, owner_client):
    response = owner_client.post(url("manifests-apply", kubia), data="kind: Service", content_type="application/yaml")
    assert response.status_code == 400 and response.json()["ok"] is False


# --- export ---------------------------------------------------------------------------------------


def test_export_the_whole_sandbox(kubia, owner_client):
    response = owner_client.get(url("sandbox-export", kubia))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    docs = list(yaml.safe_load_all(response.content))
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("Node", "node-1"), ("Node", "node-2"), ("Node", "node-3"), ("ReplicaSet", "kubia"), ("Service", "kubia"),
        ("Service", "kubia-loadbalancer"), ("Service", "kubia-nodeport")]


def test_export_one_object(kubia, owner_client):
    svc = yaml.safe_load(owner_client.get(url("object-yaml", kubia, kind="Service", namespace="default",
                                              name="kubia-nodeport")).content)
    node = yaml.safe_load(owner_client.get(url("cluster-object-yaml", kubia, kind="Node", name="node-2")).content)

    assert svc["spec"]["ports"][0]["nodePort"] == 30123 and "clusterIP" not in svc["spec"]
    assert node["metadata"]["name"] == "node-2"
    for kind, kwargs in (("Service", {"namespace": "default", "name": "nope"}), ("Node", {"namespace": "default",
                                                                                        "name": "node-1"}),
                         ("Secret", {"namespace": "default", "name": "x"})):
        route = "object-yaml" if "namespace" in kwargs else "cluster-object-yaml"
        assert owner_client.get(url(route, kubia, kind=kind, **kwargs)).status_code == 404


def test_export_is_the_owners(kubia, viewer_client, stranger_client):
    for client in (viewer_client, stranger_client):
        assert client.get(url("sandbox-export", kubia)).status_code == 404


# --- the page -------------------------------------------------------------------------------------


def test_the_owner_page_has_the_tabs_and_the_viewer_page_not(kubia, owner_client, viewer_client):
    page = owner_client.get(url("sandbox", kubia)).content.decode()
    watch = viewer_client.get(viewer_client.watch_url).content.decode()

    for marker in ('id="tab-yaml"', 'id="tab-console"', f'data-console-url="{url("console", kubia)}"',
                   'id="book-manifests"', '<option value="kubia-svc-nodeport.yaml">'):
        assert marker in page
        assert marker not in watch
