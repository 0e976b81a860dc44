"""The Endpoints, EndpointSlice and EndpointSlice-mirroring controllers: one sync per Service."""

from __future__ import annotations

from django.db.models import Q

from cluster.sim.endpoints.endpoints import desired_endpoints, endpoints_differ
from cluster.sim.endpoints.slices import SlicePlan, mirror_endpoints, reconcile_slices
from cluster.sim.objects import (
    MANAGED_BY_LABEL,
    MIRROR_CONTROLLER,
    SERVICE_NAME_LABEL,
    SLICE_CONTROLLER,
    Obj,
    labels_of,
    pod_node,
    selector_matches,
)
from cluster.store import Change, Store, rfc3339


def sync_endpoints(store: Store, changes: list[Change], *, resync_all: bool = False) -> None:
    for ns, name in sorted(_affected_services(store, changes, resync_all)):
        service = store.peek("Service", ns, name)
        if service is None:
            _forget_service(store, ns, name)
        elif (service.get("spec") or {}).get("selector"):
            _sync_selected(store, service)
        else:
            _sync_mirrored(store, ns, name)


def _affected_services(store: Store, changes: list[Change], resync_all: bool) -> set[tuple[str, str]]:
    if resync_all or any(c.kind == "Node" for c in changes):
        return {(s["metadata"]["namespace"], s["metadata"]["name"]) for s in store.list("Service")}
    keys: set[tuple[str, str]] = set()
    pod_changes: dict[str, list[Change]] = {}
    for change in changes:
        meta = change.obj["metadata"]
        ns = meta.get("namespace", "")
        if change.kind in ("Service", "Endpoints"):
            keys.add((ns, meta["name"]))
        elif change.kind == "Pod":
            pod_changes.setdefault(ns, []).append(change)
    for ns, pod_list in pod_changes.items():
        for service in store.list("Service", ns):
            selector = (service.get("spec") or {}).get("selector")
            if any(
                selector_matches(selector, labels_of(side))
                for c in pod_list
                for side in (c.old, c.new)
                if side is not None
            ):
                keys.add((ns, service["metadata"]["name"]))
    return keys


def _slices_of(store: Store, ns: str, name: str, managed_by: str | None = None) -> list[Obj]:
    """The service's slices; with `managed_by`, only those that controller owns (it never
    touches slices another manager wrote, like the apiserver's own `kubernetes` slice).
    Read through the slices' indexed service name."""
    return store.select("EndpointSlice", ns, [Q(service_name=name)], lambda s: (
        labels_of(s).get(SERVICE_NAME_LABEL) == name
        and (managed_by is None or labels_of(s).get(MANAGED_BY_LABEL) == managed_by)),
        memo=("service_name", name))


def _selected_pods(store: Store, service: Obj) -> list[Obj]:
    """The pods of the service's namespace its selector picks (read through their labels)."""
    selector = (service.get("spec") or {}).get("selector")
    return store.selected("Pod", service["metadata"]["namespace"], selector,
                          lambda pod: selector_matches(selector, labels_of(pod)))


def _forget_service(store: Store, ns: str, name: str) -> None:
    """A deleted Service takes its Endpoints and its slices with it."""
    endpoints = store.peek("Endpoints", ns, name)
    if endpoints is not None and not labels_of(endpoints).get("endpointslice.kubernetes.io/skip-mirror"):
        store.remove("Endpoints", ns, name)
    for slice_ in _slices_of(store, ns, name):
        store.remove("EndpointSlice", ns, slice_["metadata"]["name"])


def _sync_selected(store: Store, service: Obj) -> None:
    ns, name = service["metadata"]["namespace"], service["metadata"]["name"]
    pods = _selected_pods(store, service)
    desired = desired_endpoints(service, pods, trigger_time=rfc3339(store.now))
    existing = store.peek("Endpoints", ns, name)
    if desired is not None and endpoints_differ(existing, desired):
        if existing is not None:
            desired["metadata"]["uid"] = existing["metadata"]["uid"]
            desired["metadata"]["creationTimestamp"] = existing["metadata"]["creationTimestamp"]
        store.put("Endpoints", desired)
    plan = reconcile_slices(
        service, pods, store.nodes_named(map(pod_node, pods)), _slices_of(store, ns, name, SLICE_CONTROLLER),
        max_per_slice=store.settings.max_endpoints_per_slice, rng=store.rng,
        taken_names=store.names("EndpointSlice", ns),
    )
    _apply(store, ns, plan)


def _sync_mirrored(store: Store, ns: str, name: str) -> None:
    endpoints = store.peek("Endpoints", ns, name)
    mirrored = _slices_of(store, ns, name, MIRROR_CONTROLLER)
    if endpoints is None:
        plan = SlicePlan(create=[], update=[], delete=mirrored)
    else:
        plan = mirror_endpoints(endpoints, mirrored, rng=store.rng, taken_names=store.names("EndpointSlice", ns))
    _apply(store, ns, plan)


def _apply(store: Store, ns: str, plan: SlicePlan) -> None:
    """finalize's order: creates, then updates, then deletes, so that a watcher sees a
    replacement slice before the one it replaces goes (the plan already turned each
    create + delete pair it could into an update of the doomed slice)."""
    for slice_ in [*plan.create, *plan.update]:
        store.put("EndpointSlice", slice_)
    for slice_ in plan.delete:
        store.remove("EndpointSlice", ns, slice_["metadata"]["name"])
