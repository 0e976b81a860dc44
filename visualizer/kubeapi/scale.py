"""Requests for the scale subresource of Deployments and ReplicaSets (autoscaling/v1 Scale).

The body is read and decoded here (a Scale's Go type, with the Scale's kind and apiVersion);
the verb - the Scale view, its patch, the stale-version and negative-replicas refusals - is
`cluster/services/scaling.py`'s.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from cluster.models import Cluster
from cluster.services.scaling import SCALE_VERSION, scale_of, scale_update
from cluster.services.verbs import Patch
from cluster.sim.api.apischema import SCALE
from visualizer.kubeapi import bodies
from visualizer.kubeapi.errors import json_response
from visualizer.kubeapi.reads import fetch
from visualizer.kubeapi.target import Target
from visualizer.kubeapi.writes import SUBRESOURCE_PATCH_TYPES, dry_run, patch_of, read_patch

Obj = dict[str, Any]


class _ScaleDecoder:
    """A changed Scale as its Go type, keeping the warnings of the last one decoded."""

    def __init__(self, request: HttpRequest, target: Target):
        self.resource = target.resource
        self.validation = bodies.field_validation(request)
        self.warnings: list[str] = []

    def __call__(self, document: Any) -> Obj:
        if isinstance(document, dict):
            bodies.check_type_meta(document, self.resource, kind="Scale", group_version=SCALE_VERSION)
        scale = bodies.typed(document, SCALE, kind="Scale", version="v1", validation=self.validation)
        self.warnings = scale.warnings
        return scale.obj


def serve(request: HttpRequest, cluster: Cluster, target: Target, verb: str) -> HttpResponse:
    if verb == "get":
        return json_response(scale_of(fetch(cluster, target)))
    decode = _ScaleDecoder(request, target)
    change: Obj | Patch
    if verb == "update":
        media, raw = bodies.read(request, bodies.OBJECT_TYPES)
        change = bodies.parse(media, raw)
    else:
        change = patch_of(*read_patch(request, SUBRESOURCE_PATCH_TYPES))
    scale = scale_update(cluster=cluster, kind=target.resource.kind, namespace=target.namespace or "",
                         name=target.name, change=change, decode=decode, dry_run=dry_run(request))
    return json_response(scale, warnings=decode.warnings)
