"""Resource paths: dispatch a parsed path (`target.py`) by verb.

Reads are in `reads.py`, writes in `writes.py`, the scale subresource in `scale.py`, watches in
`watch.py`; the verbs themselves are the cluster's (`cluster/services/verbs.py`, `scaling.py`).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from cluster.models import Cluster
from cluster.sim.api.selection import Selection, SelectorError, selection
from visualizer.kubeapi import catalog, reads, scale, watch, writes
from visualizer.kubeapi.auth import sandbox_endpoint
from visualizer.kubeapi.errors import (
    KubeError,
    bad_request,
    method_not_allowed,
    not_found_path,
)
from visualizer.kubeapi.target import Target, parse_target


def _verb(request: HttpRequest, target: Target) -> str:
    method = request.method or ""
    if target.watch or (method == "GET" and not target.name and request.GET.get("watch") in ("true", "1")):
        return "watch"
    if not target.name:
        return {"GET": "list", "POST": "create", "DELETE": "deletecollection"}.get(method, "")
    return {"GET": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(method, "")


@sandbox_endpoint
def core(request: HttpRequest, cluster: Cluster, rest: str) -> HttpResponse:
    return serve(request, cluster, parse_target("", "v1", rest))


@sandbox_endpoint
def grouped(request: HttpRequest, cluster: Cluster, group: str, version: str, rest: str) -> HttpResponse:
    if version not in catalog.GROUP_VERSIONS.get(group, []):
        raise KubeError(not_found_path())
    return serve(request, cluster, parse_target(group, version, rest))


def serve(request: HttpRequest, cluster: Cluster, target: Target) -> HttpResponse:
    verb = _verb(request, target)
    if target.subresource:
        if verb not in catalog.SUBRESOURCE_VERBS:
            raise KubeError(method_not_allowed())
        if target.subresource == "scale":
            return scale.serve(request, cluster, target, verb)
        if verb == "get":
            return reads.get(request, cluster, target)
        return writes.status_subresource(request, cluster, target, verb)
    if verb not in target.resource.verbs:
        raise KubeError(method_not_allowed())
    if verb == "list":
        return reads.list_(request, cluster, target, _selection(request, target))
    if verb == "get":
        return reads.get(request, cluster, target)
    if verb == "watch":
        return watch.serve(request, cluster, target, _selection(request, target, name=target.name))
    if verb == "deletecollection":
        return writes.delete_collection(request, cluster, target, _selection(request, target))
    handlers = {
        "create": writes.create,
        "update": writes.update,
        "patch": writes.patch,
        "delete": writes.delete,
    }
    return handlers[verb](request, cluster, target)


def _selection(request: HttpRequest, target: Target, *, name: str = "") -> Selection:
    field_selector = request.GET.get("fieldSelector", "")
    if name:
        field_selector = ",".join(filter(None, [field_selector, f"metadata.name={name}"]))
    try:
        return selection(target.resource.kind, request.GET.get("labelSelector", ""), field_selector)
    except SelectorError as error:
        raise KubeError(bad_request(str(error))) from None
