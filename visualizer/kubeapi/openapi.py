"""A minimal OpenAPI v3: one PATCH operation per kind, declaring `fieldValidation`.

That declaration is all kubectl looks for: it then sends `fieldValidation=Strict` and leaves
validation to the server instead of validating on the client (which needs full schemas). With
empty `components`, kubectl computes apply patches from its built-in types.
"""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest, HttpResponse

from cluster.models import Cluster
from visualizer.kubeapi import catalog
from visualizer.kubeapi.auth import sandbox_endpoint
from visualizer.kubeapi.errors import json_response, not_found_path, status_response

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
