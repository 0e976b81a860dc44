"""Create, update, patch and delete through the cluster's one write path.

Each request is decoded here (media type, parsing, Go types, unknown fields) and then handed to
`create_in` / `update_in` / `delete_in` inside one `writing()` block: validation, defaulting,
allocation, controllers and events are theirs alone. A patch is applied inside `update_in`'s
mutate callback, on the locked current object, so two racing patches cannot lose an update.
`dryRun=All` runs the same write and rolls it back.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from cluster.errors import ApiError
from cluster.models import Cluster
from cluster.services.objects import create_in, delete_in, update_in
from cluster.services.writing import writing
from cluster.sim.api import fielderrors
from cluster.sim.api.apischema import Struct, schema_for
from cluster.sim.api.patch import (
    PatchError,
    PatchFormatError,
    apply_merge,
    json_patch,
    merge_patch,
    strategic_merge_patch,
)
from cluster.store import Store
from visualizer.kubeapi import bodies
from visualizer.kubeapi.errors import (
    KubeError,
    bad_request,
    json_response,
    method_not_allowed,
    status,
    success,
)

if TYPE_CHECKING:
    from cluster.sim.api.selection import Selection
    from visualizer.kubeapi.resources import Target

Obj = dict[str, Any]

# The kinds whose DELETE answers with the object itself (the Python client's types expect it).
DELETE_RETURNS_OBJECT = ("Pod", "Service")
# registry strategies' AllowCreateOnUpdate: PUT of a missing object creates it.
CREATE_ON_UPDATE = ("Service", "Endpoints")
NAMESPACE_MISMATCH = "the namespace of the provided object does not match the namespace sent on the request"
NAME_MISMATCH = "the name of the object does not match the name on the URL"


class _RolledBack(Exception):
    def __init__(self, result: Any):
        self.result = result


def dry_run(request: HttpRequest, options: Obj | None = None) -> bool:
    values = request.GET.getlist("dryRun") + list((options or {}).get("dryRun") or [])
    for value in values:
        if value != "All":
            raise KubeError(bad_request(f'Unsupported value: "{value}": supported values: "All"'))
    return bool(values)


def commit(cluster: Cluster, work: Callable[[Store], Any], *, dry: bool = False) -> Any:
    """Run `work` in one write; with `dry`, run everything and then roll it back."""
    if not dry:
        with writing(cluster) as store:
            return work(store)
    try:
        with transaction.atomic():
            with writing(cluster) as store:
                result = work(store)
            raise _RolledBack(result)  # the events' on_commit publication is discarded with it
    except _RolledBack as done:
        return done.result


def _schema(kind: str) -> Struct:
    schema = schema_for(kind)
    if schema is None:  # pragma: no cover - every served kind has one
        raise KubeError(method_not_allowed())
    return schema


def _version(target: Target) -> str:
    return target.resource.version


def decode_object(request: HttpRequest, target: Target) -> bodies.Typed:
    """The request body as an object of the target's kind, in the target's namespace."""
    resource = target.resource
    media, raw = bodies.read(request, bodies.OBJECT_TYPES)
    document = bodies.parse(media, raw)
    if isinstance(document, dict):
        bodies.check_type_meta(document, resource)
    result = bodies.typed(
        document,
        _schema(resource.kind),
        kind=resource.kind,
        version=_version(target),
        validation=bodies.field_validation(request),
    )
    _place(result.obj, target)
    return result


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
    created = commit(cluster, lambda store: create_in(store, decoded.obj), dry=dry_run(request))
    return json_response(created, code=201, warnings=decoded.warnings)


def _named_as_url(obj: Obj, target: Target) -> Obj:
    if obj["metadata"].setdefault("name", target.name) != target.name:
        raise KubeError(bad_request(NAME_MISMATCH))
    return obj


def update(request: HttpRequest, cluster: Cluster, target: Target) -> HttpResponse:
    _writable(target)
    decoded = decode_object(request, target)
    kind, namespace = target.resource.kind, target.namespace or ""
    outcome = {"code": 200}

    def work(store: Store) -> Obj:
        if store.peek(kind, namespace, target.name) is None and kind in CREATE_ON_UPDATE:
            outcome["code"] = 201
            return create_in(store, _named_as_url(decoded.obj, target))
        return update_in(store, kind, namespace, target.name, lambda old: decoded.obj)

    result = commit(cluster, work, dry=dry_run(request))
    return json_response(result, code=outcome["code"], warnings=decoded.warnings)


def read_patch(request: HttpRequest) -> tuple[str, Any]:
    media, raw = bodies.read(request, bodies.PATCH_TYPES)
    return media, bodies.parse(media, raw, what="patch")


def patched(media: str, current: Obj, document: Any, schema: Struct | None) -> Any:
    """`current` with the patch applied: 400 for a malformed patch, 422 when it does not apply."""
    try:
        if media == bodies.JSON_PATCH:
            return json_patch(current, document)
        if not isinstance(document, dict):
            raise PatchFormatError("the patch must be a JSON object")
        if media == bodies.MERGE_PATCH:
            return merge_patch(current, document)
        return strategic_merge_patch(current, document, schema)
    except PatchFormatError as error:
        raise KubeError(bad_request(str(error))) from None
    except PatchError as error:
        raise KubeError(status(422, "Invalid", str(error))) from None


def patch(request: HttpRequest, cluster: Cluster, target: Target) -> HttpResponse:
    _writable(target)
    media, document = read_patch(request)
    if media == bodies.APPLY_PATCH:
        return _apply(request, cluster, target, document)
    resource = target.resource
    schema = _schema(resource.kind)
    validation = bodies.field_validation(request)
    warnings: list[str] = []

    def mutate(old: Obj) -> Obj:
        result = patched(media, old, document, schema)
        if isinstance(result, dict):
            bodies.check_type_meta(result, resource)
        typed = bodies.typed(
            result, schema, kind=resource.kind, version=_version(target), validation=validation
        )
        warnings[:] = typed.warnings
        return typed.obj

    result = commit(
        cluster,
        lambda store: update_in(store, resource.kind, target.namespace or "", target.name, mutate),
        dry=dry_run(request),
    )
    return json_response(result, warnings=warnings)


def _apply(request: HttpRequest, cluster: Cluster, target: Target, document: Any) -> HttpResponse:
    """Server-side apply, simplified: create when missing (201), else merge into the live object."""
    resource = target.resource
    if not isinstance(document, dict):
        raise KubeError(bad_request("error decoding patch: an apply configuration must be an object"))
    bodies.check_type_meta(document, resource)
    schema = _schema(resource.kind)
    applied = bodies.typed(
        document,
        schema,
        kind=resource.kind,
        version=_version(target),
        validation=bodies.field_validation(request),
    )
    _place(applied.obj, target)
    _named_as_url(applied.obj, target)
    kind, namespace = resource.kind, target.namespace or ""
    outcome = {"code": 200}

    def work(store: Store) -> Obj:
        if store.peek(kind, namespace, target.name) is None:
            outcome["code"] = 201
            return create_in(store, applied.obj)
        return update_in(
            store, kind, namespace, target.name, lambda old: apply_merge(old, applied.obj, schema)
        )

    result = commit(cluster, work, dry=dry_run(request))
    return json_response(result, code=outcome["code"], warnings=applied.warnings)


def status_subresource(request: HttpRequest, cluster: Cluster, target: Target, verb: str) -> HttpResponse:
    """PUT/PATCH .../status: only the status changes; spec and metadata stay as they are."""
    resource = target.resource
    _writable(target)
    schema = _schema(resource.kind)
    validation = bodies.field_validation(request)
    warnings: list[str] = []
    if verb == "update":
        decoded = decode_object(request, target)
        warnings = decoded.warnings

        def new_status(old: Obj) -> Any:
            return decoded.obj.get("status")
    else:
        media, document = read_patch(request)

        def new_status(old: Obj) -> Any:
            result = patched(media, old, document, schema)
            typed = bodies.typed(
                result, schema, kind=resource.kind, version=_version(target), validation=validation
            )
            warnings[:] = typed.warnings
            return typed.obj.get("status")

    def mutate(old: Obj) -> Obj:
        status_value = new_status(old)
        updated = copy.deepcopy(old)
        if status_value:
            updated["status"] = status_value
        else:
            updated.pop("status", None)
        return updated

    result = commit(
        cluster,
        lambda store: update_in(
            store, resource.kind, target.namespace or "", target.name, mutate, subresource="status"
        ),
        dry=dry_run(request),
    )
    return json_response(result, warnings=warnings)


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


def _check_preconditions(target: Target, obj: Obj, options: Obj) -> None:
    pre = options.get("preconditions") or {}
    meta = obj["metadata"]
    for field, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
        if pre.get(field) and pre[field] != meta.get(field):
            detail = f"Precondition failed: {label} in precondition: {pre[field]}, {label} in object meta: {meta.get(field)}"
            raise ApiError(
                fielderrors.status_conflict(
                    target.resource.plural, target.name, detail, target.resource.group
                )
            )


def delete(request: HttpRequest, cluster: Cluster, target: Target) -> HttpResponse:
    _writable(target)
    options = _delete_options(request)
    resource = target.resource
    namespace = target.namespace or ""

    def work(store: Store) -> Obj:
        current = store.peek(resource.kind, namespace, target.name)
        if current is not None:
            _check_preconditions(target, current, options)
        return delete_in(store, resource.kind, namespace, target.name)

    last = commit(cluster, work, dry=dry_run(request, options))
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

    def work(store: Store) -> list[Obj]:
        doomed = [
            (o["metadata"].get("namespace", ""), o["metadata"]["name"])
            for o in store.list(resource.kind, target.namespace)
            if chosen.matches(o)
        ]
        # An earlier delete may have taken a later object with it (a namespace its contents).
        return [
            delete_in(store, resource.kind, ns, name)
            for ns, name in doomed
            if store.peek(resource.kind, ns, name) is not None
        ]

    deleted = commit(cluster, work, dry=dry_run(request, options))
    return json_response(
        {"kind": resource.list_kind, "apiVersion": resource.group_version, "metadata": {}, "items": deleted}
    )
