"""A minimal OpenAPI v3 (one PATCH operation per kind, declaring `fieldValidation`) and v2.

That v3 declaration is all kubectl looks for: it then sends `fieldValidation=Strict` and leaves
validation to the server instead of validating on the client (which needs full schemas). With
empty `components`, kubectl computes apply patches from its built-in types.

A `kind: List` file (what `kubectl get svc -o yaml` saves) is the exception: kubectl never asks
v3 about List and validates it on the client against the v2 document, fetched as protobuf only.
Our v2 document has no definitions, so kubectl finds no schema for the items and skips them, as
it does for kinds a cluster does not publish; each item is then sent with `fieldValidation=Strict`
and validated by the server, like any other object.
"""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest, HttpResponse

from cluster.models import Cluster
from visualizer.kubeapi import catalog
from visualizer.kubeapi.auth import sandbox_endpoint
from visualizer.kubeapi.errors import json_response, not_found_path, status_response
from visualizer.kubeapi.negotiation import media_types

# kubectl asks for the `@v1.0` form; kube-apiserver answers with the dotted one, the form Go's
# mime parser (in client-go) accepts: `@` is no token character.
V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
V2_PROTOBUF_ASKED = ("application/com.github.proto-openapi.spec.v2@v1.0+protobuf", V2_PROTOBUF)
_V2_INFO = {"title": "Kubernetes", "version": "v1.31.0"}
_QUERY_PARAMETERS = ("fieldValidation", "fieldManager", "dryRun", "force")


def _prefix(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _patch_operation(r: catalog.ApiResource) -> dict:
    return {
        "x-kubernetes-group-version-kind": {"group": r.group, "version": r.version, "kind": r.kind},
        "x-kubernetes-action": "patch",
        "parameters": [{"name": p, "in": "query", "schema": {"type": "string"}} for p in _QUERY_PARAMETERS],
        "requestBody": {
            "content": {
                media: {"schema": {"type": "object"}}
                for media in (
                    "application/json-patch+json",
                    "application/merge-patch+json",
                    "application/strategic-merge-patch+json",
                    "application/apply-patch+yaml",
                )
            }
        },
        "responses": {"200": {"description": "OK"}, "201": {"description": "Created"}},
    }


def group_version_document(group: str, version: str) -> dict:
    paths = {}
    for r in catalog.in_group_version(group, version):
        if "patch" not in r.verbs:
            continue
        scope = "namespaces/{namespace}/" if r.namespaced else ""
        paths[f"/{_prefix(group, version)}/{scope}{r.plural}/{{name}}"] = {"patch": _patch_operation(r)}
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.31.0"},
        "paths": paths,
        "components": {"schemas": {}},
    }


def _group_versions() -> list[tuple[str, str]]:
    return [("", "v1")] + [(g, v) for g, versions in catalog.GROUP_VERSIONS.items() for v in versions]


def _hash(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:32].upper()


@sandbox_endpoint
def root(request: HttpRequest, cluster: Cluster) -> HttpResponse:
    paths = {
        _prefix(g, v): {
            "serverRelativeURL": f"/openapi/v3/{_prefix(g, v)}?hash={_hash(group_version_document(g, v))}"
        }
        for g, v in _group_versions()
    }
    return json_response({"paths": paths})


@sandbox_endpoint
def document(request: HttpRequest, cluster: Cluster, gv_path: str) -> HttpResponse:
    for g, v in _group_versions():
        if gv_path == _prefix(g, v):
            return json_response(group_version_document(g, v))
    return status_response(not_found_path())


# --- v2 -------------------------------------------------------------------------------------------


def v2_document() -> dict:
    return {"swagger": "2.0", "info": dict(_V2_INFO), "paths": {}, "definitions": {}}


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """One length-delimited protobuf field (wire type 2): strings and embedded messages."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def v2_protobuf() -> bytes:
    """v2_document() as gnostic's openapi.v2.Document: swagger=1, info=2 (title=1, version=2),
    paths=8, definitions=9 (both empty)."""
    info = _field(1, _V2_INFO["title"].encode()) + _field(2, _V2_INFO["version"].encode())
    return _field(1, b"2.0") + _field(2, info) + _field(8, b"") + _field(9, b"")


@sandbox_endpoint
def v2(request: HttpRequest, cluster: Cluster) -> HttpResponse:
    # kube-apiserver answers protobuf only to a client that names it; anyone else gets JSON.
    if any(mime in V2_PROTOBUF_ASKED for mime, _ in media_types(request.headers.get("Accept", ""))):
        response = HttpResponse(v2_protobuf(), content_type=V2_PROTOBUF)
        response["Cache-Control"] = "no-cache, private"
        return response
    return json_response(v2_document())
