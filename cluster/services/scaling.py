"""The scale subresource of Deployments and ReplicaSets, as autoscaling/v1 Scale objects.

`kubectl scale` PATCHes `.../deployments/<name>/scale` with `{"spec":{"replicas":N}}`: the change
is applied to the Scale view of the workload, and its replicas written back to the workload.
"""

from __future__ import annotations

from cluster import kinds
from cluster.errors import ApiError
from cluster.models import Cluster
from cluster.services.objects import update_in
from cluster.services.verbs import MERGE_PATCH, Decode, Patch, as_object, patched
from cluster.services.writing import writing
from cluster.sim.api import fielderrors
from cluster.sim.api.apischema import SCALE
from cluster.sim.objects import Obj
from cluster.sim.workloads.workloads import selector_text
from cluster.store import Store

SCALE_VERSION = "autoscaling/v1"


def scale_of(obj: Obj) -> Obj:
    meta = obj["metadata"]
    return {
        "kind": "Scale",
        "apiVersion": SCALE_VERSION,
        "metadata": {
            k: meta[k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in meta
        },
        "spec": {"replicas": int((obj.get("spec") or {}).get("replicas", 1))},
        "status": {
            "replicas": int((obj.get("status") or {}).get("replicas", 0)),
            "selector": selector_text((obj.get("spec") or {}).get("selector")),
        },
    }


def replicas_patch(replicas: int) -> Patch:
    """What `kubectl scale --replicas=N` sends."""
    return Patch(MERGE_PATCH, {"spec": {"replicas": replicas}})


def _scale_error(name: str, replicas: int) -> ApiError:
    # ValidateScale: the apiserver checks the Scale itself before touching the workload.
    return ApiError(
        fielderrors.invalid_status(
            "Scale",
            "autoscaling",
            name,
            [fielderrors.invalid("spec.replicas", replicas, "must be greater than or equal to 0")],
        )
    )


def scale_in(store: Store, kind: str, namespace: str, name: str, change: Obj | Patch, *,
             decode: Decode = as_object) -> Obj:
    """The workload with the replicas of its changed Scale (`change` replaces or patches the Scale)."""
    info = kinds.kind_info(kind)

    def mutate(old: Obj) -> Obj:
        current = scale_of(old)
        scale = decode(patched(current, change, SCALE) if isinstance(change, Patch) else change)
        sent_version = scale.get("metadata", {}).get("resourceVersion")
        if sent_version and sent_version != current["metadata"].get("resourceVersion"):
            raise ApiError(fielderrors.status_conflict(info.plural, name, info.group))
        replicas = int((scale.get("spec") or {}).get("replicas", 0))
        if replicas < 0:
            raise _scale_error(name, replicas)
        old["spec"]["replicas"] = replicas
        return old

    return update_in(store, kind, namespace, name, mutate)


def scale_update(*, cluster: Cluster | str, kind: str, namespace: str, name: str, change: Obj | Patch,
                 decode: Decode = as_object, dry_run: bool = False) -> Obj:
    """PUT or PATCH of the scale subresource: the workload's Scale after the write."""
    with writing(cluster, dry_run=dry_run) as store:
        return scale_of(scale_in(store, kind, namespace, name, change, decode=decode))
