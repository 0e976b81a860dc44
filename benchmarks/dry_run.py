"""What a dry run costs next to the real write, and next to rolling back from outside the write path.

Run: .venv/bin/python benchmarks/dry_run.py [--pods 1000] [--repeat 30]
(uses a throwaway SQLite file)

A sandbox with one Deployment of N pods behind a NodePort Service. For a Service create (validation,
allocation, the endpoint controllers) and a scale by one pod (the ReplicaSet and scheduler, the
endpoint controllers), prints the median time of
- the real write (the create then undone by a delete, the scale then undone, each undo untimed),
- the dry run (`dry_run=True`: the write path runs the write and rolls it back),
- the same write rolled back from outside, by raising out of an enclosing transaction,
taken in turns, and the dry run as a ratio of each, measured in the same run.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visualizer.settings")
os.environ.setdefault("SANDBOX_MAX_PODS", "200000")
os.environ.setdefault("SANDBOX_MAX_NODES", "10000")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from cluster.models import Cluster  # noqa: E402
from cluster.presets import node_manifest, service_manifest  # noqa: E402
from cluster.services.objects import create_in, object_create, object_delete  # noqa: E402
from cluster.services.scaling import replicas_patch, scale_in, scale_update  # noqa: E402
from cluster.services.workloads import workload_create, workload_scale  # noqa: E402
from cluster.services.writing import writing  # noqa: E402


class _Undone(Exception):
    pass


def rolled_back_from_outside(cluster: Cluster, work) -> None:
    try:
        with transaction.atomic():
            with writing(cluster) as store:
                work(store)
            raise _Undone
    except _Undone:
        pass


def sandbox(pods: int) -> Cluster:
    cluster = Cluster.objects.create(name=f"dry-{pods}")
    with writing(cluster) as store:
        create_in(store, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
        for i in range(1, max(3, -(-pods // 100)) + 1):
            create_in(store, node_manifest(i))
    workload_create(cluster=cluster, name="web", replicas=pods, labels={"app": "web"}, container_port=8080)
    object_create(cluster=cluster, obj=service_manifest("web", type_="NodePort", selector={"app": "web"}))
    return cluster


def interleaved(repeat: int, variants: list[tuple]) -> list[float]:
    """The median of each (run, undo) variant, taken in turns so that drift hits them alike."""
    samples: list[list[float]] = [[] for _ in variants]
    for _ in range(repeat):
        for mine, (run, undo) in zip(samples, variants, strict=True):
            start = time.perf_counter()
            run()
            mine.append(time.perf_counter() - start)
            if undo:
                undo()
    return [statistics.median(mine) * 1000 for mine in samples]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    cluster = sandbox(args.pods)
    new_service = service_manifest("extra", type_="NodePort", selector={"app": "web"})
    deployment = {"kind": "Deployment", "namespace": "default", "name": "web"}
    more = replicas_patch(args.pods + 1)
    cases = {
        "service create": (
            lambda: object_create(cluster=cluster, obj=new_service),
            lambda: object_delete(cluster=cluster, kind="Service", namespace="default", name="extra"),
            lambda: object_create(cluster=cluster, obj=new_service, dry_run=True),
            lambda: rolled_back_from_outside(cluster, lambda store: create_in(store, new_service)),
        ),
        "scale by one pod": (
            lambda: scale_update(cluster=cluster, **deployment, change=more),
            lambda: workload_scale(cluster=cluster, **deployment, replicas=args.pods),
            lambda: scale_update(cluster=cluster, **deployment, change=more, dry_run=True),
            lambda: rolled_back_from_outside(cluster, lambda store: scale_in(store, "Deployment", "default", "web",
                                                                             more)),
        ),
    }
    print(f"{args.pods} pods, median of {args.repeat}")
    for name, (real, undo, dry, outside) in cases.items():
        real_ms, dry_ms, outside_ms = interleaved(args.repeat, [(real, undo), (dry, None), (outside, None)])
        print(f"{name:17} real {real_ms:7.1f} ms  dry run {dry_ms:7.1f} ms  rolled back from outside "
              f"{outside_ms:7.1f} ms  dry/real {dry_ms / real_ms:.2f}  dry/outside {dry_ms / outside_ms:.2f}")


if __name__ == "__main__":
    main()
