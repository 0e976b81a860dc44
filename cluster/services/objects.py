"""Create, update and delete any stored Kubernetes object, with kube-apiserver semantics.

`create_in` / `update_in` / `delete_in` work inside an open write (several changes of one
transaction); `object_create` / `object_update` / `object_delete` are each one write of their own,
or with `dry_run` one that is rolled back. The other verbs (replace, patch, apply, status, delete
collection) are in `verbs.py`, the scale subresource in `scaling.py`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from cluster import kinds
from cluster.errors import ApiError
from cluster.models import Cluster
from cluster.presets import apiserver_service_manifest
from cluster.services.allocations import allocate_service, release_service
from cluster.services.writing import writing
from cluster.sim.allocation.bitmap import kubernetes_service_ip
from cluster.sim.api import defaults, fielderrors
from cluster.sim.api.names import generate_name
from cluster.sim.objects import Obj
from cluster.sim.validation import validation
from cluster.store import Store

# Fields only the server writes: whatever a client sends for them is replaced.
_SERVER_METADATA = ("uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp",
                    "managedFields", "selfLink")
# Kinds whose status a client cannot set on create or update (only controllers do).
_STATUS_OWNED_BY_SERVER = {"Pod", "Service", "Deployment", "ReplicaSet"}
NAME_MISMATCH = "the name of the object does not match the name on the URL"


def _locate(store: Store, kind: str, obj: Obj) -> tuple[kinds.KindInfo, str]:
    if kind not in kinds.KINDS:
        raise ApiError(fielderrors.status_bad_request(f'no kind "{kind}" is registered for version'
                                                      f' "{obj.get("apiVersion", "")}"'))
    info = kinds.kind_info(kind)
    meta = obj.setdefault("metadata", {})
    if not info.namespaced:
        return info, ""
    ns = meta.get("namespace") or "default"
    meta["namespace"] = ns
    if store.peek("Namespace", "", ns) is None and kind != "Namespace":
        raise ApiError(fielderrors.status_not_found("namespaces", ns))
    return info, ns


def _default(kind: str, obj: Obj) -> Obj:
    defaulter = getattr(defaults, f"default_{kind.lower()}", None)
    return defaulter(obj) if defaulter else obj


def _invalid(info: kinds.KindInfo, name: str, errors: list) -> ApiError:
    return ApiError(fielderrors.invalid_status(info.kind, info.group, name, errors))


def create_in(store: Store, obj: Obj) -> Obj:
    """Create inside an open write (presets and multi-document applies use this)."""
    obj = copy.deepcopy(obj)
    kind = obj.get("kind", "")
    info, ns = _locate(store, kind, obj)
    meta = obj["metadata"]
    for field in _SERVER_METADATA:
        meta.pop(field, None)
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = generate_name(meta["generateName"], store.rng, store.names(kind, ns))
    if kind in _STATUS_OWNED_BY_SERVER:
        obj.pop("status", None)
    obj = _default(kind, obj)
    errors = validation.validate(kind, obj, settings=store.settings)
    if errors:
        raise _invalid(info, meta.get("name", ""), errors)
    if store.peek(kind, ns, meta["name"]) is not None:
        raise ApiError(fielderrors.status_already_exists(info.plural, meta["name"], info.group))
    if kind == "Service":
        errors = allocate_service(store, obj, None)
        if errors:
            raise _invalid(info, meta["name"], errors)
    return store.put(kind, obj)


def update_in(store: Store, kind: str, namespace: str, name: str, mutate: Callable[[Obj], Obj],
              *, subresource: str = "") -> Obj:
    """Read, let `mutate` produce the new object, then default, validate and store it."""
    info = kinds.kind_info(kind)
    old = store.peek(kind, namespace, name)
    if old is None:
        raise ApiError(fielderrors.status_not_found(info.plural, name, info.group))
    new = mutate(copy.deepcopy(old))
    meta = new.setdefault("metadata", {})
    sent_rv = meta.get("resourceVersion")
    if sent_rv and sent_rv != old["metadata"]["resourceVersion"]:
        raise ApiError(fielderrors.status_conflict(info.plural, name, info.group))
    if meta.get("name", name) != name or (info.namespaced and meta.get("namespace", namespace) != namespace):
        raise ApiError(fielderrors.status_bad_request(NAME_MISMATCH))
    meta.update(name=name, **({"namespace": namespace} if info.namespaced else {}))
    for field in _SERVER_METADATA:
        meta.pop(field, None)
        if field in old["metadata"]:
            meta[field] = old["metadata"][field]
    if kind in _STATUS_OWNED_BY_SERVER and subresource != "status":
        new["status"] = copy.deepcopy(old.get("status") or {})
    if kind == "Service":
        sent_status = new.get("status")
        new = validation.prepare_service_update(new, old)
        if subresource == "status":  # svcStatusStrategy: the status is what this write changes
            new["status"] = sent_status or {}
    status = new.get("status")
    new = _default(kind, new)
    if status is not None:  # defaulting resets status as on create; an update keeps it
        new["status"] = status
    errors = validation.validate(kind, new, old=old, settings=store.settings)
    if not errors and kind == "Service":
        errors = allocate_service(store, new, old)
    if errors:
        raise _invalid(info, name, errors)
    if _same(new, old):
        return old
    return store.put(kind, new)


def _same(new: Obj, old: Obj) -> bool:
    strip = {"resourceVersion", "generation"}
    a = {**new, "metadata": {k: v for k, v in new["metadata"].items() if k not in strip}}
    b = {**old, "metadata": {k: v for k, v in old["metadata"].items() if k not in strip}}
    return a == b


@dataclass(frozen=True)
class Preconditions:
    """DeleteOptions.preconditions: delete only the object that still has this uid / version."""

    uid: str | None = None
    resource_version: str | None = None


def _check_preconditions(info: kinds.KindInfo, obj: Obj, preconditions: Preconditions) -> None:
    """rest.BeforeDelete's early check, with its texts (the conflict names the kind, not the plural)."""
    meta = obj["metadata"]
    if preconditions.uid and preconditions.uid != meta.get("uid"):
        detail = (f"the UID in the precondition ({preconditions.uid}) does not match the UID in record "
                  f"({meta.get('uid')}). The object might have been deleted and then recreated")
    elif preconditions.resource_version and preconditions.resource_version != meta.get("resourceVersion"):
        detail = (f"the ResourceVersion in the precondition ({preconditions.resource_version}) does not match the "
                  f"ResourceVersion in record ({meta.get('resourceVersion')}). The object might have been modified")
    else:
        return
    raise ApiError(fielderrors.status_conflict(info.kind, meta["name"], info.group, detail))


def delete_in(store: Store, kind: str, namespace: str, name: str,
              *, preconditions: Preconditions | None = None) -> Obj:
    info = kinds.kind_info(kind)
    old = store.peek(kind, namespace, name)
    if old is None:
        raise ApiError(fielderrors.status_not_found(info.plural, name, info.group))
    if preconditions is not None:
        _check_preconditions(info, old, preconditions)
    if kind == "Service":
        release_service(store, old)
    if kind == "Namespace":
        for other in kinds.KIND_ORDER:
            if kinds.kind_info(other).namespaced:
                for obj in list(store.list(other, name)):
                    delete_in(store, other, name, obj["metadata"]["name"])
    gone = store.remove(kind, namespace, name)
    if kind == "Service" and (namespace, name) == ("default", "kubernetes"):
        # kube-apiserver's own reconciler puts its Service straight back, on the same address.
        create_in(store, apiserver_service_manifest(kubernetes_service_ip(store.settings.service_cidr)))
    return gone


def object_create(*, cluster: Cluster | str, obj: Obj, dry_run: bool = False) -> Obj:
    with writing(cluster, dry_run=dry_run) as store:
        return create_in(store, obj)


def object_update(*, cluster: Cluster | str, kind: str, namespace: str, name: str,
                  mutate: Callable[[Obj], Obj], subresource: str = "", dry_run: bool = False) -> Obj:
    with writing(cluster, dry_run=dry_run) as store:
        return update_in(store, kind, namespace, name, mutate, subresource=subresource)


def object_delete(*, cluster: Cluster | str, kind: str, namespace: str, name: str,
                  preconditions: Preconditions | None = None, dry_run: bool = False) -> Obj:
    """The object as it was, with the resourceVersion of its deletion."""
    with writing(cluster, dry_run=dry_run) as store:
        return delete_in(store, kind, namespace, name, preconditions=preconditions)
