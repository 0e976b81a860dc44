"""Which objects make up a sandbox as a person would write it, and how each is written down.

The export is what `kubectl apply -f` needs to rebuild the sandbox in another one: the objects a
person creates, without what the cluster derives from them. So it leaves out
  - objects a controller owns (pods of ReplicaSets, ReplicaSets of Deployments), the Endpoints a
    Service's selector maintains, every EndpointSlice, and the apiserver's `kubernetes` Service;
  - the namespaces every sandbox starts with;
  - server-written fields: uid, resourceVersion, creationTimestamp, generation, ownerReferences,
    status (except a Node's: its addresses are what the kubelet would report), bookkeeping
    annotations, a Service's allocated clusterIP(s) (a fresh sandbox allocates its own; nodePorts
    are kept, as a person who chose 30123 means 30123) and a Pod's nodeName (the scheduler's pick).
Applying the export to a sandbox with the same nodes gives the same Services, workloads and pod
counts.
"""

from __future__ import annotations

import copy

from cluster.sim.endpoints.endpoints import TRIGGER_TIME_ANNOTATION
from cluster.sim.objects import Obj, name_of, namespace_of, pod_terminating
from cluster.sim.printers.writer import LAST_APPLIED_ANNOTATION

# Kinds in the order a fresh sandbox needs them: what others depend on first.
EXPORT_ORDER = ("Namespace", "Node", "Deployment", "ReplicaSet", "Pod", "Service", "Endpoints")
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})

_SERVER_METADATA = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink",
                    "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences")
_SERVER_ANNOTATIONS = (LAST_APPLIED_ANNOTATION, TRIGGER_TIME_ANNOTATION, "deployment.kubernetes.io/revision",
                       "endpoints.kubernetes.io/over-capacity")


def controller_owned(obj: Obj) -> bool:
    return any(ref.get("controller") for ref in (obj.get("metadata") or {}).get("ownerReferences") or [])


def _selector_services(objects: dict[str, list[Obj]]) -> set[tuple[str, str]]:
    return {(namespace_of(s), name_of(s)) for s in objects.get("Service", []) if (s.get("spec") or {}).get("selector")}


def _user_made(kind: str, obj: Obj, selected: set[tuple[str, str]]) -> bool:
    key = (namespace_of(obj), name_of(obj))
    if kind == "Namespace":
        return name_of(obj) not in SYSTEM_NAMESPACES
    if kind in ("ReplicaSet", "Pod") and controller_owned(obj):
        return False
    if kind == "Pod":
        return not pod_terminating(obj)
    if key == ("default", "kubernetes") and kind in ("Service", "Endpoints"):
        return False
    if kind == "Endpoints":
        return key not in selected  # a selector's Endpoints are the controller's
    return kind in EXPORT_ORDER


def exported(objects: dict[str, list[Obj]]) -> list[Obj]:
    """The sandbox's user-made objects (by kind, as a snapshot holds them), cleaned, in apply order."""
    selected = _selector_services(objects)
    return [clean(kind, obj) for kind in EXPORT_ORDER for obj in objects.get(kind, [])
            if _user_made(kind, obj, selected)]


def clean(kind: str, obj: Obj) -> Obj:
    """The object without what the server writes, ready to be applied elsewhere."""
    obj = copy.deepcopy(obj)
    meta = obj.setdefault("metadata", {})
    for field in _SERVER_METADATA:
        meta.pop(field, None)
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in _SERVER_ANNOTATIONS}
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    if kind != "Node":
        obj.pop("status", None)
    spec = obj.get("spec") or {}
    if kind == "Service" and spec.get("clusterIP") != "None":
        spec.pop("clusterIP", None)
        spec.pop("clusterIPs", None)
    if kind == "Pod":
        spec.pop("nodeName", None)
    return obj
