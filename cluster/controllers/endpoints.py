"""The Endpoints, EndpointSlice and EndpointSlice-mirroring controllers: one sync per Service."""

from __future__ import annotations

from functools import partial

from django.db.models import Q

from cluster.sim.endpoints.endpoints import desired_endpoints, endpoints_differ
from cluster.sim.endpoints.endpoints_delta import patched_endpoints
from cluster.sim.endpoints.slices import SlicePlan, mirror_endpoints, reconcile_slices
from cluster.sim.endpoints.slices_delta import SliceSize, reconcile_changed
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
from cluster.store import Change, Key, Store, rfc3339


def sync_endpoints(store: Store, changes: list[Change], *, resync_all: bool = False) -> None:
    affected = _affected_services(store, changes, resync_all)
    for ns, name in sorted(affected):
        service = store.peek("Service", ns, name)
        if service is None:
            _forget_service(store, ns, name)
        elif (service.get("spec") or {}).get("selector"):
            _sync_selected(store, service, affected[(ns, name)])
        else:
            _sync_mirrored(store, ns, name)


def _affected_services(store: Store, changes: list[Change], resync_all: bool) -> dict[Key, set[str] | None]:
    """The Services to sync, each with the names of its pods that changed (None: sync it whole,
    as after a change of the Service itself, of its Endpoints, or of a node)."""
    if resync_all or any(c.kind == "Node" for c in changes):
        return {(s["metadata"]["namespace"], s["metadata"]["name"]): None for s in store.list("Service")}
    affected: dict[Key, set[str] | None] = {}
    selecting: dict[tuple[str, tuple], set[str]] = {}  # pods of one workload share their labels
    for change in changes:
        meta = change.obj["metadata"]
        ns = meta.get("namespace", "")
        if change.kind == "Endpoints" or (change.kind == "Service" and _feeds_endpoints(change)):
            affected[(ns, meta["name"])] = None
        elif change.kind == "EndpointSlice":
            # A controller's slice written or deleted by someone else: that controller puts its
            # Service's slices back. A slice of no Service is left to garbage collection, as upstream.
            for side in (change.old, change.new):
                labels = labels_of(side) if side is not None else {}
                service = labels.get(SERVICE_NAME_LABEL)
                if labels.get(MANAGED_BY_LABEL) in (SLICE_CONTROLLER, MIRROR_CONTROLLER) and service \
                        and store.peek("Service", ns, service) is not None:
                    affected[(ns, service)] = None
        elif change.kind == "Pod":
            for side in (change.old, change.new):
                if side is None:
                    continue
                labels = labels_of(side)
                memo = (ns, tuple(sorted(labels.items())))
                if memo not in selecting:
                    selecting[memo] = store.selecting(ns, labels)
                for name in selecting[memo]:
                    pods = affected.setdefault((ns, name), set())
                    if pods is not None:
                        pods.add(meta["name"])
    return affected


def _feeds_endpoints(change: Change) -> bool:
    """Whether a Service change can change its Endpoints or slices: they are made of its spec,
    labels and the rest of its metadata, never of its annotations (the sync would write nothing)."""
    if change.old is None or change.new is None:
        return True
    return _endpoint_inputs(change.old) != _endpoint_inputs(change.new)


def _endpoint_inputs(service: Obj) -> tuple:
    meta = {k: v for k, v in service["metadata"].items()
            if k not in ("annotations", "resourceVersion", "managedFields")}
    return meta, service.get("spec")


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


def _sync_selected(store: Store, service: Obj, changed: set[str] | None) -> None:
    """Endpoints, then slices. With `changed`, from those pods and the objects holding them
    (endpoints_delta, slices_delta), unless the shape of the sync needs every pod."""
    ns, name = service["metadata"]["namespace"], service["metadata"]["name"]
    existing = store.peek("Endpoints", ns, name)
    pods = None
    if changed is not None and not store.load_whole:
        pods = [pod for pod in (store.peek("Pod", ns, pod_name) for pod_name in sorted(changed)) if pod]
        desired = patched_endpoints(service, existing, changed, pods, trigger_time=rfc3339(store.now),
                                    after=partial(_ready_pods_after, store, service))
        if desired is None:
            pods = None
    if pods is None:
        pods = _selected_pods(store, service)
        desired = desired_endpoints(service, pods, trigger_time=rfc3339(store.now))
    if desired is not None and desired is not existing and endpoints_differ(existing, desired):
        if existing is not None:
            desired["metadata"]["uid"] = existing["metadata"]["uid"]
            desired["metadata"]["creationTimestamp"] = existing["metadata"]["creationTimestamp"]
        store.put("Endpoints", desired)
    plan = _changed_slices(store, service, changed, pods) if changed is not None and not store.load_whole else None
    if plan is None:
        if changed is not None:
            pods = _selected_pods(store, service)
        plan = reconcile_slices(
            service, pods, store.nodes_named(map(pod_node, pods)), _slices_of(store, ns, name, SLICE_CONTROLLER),
            max_per_slice=store.settings.max_endpoints_per_slice, rng=store.rng,
            taken_names=store.names("EndpointSlice", ns),
        )
    _apply(store, ns, plan)


def _ready_pods_after(store: Store, service: Obj, ip: str, limit: int) -> list[Obj]:
    selector = (service.get("spec") or {}).get("selector")
    return store.ready_pods_after(service["metadata"]["namespace"], selector, ip, limit)


def _changed_slices(store: Store, service: Obj, changed: set[str], pods: list[Obj]) -> SlicePlan | None:
    """slices_delta.reconcile_changed over the slices holding the changed pods' endpoints and
    the sizes of the Service's other slices (None when this transaction wrote one of them)."""
    ns, name = service["metadata"]["namespace"], service["metadata"]["name"]
    pods = [pod for pod in pods if pod["metadata"]["name"] in changed]
    sizes = store.slice_sizes(ns, name, SLICE_CONTROLLER)
    if sizes is None:
        return None
    holding = store.slices_holding(ns, changed) & set(sizes)
    held = [store.peek("EndpointSlice", ns, slice_name) for slice_name in sorted(holding)]
    others = [SliceSize(n, uid, address_type, count) for n, (uid, address_type, count) in sizes.items()
              if n not in holding]

    def load(slice_name: str) -> Obj | None:
        return store.peek("EndpointSlice", ns, slice_name)

    if None in held:
        return None
    return reconcile_changed(
        service, changed, pods, store.nodes_named(map(pod_node, pods)), held, others, load=load,
        max_per_slice=store.settings.max_endpoints_per_slice, rng=store.rng,
        taken_names=store.names("EndpointSlice", ns),
    )


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
