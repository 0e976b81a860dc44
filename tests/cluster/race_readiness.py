"""Two owners click a pod's readiness toggle at the same moment.

Run as `python -m tests.cluster.race_readiness` with DATABASE_URL set: it migrates that database,
makes a sandbox, sends two toggle requests from two threads and prints a JSON verdict. Each request
waits, once it has read the pod's readiness, for the other to have read it too (for at most a
second): a toggle that reads outside its write then loses one click for sure, while one that reads
inside its write holds the sandbox's lock meanwhile, so the other request reads after it.
"""

import contextlib
import json
import os
import sys
import threading

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visualizer.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import close_old_connections
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from cluster.selectors import object_get, object_list
    from cluster.services import workloads
    from cluster.services.sandboxes import cluster_create
    from cluster.sim.objects import pod_ready
    from visualizer import views

    setup_test_environment()
    call_command("migrate", verbosity=0)
    cluster = cluster_create(name=f"race-ready-{os.getpid()}", preset="kubia", seed=1)
    name = sorted(p["metadata"]["name"] for p in object_list(cluster=cluster, kind="Pod", namespace="default"))[0]
    url = reverse("pod-readiness", kwargs={"cluster_id": cluster.pk, "namespace": "default", "name": name})
    both_read = threading.Barrier(2)

    def read_then_wait(pod: dict) -> bool:
        ready = pod_ready(pod)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=1.0)
        return ready

    for module in (views, workloads):
        if hasattr(module, "pod_ready"):
            module.pod_ready = read_then_wait

    start = threading.Barrier(2)
    messages: list[str] = []

    def toggle() -> None:
        client = Client(headers={"Authorization": f"Bearer {cluster.access_token}"})
        start.wait()
        try:
            messages.append(client.post(url).json()["message"])
        finally:
            close_old_connections()

    before = pod_ready(object_get(cluster=cluster, kind="Pod", namespace="default", name=name))
    threads = [threading.Thread(target=toggle) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = pod_ready(object_get(cluster=cluster, kind="Pod", namespace="default", name=name))
    json.dump({"before": before, "after": after, "messages": sorted(messages)}, sys.stdout)


if __name__ == "__main__":
    main()
