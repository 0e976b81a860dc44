"""Property tests: random pod churn, every EndpointSlice plan applied to a simulated store.

After each sync the store must publish exactly what the real controller would, within slice
capacity, without stray empty slices, and with no more writes than the reconciler needs.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cluster.sim.endpoints.slices import reconcile_slices
from cluster.sim.objects import SERVICE_NAME_LABEL, Obj, name_of
from tests.sim.test_endpointslices import apply_plan, make_nodes, make_pod, make_service

NODES = make_nodes("node-a", "node-b", "node-c")
NODE_CHOICES = ["node-a", "node-b", "node-c", "node-gone"]  # node-gone has no Node object

# What the real controller publishes for a pod: (ip, ready, serving, terminating, nodeName, zone).
Content = tuple[str, bool, bool, bool, str, str]


def expected_endpoints(pods: dict[str, Obj], publish_not_ready: bool) -> dict[str, Content]:
    """An independent oracle for §5.3: which pods get an endpoint, and with what conditions."""
    result = {}
    for name, pod in pods.items():
        node = pod["spec"]["nodeName"]
        if pod["status"]["phase"] in ("Succeeded", "Failed") or not pod["status"]["podIP"]:
            continue
        if node not in NODES and not publish_not_ready:
            continue
        serving = pod["status"]["conditions"][0]["status"] == "True"
        terminating = "deletionTimestamp" in pod["metadata"]
        ready = publish_not_ready or (serving and not terminating)
        zone = NODES[node]["metadata"]["labels"]["topology.kubernetes.io/zone"] if node in NODES else ""
        result[name] = (pod["status"]["podIP"], ready, serving, terminating, node, zone)
    return result


def published(endpoint: Obj) -> Content:
    c = endpoint["conditions"]
    return (
        endpoint["addresses"][0],
        c["ready"],
        c["serving"],
        c["terminating"],
        endpoint.get("nodeName", ""),
        endpoint.get("zone", ""),
    )


# --- Operations --------------------------------------------------------------------------------------


@dataclass
class World:
    publish_not_ready: bool
    pods: dict[str, Obj] = field(default_factory=dict)
    next_index: int = 0

    def pick(self, selector: int) -> Obj | None:
        names = sorted(self.pods)
        return self.pods[names[selector % len(names)]] if names else None


def add_batch(world: World, count: int, ready: bool, node: int) -> None:
    for _ in range(count):
        pod = make_pod(world.next_index, ready=ready, node=NODE_CHOICES[node % len(NODE_CHOICES)])
        world.pods[name_of(pod)] = pod
        world.next_index += 1


def remove(world: World, selector: int) -> None:
    pod = world.pick(selector)
    if pod is not None:
        del world.pods[name_of(pod)]


def set_ready(world: World, selector: int, ready: bool) -> None:
    pod = world.pick(selector)
    if pod is not None:
        pod["status"]["conditions"] = [{"type": "Ready", "status": "True" if ready else "False"}]


def start_terminating(world: World, selector: int) -> None:
    pod = world.pick(selector)
    if pod is not None:
        pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"


def finish(world: World, selector: int) -> None:
    pod = world.pick(selector)
    if pod is not None:
        pod["status"]["phase"] = "Succeeded"


def change_node(world: World, selector: int, node: int) -> None:
    pod = world.pick(selector)
    if pod is not None:
        pod["spec"]["nodeName"] = NODE_CHOICES[node % len(NODE_CHOICES)]


selectors = st.integers(0, 10_000)
operations = st.one_of(
    st.tuples(st.just(add_batch), st.integers(1, 25), st.booleans(), st.integers(0, 7)),
    st.tuples(st.just(remove), selectors),
    st.tuples(st.just(set_ready), selectors, st.booleans()),
    st.tuples(st.just(start_terminating), selectors),
    st.tuples(st.just(finish), selectors),
    st.tuples(st.just(change_node), selectors, st.integers(0, 3)),
)
# Each step is a batch of operations seen by one sync (the controller often sees several events).
steps = st.lists(st.lists(operations, min_size=0, max_size=4), min_size=1, max_size=12)


# --- Invariants --------------------------------------------------------------------------------------


def write_bound(store: dict[str, Obj], expected: dict[str, Content], max_per_slice: int) -> int:
    """Upper bound on the writes one sync of the real reconciler needs.

    Step 1 writes (update or delete) only slices holding an endpoint that vanished or changed:
    one write each. Steps 2-3 place the brand-new endpoints: refills ride on those writes, and
    each further write (a closest-fit update or a create) takes `max` endpoints, except the last
    one, which takes all that remain: ceil(new / max). At most one placeholder is added, and
    finalize only merges a create with a delete, never adding writes. Hence the sum below.
    """
    present: set[str] = set()
    dirty_slices = 0
    for endpoint_slice in store.values():
        names = {e["targetRef"]["name"]: published(e) for e in endpoint_slice["endpoints"]}
        present |= names.keys()
        if any(expected.get(n) != content for n, content in names.items()):
            dirty_slices += 1
    new = len(expected.keys() - present)
    return dirty_slices + math.ceil(new / max_per_slice) + 1


def check_store(store: dict[str, Obj], expected: dict[str, Content], max_per_slice: int) -> None:
    seen: dict[str, Content] = {}
    placeholders = 0
    for endpoint_slice in store.values():
        assert endpoint_slice["metadata"]["labels"][SERVICE_NAME_LABEL] == "web"
        assert len(endpoint_slice["endpoints"]) <= max_per_slice, "slice over capacity"
        if not endpoint_slice["endpoints"]:
            assert endpoint_slice["ports"] == [], "empty slice that is not a placeholder"
            placeholders += 1
        for endpoint in endpoint_slice["endpoints"]:
            pod_name = endpoint["targetRef"]["name"]
            assert pod_name not in seen, f"{pod_name} is in two slices"
            seen[pod_name] = published(endpoint)
    assert seen == expected, "published endpoints differ from what the controller would publish"
    assert placeholders <= 1, "more than one placeholder"
    if placeholders:
        assert not expected and len(store) == 1, "placeholder next to real endpoints"
    if not expected:
        assert placeholders == 1, "a service without endpoints keeps exactly one placeholder"


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=steps,
    max_per_slice=st.integers(1, 10),
    publish_not_ready=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_slices_track_pods_exactly_with_bounded_writes(
    steps: list[list[tuple]], max_per_slice: int, publish_not_ready: bool, seed: int
) -> None:
    world = World(publish_not_ready)
    service = make_service(publishNotReadyAddresses=publish_not_ready)
    store: dict[str, Obj] = {}
    rng = random.Random(seed)
    previous: dict[str, Content] | None = None

    for batch in [*steps, []]:  # a final empty batch: a sync with nothing new must write nothing
        for operation, *args in batch:
            operation(world, *args)
        expected = expected_endpoints(world.pods, publish_not_ready)
        bound = write_bound(store, expected, max_per_slice)
        plan = reconcile_slices(
            service,
            list(world.pods.values()),
            NODES,
            list(store.values()),
            max_per_slice=max_per_slice,
            rng=rng,
        )
        apply_plan(store, plan)

        check_store(store, expected, max_per_slice)
        assert plan.writes <= bound, f"{plan.writes} writes, bound {bound}"
        if previous is not None and expected == previous:
            assert plan.empty, "no change, yet the reconciler wrote"
        previous = expected
