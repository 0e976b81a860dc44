"""The columns and rows the Store writes beside each object's body so that controllers can ask
narrow questions: pods by owner and readiness, slices by size, label and selector pairs, and which
slice holds a pod's endpoint."""

from __future__ import annotations

from typing import Any

from cluster.models import LabelPair, OwnerReference, SliceEndpoint
from cluster.sim.objects import (
    MANAGED_BY_LABEL,
    SERVICE_NAME_LABEL,
    Obj,
    labels_of,
    pod_ip,
    pod_node,
    pod_ready,
    pod_terminal,
    pod_terminating,
)

PAIRED_KINDS = ("Pod", "Service")  # kinds whose label (Pod) or selector (Service) pairs are indexed
OWNED_KINDS = ("ReplicaSet", "Pod", "EndpointSlice")  # kinds whose ownerReferences are indexed


def controller_uid(obj: Obj) -> str:
    """The UID of the object's controller ownerReference ("" when it has none)."""
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("uid") or "")
    return ""


def index_columns(kind: str, obj: Obj) -> dict[str, Any]:
    if kind == "Pod":
        return {"node_name": pod_node(obj), "ip": pod_ip(obj) or None, "owner_uid": controller_uid(obj),
                "ready": pod_ready(obj), "terminating": pod_terminating(obj), "terminal": pod_terminal(obj)}
    if kind == "EndpointSlice":
        labels = labels_of(obj)
        return {"service_name": labels.get(SERVICE_NAME_LABEL, ""), "managed_by": labels.get(MANAGED_BY_LABEL, ""),
                "owner_uid": controller_uid(obj),
                "address_type": obj.get("addressType") or "", "endpoint_count": len(obj.get("endpoints") or [])}
    return {}


def pairs_of(kind: str, obj: Obj | None) -> dict[str, str]:
    """The pairs indexed for an object: a pod's labels, a Service's selector (string pairs only)."""
    if obj is None:
        return {}
    pairs = labels_of(obj) if kind == "Pod" else (obj.get("spec") or {}).get("selector") or {}
    if not isinstance(pairs, dict):
        return {}
    return {k: v for k, v in pairs.items() if isinstance(k, str) and isinstance(v, str)}


def owner_uids(obj: Obj | None) -> set[str]:
    return {str(ref["uid"]) for ref in ((obj or {}).get("metadata") or {}).get("ownerReferences") or []
            if ref.get("uid")}


def slice_pods(obj: Obj | None) -> set[str]:
    """The names of the pods whose endpoints the slice holds."""
    names = set()
    for endpoint in (obj or {}).get("endpoints") or []:
        ref = endpoint.get("targetRef") or {}
        if ref.get("kind") == "Pod" and ref.get("name"):
            names.add(ref["name"])
    return names


def derived_rows(cluster, kind: str, obj: Obj, *, memberships: bool = True) -> list:
    """The LabelPair, OwnerReference and (with `memberships`) SliceEndpoint rows of one object."""
    meta = obj["metadata"]
    ns, name = meta.get("namespace", ""), meta["name"]
    rows: list = []
    if kind in PAIRED_KINDS:
        pairs = pairs_of(kind, obj)
        rows += [LabelPair(cluster=cluster, kind=kind, namespace=ns, name=name, key=k, value=v, size=len(pairs))
                 for k, v in sorted(pairs.items())]
    if kind in OWNED_KINDS:
        rows += [OwnerReference(cluster=cluster, kind=kind, namespace=ns, name=name, owner_uid=uid)
                 for uid in sorted(owner_uids(obj))]
    if kind == "EndpointSlice" and memberships:
        rows += [SliceEndpoint(cluster=cluster, namespace=ns, slice_name=name, pod_name=pod)
                 for pod in sorted(slice_pods(obj))]
    return rows


def derived_changed(kind: str, old: Obj | None, new: Obj | None) -> bool:
    if kind not in (*PAIRED_KINDS, *OWNED_KINDS):
        return False
    if old is None or new is None:
        return True
    return ((kind in PAIRED_KINDS and pairs_of(kind, old) != pairs_of(kind, new))
            or (kind in OWNED_KINDS and owner_uids(old) != owner_uids(new))
            or (kind == "EndpointSlice" and slice_pods(old) != slice_pods(new)))


def forget_derived(cluster, kind: str, keys: list[tuple[str, str]], *, memberships: bool = True) -> None:
    """Delete the derived rows of the objects named by `keys` (namespace, name); the SliceEndpoint
    rows only with `memberships`."""
    by_ns: dict[str, list[str]] = {}
    for ns, name in keys:
        by_ns.setdefault(ns, []).append(name)
    for ns, names in by_ns.items():
        for start in range(0, len(names), 900):
            chunk = names[start:start + 900]
            if kind in PAIRED_KINDS:
                LabelPair.objects.filter(cluster=cluster, kind=kind, namespace=ns, name__in=chunk).delete()
            if kind in OWNED_KINDS:
                OwnerReference.objects.filter(cluster=cluster, kind=kind, namespace=ns, name__in=chunk).delete()
            if kind == "EndpointSlice" and memberships:
                SliceEndpoint.objects.filter(cluster=cluster, namespace=ns, slice_name__in=chunk).delete()
