"""Create, update, patch and delete requests, answered by the cluster's verbs.

This module is HTTP only: the query (`dryRun`, `fieldValidation`), the body (media type, parsing,
Go types, unknown fields, the URL's namespace), and the answer (201 for a created object, what a
DELETE returns). The verbs - replace with create-on-update, the patch types, server-side apply,
preconditions, dry run - are `cluster/services/verbs.py`'s and `objects.py`'s.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse

from cluster.models import Cluster
from cluster.services import verbs
from cluster.services.objects import Preconditions, object_create, object_delete
from cluster.sim.api.apischema import Struct, schema_for
from cluster.sim.api.selection import Selection
from visualizer.kubeapi import bodies
from visualizer.kubeapi.errors import (
    KubeError,
    bad_request,
    json_response,
    method_not_allowed,
    success,
)
from visualizer.kubeapi.target import Target

Obj = dict[str, Any]

# The kinds whose DELETE answers with the object itself (the Python client's types expect it).
DELETE_RETURNS_OBJECT = ("Pod", "Service")
NAMESPACE_MISMATCH = "the namespace of the provided object does not match the namespace sent on the request"
PATCH_TYPES = {
    bodies.JSON_PATCH: verbs.JSON_PATCH,
    bodies.MERGE_PATCH: verbs.MERGE_PATCH,
    bodies.STRATEGIC_PATCH: verbs.STRATEGIC_MERGE_PATCH,
}


def dry_run(request: HttpRequest, options: Obj | None = None) -> bool:
    values = request.GET.getlist("dryRun") + list((options or {}).get("dryRun") or [])
    for value in values:
        if value != "All":
            raise KubeError(bad_request(f'Unsupported value: "{value}": supported values: "All"'))
    return bool(values)


def _schema(kind: str) -> Struct:
    schema = schema_for(kind)
    if schema is None:  # pragma: no cover - every served kind has one
        raise KubeError(method_not_allowed())
    return schema


def _version(target: Target) -> str:
    return target.resource.version


def _where(target: Target) -> dict[str, str]:
    return {"kind": target.resource.kind, "namespace": target.namespace or "", "name": target.name}


class _Decoder:
    """Decodes a changed object into the target's Go type inside the write, keeping the warnings
    (unknown fields under fieldValidation=Warn) of the last object it decoded."""

    def __init__(self, request: HttpRequest, target: Target, *, type_meta: bool = True):
        self.resource = target.resource
        self.version = _version(target)
        self.validation = bodies.field_validation(request)
        self.type_meta = type_meta
        self.warnings: list[str] = []

    def __call__(self, document: Any) -> Obj:
        if self.type_meta and isinstance(document, dict):
            bodies.check_type_meta(document, self.resource)
        typed = bodies.typed(document, _schema(self.resource.kind), kind=self.resource.kind,
                             version=self.version, validation=self.validation)
        self.warnings = typed.warnings
        return typed.obj


def decode_object(request: HttpRequest, target: Target) -> bodies.Typed:
    """The request body as an object of the target's kind, in the target's namespace."""
    media, raw = bodies.read(request, bodies.OBJECT_TYPES)
    decode = _Decoder(request, target)
    obj = decode(bodies.parse(media, raw))
    _place(obj, target)
    return bodies.Typed(obj, decode.warnings)


def _place(obj: Obj, target: Target) -> None:
    meta = obj.setdefault("metadata", {})
    if not target.resource.namespaced:
        return
    if meta.get("namespace") and target.namespace and meta["namespace"] != target.namespace:
        raise KubeError(bad_request(NAMESPACE_MISMATCH))
    meta["namespace"] = target.namespace


def _writable(target: Target) -> None:
    if not target.resource.stored:
        raise KubeError(method_not_allowed())


def create(request: HttpRequest, cluster: Cluster, target: Target) -> HttpResponse:
    _writable(target)
    if target.resource.namespaced and target.namespace is None:
        raise KubeError(method_not_allowed())
    decoded = decode_object(request, target)
    created = object_create(cluster=cluster, obj=decoded.obj, dry_run=dry_run(request))
    return json_response(created, code=201, warnings=decoded.warnings)


def update(request: HttpRequest, cluster: Cluster, target: Target) -> HttpResponse:
    _writable(target)
    decoded = decode_object(request, target)
    written = verbs.object_replace(cluster=cluster, **_where(target), obj=decoded.obj, dry_run=dry_run(request))
    return json_response(written.obj, code=201 if written.created else 200, warnings=decoded.warnings)


# Server-side apply of the status and scale subresources is not simulated: their PATCH accepts the
# three other patch types and refuses apply with the apiserver's 415, naming what it accepts.
SUBRESOURCE_PATCH_TYPES = tuple(media for media in bodies.PATCH_TYPES if media != bodies.APPLY_PATCH)


def read_patch(request: HttpRequest, accepted: tuple[str, ...] = bodies.PATCH_TYPES) -> tuple[str, Any]:
    media, raw = bodies.read(request, accepted)
    return media, bodies.parse(media, raw, what="patch")


def patch_of(media: str, document: Any) -> verbs.Patch:
    return verbs.Patch(PATCH_TYPES[media], document)


def patch(request: HttpRequest, cluster: Cluster, target: Target) -> HttpResponse:
    _writable(target)
    media, document = read_patch(request)
    if media == bodies.APPLY_PATCH:
        return _apply(request, cluster, target, document)
    decode = _Decoder(request, target)
    result = verbs.object_patch(cluster=cluster, **_where(target), patch=patch_of(media, document),
                                decode=decode, dry_run=dry_run(request))
    return json_response(result, warnings=decode.warnings)


def _apply(request: HttpRequest, cluster: Cluster, target: Target, document: Any) -> HttpResponse:
    """Server-side apply: 201 when it created the object."""
    if not isinstance(document, dict):
        raise KubeError(bad_request("error decoding patch: an apply configuration must be an object"))
    decode = _Decoder(request, target)
    applied = decode(document)
    _place(applied, target)
    written = verbs.object_apply(cluster=cluster, **_where(target), config=applied, dry_run=dry_run(request))
    return json_response(written.obj, code=201 if written.created else 200, warnings=decode.warnings)


def status_subresource(request: HttpRequest, cluster: Cluster, target: Target, verb: str) -> HttpResponse:
    """PUT/PATCH .../status: only the status changes; spec and metadata stay as they are."""
    _writable(target)
    decode = _Decoder(request, target, type_meta=False)
    if verb == "update":
        decoded = decode_object(request, target)
        change: Obj | verbs.Patch = decoded.obj
        decode.warnings = decoded.warnings
    else:
        change = patch_of(*read_patch(request, SUBRESOURCE_PATCH_TYPES))
    result = verbs.status_update(cluster=cluster, **_where(target), change=change, decode=decode,
                                 dry_run=dry_run(request))
    return json_response(result, warnings=decode.warnings)


def _delete_options(request: HttpRequest) -> Obj:
    """DeleteOptions from the body, if any (kubectl sends propagationPolicy, always honoured as
    Background: the garbage collector removes dependents in the same write)."""
    if not request.body.strip():
        return {}
    try:
        options = json.loads(request.body)
    except (ValueError, RecursionError) as error:
        raise KubeError(bad_request(f"error decoding DeleteOptions: {error}")) from None
    if not isinstance(options, dict):
        raise KubeError(bad_request("error decoding DeleteOptions: not an object"))
    return options


def _preconditions(options: Obj) -> Preconditions | None:
    given = options.get("preconditions")
    if not given:
        return None
    if not isinstance(given, dict):
        raise KubeError(bad_request("error decoding DeleteOptions: preconditions must be an object"))
    return Preconditions(uid=given.get("uid"), resource_version=given.get("resourceVersion"))


def delete(request: HttpRequest, cluster: Cluster, target: Target) -> HttpResponse:
    _writable(target)
    options = _delete_options(request)
    resource = target.resource
    last = object_delete(cluster=cluster, **_where(target), preconditions=_preconditions(options),
                         dry_run=dry_run(request, options))
    if resource.kind in DELETE_RETURNS_OBJECT:
        return json_response(last)
    details = {"name": target.name, "kind": resource.plural, "uid": last["metadata"].get("uid", "")}
    if resource.group:
        details["group"] = resource.group
    return json_response(success(details))


def delete_collection(
    request: HttpRequest, cluster: Cluster, target: Target, chosen: Selection
) -> HttpResponse:
    _writable(target)
    options = _delete_options(request)
    resource = target.resource
    deleted = verbs.collection_delete(cluster=cluster, kind=resource.kind, namespace=target.namespace,
                                      keep=chosen.matches, dry_run=dry_run(request, options))
    return json_response(
        {"kind": resource.list_kind, "apiVersion": resource.group_version, "metadata": {}, "items": deleted}
    )
