"""The hands-on actions of the page: workloads, scaling, pod readiness and deletion, nodes."""

from __future__ import annotations

from cluster.errors import ApiError
from cluster.models import Cluster
from cluster.presets import node_manifest
from cluster.services.objects import create_in, delete_in, update_in
from cluster.services.scaling import replicas_patch, scale_in
from cluster.services.writing import writing
from cluster.sim.api.fielderrors import status_not_found
from cluster.sim.objects import Obj, pod_ready
from cluster.sim.workloads.workloads import container, workload_manifest
from cluster.store import Store, rfc3339


def workload_create(*, cluster: Cluster | str, name: str, replicas: int, labels: dict[str, str],
                    container_port: int, port_name: str = "", namespace: str = "default",
                    image: str = "luksa/kubia") -> Obj:
    """A Deployment whose pods listen on `container_port` (named `port_name` when given)."""
    manifest = workload_manifest("Deployment", name, replicas=replicas, labels=labels, namespace=namespace,
                                 containers=[container(name, image, container_port, port_name)])
    with writing(cluster) as store:
        return create_in(store, manifest)


def workload_scale(*, cluster: Cluster | str, kind: str, namespace: str, name: str, replicas: int) -> Obj:
    """The workload scaled as `kubectl scale` does it: through its scale subresource."""
    with writing(cluster) as store:
        return scale_in(store, kind, namespace, name, replicas_patch(replicas))


def pod_set_ready(*, cluster: Cluster | str, namespace: str, name: str, ready: bool) -> Obj:
    """Flip the pod's readiness, as a failing or passing readiness probe would."""
    with writing(cluster) as store:
        return _set_ready_in(store, namespace, name, ready)


def pod_toggle_ready(*, cluster: Cluster | str, namespace: str, name: str) -> bool:
    """Make a ready pod not ready and the other way round; returns the readiness it set.

    The pod is read inside the write that changes it, so two toggles at once come back to where
    they started instead of one of them being lost."""
    with writing(cluster) as store:
        pod = store.peek("Pod", namespace, name)
        ready = pod is None or not pod_ready(pod)  # a missing pod: the write reports NotFound
        _set_ready_in(store, namespace, name, ready)
        return ready


def _set_ready_in(store: Store, namespace: str, name: str, ready: bool) -> Obj:
    value = "True" if ready else "False"
    now = rfc3339(store.now)

    def flip(pod: Obj) -> Obj:
        status = pod.setdefault("status", {})
        for cond in status.get("conditions") or []:
            if cond.get("type") in ("Ready", "ContainersReady") and cond.get("status") != value:
                cond.update(status=value, lastTransitionTime=now)
        for container_status in status.get("containerStatuses") or []:
            container_status["ready"] = ready
        return pod

    return update_in(store, "Pod", namespace, name, flip, subresource="status")


def pod_delete(*, cluster: Cluster | str, namespace: str, name: str, graceful: bool = False) -> Obj:
    """Delete a pod at once, or start its graceful termination: it then stays Terminating (still
    in its EndpointSlices as serving, not ready) until deleted again."""
    with writing(cluster) as store:
        pod = store.get("Pod", namespace, name)
        if pod is None:
            raise ApiError(status_not_found("pods", name))
        if graceful and not pod["metadata"].get("deletionTimestamp"):
            pod["metadata"]["deletionTimestamp"] = rfc3339(store.now)
            pod["metadata"]["deletionGracePeriodSeconds"] = 30
            return store.put("Pod", pod)
        return delete_in(store, "Pod", namespace, name)


def node_add(*, cluster: Cluster | str) -> Obj:
    with writing(cluster) as store:
        taken = {n["metadata"]["name"] for n in store.list("Node")}
        index = next(i for i in range(1, 10_000) if f"node-{i}" not in taken)
        return create_in(store, node_manifest(index))


def node_delete(*, cluster: Cluster | str, name: str) -> Obj:
    """Remove a node: its pods go with it and their ReplicaSets start replacements elsewhere."""
    with writing(cluster) as store:
        return delete_in(store, "Node", "", name)
