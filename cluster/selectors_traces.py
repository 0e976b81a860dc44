"""Reads of stored traces: the newest of a sandbox, one by its permalink token, and the objects
as they were when a trace was sent, rebuilt from the event log."""

from __future__ import annotations

from cluster.kinds import KIND_ORDER
from cluster.models import Cluster, Event, Trace
from cluster.reading import one_version
from cluster.selectors import cluster_settings_wire, object_list

HISTORY_DEFAULT = 20
HISTORY_MAX = 200


def trace_wire(row: Trace) -> dict:
    """A stored trace as the websocket sends it (with its id)."""
    return {**row.body, "id": row.pk}


def trace_list(*, cluster: Cluster, limit: int = HISTORY_DEFAULT) -> list[dict]:
    """The sandbox's newest `limit` traces, oldest first (the order they were sent in)."""
    limit = max(1, min(HISTORY_MAX, int(limit)))
    rows = list(Trace.objects.filter(cluster=cluster).order_by("-id")[:limit])
    return [trace_wire(row) for row in reversed(rows)]


def trace_by_token(*, token: str) -> Trace | None:
    if not token or len(token) > 64:
        return None
    return Trace.objects.select_related("cluster").filter(token=token).first()


def _key(kind: str, namespace: str, name: str) -> tuple[str, str, str]:
    return (kind, namespace or "", name)


def _obj_key(kind: str, obj: dict) -> tuple[str, str, str]:
    meta = obj.get("metadata") or {}
    return _key(kind, meta.get("namespace") or "", meta.get("name") or "")


def snapshot_at(*, cluster: Cluster, seq: int) -> dict | None:
    """The whole state as it was at resourceVersion `seq`, or None when the event log no longer
    reaches back that far. Every change after `seq` is undone from the current objects: an object
    takes its body from its last event at or before `seq`; one first ADDED after `seq` did not
    exist yet; one first DELETED after `seq` was as that event carries it (nothing changed it in
    between). An object only MODIFIED after `seq`, with no earlier event kept, cannot be rebuilt.
    The settings are today's (a settings change is not an object event)."""
    with one_version():
        fresh = Cluster.objects.get(pk=cluster.pk)
        current = fresh.resource_version
        if seq > current:
            return None
        objects = {kind: {_obj_key(kind, o): o for o in object_list(cluster=fresh, kind=kind)} for kind in KIND_ORDER}
        later = list(Event.objects.filter(cluster=fresh, seq__gt=seq).order_by("seq")
                     .values_list("seq", "type", "kind", "namespace", "name", "object"))
        if current > seq and (not later or later[0][0] != seq + 1):
            return None  # the log was trimmed past this seq
        first_after: dict[tuple[str, str, str], tuple[str, dict]] = {}
        for _seq, etype, kind, namespace, name, obj in later:
            first_after.setdefault(_key(kind, namespace, name), (etype, obj))
        before: dict[tuple[str, str, str], tuple[str, dict]] = {}
        if first_after:
            earlier = (Event.objects.filter(cluster=fresh, seq__lte=seq, name__in={k[2] for k in first_after})
                       .order_by("seq").values_list("type", "kind", "namespace", "name", "object"))
            for etype, kind, namespace, name, obj in earlier:
                key = _key(kind, namespace, name)
                if key in first_after:
                    before[key] = (etype, obj)
        for key, (etype, obj) in first_after.items():
            kind = key[0]
            if kind not in objects:
                continue
            if key in before:
                old_type, old_obj = before[key]
                if old_type == Event.DELETED:
                    objects[kind].pop(key, None)
                else:
                    objects[kind][key] = old_obj
            elif etype == Event.ADDED:
                objects[kind].pop(key, None)
            elif etype == Event.DELETED:
                objects[kind][key] = obj
            else:
                return None  # changed after seq, and its state at seq is no longer in the log
        settings_wire = cluster_settings_wire(fresh)
    return {
        "type": "snapshot",
        "seq": seq,
        "cluster": {"id": str(fresh.pk), "name": fresh.name, "settings": settings_wire},
        "objects": {kind: [objects[kind][k] for k in sorted(objects[kind], key=lambda k: (k[1], k[2]))]
                    for kind in KIND_ORDER},
    }
