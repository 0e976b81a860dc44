"""The scale subresource of Deployments and ReplicaSets, as autoscaling/v1 Scale objects.

`kubectl scale` PATCHes `.../deployments/<name>/scale` with `{"spec":{"replicas":N}}`: the patch
is applied to the Scale view of the object, and its replicas written back through `update_in`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse

from cluster.errors import ApiError
from cluster.models import Cluster
from cluster.services.objects import update_in
from cluster.sim.api import fielderrors
from cluster.sim.api.apischema import SCALE
from cluster.sim.workloads.workloads import selector_text
from visualizer.kubeapi import bodies
from visualizer.kubeapi.errors import json_response
from visualizer.kubeapi.reads import fetch
from visualizer.kubeapi.writes import commit, dry_run, patched, read_patch

if TYPE_CHECKING:
    from visualizer.kubeapi.resources import Target

Obj = dict[str, Any]
SCALE_VERSION = "autoscaling/v1"


def scale_of(obj: Obj) -> Obj:
    meta = obj["metadata"]
    return {
        "kind": "Scale",
        "apiVersion": SCALE_VERSION,
        "metadata": {
            k: meta[k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in meta
        },
        "spec": {"replicas": int((obj.get("spec") or {}).get("replicas", 1))},
        "status": {
            "replicas": int((obj.get("status") or {}).get("replicas", 0)),
            "selector": selector_text((obj.get("spec") or {}).get("selector")),
        },
    }


def _scale_error(name: str, replicas: int) -> ApiError:
    # ValidateScale: the apiserver checks the Scale itself before touching the workload.
    return ApiError(
        fielderrors.invalid_status(
            "Scale",
            "autoscaling",
            name,
            [fielderrors.invalid("spec.replicas", replicas, "must be greater than or equal to 0")],
        )
    )


def serve(request: HttpRequest, cluster: Cluster, target: Target, verb: str) -> HttpResponse:
    if verb == "get":
        return json_response(scale_of(fetch(cluster, target)))
    resource = target.resource
    validation = bodies.field_validation(request)
    if verb == "update":
        media, raw = bodies.read(request, bodies.OBJECT_TYPES)
        document = bodies.parse(media, raw)

        def new_scale(current: Obj) -> Any:
            return document
    else:
        media, patch_document = read_patch(request)

        def new_scale(current: Obj) -> Any:
            return patched(media, current, patch_document, SCALE)

    warnings: list[str] = []

    def mutate(old: Obj) -> Obj:
        current = scale_of(old)
        document = new_scale(current)
        if isinstance(document, dict):
            bodies.check_type_meta(document, resource, kind="Scale", group_version=SCALE_VERSION)
        scale = bodies.typed(document, SCALE, kind="Scale", version="v1", validation=validation)
        warnings[:] = scale.warnings
        sent_version = scale.obj.get("metadata", {}).get("resourceVersion")
        if sent_version and sent_version != current["metadata"].get("resourceVersion"):
            raise ApiError(fielderrors.status_conflict(resource.plural, target.name, group=resource.group))
        replicas = int((scale.obj.get("spec") or {}).get("replicas", 0))
        if replicas < 0:
            raise _scale_error(target.name, replicas)
        old["spec"]["replicas"] = replicas
        return old

    result = commit(
        cluster,
        lambda store: update_in(store, resource.kind, target.namespace or "", target.name, mutate),
        dry=dry_run(request),
    )
    return json_response(scale_of(result), warnings=warnings)
