"""Reads: list and get, as plain objects or as Tables."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from cluster.models import Cluster
from cluster.reading import one_version
from cluster.selectors import cluster_get, object_get, object_list
from cluster.selectors_quota import quota_get, quota_list
from cluster.sim.api import fielderrors
from cluster.sim.api.selection import Selection
from visualizer.kubeapi.errors import KubeError, json_response
from visualizer.kubeapi.negotiation import rendering
from visualizer.kubeapi.tables import as_table, include_object
from visualizer.kubeapi.target import Target

Obj = dict[str, Any]


def read_list(cluster: Cluster, target: Target, chosen: Selection) -> tuple[str, list[Obj]]:
    """The resourceVersion and the selected objects as they were at that version: a watch resumed
    from it starts with the first change the list does not show."""
    with one_version():
        fresh = cluster_get(cluster_id=str(cluster.pk)) or cluster
        resource_version = str(fresh.resource_version)
        if target.resource.kind == "ResourceQuota":
            objs = quota_list(cluster=fresh, namespace=target.namespace)
        elif target.resource.stored:
            objs = object_list(cluster=fresh, kind=target.resource.kind, namespace=target.namespace)
        else:
            objs = []
    return resource_version, [o for o in objs if chosen.matches(o)]


def list_(request: HttpRequest, cluster: Cluster, target: Target, chosen: Selection) -> HttpResponse:
    resource = target.resource
    resource_version, objs = read_list(cluster, target, chosen)
    render = rendering(request.headers.get("Accept", ""))
    if render.table:
        return json_response(
            as_table(
                resource.kind,
                objs,
                now=timezone.now(),
                version=render.table_version,
                resource_version=resource_version,
                include=include_object(request.GET.get("includeObject", "")),
            )
        )
    return json_response(
        {
            "kind": resource.list_kind,
            "apiVersion": resource.group_version,
            "metadata": {"resourceVersion": resource_version},
            "items": objs,
        }
    )


def fetch(cluster: Cluster, target: Target) -> Obj:
    resource = target.resource
    obj = None
    if resource.kind == "ResourceQuota":
        obj = quota_get(cluster=cluster, namespace=target.namespace or "", name=target.name)
    elif resource.stored:
        obj = object_get(
            cluster=cluster, kind=resource.kind, namespace=target.namespace or "", name=target.name
        )
    if obj is None:
        raise KubeError(fielderrors.status_not_found(resource.plural, target.name, resource.group))
    return obj


def get(request: HttpRequest, cluster: Cluster, target: Target) -> HttpResponse:
    obj = fetch(cluster, target)
    render = rendering(request.headers.get("Accept", ""))
    if render.table:
        return json_response(
            as_table(
                target.resource.kind,
                [obj],
                now=timezone.now(),
                version=render.table_version,
                resource_version=obj["metadata"].get("resourceVersion", ""),
                include=include_object(request.GET.get("includeObject", "")),
            )
        )
    return json_response(obj)
