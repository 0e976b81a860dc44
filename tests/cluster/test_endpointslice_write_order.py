"""A slice plan is written creates first, then updates, then deletes (reconciler.go finalize):
a watcher sees the replacement ADDED before the slice it replaces is DELETED."""

from cluster.models import Cluster
from cluster.presets import service_manifest
from cluster.selectors import events_since
from cluster.services.objects import object_create, object_update
from cluster.services.workloads import workload_create
from cluster.sim.objects import MANAGED_BY_LABEL, SERVICE_NAME_LABEL, SLICE_CONTROLLER
from tests.cluster.helpers import slices_of


def _slice_events_after(cluster, seq: int) -> list[tuple[str, str]]:
    return [(e.type, e.name) for e in events_since(cluster=cluster, seq=seq) if e.kind == "EndpointSlice"]


def _seq(cluster) -> int:
    return Cluster.objects.get(pk=cluster.pk).resource_version


def _endpoints(ip: str) -> dict:
    return {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "ext", "namespace": "default"},
            "subsets": [{"addresses": [{"ip": ip}], "ports": [{"port": 8080}]}]}


def test_mirrored_slice_changing_address_type_is_added_before_the_old_one_is_deleted(empty):
    object_create(cluster=empty, obj={
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext", "namespace": "default"},
        "spec": {"ports": [{"port": 80, "targetPort": 8080}]},
    })
    object_create(cluster=empty, obj=_endpoints("10.9.0.1"))
    (old,) = slices_of(empty, "ext")
    before = _seq(empty)

    def to_ipv6(endpoints: dict) -> dict:
        endpoints["subsets"][0]["addresses"][0]["ip"] = "fd00::1"
        return endpoints

    object_update(cluster=empty, kind="Endpoints", namespace="default", name="ext", mutate=to_ipv6)
    (new,) = slices_of(empty, "ext")
    assert new["addressType"] == "IPv6"
    assert _slice_events_after(empty, before) == [
        ("ADDED", new["metadata"]["name"]),
        ("DELETED", old["metadata"]["name"]),
    ]


def test_a_stray_slice_is_deleted_after_the_services_own_slice_is_added(empty):
    """A slice labelled for the controller but owned by no Service is replaced, not recycled."""
    object_create(cluster=empty, obj={
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "web-stray", "namespace": "default",
                     "labels": {SERVICE_NAME_LABEL: "web", MANAGED_BY_LABEL: SLICE_CONTROLLER}},
        "addressType": "IPv4", "endpoints": [], "ports": [],
    })
    workload_create(cluster=empty, name="web", replicas=2, labels={"app": "web"}, container_port=8080)
    before = _seq(empty)
    object_create(cluster=empty, obj=service_manifest("web", selector={"app": "web"}))
    (new,) = slices_of(empty, "web")
    assert new["metadata"]["name"] != "web-stray" and len(new["endpoints"]) == 2
    assert _slice_events_after(empty, before) == [("ADDED", new["metadata"]["name"]), ("DELETED", "web-stray")]


def test_a_recycled_slice_is_one_update(empty):
    """Upstream turns a delete + create pair into an update of the doomed slice: the placeholder
    of a Service without pods takes the first endpoints under its own name."""
    object_create(cluster=empty, obj=service_manifest("web", selector={"app": "web"}))
    (placeholder,) = slices_of(empty, "web")
    before = _seq(empty)
    workload_create(cluster=empty, name="web", replicas=2, labels={"app": "web"}, container_port=8080)
    (slice_,) = slices_of(empty, "web")
    assert slice_["metadata"]["name"] == placeholder["metadata"]["name"]
    assert len(slice_["endpoints"]) == 2
    events = _slice_events_after(empty, before)
    assert {t for t, _ in events} == {"MODIFIED"}
    assert {n for _, n in events} == {placeholder["metadata"]["name"]}
