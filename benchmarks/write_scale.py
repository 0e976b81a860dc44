"""What one write costs as a sandbox grows: the same writes at 100 and at 10,000 pods, in one run.

Run: .venv/bin/python benchmarks/write_scale.py [--pods 10000] [--bulk-nodes 1000 --bulk-pods 30000]
(uses a throwaway SQLite file)

Two shapes of sandbox with N pods:
- "one service": one Deployment of N pods behind one ClusterIP Service (the hardest shape for the
  endpoint controllers: every pod is an endpoint of the same Service, 100 slices at 10,000);
- "services of 100": N/100 Deployments of 100 pods, each behind its own Service.
Prints, for each shape, at N = 100 and N = 10,000, the median time of
- a readiness flip of one pod (the whole write path: load, controllers, flush),
- a readiness flip of the pod with the lowest IP, which rewrites a truncated Endpoints object,
- a pod delete (its ReplicaSet makes a replacement),
- a trace through the service layer to the Service,
- the websocket snapshot (read and pack the whole sandbox, nothing cached; benchmarks/snapshot.py
  has the details), with its size;
and each large figure as a ratio of the small one measured in the same run.
With --bulk-nodes/--bulk-pods it also times `createcluster --preset scale` at that size.
"""

import argparse
import ipaddress
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visualizer.settings")
os.environ.setdefault("SANDBOX_MAX_PODS", "200000")
os.environ.setdefault("SANDBOX_MAX_NODES", "10000")
os.environ.setdefault("SANDBOX_MAX_SERVICES", "10000")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from cluster import snapshots  # noqa: E402
from cluster.events import encode  # noqa: E402
from cluster.models import Cluster  # noqa: E402
from cluster.presets import node_manifest, service_manifest  # noqa: E402
from cluster.selectors import object_get, object_list  # noqa: E402
from cluster.services.objects import create_in, object_create, object_delete  # noqa: E402
from cluster.services.traces import trace_create  # noqa: E402
from cluster.services.workloads import pod_set_ready, workload_create  # noqa: E402
from cluster.services.writing import writing  # noqa: E402

PODS_PER_NODE = 100


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def sandbox(pods: int, per_service: int) -> Cluster:
    cluster = Cluster.objects.create(name=f"scale-{pods}-{per_service}-{uuid.uuid4().hex[:6]}")
    nodes = max(3, -(-pods // PODS_PER_NODE))
    with writing(cluster) as store:
        create_in(store, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
        for i in range(1, nodes + 1):
            create_in(store, node_manifest(i))
    for i in range(pods // per_service):
        name = "web" if i == 0 else f"web-{i}"
        workload_create(cluster=cluster, name=name, replicas=per_service, labels={"app": name},
                        container_port=8080)
        object_create(cluster=cluster, obj=service_manifest(name, selector={"app": name}))
    return cluster


def measure(pods: int, per_service: int, repeat: int) -> dict[str, float]:
    start = time.perf_counter()
    cluster = sandbox(pods, per_service)
    made = time.perf_counter() - start
    pods = [p for p in object_list(cluster=cluster, kind="Pod", namespace="default")
            if p["metadata"]["labels"]["app"] == "web"]
    names = [p["metadata"]["name"] for p in pods]
    victim = names[len(names) // 2]
    flips = []
    for i in range(repeat):
        start = time.perf_counter()
        pod_set_ready(cluster=cluster, namespace="default", name=victim, ready=bool(i % 2))
        flips.append(time.perf_counter() - start)
    # The pod with the lowest IP is among the first 1,000 addresses a truncated Endpoints object
    # keeps: its flip rewrites that object (the flip above usually leaves it as it is).
    first = min(pods, key=lambda p: ipaddress.ip_address(p["status"]["podIP"]))["metadata"]["name"]
    window_flips = []
    for i in range(repeat):
        start = time.perf_counter()
        pod_set_ready(cluster=cluster, namespace="default", name=first, ready=bool(i % 2))
        window_flips.append(time.perf_counter() - start)
    pod_set_ready(cluster=cluster, namespace="default", name=first, ready=True)  # as the deletes found it before
    deletes = []
    for name in names[1:repeat + 1]:
        start = time.perf_counter()
        object_delete(cluster=cluster, kind="Pod", namespace="default", name=name)
        deletes.append(time.perf_counter() - start)
    ip = object_get(cluster=cluster, kind="Service", namespace="default", name="web")["spec"]["clusterIP"]
    traces = []
    for _ in range(repeat):
        start = time.perf_counter()
        trace_create(cluster=cluster, source="node/node-1", destination=f"{ip}:80")
        traces.append(time.perf_counter() - start)
    snaps, size = [], 0
    for _ in range(3):
        snapshots._packed.clear()
        start = time.perf_counter()
        size = len(encode(snapshots.packed_snapshot(cluster=cluster)).encode())
        snaps.append(time.perf_counter() - start)
    return {"made": made, "flip": median_ms(flips), "window_flip": median_ms(window_flips),
            "delete": median_ms(deletes), "trace": median_ms(traces),
            "snapshot": median_ms(snaps), "snapshot_mib": size / 2**20}


def bulk(nodes: int, pods: int) -> None:
    start = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("createcluster", f"bulk-{nodes}-{pods}", preset="scale", nodes=nodes, pods=pods,
                     stdout=quiet)
    print(f"createcluster --preset scale --nodes {nodes} --pods {pods}: {time.perf_counter() - start:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--bulk-nodes", type=int, default=0)
    parser.add_argument("--bulk-pods", type=int, default=0)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    small = measure(100, 100, args.repeat)
    rows = [("readiness flip (ms)", "flip"), ("flip in the Endpoints window (ms)", "window_flip"),
            ("pod delete (ms)", "delete"),
            ("trace to the Service (ms)", "trace"), ("websocket snapshot build (ms)", "snapshot"),
            ("websocket snapshot size (MiB)", "snapshot_mib")]
    for shape, per_service in (("one service", args.pods), ("services of 100", 100)):
        large = measure(args.pods, per_service, args.repeat)
        print(f"\n== {shape}: sandbox made (nodes, Deployments, Services) in {large['made']:.1f} s "
              f"(100 pods: {small['made']:.2f} s) ==")
        print(f"{'write':<34}{'100 pods':>12}{f'{args.pods} pods':>14}{'ratio':>8}")
        for label, key in rows:
            print(f"{label:<34}{small[key]:>12.2f}{large[key]:>14.2f}{large[key] / small[key]:>8.1f}")
    if args.bulk_nodes and args.bulk_pods:
        bulk(args.bulk_nodes, args.bulk_pods)


if __name__ == "__main__":
    main()
