"""One EndpointSlice controller sync when only some pods changed since the last one.

`reconcile_slices` reads every pod of the Service and every slice; upstream's reconciler keeps
the slices whose endpoints did not change untouched, and so the plan depends on those only
through their count and sizes (step 3 picks the unchanged slice a remainder fills best). Given
the slices holding the changed pods' endpoints and the sizes of the others, `reconcile_changed`
returns the same plan `reconcile_slices` would, provided the controller's slices hold what it
last wrote (every unchanged pod's endpoint, once); the Service, its port mapping and the nodes
unchanged. When the sync is not of that shape (the Service lost its last endpoint, a placeholder
or a foreign slice is present, target ports are named, dual stack...) it returns None and the
caller reconciles the whole Service.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from cluster.sim.endpoints.endpoints import manages_endpoints, service_ip_families
from cluster.sim.endpoints.slices import (
    SlicePlan,
    _assign_names,
    _copy_slice,
    _desired_groups,
    _fill,
    _finalize,
    _new_service_slice,
    _ServiceView,
    _set_trigger_time,
    endpoint_key,
    endpoints_equal_beyond_key,
    file_slice,
    max_endpoints_per_slice_error,
    owned_by,
    port_key,
)
from cluster.sim.objects import Obj, copy_obj, name_of, uid_of


@dataclass(frozen=True)
class SliceSize:
    """A slice of the Service the sync does not read: its name, owner and number of endpoints."""

    name: str
    owner_uid: str
    address_type: str
    endpoints: int


def _size(endpoint_slice: Obj | SliceSize) -> int:
    if isinstance(endpoint_slice, SliceSize):
        return endpoint_slice.endpoints
    return len(endpoint_slice.get("endpoints") or [])


def _name(endpoint_slice: Obj | SliceSize) -> str:
    return endpoint_slice.name if isinstance(endpoint_slice, SliceSize) else name_of(endpoint_slice)


def _holds_changed(endpoint: Obj, changed: set[str]) -> bool:
    ref = endpoint.get("targetRef") or {}
    return ref.get("kind", "Pod") == "Pod" and ref.get("name") in changed


def _closest_fit(candidates: list, count: int, max_per_slice: int):
    """slices._closest_fit over read slices and sizes alike."""
    best, best_gap = None, max_per_slice
    for candidate in candidates:
        gap = max_per_slice - (count + _size(candidate))
        if 0 <= gap < best_gap:
            best, best_gap = candidate, gap
            if gap == 0:
                break
    return best


def reconcile_changed(
    service: Obj,
    changed: set[str],
    pods: list[Obj],
    nodes: dict[str, Obj],
    held: list[Obj],
    others: list[SliceSize],
    *,
    load: Callable[[str], Obj | None],
    max_per_slice: int,
    rng: random.Random,
    taken_names: set[str] | None = None,
    trigger_time: str | None = None,
) -> SlicePlan | None:
    """reconcile_slices(service, all pods, nodes, all slices) when only the pods named `changed`
    changed: `pods` are those that still exist, `held` the controller's slices of the Service
    holding an endpoint of one of them, `others` the sizes of its other slices, and `load` reads
    one of those when a remainder goes into it. None: reconcile the whole Service instead."""
    if max_endpoints_per_slice_error(max_per_slice) or not manages_endpoints(service):
        return None
    if (service.get("metadata") or {}).get("deletionTimestamp"):
        return None
    families = service_ip_families(service)
    view = _ServiceView.of(service)
    if len(families) != 1 or not view.shared_ports:
        return None
    address_type, group_key = families[0], view.shared_key
    uid = uid_of(service)
    for endpoint_slice in held:
        if (endpoint_slice.get("addressType") != address_type or not owned_by(endpoint_slice, service)
                or port_key(endpoint_slice.get("ports") or []) != group_key
                or (endpoint_slice.get("metadata") or {}).get("deletionTimestamp")):
            return None
    if any(s.endpoints == 0 or s.owner_uid != uid or s.address_type != address_type for s in others):
        return None  # a placeholder, a foreign slice or another family: the whole sync decides
    desired = _desired_groups(service, pods, nodes, address_type)
    if set(desired) - {group_key}:
        return None
    wanted = dict(desired[group_key][1]) if desired else {}

    # Step 1 (_prune_existing): the unread slices are unchanged; read ones keep their other
    # endpoints as they are and take the changed pods' new versions.
    slices = sorted([*held, *others], key=_name)
    unchanged: list = []
    to_update: dict[str, Obj] = {}
    to_delete: list[Obj] = []
    staying = sum(s.endpoints for s in others)
    for endpoint_slice in slices:
        if isinstance(endpoint_slice, SliceSize):
            unchanged.append(endpoint_slice)
            continue
        current = endpoint_slice.get("endpoints") or []
        kept: list[Obj] = []
        endpoint_changed = False
        for endpoint, copied in zip(current, copy_obj(current), strict=True):
            if not _holds_changed(endpoint, changed):
                kept.append(copied)
                staying += 1
                continue
            new = wanted.pop(endpoint_key(endpoint), None)
            if new is not None:
                kept.append(new)
                endpoint_changed = endpoint_changed or not endpoints_equal_beyond_key(new, endpoint)
        file_slice(endpoint_slice, service, kept, endpoint_changed, unchanged, to_update, to_delete)
    if not staying and not desired:
        return None  # the port group may be gone: the placeholder rule needs every pod

    # Steps 2 and 3 (_reconcile_port_group), as there.
    remaining = list(wanted.values())
    next_index = 0
    if remaining and to_update:
        for endpoint_slice in sorted(to_update.values(), key=lambda s: -len(s["endpoints"])):
            next_index = _fill(endpoint_slice, remaining, next_index, max_per_slice)
    creates: list[Obj] = []
    while next_index < len(remaining):
        left = len(remaining) - next_index
        target = _closest_fit(unchanged, left, max_per_slice) if left < max_per_slice else None
        if target is None:
            target = _new_service_slice(service, desired[group_key][0], address_type)
            creates.append(target)
        else:
            unchanged = [s for s in unchanged if s is not target]
            body = load(target.name) if isinstance(target, SliceSize) else target
            if body is None or _size(body) != _size(target):
                return None
            target = _copy_slice(body, copy_obj(body.get("endpoints") or []))
            to_update[name_of(target)] = target
        next_index = _fill(target, remaining, next_index, max_per_slice)
    plan = SlicePlan(creates, list(to_update.values()), to_delete)
    if len(slices) == len(plan.delete) and not plan.create:
        return None  # the placeholder rule: the whole sync decides
    _finalize(service, plan)
    for endpoint_slice in plan.create + plan.update:
        _set_trigger_time(endpoint_slice, trigger_time)
    _assign_names(plan.create, held, rng, taken_names)
    return plan
