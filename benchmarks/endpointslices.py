"""EndpointSlices against Endpoints at 5,000 endpoints, the cost of a 10,000-pod service, and a trace.

Run: .venv/bin/python benchmarks/endpointslices.py   (uses a throwaway SQLite file)

Prints, for one pod change on a 5,000-endpoint service:
- objects written and bytes each approach puts on the wire per watching node (one slice versus
  the whole Endpoints object), times 1,000 and 5,000 nodes — the KEP-752 arithmetic;
- time per change of the pure EndpointSlice reconcile against rebuilding the Endpoints object,
  as a ratio measured in the same run, and of the whole write path (controllers + database);
then the time to create a 10,000-pod service and to compute one trace on it.
"""

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visualizer.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from cluster.models import Cluster, Event  # noqa: E402
from cluster.presets import node_manifest, service_manifest  # noqa: E402
from cluster.selectors import object_list  # noqa: E402
from cluster.services.objects import create_in, object_create  # noqa: E402
from cluster.services.traces import cluster_view, trace_create  # noqa: E402
from cluster.services.workloads import pod_set_ready, workload_create  # noqa: E402
from cluster.services.writing import writing  # noqa: E402
from cluster.sim.dataplane.trace import trace_request  # noqa: E402
from cluster.sim.endpoints import endpoints as endpoints_core  # noqa: E402
from cluster.sim.endpoints.endpoints import desired_endpoints  # noqa: E402
from cluster.sim.endpoints.slices import reconcile_slices  # noqa: E402


def sized(obj) -> int:
    return len(json.dumps(obj, separators=(",", ":")).encode())


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:.2f} ms (min {min(samples) * 1000:.2f})"


def sandbox(name: str, nodes: int) -> Cluster:
    cluster = Cluster.objects.create(name=name)
    with writing(cluster) as store:
        create_in(store, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
        for i in range(1, nodes + 1):
            create_in(store, node_manifest(i))
    return cluster


def main() -> None:
    call_command("migrate", verbosity=0)
    print("== one pod change on a service with 5,000 endpoints ==")
    cluster = sandbox("bench-5000", nodes=50)
    workload_create(cluster=cluster, name="web", replicas=5000, labels={"app": "web"}, container_port=8080)
    object_create(cluster=cluster, obj=service_manifest("web", selector={"app": "web"}))
    pods = object_list(cluster=cluster, kind="Pod", namespace="default")
    service = next(s for s in object_list(cluster=cluster, kind="Service") if s["metadata"]["name"] == "web")
    slices = [s for s in object_list(cluster=cluster, kind="EndpointSlice")
              if s["metadata"]["labels"].get("kubernetes.io/service-name") == "web"]
    nodes = {n["metadata"]["name"]: n for n in object_list(cluster=cluster, kind="Node")}
    endpoints_obj = desired_endpoints(service, pods, trigger_time="2026-01-01T00:00:00Z")

    before = cluster.resource_version
    victim = pods[1234]["metadata"]["name"]
    write_path: list[float] = []
    for ready in (False, True, False, True, False, True):
        start = time.perf_counter()
        pod_set_ready(cluster=cluster, namespace="default", name=victim, ready=ready)
        write_path.append(time.perf_counter() - start)
    cluster.refresh_from_db()
    changes = Event.objects.filter(cluster=cluster, seq__gt=before)
    slice_writes = changes.filter(kind="EndpointSlice").count() / 6
    slice_bytes = statistics.mean(sized(e.object) for e in changes.filter(kind="EndpointSlice"))
    # Before 1.22 the Endpoints object was not truncated at 1,000: every change re-sent all 5,000.
    endpoints_core.MAX_ENDPOINTS = 10**9
    full_endpoints = desired_endpoints(service, pods, trigger_time="2026-01-01T00:00:00Z")
    endpoints_core.MAX_ENDPOINTS = 1000
    endpoints_bytes = sized(full_endpoints)
    print(f"slices: {len(slices)}; per change the EndpointSlice controller wrote {slice_writes:g} slice(s) "
          f"of {slice_bytes / 1024:.1f} KiB; a whole Endpoints object of 5,000 addresses is "
          f"{endpoints_bytes / 1024:.1f} KiB")
    for watchers in (1000, 5000):
        print(f"  sent to {watchers:>5} nodes: slices {slice_bytes * slice_writes * watchers / 1e6:8.1f} MB"
              f"   whole Endpoints {endpoints_bytes * watchers / 1e6:8.1f} MB"
              f"   ratio {endpoints_bytes / (slice_bytes * slice_writes):.0f}x")

    flipped = [dict(p) for p in pods]
    flipped[1234] = json.loads(json.dumps(pods[1234]))
    for cond in flipped[1234]["status"]["conditions"]:
        if cond["type"] == "Ready":
            cond["status"] = "False"


    reconcile = timed(lambda: reconcile_slices(service, flipped, nodes, slices, max_per_slice=100,
                                               rng=random.Random(1)), 20)
    endpoints_core.MAX_ENDPOINTS = 10**9
    rebuild = timed(lambda: desired_endpoints(service, flipped, trigger_time="2026-01-01T00:00:00Z"), 20)
    endpoints_core.MAX_ENDPOINTS = 1000
    print(f"pure EndpointSlice reconcile: {ms(reconcile)}; rebuild the whole Endpoints: {ms(rebuild)}; "
          f"ratio {statistics.median(reconcile) / statistics.median(rebuild):.2f}")
    print(f"whole write path (controllers + SQLite), one readiness flip: {ms(write_path)}")
    kept = sum(len(s.get("addresses", [])) for s in endpoints_obj["subsets"])
    print(f"(the stored Endpoints object keeps {kept} addresses: truncated at 1,000 as since 1.22)")

    print("\n== creating a 10,000-pod service ==")
    big = sandbox("bench-10000", nodes=100)  # 110 pods a node at most
    start = time.perf_counter()
    workload_create(cluster=big, name="big", replicas=10000, labels={"app": "big"}, container_port=8080)
    pods_s = time.perf_counter() - start
    start = time.perf_counter()
    object_create(cluster=big, obj=service_manifest("big", selector={"app": "big"}))
    svc_s = time.perf_counter() - start
    print(f"10,000 pods (Deployment, scheduling, IPs): {pods_s:.2f} s; then the Service with its "
          f"100 slices and Endpoints: {svc_s:.2f} s")

    print("\n== one trace ==")
    view = cluster_view(big)
    target = next(s for s in view.services if s["metadata"]["name"] == "big")["spec"]["clusterIP"]
    pure = timed(lambda: trace_request(view, source="node/node-1", destination=f"{target}:80", seed=1, state={}), 50)
    print(f"pure trace over 10,000 endpoints: {ms(pure)}")
    full = timed(lambda: trace_create(cluster=big, source="node/node-1", destination=f"{target}:80"), 5)
    print(f"trace through the service layer (load view, store, publish): {ms(full)}")


if __name__ == "__main__":
    main()
