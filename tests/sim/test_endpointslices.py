"""EndpointSlice controller and mirroring: reference §11 cases 26-37 and the rules of §5.

The builders at the top are shared with test_endpoints.py and test_endpointslice_properties.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from cluster.sim.api.names import (
    SUFFIX_ALPHABET,
    generate_name,
    random_suffix,
    slice_prefix,
)
from cluster.sim.endpoints.slices import (
    SlicePlan,
    desired_slice_endpoints,
    is_placeholder,
    max_endpoints_per_slice_error,
    mirror_endpoints,
    reconcile_slices,
)
from cluster.sim.objects import (
    HEADLESS_LABEL,
    MANAGED_BY_LABEL,
    MIRROR_CONTROLLER,
    SERVICE_NAME_LABEL,
    SLICE_CONTROLLER,
    Obj,
    name_of,
)

# --- Builders ------------------------------------------------------------------------------------

NAMESPACE = "default"
HTTP_PORT = {"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}


def pod_ip(index: int) -> str:
    return f"10.244.{index // 250}.{index % 250 + 1}"


def make_pod(
    index: int,
    *,
    ready: bool = True,
    node: str = "node-a",
    labels: dict[str, str] | None = None,
    container_ports: list[Obj] | None = None,
    phase: str = "Running",
    terminating: bool = False,
    ip: str | None = None,
    **spec: Any,
) -> Obj:
    """Pod `web-<index>` with a deterministic IP; extra keyword arguments go into spec."""
    pod: Obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"web-{index:05d}",
            "namespace": NAMESPACE,
            "uid": f"pod-uid-{index:05d}",
            "labels": {"app": "web"} if labels is None else labels,
        },
        "spec": {
            "nodeName": node,
            "containers": [{"name": "app", "ports": container_ports or [{"containerPort": 8080}]}],
            **spec,
        },
        "status": {
            "phase": phase,
            "podIP": pod_ip(index) if ip is None else ip,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }
    if terminating:
        pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return pod


def make_service(
    name: str = "web",
    *,
    ports: list[Obj] | None = None,
    selector: dict[str, str] | None = None,
    cluster_ip: str = "10.96.0.10",
    labels: dict[str, str] | None = None,
    **spec: Any,
) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": NAMESPACE, "uid": f"{name}-uid", "labels": labels or {}},
        "spec": {
            "selector": {"app": "web"} if selector is None else selector,
            "ports": [HTTP_PORT] if ports is None else ports,
            "clusterIP": cluster_ip,
            "type": "ClusterIP",
            "ipFamilies": ["IPv4"],
            **spec,
        },
    }


def make_nodes(*names: str) -> dict[str, Obj]:
    names = names or ("node-a", "node-b")
    return {
        n: {"metadata": {"name": n, "labels": {"topology.kubernetes.io/zone": f"zone-{n[-1]}"}}}
        for n in names
    }


def apply_plan(store: dict[str, Obj], plan: SlicePlan) -> None:
    """Apply a plan like the apiserver would, refusing impossible writes."""
    for created in plan.create:
        assert name_of(created) not in store, "create reused an existing name"
        store[name_of(created)] = created
    for updated in plan.update:
        assert name_of(updated) in store, "update of a missing slice"
        store[name_of(updated)] = updated
    for deleted in plan.delete:
        assert store.pop(name_of(deleted), None) is not None, "delete of a missing slice"


class Cluster:
    """A namespace with one service, its pods and a slice store; `sync()` runs one reconcile."""

    def __init__(
        self, service: Obj | None = None, max_per_slice: int = 100, nodes: dict[str, Obj] | None = None
    ):
        self.service = service or make_service()
        self.max_per_slice = max_per_slice
        self.nodes = make_nodes() if nodes is None else nodes
        self.pods: dict[str, Obj] = {}
        self.slices: dict[str, Obj] = {}
        self.rng = random.Random(7)
        self.next_index = 0

    def add(self, count: int, **pod_fields: Any) -> list[Obj]:
        added = [make_pod(self.next_index + i, **pod_fields) for i in range(count)]
        self.next_index += count
        self.pods.update((name_of(p), p) for p in added)
        return added

    def remove(self, names: list[str]) -> None:
        for name in names:
            del self.pods[name]

    def sync(self, **kwargs: Any) -> SlicePlan:
        plan = reconcile_slices(
            self.service,
            list(self.pods.values()),
            self.nodes,
            list(self.slices.values()),
            max_per_slice=self.max_per_slice,
            rng=self.rng,
            **kwargs,
        )
        apply_plan(self.slices, plan)
        return plan

    def sizes(self) -> list[int]:
        return sorted((len(s["endpoints"]) for s in self.slices.values()), reverse=True)

    def slice_of_size(self, size: int) -> Obj:
        return next(s for s in self.slices.values() if len(s["endpoints"]) == size)

    def pods_in(self, endpoint_slice: Obj) -> list[str]:
        return [e["targetRef"]["name"] for e in endpoint_slice["endpoints"]]


def writes(plan: SlicePlan) -> tuple[int, int, int]:
    return len(plan.create), len(plan.update), len(plan.delete)


# --- §11 cases 26-31, 35, 36: how endpoints are laid out over slices --------------------------------

Step = Callable[[Cluster], object]


def add(count: int, **pod_fields: Any) -> Step:
    return lambda c: c.add(count, **pod_fields)


def sync() -> Step:
    return lambda c: c.sync()


def remove_from_slice(size: int, count: int) -> Step:
    return lambda c: c.remove(c.pods_in(c.slice_of_size(size))[:count])


def remove_all() -> Step:
    return lambda c: c.remove(list(c.pods))


LAYOUT_CASES = [
    # id, steps (the last one is always a sync), sizes after, (creates, updates, deletes) of the last sync
    pytest.param([add(250), sync()], [100, 100, 50], (3, 0, 0), id="26-fresh-250-pods"),
    pytest.param([sync()], [0], (1, 0, 0), id="27-no-pods-one-placeholder"),
    pytest.param([add(99), sync(), add(2), sync()], [99, 2], (1, 0, 0), id="28-99-to-101-one-sync"),
    pytest.param(
        [add(99), sync(), add(1), sync(), add(1), sync()], [100, 1], (1, 0, 0), id="28-99-to-101-one-by-one"
    ),
    pytest.param(
        [add(101), sync(), remove_from_slice(1, 1), sync()], [100], (0, 0, 1), id="29-delete-pod-of-1-slice"
    ),
    pytest.param(
        [add(101), sync(), remove_from_slice(100, 1), sync()],
        [99, 1],
        (0, 1, 0),
        id="29-delete-pod-of-100-slice",
    ),
    pytest.param(
        [add(250), sync(), remove_from_slice(100, 30), sync(), add(20), sync()],
        [100, 90, 50],
        (0, 1, 0),
        id="30-closest-fit-70-to-90",
    ),
    pytest.param(
        [add(3), sync(), remove_all(), sync()], [0], (0, 1, 0), id="31-scale-to-zero-becomes-placeholder"
    ),
    pytest.param([add(1200), sync()], [100] * 12, (12, 0, 0), id="35-1200-pods-12-slices"),
    pytest.param(
        [add(900), add(300, ready=False), sync()], [100] * 12, (12, 0, 0), id="36-900-ready-300-not-ready"
    ),
    pytest.param([add(3), sync(), add(3), sync()], [6], (0, 1, 0), id="small-remainder-fills-existing"),
    pytest.param(
        [add(100), sync(), remove_from_slice(100, 5), add(5), sync()],
        [100],
        (0, 1, 0),
        id="churn-refills-the-updated-slice",
    ),
]


@pytest.mark.parametrize(("steps", "sizes", "last_writes"), LAYOUT_CASES)
def test_slice_layout(steps: list[Step], sizes: list[int], last_writes: tuple[int, int, int]) -> None:
    cluster = Cluster()
    plan = SlicePlan()
    for step in steps:
        result = step(cluster)
        if isinstance(result, SlicePlan):
            plan = result
    assert cluster.sizes() == sizes
    assert writes(plan) == last_writes
    assert cluster.sync().empty, "a second sync without changes must not write"


def test_case_27_no_pods_gives_one_placeholder_and_keeps_it() -> None:
    cluster = Cluster()
    assert writes(cluster.sync()) == (1, 0, 0)
    (placeholder,) = cluster.slices.values()
    assert placeholder["ports"] == [] and placeholder["endpoints"] == []
    assert is_placeholder(placeholder)
    assert cluster.sync().empty


def test_case_30_fills_the_70_slice_not_a_new_one() -> None:
    cluster = Cluster()
    cluster.add(250)
    cluster.sync()
    cluster.remove(cluster.pods_in(cluster.slice_of_size(100))[:30])
    cluster.sync()
    seventy = name_of(cluster.slice_of_size(70))
    cluster.add(20)
    plan = cluster.sync()
    assert [name_of(s) for s in plan.update] == [seventy]
    assert len(cluster.slices[seventy]["endpoints"]) == 90


def test_case_31_scale_to_zero_turns_the_slice_into_the_placeholder() -> None:
    cluster = Cluster()
    cluster.add(3)
    cluster.sync()
    (name,) = cluster.slices
    cluster.remove(list(cluster.pods))
    plan = cluster.sync()
    assert writes(plan) == (0, 1, 0)
    assert list(cluster.slices) == [name]
    assert is_placeholder(cluster.slices[name])


def test_scale_back_up_reuses_the_placeholder_name() -> None:
    cluster = Cluster()
    cluster.sync()
    (placeholder,) = cluster.slices
    cluster.add(150)
    plan = cluster.sync()
    assert writes(plan) == (1, 1, 0)
    assert placeholder in cluster.slices and cluster.sizes() == [100, 50]


def test_scale_to_zero_with_several_slices_keeps_one_name() -> None:
    cluster = Cluster()
    cluster.add(250)
    cluster.sync()
    before = set(cluster.slices)
    cluster.remove(list(cluster.pods))
    plan = cluster.sync()
    assert writes(plan) == (0, 1, 2)
    (kept,) = cluster.slices
    assert kept in before and is_placeholder(cluster.slices[kept])


# --- §11 cases 32-34: what the endpoints say ---------------------------------------------------------


def named_port_pods() -> list[Obj]:
    return [
        make_pod(0, container_ports=[{"name": "http", "containerPort": 8080}]),
        make_pod(1, container_ports=[{"name": "http", "containerPort": 8080}]),
        make_pod(2, container_ports=[{"name": "http", "containerPort": 9090}]),
    ]


def conditions(pod_name: str, ready: bool, serving: bool, terminating: bool) -> tuple[str, bool, bool, bool]:
    return (pod_name, ready, serving, terminating)


CONTENT_CASES = [
    pytest.param(
        make_service(ports=[{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]),
        named_port_pods(),
        {
            8080: [conditions("web-00000", True, True, False), conditions("web-00001", True, True, False)],
            9090: [conditions("web-00002", True, True, False)],
        },
        id="32-named-port-splits-slices",
    ),
    pytest.param(
        make_service(),
        [make_pod(0), make_pod(1, ready=False), make_pod(2)],
        {
            8080: [
                conditions("web-00000", True, True, False),
                conditions("web-00001", False, False, False),
                conditions("web-00002", True, True, False),
            ]
        },
        id="33-not-ready-pod-listed-not-ready",
    ),
    pytest.param(
        make_service(),
        [make_pod(0), make_pod(1, terminating=True), make_pod(2, ready=False, terminating=True)],
        {
            8080: [
                conditions("web-00000", True, True, False),
                conditions("web-00001", False, True, True),
                conditions("web-00002", False, False, True),
            ]
        },
        id="34-terminating-pods-stay",
    ),
    pytest.param(
        make_service(publishNotReadyAddresses=True),
        [make_pod(0, ready=False), make_pod(1, terminating=True), make_pod(2, node="gone")],
        {
            8080: [
                conditions("web-00000", True, False, False),
                conditions("web-00001", True, True, True),
                conditions("web-00002", True, True, False),
            ]
        },
        id="publish-not-ready-addresses",
    ),
    pytest.param(
        make_service(),
        [make_pod(0), make_pod(1, node="gone"), make_pod(2, phase="Succeeded"), make_pod(3, ip="")],
        {8080: [conditions("web-00000", True, True, False)]},
        id="skips-missing-node-terminal-and-ipless-pods",
    ),
    pytest.param(
        make_service(),
        [make_pod(0), make_pod(1, labels={"app": "other"})],
        {8080: [conditions("web-00000", True, True, False)]},
        id="selector-filters-pods",
    ),
]


@pytest.mark.parametrize(("service", "pods", "expected"), CONTENT_CASES)
def test_slice_content(
    service: Obj, pods: list[Obj], expected: dict[int, list[tuple[str, bool, bool, bool]]]
) -> None:
    cluster = Cluster(service)
    cluster.pods = {name_of(p): p for p in pods}
    cluster.sync()
    found = {}
    for endpoint_slice in cluster.slices.values():
        (port,) = endpoint_slice["ports"]
        found[port["port"]] = sorted(
            (e["targetRef"]["name"], *(e["conditions"][c] for c in ("ready", "serving", "terminating")))
            for e in endpoint_slice["endpoints"]
        )
    assert found == expected


def test_endpoint_carries_address_node_zone_and_target_ref() -> None:
    pod = make_pod(4, node="node-b")
    groups = desired_slice_endpoints(make_service(), [pod], make_nodes())
    ((ports, (endpoint,)),) = groups.values()
    assert ports == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert endpoint == {
        "addresses": [pod_ip(4)],
        "conditions": {"ready": True, "serving": True, "terminating": False},
        "targetRef": {"kind": "Pod", "namespace": NAMESPACE, "name": "web-00004", "uid": "pod-uid-00004"},
        "nodeName": "node-b",
        "zone": "zone-b",
    }


@pytest.mark.parametrize(
    ("subdomain", "has_hostname"),
    [("web", True), ("other", False), (None, False)],
    ids=["match", "other", "none"],
)
def test_hostname_only_when_subdomain_is_the_service(subdomain: str | None, has_hostname: bool) -> None:
    spec = {"hostname": "web-0"} | ({"subdomain": subdomain} if subdomain else {})
    groups = desired_slice_endpoints(make_service(cluster_ip="None"), [make_pod(0, **spec)], make_nodes())
    ((_, (endpoint,)),) = groups.values()
    assert ("hostname" in endpoint) is has_hostname


# --- Object shape, names, labels ---------------------------------------------------------------------


def test_new_slice_shape() -> None:
    cluster = Cluster(make_service(labels={"team": "a"}))
    cluster.add(1)
    (created,) = cluster.sync(trigger_time="2026-01-01T00:00:00.5Z").create
    meta = created["metadata"]
    assert created["apiVersion"] == "discovery.k8s.io/v1" and created["kind"] == "EndpointSlice"
    assert created["addressType"] == "IPv4"
    assert meta["generateName"] == "web-"
    assert meta["name"].startswith("web-") and len(meta["name"]) == 9
    assert set(meta["name"][4:]) <= set(SUFFIX_ALPHABET)
    assert meta["namespace"] == NAMESPACE
    assert meta["labels"] == {
        "team": "a",
        SERVICE_NAME_LABEL: "web",
        MANAGED_BY_LABEL: SLICE_CONTROLLER,
    }
    assert meta["ownerReferences"] == [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "name": "web",
            "uid": "web-uid",
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert meta["annotations"] == {
        "endpoints.kubernetes.io/last-change-trigger-time": "2026-01-01T00:00:00.5Z"
    }


@pytest.mark.parametrize(
    "ports",
    [
        [{"port": 80, "targetPort": 8080}],
        [{"name": "", "port": 80, "targetPort": 8080, "protocol": "UDP"}],
        [
            {"name": "http", "port": 80, "targetPort": 8080},
            {"name": "metrics", "port": 9100, "targetPort": 9100},
        ],
    ],
    ids=["unnamed-no-protocol", "empty-name-udp", "two-named"],
)
def test_slice_ports_always_have_name_port_protocol(ports: list[Obj]) -> None:
    cluster = Cluster(make_service(ports=ports))
    cluster.add(2)
    cluster.sync()
    (endpoint_slice,) = cluster.slices.values()
    assert len(endpoint_slice["ports"]) == len(ports)
    for item in endpoint_slice["ports"]:
        assert set(item) == {"name", "port", "protocol"}
        assert isinstance(item["name"], str)


def test_headless_service_gets_label_and_portless_slice() -> None:
    cluster = Cluster(make_service(cluster_ip="None", ports=[]))
    cluster.add(2)
    cluster.sync()
    (endpoint_slice,) = cluster.slices.values()
    assert endpoint_slice["metadata"]["labels"][HEADLESS_LABEL] == ""
    assert endpoint_slice["ports"] == [] and len(endpoint_slice["endpoints"]) == 2
    assert cluster.sync().empty


def test_headless_service_without_ip_families_gets_ipv4_slices_only() -> None:
    service = make_service(cluster_ip="None")
    del service["spec"]["ipFamilies"]
    cluster = Cluster(service)
    cluster.add(2)
    cluster.sync()
    assert [s["addressType"] for s in cluster.slices.values()] == ["IPv4"]


def test_slices_pending_deletion_are_ignored() -> None:
    cluster = Cluster()
    cluster.add(2)
    cluster.sync()
    (endpoint_slice,) = cluster.slices.values()
    endpoint_slice["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    plan = cluster.sync()
    assert writes(plan) == (1, 0, 0)
    assert name_of(plan.create[0]) != name_of(endpoint_slice)


def test_service_label_drift_updates_every_slice_in_place() -> None:
    cluster = Cluster()
    cluster.add(150)
    cluster.sync()
    cluster.service["metadata"]["labels"] = {"tier": "frontend"}
    plan = cluster.sync()
    assert writes(plan) == (0, 2, 0)
    assert all(s["metadata"]["labels"]["tier"] == "frontend" for s in cluster.slices.values())
    assert cluster.sizes() == [100, 50]
    assert cluster.sync().empty


def test_reserved_label_tampering_is_not_drift() -> None:
    cluster = Cluster()
    cluster.add(1)
    cluster.sync()
    (endpoint_slice,) = cluster.slices.values()
    endpoint_slice["metadata"]["labels"][HEADLESS_LABEL] = ""
    assert cluster.sync().empty


def test_only_the_slice_with_the_changed_pod_is_written() -> None:
    cluster = Cluster()
    cluster.add(250)
    cluster.sync()
    cluster.pods["web-00123"] = make_pod(123, ready=False)
    plan = cluster.sync()
    assert writes(plan) == (0, 1, 0)
    assert "web-00123" in cluster.pods_in(plan.update[0])


def test_resource_version_in_target_ref_is_not_a_change() -> None:
    cluster = Cluster()
    cluster.add(2)
    cluster.sync()
    for endpoint in next(iter(cluster.slices.values()))["endpoints"]:
        endpoint["targetRef"]["resourceVersion"] = "42"
    assert cluster.sync().empty


def test_updated_slices_keep_server_fields() -> None:
    cluster = Cluster()
    cluster.add(2)
    cluster.sync()
    (endpoint_slice,) = cluster.slices.values()
    endpoint_slice["metadata"].update(uid="slice-uid", resourceVersion="7", creationTimestamp="t0")
    cluster.pods["web-00000"] = make_pod(0, ready=False)
    (updated,) = cluster.sync().update
    assert updated is not endpoint_slice
    assert {k: updated["metadata"][k] for k in ("name", "uid", "resourceVersion", "creationTimestamp")} == {
        "name": name_of(endpoint_slice),
        "uid": "slice-uid",
        "resourceVersion": "7",
        "creationTimestamp": "t0",
    }


def test_target_port_change_recycles_names() -> None:
    cluster = Cluster()
    cluster.add(250)
    cluster.sync()
    names = set(cluster.slices)
    cluster.service["spec"]["ports"] = [{"name": "http", "port": 80, "targetPort": 9090, "protocol": "TCP"}]
    plan = cluster.sync()
    assert writes(plan) == (0, 3, 0)
    assert set(cluster.slices) == names
    assert all(s["ports"][0]["port"] == 9090 for s in cluster.slices.values())


# --- Ownership ------------------------------------------------------------------------------------


def foreign_slice(
    name: str, *, managed_by: str, service_name: str = "web", owner_uid: str = "web-uid"
) -> Obj:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "labels": {SERVICE_NAME_LABEL: service_name, MANAGED_BY_LABEL: managed_by},
            "ownerReferences": [
                {"apiVersion": "v1", "kind": "Service", "name": service_name, "uid": owner_uid}
            ],
        },
        "addressType": "IPv4",
        "ports": [],
        "endpoints": [],
    }


def test_slices_of_a_previous_namesake_service_are_deleted() -> None:
    cluster = Cluster()
    cluster.slices["web-old"] = foreign_slice("web-old", managed_by=SLICE_CONTROLLER, owner_uid="old-uid")
    cluster.add(1)
    plan = cluster.sync()
    assert writes(plan) == (1, 0, 1)  # never recycled: it belongs to someone else
    assert "web-old" not in cluster.slices


@pytest.mark.parametrize(
    "other",
    [
        foreign_slice("web-custom", managed_by="my-controller"),
        foreign_slice("web-mirror", managed_by=MIRROR_CONTROLLER),
        foreign_slice("db-abcde", managed_by=SLICE_CONTROLLER, service_name="db", owner_uid="db-uid"),
    ],
    ids=["other-manager", "mirroring", "other-service"],
)
def test_slices_managed_by_others_are_never_touched(other: Obj) -> None:
    cluster = Cluster()
    cluster.slices[name_of(other)] = other
    cluster.add(1)
    plan = cluster.sync()
    assert writes(plan) == (1, 0, 0)
    assert name_of(other) not in {name_of(s) for s in plan.update + plan.delete}


@pytest.mark.parametrize(
    "service",
    [make_service(type="ExternalName", externalName="example.com"), make_service(selector={})],
    ids=["external-name", "no-selector"],
)
def test_services_the_controller_ignores(service: Obj) -> None:
    cluster = Cluster(service)
    cluster.add(3)
    assert cluster.sync().empty


def test_service_being_deleted_gets_no_new_slices() -> None:
    cluster = Cluster()
    cluster.service["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    cluster.add(3)
    assert cluster.sync().empty


def test_dual_stack_service_gets_one_slice_family_each_and_drops_a_removed_family() -> None:
    cluster = Cluster(make_service(ipFamilies=["IPv4", "IPv6"]))
    for pod in cluster.add(2):
        pod["status"]["podIPs"] = [
            {"ip": pod["status"]["podIP"]},
            {"ip": f"fd00::{pod['metadata']['uid'][-1]}"},
        ]
    cluster.sync()
    families = sorted(s["addressType"] for s in cluster.slices.values())
    assert families == ["IPv4", "IPv6"]
    v6 = next(s for s in cluster.slices.values() if s["addressType"] == "IPv6")
    assert all(":" in e["addresses"][0] for e in v6["endpoints"])
    cluster.service["spec"]["ipFamilies"] = ["IPv4"]
    plan = cluster.sync()
    assert writes(plan) == (0, 0, 1) and plan.delete[0]["addressType"] == "IPv6"


def test_new_names_avoid_taken_and_existing_names() -> None:
    rng = random.Random(3)
    first = generate_name("web-", random.Random(3))
    plan = reconcile_slices(
        make_service(), [make_pod(0)], make_nodes(), [], max_per_slice=100, rng=rng, taken_names={first}
    )
    assert name_of(plan.create[0]) != first


# --- Case 37 and names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (1001, "max-endpoints-per-slice must not be more than 1000, but got 1001"),
        (0, "max-endpoints-per-slice must not be less than 1, but got 0"),
        (1000, None),
        (1, None),
    ],
    ids=["37-too-many", "zero", "max", "min"],
)
def test_case_37_max_endpoints_per_slice_bounds(value: int, error: str | None) -> None:
    assert max_endpoints_per_slice_error(value) == error
    if error:
        with pytest.raises(ValueError, match=error):
            reconcile_slices(make_service(), [], make_nodes(), [], max_per_slice=value, rng=random.Random())


def test_generate_name_truncates_base_and_retries_collisions() -> None:
    name = generate_name("x" * 70, random.Random(1))
    assert len(name) == 63 and name.startswith("x" * 58)
    first = generate_name("web-", random.Random(5))
    assert generate_name("web-", random.Random(5), {first}) != first
    assert len(random_suffix(random.Random(0))) == 5


@pytest.mark.parametrize(
    ("service_name", "prefix"),
    [
        ("kubia", "kubia-"),
        ("a" * 63, "a" * 63 + "-"),
        # maskTrailingDash drops two characters, so 253 + "-" still validates; 254 does not.
        ("a" * 253, "a" * 253 + "-"),
        ("a" * 254, "a" * 254),
        ("Bad_Name", "Bad_Name"),
    ],
    ids=["plain", "long-label", "253-upstream-quirk", "too-long-for-dash", "invalid"],
)
def test_slice_prefix(service_name: str, prefix: str) -> None:
    assert slice_prefix(service_name) == prefix


# --- Mirroring (§5.8) ---------------------------------------------------------------------------------


def user_endpoints(subsets: list[Obj], **metadata: Any) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": "external", "namespace": NAMESPACE, "uid": "ep-uid", **metadata},
        "subsets": subsets,
    }


def subset(port: int, ready: list[str], not_ready: Sequence[str] = ()) -> Obj:
    result: Obj = {"addresses": [{"ip": ip} for ip in ready], "ports": [{"name": "db", "port": port}]}
    if not_ready:
        result["notReadyAddresses"] = [{"ip": ip} for ip in not_ready]
    return result


def mirror(endpoints: Obj, store: dict[str, Obj]) -> SlicePlan:
    plan = mirror_endpoints(endpoints, list(store.values()), rng=random.Random(11))
    apply_plan(store, plan)
    return plan


def test_mirroring_one_slice_per_subset() -> None:
    store: dict[str, Obj] = {}
    endpoints = user_endpoints(
        [subset(5432, ["192.168.1.10", "192.168.1.11"], ["192.168.1.12"]), subset(6432, ["192.168.1.20"])],
        labels={"team": "db"},
        annotations={"note": "x", "endpoints.kubernetes.io/last-change-trigger-time": "t"},
    )
    assert writes(mirror(endpoints, store)) == (2, 0, 0)
    by_port = {s["ports"][0]["port"]: s for s in store.values()}
    first = by_port[5432]
    assert first["ports"] == [{"name": "db", "port": 5432, "protocol": "TCP"}]
    assert first["metadata"]["labels"] == {
        "team": "db",
        SERVICE_NAME_LABEL: "external",
        MANAGED_BY_LABEL: MIRROR_CONTROLLER,
    }
    assert first["metadata"]["annotations"] == {"note": "x"}
    assert first["metadata"]["ownerReferences"][0] == {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "name": "external",
        "uid": "ep-uid",
        "controller": True,
        "blockOwnerDeletion": True,
    }
    assert [(e["addresses"], e["conditions"]) for e in first["endpoints"]] == [
        (["192.168.1.10"], {"ready": True}),
        (["192.168.1.11"], {"ready": True}),
        (["192.168.1.12"], {"ready": False}),
    ]
    assert mirror(endpoints, store).empty


def test_mirroring_updates_in_place_and_recycles_names() -> None:
    store: dict[str, Obj] = {}
    mirror(user_endpoints([subset(5432, ["192.168.1.10"])]), store)
    (name,) = store
    assert writes(mirror(user_endpoints([subset(5432, ["192.168.1.10", "192.168.1.11"])]), store)) == (
        0,
        1,
        0,
    )
    assert writes(mirror(user_endpoints([subset(7000, ["192.168.1.10"])]), store)) == (0, 1, 0)
    assert list(store) == [name] and store[name]["ports"][0]["port"] == 7000
    assert writes(mirror(user_endpoints([subset(7000, ["192.168.1.10"])], labels={"a": "b"}), store)) == (
        0,
        1,
        0,
    )


def test_mirroring_caps_each_subset_and_skips_invalid_ips() -> None:
    store: dict[str, Obj] = {}
    ips = [f"10.1.{i // 250}.{i % 250 + 1}" for i in range(1100)]
    mirror(user_endpoints([subset(5432, ["not-an-ip", *ips])]), store)
    (endpoint_slice,) = store.values()
    assert len(endpoint_slice["endpoints"]) == 1000
    assert endpoint_slice["endpoints"][0]["addresses"] == ["10.1.0.1"]


def test_skip_mirror_deletes_mirrored_slices() -> None:
    store: dict[str, Obj] = {}
    mirror(user_endpoints([subset(5432, ["192.168.1.10"])]), store)
    skipped = user_endpoints(
        [subset(5432, ["192.168.1.10"])], labels={"endpointslice.kubernetes.io/skip-mirror": "true"}
    )
    assert writes(mirror(skipped, store)) == (0, 0, 1)
    assert store == {}


def test_mirroring_ipv6_addresses_get_their_own_slice() -> None:
    store: dict[str, Obj] = {}
    mirror(user_endpoints([subset(5432, ["192.168.1.10", "fd00::1"])]), store)
    assert sorted(s["addressType"] for s in store.values()) == ["IPv4", "IPv6"]


# --- Scale --------------------------------------------------------------------------------------------


def test_one_pod_change_among_5000_endpoints_is_one_slice_update() -> None:
    cluster = Cluster(nodes=make_nodes("node-a", "node-b", "node-c"))
    cluster.add(5000)
    cluster.sync()
    cluster.pods["web-01234"] = make_pod(1234, ready=False)
    args = (cluster.service, list(cluster.pods.values()), cluster.nodes, list(cluster.slices.values()))
    plan = reconcile_slices(*args, max_per_slice=100, rng=random.Random(1))
    assert writes(plan) == (0, 1, 0)
