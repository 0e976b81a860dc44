"""The Kubernetes API over plain HTTP: discovery, bad input, subresources, Tables, watch."""

from __future__ import annotations

import base64
import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.kubeclients.conftest import Sandbox, Server

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
AGGREGATED = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
)
SERVICES = "/api/v1/namespaces/default/services"


@dataclass
class Reply:
    code: int
    headers: Any
    body: Any


def call(
    box: Sandbox,
    method: str,
    path: str,
    body: Any = None,
    *,
    content_type: str = "application/json",
    accept: str = "application/json",
    token: str | None = None,
    auth: str | None = None,
) -> Reply:
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(box.server + path, data=data, method=method)
    request.add_header("Accept", accept)
    if data is not None:
        request.add_header("Content-Type", content_type)
    if auth is not None:
        request.add_header("Authorization", auth)
    elif token != "":
        request.add_header("Authorization", f"Bearer {token or box.token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, response.headers, json.loads(response.read() or b"null"))
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, json.loads(error.read() or b"null"))


def state(box: Sandbox) -> tuple[str, list[str]]:
    """The sandbox's resourceVersion and its Services: what must not move when a request is refused."""
    listed = call(box, "GET", SERVICES).body
    return listed["metadata"]["resourceVersion"], [s["metadata"]["name"] for s in listed["items"]]


def service(name: str = "web", **spec: Any) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {"selector": {"app": "kubia"}, "ports": [{"port": 80, "targetPort": 8080}], **spec},
    }


# --- discovery --------------------------------------------------------------------------------------


def test_version_is_public_and_says_131(sandbox: Sandbox):
    reply = call(sandbox, "GET", "/version", token="")
    assert reply.code == 200
    assert (reply.body["major"], reply.body["minor"], reply.body["gitVersion"]) == ("1", "31", "v1.31.0")


def test_discovery_follows_the_accept_header(sandbox: Sandbox):
    legacy = call(sandbox, "GET", "/api")
    assert legacy.body["kind"] == "APIVersions" and legacy.body["versions"] == ["v1"]
    aggregated = call(sandbox, "GET", "/apis", accept=AGGREGATED)
    assert (
        aggregated.headers["Content-Type"]
        == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    )
    groups = {g["metadata"]["name"]: g for g in aggregated.body["items"]}
    assert set(groups) == {"apps", "discovery.k8s.io"}
    deployments = next(
        r for r in groups["apps"]["versions"][0]["resources"] if r["resource"] == "deployments"
    )
    assert deployments["shortNames"] == ["deploy"] and deployments["categories"] == ["all"]
    assert {s["subresource"] for s in deployments["subresources"]} == {"status", "scale"}
    only_beta = call(
        sandbox,
        "GET",
        "/apis",
        accept="application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json",
    )
    assert only_beta.body["kind"] == "APIGroupList"
    core = call(sandbox, "GET", "/api/v1").body
    names = {r["name"]: r for r in core["resources"]}
    assert names["services"]["shortNames"] == ["svc"] and "services/status" in names
    assert names["endpoints"]["shortNames"] == ["ep"]
    apps = {r["name"]: r for r in call(sandbox, "GET", "/apis/apps/v1").body["resources"]}
    assert (apps["deployments/scale"]["group"], apps["deployments/scale"]["kind"]) == ("autoscaling", "Scale")


def test_openapi_v3_declares_field_validation_per_kind(sandbox: Sandbox):
    root = call(sandbox, "GET", "/openapi/v3").body["paths"]
    assert set(root) == {"api/v1", "apis/apps/v1", "apis/discovery.k8s.io/v1"}
    document = call(sandbox, "GET", root["api/v1"]["serverRelativeURL"]).body
    patch = document["paths"]["/api/v1/namespaces/{namespace}/services/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "", "version": "v1", "kind": "Service"}
    assert "fieldValidation" in {p["name"] for p in patch["parameters"]}


def test_openapi_v2_protobuf_to_who_asks_for_it_json_to_others(sandbox: Sandbox):
    # kubectl validates a `kind: List` against v2 and asks for it in protobuf only.
    request = urllib.request.Request(sandbox.server + "/openapi/v2")
    request.add_header("Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
    request.add_header("Authorization", f"Bearer {sandbox.token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        # The dotted form kube-apiserver answers with: Go's mime parser refuses the `@` one.
        assert response.headers["Content-Type"] == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
        # openapi.v2.Document{swagger: "2.0", info: {title, version}, paths: {}, definitions: {}}
        assert response.read() == (b"\x0a\x032.0" + b"\x12\x15\x0a\x0aKubernetes\x12\x07v1.31.0"
                                   + b"\x42\x00" + b"\x4a\x00")
    document = call(sandbox, "GET", "/openapi/v2")
    assert document.code == 200
    assert document.body == {"swagger": "2.0", "info": {"title": "Kubernetes", "version": "v1.31.0"},
                             "paths": {}, "definitions": {}}
    assert call(sandbox, "GET", "/openapi/v2", token="nope").code == 401


def test_unknown_paths_and_methods(sandbox: Sandbox):
    missing = call(sandbox, "GET", "/api/v1/namespaces/default/widgets")
    assert (missing.code, missing.body["reason"]) == (404, "NotFound")
    assert call(sandbox, "GET", "/apis/batch/v1").code == 404
    assert call(sandbox, "GET", "/healthz/").code == 404
    assert call(sandbox, "PUT", SERVICES, service()).code == 405
    assert call(sandbox, "POST", "/api/v1/namespaces/default/events", {"metadata": {"name": "e"}}).code == 405


# --- access ---------------------------------------------------------------------------------------------


def test_tokens(server: Server, sandbox: Sandbox):
    other = server.sandbox("empty")
    for token in ("", "wrong", other.token):
        reply = call(sandbox, "GET", SERVICES, token=token)
        assert (reply.code, reply.body["reason"], reply.body["message"]) == (
            401,
            "Unauthorized",
            "Unauthorized",
        )
    basic = base64.b64encode(f"sandbox:{sandbox.token}".encode()).decode()
    assert call(sandbox, "GET", SERVICES, auth=f"Basic {basic}").code == 200
    assert call(sandbox, "GET", SERVICES, auth="Basic !!!").code == 401


# --- bad input ------------------------------------------------------------------------------------------


BAD_BODIES = [
    pytest.param(
        b'{"kind":"Service",',
        "application/json",
        400,
        "couldn't get version/kind; json parse error: ",
        id="malformed-json",
    ),
    pytest.param(
        b"spec: [",
        "application/yaml",
        400,
        "couldn't get version/kind; error converting YAML to JSON",
        id="malformed-yaml",
    ),
    pytest.param(
        b'{"apiVersion":"v1","kind":"Foo","metadata":{"name":"x"}}',
        "application/json",
        400,
        'no kind "Foo" is registered for version "v1"',
        id="unknown-kind",
    ),
    pytest.param(
        b'{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"}}',
        "application/json",
        400,
        "the API version in the data (apps/v1) does not match the expected API version (v1)",
        id="other-group",
    ),
    pytest.param(
        json.dumps(service(ports=[{"port": "eighty"}])).encode(),
        "application/json",
        400,
        'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go '
        "struct field ServicePort.spec.ports.port of type int32",
        id="wrong-type",
    ),
    pytest.param(b"[1, 2]", "application/json", 400, "cannot unmarshal array", id="not-an-object"),
    pytest.param(
        b"k8s\x00\x0a\x0f",
        "application/vnd.kubernetes.protobuf",
        415,
        "does not decode protobuf",
        id="protobuf",
    ),
    pytest.param(b"a=1", "application/x-www-form-urlencoded", 415, "accepted media types include", id="form"),
    pytest.param(b"\xff\xfe", "application/json", 400, "not UTF-8", id="binary"),
    pytest.param(b"[" * 100000, "application/json", 400, "json parse error", id="deeply-nested"),
    pytest.param(b'{"a": NaN}', "application/json", 400, "json parse error", id="nan"),
    pytest.param(
        b"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        b"g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
        "application/yaml",
        400,
        "excessive aliasing",
        id="yaml-alias-bomb",
    ),
    pytest.param(
        b" " * (5 * 1024 * 1024),
        "application/json",
        413,
        "Request entity too large: limit is 3145728",
        id="5MB",
    ),
]


@pytest.mark.parametrize(("body", "content_type", "code", "message"), BAD_BODIES)
def test_bad_bodies_get_a_clear_status_and_change_nothing(kubia: Sandbox, body, content_type, code, message):
    before = state(kubia)
    reply = call(kubia, "POST", SERVICES, body, content_type=content_type)
    assert reply.code == code
    assert reply.body["kind"] == "Status" and reply.body["code"] == code
    assert message in reply.body["message"]
    assert state(kubia) == before


def test_unknown_fields_strict_warn_and_ignore(sandbox: Sandbox):
    body = service(foo=1)
    body["spec"]["ports"][0]["bar"] = 2
    before = state(sandbox)
    strict = call(sandbox, "POST", SERVICES + "?fieldValidation=Strict", body)
    assert (strict.code, strict.body["reason"]) == (400, "BadRequest")
    assert strict.body["message"] == (
        'Service in version "v1" cannot be handled as a Service: strict decoding '
        'error: unknown field "spec.ports[0].bar", unknown field "spec.foo"'
    )
    assert state(sandbox) == before
    warned = call(sandbox, "POST", SERVICES, body)
    assert warned.code == 201
    assert (
        warned.headers["Warning"]
        == '299 - "unknown field \\"spec.ports[0].bar\\"", 299 - "unknown field \\"spec.foo\\""'
    )
    assert "foo" not in warned.body["spec"] and "bar" not in warned.body["spec"]["ports"][0]
    ignored = call(sandbox, "POST", SERVICES + "?fieldValidation=Ignore", service("quiet", foo=1))
    assert ignored.code == 201 and "Warning" not in ignored.headers
    assert call(sandbox, "POST", SERVICES + "?fieldValidation=Loud", service("loud")).code == 400


def test_bad_patches_change_nothing(kubia: Sandbox):
    before = state(kubia)
    path = SERVICES + "/kubia"
    cases = [
        (b"{", "application/merge-patch+json", 400, "error decoding patch"),
        (
            b'{"spec":{"ports":[{"targetPort":1}]}}',
            "application/strategic-merge-patch+json",
            422,
            "does not contain declared merge key: port",
        ),
        (
            b'[{"op":"test","path":"/spec/type","value":"NodePort"}]',
            "application/json-patch+json",
            422,
            "test failed",
        ),
        (b'{"op":"add"}', "application/json-patch+json", 400, "list of operations"),
        (
            b'{"spec":{"ports":[{"port":"x"}]}}',
            "application/merge-patch+json",
            400,
            "cannot unmarshal string",
        ),
        (
            b'{"spec":{"clusterIP":"10.96.0.99"}}',
            "application/merge-patch+json",
            422,
            "may not change once set",
        ),
        (b'{"spec":{}}', "application/json", 415, "accepted media types include"),
    ]
    for body, content_type, code, message in cases:
        reply = call(kubia, "PATCH", path, body, content_type=content_type)
        assert (reply.code, message in reply.body["message"]) == (code, True), reply.body
    assert state(kubia) == before


# --- writes ---------------------------------------------------------------------------------------------


def test_yaml_create_put_and_patch_formats(sandbox: Sandbox):
    created = call(
        sandbox,
        "POST",
        SERVICES,
        b"apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n",
        content_type="application/yaml",
    )
    assert created.code == 201 and created.body["spec"]["ports"][0]["targetPort"] == 80
    assert call(sandbox, "POST", SERVICES, service()).body["reason"] == "AlreadyExists"
    live = created.body
    live["spec"]["ports"][0]["targetPort"] = 8080
    replaced = call(sandbox, "PUT", SERVICES + "/web", live)
    assert replaced.code == 200 and replaced.body["spec"]["ports"][0]["targetPort"] == 8080
    stale = call(sandbox, "PUT", SERVICES + "/web", live)
    assert (stale.code, stale.body["reason"]) == (409, "Conflict")
    merged = call(
        sandbox,
        "PATCH",
        SERVICES + "/web",
        {"metadata": {"labels": {"a": "b"}}},
        content_type="application/merge-patch+json",
    )
    assert merged.body["metadata"]["labels"] == {"a": "b"}
    jsonpatched = call(
        sandbox,
        "PATCH",
        SERVICES + "/web",
        [{"op": "replace", "path": "/spec/type", "value": "NodePort"}],
        content_type="application/json-patch+json",
    )
    assert (
        jsonpatched.body["spec"]["type"] == "NodePort"
        and jsonpatched.body["spec"]["ports"][0]["nodePort"] >= 30000
    )
    renamed = call(sandbox, "PUT", SERVICES + "/web", {**live, "metadata": {"name": "other"}})
    assert renamed.code == 400
    assert call(sandbox, "PUT", SERVICES + "/fresh", service("other")).code == 400
    assert (
        call(sandbox, "PUT", SERVICES + "/fresh", service("fresh")).code == 201
    )  # Services allow create on update


def test_server_side_apply_creates_with_201(sandbox: Sandbox):
    path = SERVICES + "/applied?fieldManager=test"
    first = call(sandbox, "PATCH", path, service("applied"), content_type="application/apply-patch+yaml")
    assert first.code == 201
    again = call(
        sandbox,
        "PATCH",
        path,
        service("applied", sessionAffinity="ClientIP"),
        content_type="application/apply-patch+yaml",
    )
    assert again.code == 200 and again.body["spec"]["sessionAffinity"] == "ClientIP"
    assert again.body["spec"]["clusterIP"] == first.body["spec"]["clusterIP"]


def test_dry_run_changes_nothing(kubia: Sandbox):
    before = state(kubia)
    created = call(kubia, "POST", SERVICES + "?dryRun=All", service())
    assert created.code == 201 and created.body["spec"]["clusterIP"]
    deleted = call(kubia, "DELETE", SERVICES + "/kubia?dryRun=All")
    assert deleted.code == 200
    assert state(kubia) == before


def test_delete_returns_services_and_pods_and_a_status_for_the_rest(kubia: Sandbox):
    svc = call(kubia, "DELETE", SERVICES + "/kubia-nodeport", {"propagationPolicy": "Background"})
    assert (svc.code, svc.body["kind"], svc.body["metadata"]["name"]) == (200, "Service", "kubia-nodeport")
    rs = call(kubia, "DELETE", "/apis/apps/v1/namespaces/default/replicasets/kubia")
    assert rs.body["status"] == "Success" and rs.body["details"]["group"] == "apps"
    assert call(kubia, "GET", "/api/v1/namespaces/default/pods").body["items"] == []
    again = call(kubia, "DELETE", SERVICES + "/kubia-nodeport")
    assert (again.code, again.body["message"]) == (404, 'services "kubia-nodeport" not found')
    wrong_uid = call(kubia, "DELETE", SERVICES + "/kubia", {"preconditions": {"uid": "nope"}})
    assert wrong_uid.code == 409


def test_delete_collection_by_label(kubia: Sandbox):
    deleted = call(kubia, "DELETE", "/api/v1/namespaces/default/pods?labelSelector=app%3Dkubia")
    assert deleted.code == 200 and len(deleted.body["items"]) == 3
    pods = call(kubia, "GET", "/api/v1/namespaces/default/pods").body["items"]
    assert len(pods) == 3  # the ReplicaSet made new ones


def test_scale_subresource(kubia: Sandbox):
    path = "/apis/apps/v1/namespaces/default/replicasets/kubia/scale"
    scale = call(kubia, "GET", path).body
    assert (scale["kind"], scale["apiVersion"]) == ("Scale", "autoscaling/v1")
    assert scale["spec"] == {"replicas": 3} and scale["status"] == {"replicas": 3, "selector": "app=kubia"}
    scaled = call(
        kubia, "PATCH", path, {"spec": {"replicas": 2}}, content_type="application/merge-patch+json"
    )
    # As from a real apiserver, the answer is the write itself; the ReplicaSet controller's status follows.
    assert scaled.body["spec"]["replicas"] == 2 and scaled.body["status"]["replicas"] == 3
    assert call(kubia, "GET", path).body["status"]["replicas"] == 2
    stale = call(kubia, "PUT", path, {**scaled.body, "spec": {"replicas": 4}})
    assert (stale.code, stale.body["reason"]) == (409, "Conflict")  # the controller wrote the status since
    put = call(kubia, "PUT", path, {**call(kubia, "GET", path).body, "spec": {"replicas": 4}})
    assert put.body["spec"]["replicas"] == 4
    negative = call(
        kubia, "PATCH", path, {"spec": {"replicas": -1}}, content_type="application/merge-patch+json"
    )
    assert negative.code == 422
    assert negative.body["message"] == (
        'Scale.autoscaling "kubia" is invalid: spec.replicas: Invalid value: -1: '
        "must be greater than or equal to 0"
    )


def test_status_subresource_changes_only_the_status(kubia: Sandbox):
    path = SERVICES + "/kubia/status"
    before = call(kubia, "GET", path).body
    condition = {
        "type": "Probed",
        "status": "True",
        "reason": "Test",
        "message": "",
        "lastTransitionTime": "2025-01-01T00:00:00Z",
    }
    patched = call(
        kubia,
        "PATCH",
        path,
        {"spec": {"type": "NodePort"}, "status": {"conditions": [condition]}},
        content_type="application/merge-patch+json",
    )
    assert patched.code == 200
    assert patched.body["spec"] == before["spec"]
    assert patched.body["status"]["conditions"] == [condition]


@pytest.mark.parametrize("path", [SERVICES + "/kubia/status", "/apis/apps/v1/namespaces/default/replicasets/kubia/scale"])
def test_subresources_refuse_server_side_apply_and_change_nothing(kubia: Sandbox, path: str):
    before = call(kubia, "GET", path).body
    refused = call(kubia, "PATCH", path, {"spec": {"replicas": 5}, "status": {}},
                   content_type="application/apply-patch+yaml")
    assert refused.code == 415 and refused.body["reason"] == "UnsupportedMediaType"
    assert refused.body["message"].endswith(
        "accepted media types include: application/json-patch+json, application/merge-patch+json, "
        "application/strategic-merge-patch+json")
    assert call(kubia, "GET", path).body == before


# --- reads ------------------------------------------------------------------------------------------------


def test_tables_and_include_object(kubia: Sandbox):
    table = call(kubia, "GET", SERVICES, accept=TABLE).body
    assert table["kind"] == "Table" and table["metadata"]["resourceVersion"]
    assert [c["name"] for c in table["columnDefinitions"]][:2] == ["Name", "Type"]
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    whole = call(kubia, "GET", SERVICES + "?includeObject=Object", accept=TABLE).body
    assert whole["rows"][0]["object"]["kind"] == "Service"
    bare = call(kubia, "GET", SERVICES + "?includeObject=None", accept=TABLE).body
    assert "object" not in bare["rows"][0]
    single = call(kubia, "GET", SERVICES + "/kubia", accept=TABLE).body
    assert [r["cells"][0] for r in single["rows"]] == ["kubia"]
    assert call(kubia, "GET", SERVICES + "?includeObject=All", accept=TABLE).code == 400


def test_selectors_on_lists(kubia: Sandbox):
    def names(query: str, path: str = SERVICES) -> list[str]:
        return [o["metadata"]["name"] for o in call(kubia, "GET", f"{path}?{query}").body["items"]]

    assert names("fieldSelector=metadata.name%3Dkubia") == ["kubia"]
    assert names("fieldSelector=metadata.name!%3Dkubia&labelSelector=!component") == [
        "kubia-loadbalancer",
        "kubia-nodeport",
    ]
    assert names(
        "labelSelector=kubernetes.io%2Fservice-name%3Dkubia",
        "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
    )[0].startswith("kubia-")
    assert len(names("fieldSelector=spec.nodeName%3Dnode-1", "/api/v1/pods")) == 1
    events = call(
        kubia, "GET", "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dkubia"
    ).body
    assert (events["kind"], events["items"]) == ("EventList", [])
    assert call(kubia, "GET", SERVICES + "?labelSelector=app%20in%20(a").code == 400
    assert call(kubia, "GET", SERVICES + "?fieldSelector=spec.foo%3D1").code == 400


# --- watch ------------------------------------------------------------------------------------------------


def test_watch_resumes_after_a_list_with_selectors(kubia: Sandbox):
    version = state(kubia)[0]
    parts = urlsplit(kubia.server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    connection.request(
        "GET",
        f"{parts.path}{SERVICES}?watch=true&resourceVersion={version}&timeoutSeconds=10"
        "&labelSelector=tier%3Dweb",
        headers={"Authorization": f"Bearer {kubia.token}"},
    )
    response = connection.getresponse()
    assert response.status == 200
    call(kubia, "POST", SERVICES, service("other"))  # not selected
    call(
        kubia,
        "PATCH",
        SERVICES + "/kubia",
        {"metadata": {"labels": {"tier": "web"}}},
        content_type="application/merge-patch+json",
    )  # starts matching: ADDED
    call(
        kubia,
        "PATCH",
        SERVICES + "/kubia",
        {"metadata": {"labels": {"tier": None}}},
        content_type="application/merge-patch+json",
    )  # stops matching: DELETED
    seen = [json.loads(response.readline()) for _ in range(2)]
    connection.close()
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in seen] == [
        ("ADDED", "kubia"),
        ("DELETED", "kubia"),
    ]
    assert int(seen[0]["object"]["metadata"]["resourceVersion"]) > int(version)


def test_watch_list_ends_its_initial_events_with_a_bookmark(kubia: Sandbox):
    parts = urlsplit(kubia.server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    connection.request(
        "GET",
        f"{parts.path}{SERVICES}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true"
        "&resourceVersionMatch=NotOlderThan&timeoutSeconds=1",
        headers={"Authorization": f"Bearer {kubia.token}"},
    )
    events = [json.loads(line) for line in connection.getresponse().read().splitlines()]
    connection.close()
    assert [e["type"] for e in events] == ["ADDED"] * 4 + ["BOOKMARK"]
    assert events[-1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
