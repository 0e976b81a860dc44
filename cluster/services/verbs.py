"""The apiserver's verbs beyond create and delete: replace (PUT), patch, server-side apply, the
status subresource and delete collection, each one write of the write path or, with `dry_run`, one
that is rolled back.

What a request carries beyond the object (its media type, the Go types of its fields, what to do
with unknown ones) is the caller's: a verb that has to look at the changed object before it is
stored takes a `decode` callable, run on the locked current object inside the write (so two racing
patches cannot lose an update, and a missing object is a 404 before the body is looked at).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cluster.errors import ApiError
from cluster.models import Cluster
from cluster.services.objects import NAME_MISMATCH, create_in, delete_in, update_in
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
from cluster.sim.objects import Obj
from cluster.store import Store

JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH = "json", "merge", "strategic"
# The registry strategies' AllowCreateOnUpdate: a PUT of a missing object creates it.
CREATE_ON_UPDATE = ("Service", "Endpoints")

Decode = Callable[[Any], Obj]


@dataclass(frozen=True)
class Patch:
    type: str  # JSON_PATCH, MERGE_PATCH or STRATEGIC_MERGE_PATCH
    document: Any


@dataclass(frozen=True)
class Written:
    """A write that may have created its object (the apiserver then answers 201)."""

    obj: Obj
    created: bool = False


def as_object(document: Any) -> Obj:
    """The default `decode`: the document must at least be an object."""
    if not isinstance(document, dict):
        raise ApiError(fielderrors.status_bad_request("the object must be a JSON object"))
    return document


def patched(current: Obj, patch: Patch, schema: Struct | None) -> Any:
    """`current` with the patch applied: 400 for a malformed patch, 422 when it does not apply."""
    try:
        if patch.type == JSON_PATCH:
            return json_patch(current, patch.document)
        if not isinstance(patch.document, dict):
            raise PatchFormatError("the patch must be a JSON object")
        if patch.type == MERGE_PATCH:
            return merge_patch(current, patch.document)
        return strategic_merge_patch(current, patch.document, schema)
    except PatchFormatError as error:
        raise ApiError(fielderrors.status_bad_request(str(error))) from None
    except PatchError as error:
        raise ApiError(fielderrors.status_object(422, "Invalid", str(error))) from None


def _named(obj: Obj, name: str) -> Obj:
    """The object named as the URL names it (a missing name is the URL's)."""
    if obj.setdefault("metadata", {}).setdefault("name", name) != name:
        raise ApiError(fielderrors.status_bad_request(NAME_MISMATCH))
    return obj


# --- inside an open write -------------------------------------------------------------------------


def patch_in(store: Store, kind: str, namespace: str, name: str, patch: Patch, *,
             decode: Decode = as_object) -> Obj:
    schema = schema_for(kind)
    return update_in(store, kind, namespace, name, lambda old: decode(patched(old, patch, schema)))


def replace_in(store: Store, kind: str, namespace: str, name: str, obj: Obj) -> Written:
    if kind in CREATE_ON_UPDATE and store.peek(kind, namespace, name) is None:
        return Written(create_in(store, _named(obj, name)), created=True)
    return Written(update_in(store, kind, namespace, name, lambda old: obj))


def apply_in(store: Store, kind: str, namespace: str, name: str, config: Obj) -> Written:
    """Server-side apply, simplified: create when missing, else merge into the live object."""
    if store.peek(kind, namespace, name) is None:
        return Written(create_in(store, config), created=True)
    schema = schema_for(kind)
    return Written(update_in(store, kind, namespace, name, lambda old: apply_merge(old, config, schema)))


def status_in(store: Store, kind: str, namespace: str, name: str, change: Obj | Patch, *,
              decode: Decode = as_object) -> Obj:
    """Only the status changes: spec and metadata stay as they are."""
    schema = schema_for(kind)

    def mutate(old: Obj) -> Obj:
        sent = decode(patched(old, change, schema)) if isinstance(change, Patch) else change
        updated = copy.deepcopy(old)
        if sent.get("status"):
            updated["status"] = sent["status"]
        else:
            updated.pop("status", None)
        return updated

    return update_in(store, kind, namespace, name, mutate, subresource="status")


def collection_delete_in(store: Store, kind: str, namespace: str | None, keep: Callable[[Obj], bool]) -> list[Obj]:
    doomed = [(o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in store.list(kind, namespace)
              if keep(o)]
    # An earlier delete may have taken a later object with it (a namespace its contents).
    return [delete_in(store, kind, ns, name) for ns, name in doomed if store.peek(kind, ns, name) is not None]


# --- one write each -------------------------------------------------------------------------------


def object_replace(*, cluster: Cluster | str, kind: str, namespace: str, name: str, obj: Obj,
                   dry_run: bool = False) -> Written:
    """PUT: the object becomes `obj` (server fields kept); Services and Endpoints are created if missing."""
    with writing(cluster, dry_run=dry_run) as store:
        return replace_in(store, kind, namespace, name, obj)


def object_patch(*, cluster: Cluster | str, kind: str, namespace: str, name: str, patch: Patch,
                 decode: Decode = as_object, dry_run: bool = False) -> Obj:
    """PATCH with a JSON patch, a merge patch or a strategic merge patch."""
    with writing(cluster, dry_run=dry_run) as store:
        return patch_in(store, kind, namespace, name, patch, decode=decode)


def object_apply(*, cluster: Cluster | str, kind: str, namespace: str, name: str, config: Obj,
                 dry_run: bool = False) -> Written:
    """Server-side apply of a decoded configuration."""
    _named(config, name)  # refused before the write, as the apiserver does while decoding
    with writing(cluster, dry_run=dry_run) as store:
        return apply_in(store, kind, namespace, name, config)


def status_update(*, cluster: Cluster | str, kind: str, namespace: str, name: str, change: Obj | Patch,
                  decode: Decode = as_object, dry_run: bool = False) -> Obj:
    """PUT (an object carrying the new status) or PATCH of the status subresource."""
    with writing(cluster, dry_run=dry_run) as store:
        return status_in(store, kind, namespace, name, change, decode=decode)


def collection_delete(*, cluster: Cluster | str, kind: str, namespace: str | None,
                      keep: Callable[[Obj], bool], dry_run: bool = False) -> list[Obj]:
    """DELETE of a collection: every object of the namespace (all when None) that `keep` picks."""
    with writing(cluster, dry_run=dry_run) as store:
        return collection_delete_in(store, kind, namespace, keep)
