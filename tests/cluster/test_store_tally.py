"""A ReplicaSet's pods are counted once per write: a count taken again under the same memo reads
only the rows written since, and gives what counting every row again gives."""

from __future__ import annotations

import pytest
from django.db.models import Q

from cluster.selectors import object_list
from cluster.services.workloads import workload_create
from cluster.services.writing import writing
from cluster.sim.objects import pod_ready, pod_terminating
from cluster.store import Store


def _count(store: Store, rs: dict, *, memo: bool) -> dict[str, int]:
    uid = rs["metadata"]["uid"]
    return store.tally("Pod", "default", Q(owner_uid=uid, terminating=False),
                       lambda p: p["metadata"].get("ownerReferences", [{}])[0].get("uid") == uid
                       and not pod_terminating(p),
                       {"ready": (Q(ready=True), pod_ready)}, memo=("owner", uid) if memo else None)


def _not_ready(pod: dict) -> dict:
    for cond in pod["status"]["conditions"]:
        if cond["type"] in ("Ready", "ContainersReady"):
            cond["status"] = "False"
    return pod


@pytest.mark.django_db
def test_a_memoized_count_follows_the_writes_of_its_transaction(empty):
    workload_create(cluster=empty, name="web", replicas=6, labels={"app": "web"}, container_port=8080)
    pods = [p["metadata"]["name"] for p in object_list(cluster=empty, kind="Pod", namespace="default")]
    with writing(empty) as store:  # pods read by name only: the counts come from the rows
        rs = store.list("ReplicaSet", "default")[0]
        assert _count(store, rs, memo=True) == {"total": 6, "ready": 6}
        store.put("Pod", _not_ready(store.get("Pod", "default", pods[0])))
        assert _count(store, rs, memo=True) == _count(store, rs, memo=False) == {"total": 6, "ready": 5}
        store.remove("Pod", "default", pods[1])
        terminating = store.get("Pod", "default", pods[2])
        terminating["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
        store.put("Pod", terminating)
        assert _count(store, rs, memo=True) == _count(store, rs, memo=False) == {"total": 4, "ready": 3}
        store.put("Pod", _not_ready(store.get("Pod", "default", pods[3])))
        store.put("Pod", _not_ready(store.get("Pod", "default", pods[0])))  # written twice: counted once
        assert _count(store, rs, memo=True) == _count(store, rs, memo=False) == {"total": 4, "ready": 2}
