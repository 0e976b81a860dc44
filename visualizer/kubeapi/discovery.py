"""/version and API discovery, legacy and aggregated (v2), as kubectl reads them.

The version reports minor "31": the kubectl dispatcher then runs kubectl 1.31, which sends JSON
request bodies (1.32+ sends protobuf for generator commands) and reads EndpointSlices in
`describe svc`. Aggregated discovery is sent only to clients that ask for v2 by name; older
clients (v2beta1 only) get the legacy documents, which every version understands.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse

from cluster.models import Cluster
from visualizer.kubeapi import catalog
from visualizer.kubeapi.auth import kube_endpoint, sandbox_endpoint
from visualizer.kubeapi.errors import json_response, not_found_path, status_response
from visualizer.kubeapi.negotiation import media_types

VERSION_INFO = {
    "major": "1",
    "minor": "31",
    "gitVersion": "v1.31.0",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2025-01-01T00:00:00Z",
    "goVersion": "go1.23.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}

AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
SERVER_ADDRESS = [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]


def wants_aggregated(request: HttpRequest) -> bool:
    return any(
        params.get("g") == "apidiscovery.k8s.io"
        and params.get("v") == "v2"
        and params.get("as") == "APIGroupDiscoveryList"
        for _, params in media_types(request.headers.get("Accept", ""))
    )


# --- legacy documents ---------------------------------------------------------------------------


def _legacy_resource(r: catalog.ApiResource) -> list[dict]:
    main = {
        "name": r.plural,
        "singularName": r.singular,
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        main["shortNames"] = list(r.short_names)
    if r.categories:
        main["categories"] = list(r.categories)
    subs = []
    for sub in r.subresources:
        entry = {
            "name": f"{r.plural}/{sub.name}",
            "singularName": "",
            "namespaced": r.namespaced,
            "kind": sub.kind,
            "verbs": list(catalog.SUBRESOURCE_VERBS),
        }
        if (sub.group, sub.version) != (r.group, r.version):
            entry.update(group=sub.group, version=sub.version)
        subs.append(entry)
    return [main, *subs]


def resource_list(group: str, version: str) -> dict:
    gv = f"{group}/{version}" if group else version
    resources = [entry for r in catalog.in_group_version(group, version) for entry in _legacy_resource(r)]
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


def _api_group(name: str) -> dict:
    versions = [{"groupVersion": f"{name}/{v}", "version": v} for v in catalog.GROUP_VERSIONS[name]]
    return {"name": name, "versions": versions, "preferredVersion": versions[0]}


# --- aggregated (apidiscovery.k8s.io/v2) ----------------------------------------------------------


def _aggregated_resource(r: catalog.ApiResource) -> dict:
    entry: dict = {
        "resource": r.plural,
        "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
        "scope": "Namespaced" if r.namespaced else "Cluster",
        "singularResource": r.singular,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        entry["shortNames"] = list(r.short_names)
    if r.categories:
        entry["categories"] = list(r.categories)
    if r.subresources:
        entry["subresources"] = [
            {
                "subresource": s.name,
                "responseKind": {"group": s.group, "version": s.version, "kind": s.kind},
                "verbs": list(catalog.SUBRESOURCE_VERBS),
            }
            for s in r.subresources
        ]
    return entry


def _aggregated_group(name: str) -> dict:
    versions = [
        {
            "version": v,
            "freshness": "Current",
            "resources": [_aggregated_resource(r) for r in catalog.in_group_version(name, v)],
        }
        for v in (catalog.GROUP_VERSIONS[name] if name else ["v1"])
    ]
    return {"metadata": {"name": name}, "versions": versions}


def _aggregated(groups: list[str]) -> HttpResponse:
    body = {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": [_aggregated_group(g) for g in groups],
    }
    response = json_response(body, content_type=AGGREGATED_V2)
    response["Vary"] = "Accept"
    return response


# --- views ----------------------------------------------------------------------------------------


@kube_endpoint
def version(request: HttpRequest, cluster_id: uuid.UUID) -> HttpResponse:
    # Public, as on a real cluster (system:public-info-viewer); it says nothing about the sandbox.
    return json_response(VERSION_INFO)


@sandbox_endpoint
def core_versions(request: HttpRequest, cluster: Cluster) -> HttpResponse:
    if wants_aggregated(request):
        return _aggregated([""])
    response = json_response(
        {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": SERVER_ADDRESS}
    )
    response["Vary"] = "Accept"
    return response


@sandbox_endpoint
def core_resources(request: HttpRequest, cluster: Cluster) -> HttpResponse:
    return json_response(resource_list("", "v1"))


@sandbox_endpoint
def groups(request: HttpRequest, cluster: Cluster) -> HttpResponse:
    if wants_aggregated(request):
        return _aggregated(list(catalog.GROUP_VERSIONS))
    body = {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [_api_group(g) for g in catalog.GROUP_VERSIONS],
    }
    response = json_response(body)
    response["Vary"] = "Accept"
    return response


@sandbox_endpoint
def group(request: HttpRequest, cluster: Cluster, group: str) -> HttpResponse:
    if group not in catalog.GROUP_VERSIONS:
        return status_response(not_found_path())
    return json_response({"kind": "APIGroup", "apiVersion": "v1", **_api_group(group)})


@sandbox_endpoint
def group_resources(request: HttpRequest, cluster: Cluster, group: str, version: str) -> HttpResponse:
    if version not in catalog.GROUP_VERSIONS.get(group, []):
        return status_response(not_found_path())
    return json_response(resource_list(group, version))
