"""Two writers ask for the same nodePort and the same clusterIP at the same moment.

Run as `python -m tests.cluster.race` with DATABASE_URL set: it migrates that database, makes a
sandbox, races two threads and prints a JSON verdict. Used against PostgreSQL and SQLite.
"""

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

    from cluster.errors import ApiError
    from cluster.services.objects import object_create
    from cluster.services.sandboxes import cluster_create

    call_command("migrate", verbosity=0)
    cluster = cluster_create(name=f"race-{os.getpid()}", preset="empty")
    barrier = threading.Barrier(2)
    outcomes: dict[str, list[str]] = {"nodePort": [], "clusterIP": []}

    def write(field: str, name: str, spec: dict) -> None:
        obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
               "spec": {"selector": {"app": "x"}, **spec}}
        barrier.wait()
        try:
            object_create(cluster=cluster, obj=obj)
            outcomes[field].append("created")
        except ApiError as exc:
            outcomes[field].append(exc.status["message"])
        finally:
            close_old_connections()

    races = [
        ("nodePort", {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30123}]}),
        ("clusterIP", {"clusterIP": "10.96.0.50", "ports": [{"port": 80}]}),
    ]
    for field, spec in races:
        threads = [threading.Thread(target=write, args=(field, f"{field.lower()}-{i}", spec)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    json.dump(outcomes, sys.stdout)


if __name__ == "__main__":
    main()
