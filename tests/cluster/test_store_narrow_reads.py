"""A write reads only what it touches (one object by name, a Service's slices, the pods a selector
or an owner picks, pending pods, named nodes); the controllers then give exactly the objects and
events they give when every kind is read whole. Random sequences of changes run twice, on twin
sandboxes with the same seeds: once with narrowed reads, once reading everything; the events
must be the same, and a full resync of the result must change nothing. Reading everything also
turns off the controllers' delta paths (Endpoints and slices patched from the changed pods), so
the same runs with tiny slices and a tiny Endpoints capacity compare those with whole syncs."""

from __future__ import annotations

import copy
import datetime
import re
import uuid

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cluster.controllers import endpoints as endpoints_controller
from cluster.errors import ApiError
from cluster.models import Cluster, Event, LabelPair, OwnerReference, SliceEndpoint
from cluster.presets import node_manifest, service_manifest
from cluster.selectors import object_list
from cluster.services.objects import create_in, delete_in, update_in
from cluster.services.writing import writing
from cluster.sim.endpoints import endpoints as endpoints_module
from cluster.sim.endpoints import endpoints_delta
from cluster.sim.objects import MANAGED_BY_LABEL, SERVICE_NAME_LABEL, SLICE_CONTROLLER, pod_ready
from cluster.sim.workloads.workloads import container, workload_manifest
from cluster.store import Store
from cluster.store_index import OWNED_KINDS, PAIRED_KINDS, derived_rows

APPS = ("a", "b")
PODS = ("p0", "p1", "p2", "p3")
SERVICES = ("s0", "s1", "s2")
UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")

labels = st.fixed_dictionaries({}, optional={"app": st.sampled_from(APPS), "tier": st.just("x")})
selector = st.one_of(st.none(), st.fixed_dictionaries({"app": st.sampled_from(APPS)}),
                     st.just({"tier": "x"}), st.just({"app": "a", "tier": "x"}))
op = st.one_of(
    st.tuples(st.just("deployment"), st.sampled_from(APPS), st.integers(0, 4)),
    st.tuples(st.just("scale"), st.sampled_from(APPS), st.integers(0, 4)),
    st.tuples(st.just("delete_deployment"), st.sampled_from(APPS)),
    st.tuples(st.just("pod"), st.sampled_from(PODS), labels),
    st.tuples(st.just("relabel"), st.sampled_from(PODS), labels),
    st.tuples(st.just("delete_pod"), st.integers(0, 20)),
    st.tuples(st.just("flip"), st.integers(0, 20)),
    st.tuples(st.just("service"), st.sampled_from(SERVICES), selector),
    st.tuples(st.just("reselect"), st.sampled_from(SERVICES), selector),
    st.tuples(st.just("delete_service"), st.sampled_from(SERVICES)),
    st.tuples(st.just("node"), st.integers(4, 5)),
    st.tuples(st.just("delete_node"), st.integers(1, 5)),
)


def _pod(name: str, pod_labels: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default",
                                                              "labels": dict(pod_labels)},
            "spec": {"containers": [container("web", "luksa/kubia", 8080)]}}


def _nth_pod(store: Store, index: int) -> str | None:
    names = sorted(p["metadata"]["name"] for p in store.list("Pod", "default"))
    return names[index % len(names)] if names else None


def _apply(store: Store, step: tuple) -> None:
    kind, *args = step
    if kind == "deployment":
        app, replicas = args
        create_in(store, workload_manifest("Deployment", f"d-{app}", replicas=replicas, labels={"app": app},
                                           containers=[container("web", "luksa/kubia", 8080)]))
    elif kind == "scale":
        app, replicas = args
        update_in(store, "Deployment", "default", f"d-{app}",
                  lambda d: {**d, "spec": {**d["spec"], "replicas": replicas}})
    elif kind == "delete_deployment":
        delete_in(store, "Deployment", "default", f"d-{args[0]}")
    elif kind == "pod":
        create_in(store, _pod(*args))
    elif kind == "relabel":
        name, new_labels = args

        def relabel(pod: dict) -> dict:
            pod["metadata"]["labels"] = dict(new_labels)
            return pod

        update_in(store, "Pod", "default", name, relabel)
    elif kind in ("delete_pod", "flip"):
        name = _nth_pod(store, args[0])
        if name is None:
            return
        if kind == "delete_pod":
            delete_in(store, "Pod", "default", name)
            return
        pod = store.get("Pod", "default", name)
        value = "False" if pod_ready(pod) else "True"
        for cond in (pod.get("status") or {}).get("conditions") or []:
            if cond.get("type") in ("Ready", "ContainersReady"):
                cond["status"] = value
        store.put("Pod", pod)
    elif kind == "service":
        name, sel = args
        create_in(store, service_manifest(name, selector=sel))
    elif kind == "reselect":
        name, sel = args

        def reselect(svc: dict) -> dict:
            svc["spec"].pop("selector", None)
            if sel:
                svc["spec"]["selector"] = dict(sel)
            return svc

        update_in(store, "Service", "default", name, reselect)
    elif kind == "delete_service":
        delete_in(store, "Service", "default", args[0])
    elif kind == "node":
        create_in(store, node_manifest(args[0]))
    elif kind == "delete_node":
        delete_in(store, "Node", "", f"node-{args[0]}")


def _sandbox(seed: int, per_slice: int = 100) -> Cluster:
    cluster = Cluster.objects.create(name=f"narrow-{uuid.uuid4().hex[:12]}", max_endpoints_per_slice=per_slice)
    with writing(cluster, seed=seed) as store:
        create_in(store, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
        for i in (1, 2, 3):
            create_in(store, node_manifest(i))
    return cluster


def _run(cluster: Cluster, step: tuple, seed: int, *, whole: bool, monkeypatch) -> str:
    monkeypatch.setattr(Store, "load_whole", whole)
    # Both twins write at the same instant: a scale-down removes the newest pods first, and a
    # second ticking over between the twins' writes would make their ages differ.
    monkeypatch.setattr(timezone, "now", lambda: EPOCH + datetime.timedelta(seconds=seed))
    try:
        with writing(cluster, seed=seed) as store:
            _apply(store, step)
    except ApiError as error:
        return f"refused {error.status.get('reason')}"
    return "ok"


def _normal(cluster: Cluster, after: int) -> list:
    """The events after `after`, with UIDs numbered in order of appearance and times dropped."""
    seen: dict[str, str] = {}
    out = []
    for event in Event.objects.filter(cluster=cluster, seq__gt=after).order_by("seq"):
        text = repr((event.seq - after, event.type, event.kind, event.namespace, event.name, event.object))
        text = TIME.sub("T", UID.sub(lambda m: seen.setdefault(m.group(0), f"uid{len(seen)}"), text))
        out.append(text)
    return out


def _slice_invariants(cluster: Cluster) -> None:
    """Every slice the controller manages belongs to a Service, holds at most
    maxEndpointsPerSlice endpoints, and no endpoint is in two slices of one Service with a
    selector. (Upstream's syncService returns early for a Service whose selector was removed,
    leaving the slices it had made: only a Service with a selector has its slices kept right.)"""
    services = {s["metadata"]["name"]: s for s in object_list(cluster=cluster, kind="Service")}
    seen: dict[str, set] = {}
    for slice_ in object_list(cluster=cluster, kind="EndpointSlice"):
        labels_ = slice_["metadata"].get("labels") or {}
        if labels_.get(MANAGED_BY_LABEL) != SLICE_CONTROLLER:
            continue
        owner = labels_[SERVICE_NAME_LABEL]
        assert owner in services, owner
        if not (services[owner].get("spec") or {}).get("selector"):
            continue
        endpoints = slice_.get("endpoints") or []
        assert len(endpoints) <= cluster.max_endpoints_per_slice
        for endpoint in endpoints:
            key = (endpoint["addresses"][0], slice_["addressType"])
            assert key not in seen.setdefault(owner, set()), (owner, key)
            seen[owner].add(key)


def _index_rows(cluster: Cluster) -> tuple[list, list]:
    """The label, owner and slice-membership rows stored, and those the stored bodies make."""
    def key(row) -> tuple:
        return (type(row).__name__, *(getattr(row, field.attname) for field in row._meta.concrete_fields
                                      if field.attname not in ("id", "cluster_id")))

    stored = [key(row) for model in (LabelPair, OwnerReference, SliceEndpoint)
              for row in model.objects.filter(cluster=cluster)]
    made = [key(row) for kind in dict.fromkeys((*PAIRED_KINDS, *OWNED_KINDS))
            for obj in object_list(cluster=cluster, kind=kind)
            for row in derived_rows(cluster, kind, obj)]
    return sorted(stored), sorted(made)


def _compare(steps: list, seed: int, monkeypatch, *, per_slice: int = 100) -> None:
    narrow, whole = _sandbox(seed, per_slice), _sandbox(seed, per_slice)
    start_narrow, start_whole = narrow.resource_version, whole.resource_version
    for index, step in enumerate(steps):
        step = copy.deepcopy(step)
        outcome = _run(narrow, step, seed + index, whole=False, monkeypatch=monkeypatch)
        assert outcome == _run(whole, step, seed + index, whole=True, monkeypatch=monkeypatch), step
        narrow.refresh_from_db()
        whole.refresh_from_db()
        assert _normal(narrow, start_narrow) == _normal(whole, start_whole), steps[: index + 1]
        _slice_invariants(narrow)
        stored, made = _index_rows(narrow)
        assert stored == made, steps[: index + 1]
    # What the controllers left is what a full recompute over everything leaves: a resync changes nothing.
    before = narrow.resource_version
    monkeypatch.setattr(Store, "load_whole", True)
    with writing(narrow, resync_all=True):
        pass
    narrow.refresh_from_db()
    assert narrow.resource_version == before
    monkeypatch.setattr(Store, "load_whole", False)
    narrow.delete()
    whole.delete()


def _tiny_endpoints(monkeypatch) -> None:
    """Endpoints objects truncate at 3 addresses, so that a few pods exercise the over-capacity paths."""
    monkeypatch.setattr(endpoints_module, "MAX_ENDPOINTS", 3)
    monkeypatch.setattr(endpoints_delta, "MAX_ENDPOINTS", 3)


@pytest.mark.django_db(transaction=False)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(op, min_size=1, max_size=12), seed=st.integers(0, 2**16))
def test_narrowed_reads_give_the_same_objects_and_events_as_reading_everything(steps, seed, monkeypatch):
    _compare(steps, seed, monkeypatch)


@pytest.mark.django_db(transaction=False)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(op, min_size=1, max_size=12), seed=st.integers(0, 2**16))
def test_delta_syncs_give_the_same_objects_and_events_as_whole_syncs(steps, seed, monkeypatch):
    _tiny_endpoints(monkeypatch)
    _compare(steps, seed, monkeypatch, per_slice=2)


@pytest.mark.django_db(transaction=False)
def test_pod_changes_take_the_delta_paths_and_match_whole_syncs(monkeypatch):
    """Flips and deletes in a Deployment of 8 behind a Service, with slices of 2 and Endpoints
    truncated at 3: each one is patched from the changed pod (counted), never recomputed."""
    _tiny_endpoints(monkeypatch)
    patched = {"slices": 0, "endpoints": 0}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            result = function(*args, **kwargs)
            patched[name] += result is not None
            return result
        return wrapper

    monkeypatch.setattr(endpoints_controller, "reconcile_changed",
                        counting("slices", endpoints_controller.reconcile_changed))
    monkeypatch.setattr(endpoints_controller, "patched_endpoints",
                        counting("endpoints", endpoints_controller.patched_endpoints))
    steps = [("deployment", "a", 4), ("service", "s0", {"app": "a"}), ("scale", "a", 8),
             *[("flip", i) for i in (0, 3, 3, 5, 7)], ("delete_pod", 2), ("delete_pod", 6), ("flip", 1)]
    _compare(steps, 7, monkeypatch, per_slice=2)
    assert patched["slices"] >= 6 and patched["endpoints"] >= 6, patched
