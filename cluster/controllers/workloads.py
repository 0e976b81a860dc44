"""Deployment, ReplicaSet, garbage collection and the scheduler, over one transaction's changes."""

from __future__ import annotations

import copy
from collections import Counter

from django.db.models import Q

from cluster.sim.api.names import generate_name
from cluster.sim.objects import Obj, node_internal_ip, pod_node, pod_ready, pod_terminating
from cluster.sim.workloads.scheduler import (
    Placement,
    pick_node,
    pick_pod_ip,
    tolerates_cordon,
    unschedulable_message,
)
from cluster.sim.workloads.workloads import (
    controlled_by,
    pod_from_template,
    pods_to_delete,
    replicaset_for,
)
from cluster.store import Change, Store, rfc3339


def sync_workloads(store: Store, changes: list[Change], *, resync_all: bool = False) -> None:
    _collect_garbage(store, changes)
    for deployment in _touched(store, changes, "Deployment"):
        _sync_deployment(store, deployment)
    for rs in _touched(store, changes, "ReplicaSet"):
        _sync_replicaset(store, rs)
    # A pending pod could not be placed when it was last tried; only a pod or a node changing
    # (made, removed, cordoned, moved) can make room for it, or make a new pending pod.
    if resync_all or any(c.kind in ("Pod", "Node") for c in changes):
        _schedule_pending(store)


def _touched(store: Store, changes: list[Change], kind: str) -> list[Obj]:
    """Objects of `kind` changed directly, or owning a changed child (a pod of a ReplicaSet...)."""
    keys: set[tuple[str, str]] = set()
    child = {"Deployment": "ReplicaSet", "ReplicaSet": "Pod"}[kind]
    for change in changes:
        meta = change.obj["metadata"]
        ns = meta.get("namespace", "")
        if change.kind == kind and change.new is not None:
            keys.add((ns, meta["name"]))
        elif change.kind == child:
            for ref in meta.get("ownerReferences") or []:
                if ref.get("kind") == kind and ref.get("controller"):
                    keys.add((ns, ref["name"]))
    objs = (store.peek(kind, ns, name) for ns, name in sorted(keys))
    return [obj for obj in objs if obj is not None]


def _collect_garbage(store: Store, changes: list[Change]) -> None:
    """Cascade deletes through ownerReferences, and remove pods bound to a deleted node."""
    gone_uids = {c.old["metadata"]["uid"] for c in changes if c.new is None and c.old is not None}
    gone_nodes = {c.old["metadata"]["name"] for c in changes if c.new is None and c.kind == "Node"}
    if not gone_uids:
        return

    def owned(obj: Obj) -> bool:
        return any(ref.get("uid") in gone_uids for ref in obj["metadata"].get("ownerReferences") or [])

    for kind in ("ReplicaSet", "Pod", "EndpointSlice"):
        doomed = store.owned(kind, None, gone_uids, owned)
        if kind == "Pod" and gone_nodes:
            doomed += store.select("Pod", None, [Q(node_name__in=sorted(gone_nodes))],
                                   lambda pod: pod_node(pod) in gone_nodes)
        for obj in sorted({id(o): o for o in doomed}.values(),
                          key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"])):
            meta = obj["metadata"]
            store.remove(kind, meta.get("namespace", ""), meta["name"])


def _sync_deployment(store: Store, deployment: Obj) -> None:
    ns = deployment["metadata"]["namespace"]
    wanted = replicaset_for(deployment)
    owned = [rs for rs in store.list("ReplicaSet", ns) if controlled_by(rs, deployment)]
    current = next((rs for rs in owned if rs["metadata"]["name"] == wanted["metadata"]["name"]), None)
    replicas = deployment["spec"].get("replicas", 1)
    if current is None:
        store.put("ReplicaSet", wanted)
        current = wanted
    elif current["spec"].get("replicas") != replicas:
        current = store.get("ReplicaSet", ns, current["metadata"]["name"])
        current["spec"]["replicas"] = replicas
        store.put("ReplicaSet", current)
    # A new template replaces the old ReplicaSets at once (the whole rollout in one step).
    for old in owned:
        if old["metadata"]["name"] != current["metadata"]["name"] and old["spec"].get("replicas"):
            old = store.get("ReplicaSet", ns, old["metadata"]["name"])
            old["spec"]["replicas"] = 0
            store.put("ReplicaSet", old)
    _update_deployment_status(store, deployment, current)


def _update_deployment_status(store: Store, deployment: Obj, current: Obj) -> None:
    counts = _deployment_counts(store, deployment, current)
    active, updated, ready = counts["total"], counts["updated"], counts["ready"]
    replicas = deployment["spec"].get("replicas", 1)
    available = ready >= replicas - _max_unavailable(deployment, replicas)
    now = rfc3339(store.now)
    status = {
        "observedGeneration": deployment["metadata"].get("generation", 1),
        "replicas": active,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "unavailableReplicas": max(replicas - ready, 0),
        "conditions": [
            _condition("Available", available, "MinimumReplicasAvailable" if available
                       else "MinimumReplicasUnavailable",
                       "Deployment has minimum availability." if available
                       else "Deployment does not have minimum availability.", now),
            _condition("Progressing", True, "NewReplicaSetAvailable",
                       f'ReplicaSet "{current["metadata"]["name"]}" has successfully progressed.', now),
        ],
    }
    # syncRolloutStatus: a ReplicaSet's ReplicaFailure condition is copied to the Deployment.
    failure = [c for c in (current.get("status") or {}).get("conditions") or [] if c.get("type") == "ReplicaFailure"]
    if failure:
        status["conditions"].append({"type": "ReplicaFailure", "status": failure[0]["status"], "lastUpdateTime": now,
                                     "lastTransitionTime": now, "reason": failure[0].get("reason", ""),
                                     "message": failure[0].get("message", "")})
    for key in ("readyReplicas", "availableReplicas", "unavailableReplicas", "updatedReplicas", "replicas"):
        if not status[key]:
            del status[key]
    _put_status(store, "Deployment", deployment, status)


def _deployment_counts(store: Store, deployment: Obj, current: Obj) -> dict[str, int]:
    """calculateStatus: the active pods of the Deployment's ReplicaSets ("total"), of its current
    one ("updated") and the ready ones, summed from the ReplicaSets' statuses (each counts its
    own pods), not from the pods read again."""
    ns = deployment["metadata"]["namespace"]
    owned = {rs["metadata"]["name"]: rs for rs in store.list("ReplicaSet", ns) if controlled_by(rs, deployment)}
    owned[current["metadata"]["name"]] = current
    statuses = [rs.get("status") or {} for rs in owned.values()]
    return {"total": sum(int(s.get("replicas") or 0) for s in statuses),
            "updated": int((current.get("status") or {}).get("replicas") or 0),
            "ready": sum(int(s.get("readyReplicas") or 0) for s in statuses)}


def _max_unavailable(deployment: Obj, replicas: int) -> int:
    value = ((deployment["spec"].get("strategy") or {}).get("rollingUpdate") or {}).get("maxUnavailable", "25%")
    if isinstance(value, str) and value.endswith("%"):
        return int(replicas * int(value[:-1]) / 100)
    return int(value)


def _condition(type_: str, ok: bool, reason: str, message: str, now: str) -> Obj:
    return {"type": type_, "status": "True" if ok else "False", "lastUpdateTime": now,
            "lastTransitionTime": now, "reason": reason, "message": message}


def _put_status(store: Store, kind: str, obj: Obj, status: Obj) -> None:
    """Write a status only when it changed in substance (timestamps alone are no change)."""

    def strip(s: Obj) -> Obj:
        s = copy.deepcopy(s)
        for cond in s.get("conditions") or []:
            cond.pop("lastUpdateTime", None)
            cond.pop("lastTransitionTime", None)
        return s

    if strip(obj.get("status") or {}) == strip(status):
        return
    fresh = store.get(kind, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
    fresh["status"] = status
    store.put(kind, fresh)


def _sync_replicaset(store: Store, rs: Obj) -> None:
    ns, name = rs["metadata"]["namespace"], rs["metadata"]["name"]
    counts = _replica_counts(store, rs)
    diff = int(rs["spec"].get("replicas", 1)) - counts["total"]
    failure = None
    if diff > 0:
        taken = store.names("Pod", ns)
        per_node = _pods_per_node(store)
        template_spec = (rs["spec"].get("template") or {}).get("spec") or {}
        placement = Placement(store.nodes_lazily(), per_node, store.pod_ips(),
                              tolerates_cordon(template_spec.get("tolerations") or []))
        for _ in range(diff):
            pod = pod_from_template(rs, generate_name(f"{name}-", store.rng, taken))
            taken.add(pod["metadata"]["name"])
            refusal = store.refusal("Pod", pod["metadata"]["name"])
            if refusal is not None:
                # The controller's create is refused by quota: the scale itself stood; the
                # ReplicaSet reports FailedCreate (a ReplicaFailure condition) and stays short.
                failure = str(refusal["message"])
                break
            _schedule(store, pod, per_node, placement)
            store.put("Pod", pod)
    elif diff < 0:
        active = [p for p in _owned_pods(store, rs) if not pod_terminating(p)]
        for pod in pods_to_delete(active, -diff, _pods_per_node(store)):
            store.remove("Pod", ns, pod["metadata"]["name"])
    if diff:
        counts = _replica_counts(store, rs)
    owned, ready = counts["total"], counts["ready"]
    status = {"replicas": owned, "fullyLabeledReplicas": owned, "readyReplicas": ready,
              "availableReplicas": ready, "observedGeneration": rs["metadata"].get("generation", 1)}
    status = {k: v for k, v in status.items() if v or k in ("replicas", "observedGeneration")}
    current = store.peek("ReplicaSet", ns, name)
    # calculateStatus: while creates fail, ReplicaFailure True, reason FailedCreate, with the
    # failed create's message; the first failure stands until the ReplicaSet is no longer short
    # (each retry names a new pod, and a retry is no change).
    kept = [c for c in ((current or {}).get("status") or {}).get("conditions") or [] if c.get("type") == "ReplicaFailure"]
    short = owned < int(rs["spec"].get("replicas", 1))
    if kept and short:
        status["conditions"] = kept
    elif failure is not None:
        status["conditions"] = [{"type": "ReplicaFailure", "status": "True",
                                 "lastTransitionTime": rfc3339(store.now), "reason": "FailedCreate",
                                 "message": failure}]
    if current is not None:
        _put_status(store, "ReplicaSet", current, status)


def _replica_counts(store: Store, rs: Obj) -> dict[str, int]:
    """The active pods the ReplicaSet controls ("total") and the ready ones, counted by owner."""
    return store.tally("Pod", rs["metadata"]["namespace"], Q(owner_uid=rs["metadata"]["uid"], terminating=False),
                       lambda p: controlled_by(p, rs) and not pod_terminating(p), {"ready": (Q(ready=True), pod_ready)},
                       memo=("owner", rs["metadata"]["uid"]))


def _owned_pods(store: Store, rs: Obj) -> list[Obj]:
    """The pods the ReplicaSet controls, read among those it owns."""
    return store.owned("Pod", rs["metadata"]["namespace"], [rs["metadata"]["uid"]],
                            lambda p: controlled_by(p, rs))


def _pods_per_node(store: Store) -> Counter:
    return store.pods_per_node()


def _schedule_pending(store: Store) -> None:
    pending = store.select("Pod", None, [Q(node_name="")],
                           lambda p: not pod_node(p) and not pod_terminating(p), memo=("unbound",))
    if not pending:
        return
    per_node = _pods_per_node(store)
    for pod in pending:
        fresh = store.get("Pod", pod["metadata"]["namespace"], pod["metadata"]["name"])
        if _schedule(store, fresh, per_node):
            store.put("Pod", fresh)


def _schedule(store: Store, pod: Obj, per_node: Counter, placement: Placement | None = None) -> bool:
    """Bind a pod to a node, give it an IP from the node's pod CIDR and start it (Ready)."""
    nodes = placement.nodes if placement is not None else store.nodes_by_name()
    cordon_ok = tolerates_cordon(pod["spec"].get("tolerations") or [])
    node_name = placement.node() if placement is not None else pick_node(nodes.values(), per_node, cordon_ok)
    if node_name is None:
        pod["status"] = {"phase": "Pending", "qosClass": "BestEffort", "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "lastProbeTime": None,
             "lastTransitionTime": rfc3339(store.now),
             "message": unschedulable_message(list(nodes.values()), per_node, cordon_ok)}]}
        return False
    ip = placement.pod_ip(node_name) if placement is not None else pick_pod_ip(nodes[node_name], store.pod_ips())
    if ip is None:
        return False
    store.pod_ips().add(ip)  # reserved now: the pod is put after this returns
    per_node[node_name] += 1
    pod["spec"]["nodeName"] = node_name
    now = rfc3339(store.now)
    host_ip = node_internal_ip(nodes[node_name])
    containers = pod["spec"].get("containers") or []
    pod["status"] = {
        "phase": "Running",
        "conditions": [
            {"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": now}
            for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")
        ],
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "startTime": now,
        "qosClass": "BestEffort",
        "containerStatuses": [
            {"name": c.get("name", ""), "image": c.get("image", ""), "imageID": "", "ready": True,
             "restartCount": 0, "started": True, "containerID": "",
             "state": {"running": {"startedAt": now}}}
            for c in containers
        ],
    }
    return True
