"""A unit of work over one sandbox: every write of one transaction goes through a Store.

The Store loads each kind lazily, hands out copies, numbers every change with the sandbox's
resourceVersion counter, records the events, and writes rows, events and the counter in bulk
at the end. Controllers see the changes of the whole transaction, so one write that adds
several pods is one EndpointSlice sync.
"""

from __future__ import annotations

import copy
import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from cluster.errors import ApiError
from cluster.kinds import KINDS, kind_info
from cluster.models import Cluster, Event
from cluster.sim import quota
from cluster.sim.objects import Obj, node_internal_ip, pod_ip, pod_node

Key = tuple[str, str]  # (namespace, name)
TRIM_STEP = 100  # the event log is trimmed when the counter passes a multiple of this


def rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Change:
    kind: str
    old: Obj | None
    new: Obj | None

    @property
    def obj(self) -> Obj:
        return self.new if self.new is not None else self.old  # type: ignore[return-value]


def _index_columns(kind: str, obj: Obj) -> dict[str, Any]:
    if kind == "Pod":
        return {"node_name": pod_node(obj), "ip": pod_ip(obj) or None}
    if kind == "EndpointSlice":
        labels = obj["metadata"].get("labels") or {}
        return {"service_name": labels.get("kubernetes.io/service-name", "")}
    return {}


def sandbox_limits() -> quota.Limits:
    return quota.Limits(pods=settings.SANDBOX_MAX_PODS, services=settings.SANDBOX_MAX_SERVICES,
                        nodes=settings.SANDBOX_MAX_NODES)


class Store:
    def __init__(self, cluster: Cluster, *, seed: int | None = None):
        self.cluster = cluster
        self.settings = cluster.settings
        self.now = timezone.now()
        self.rng = random.Random(seed)
        self.rv = cluster.resource_version
        self.events: list[Event] = []
        self.changes: list[Change] = []
        self._objects: dict[str, dict[Key, Obj]] = {}
        self._pks: dict[str, dict[Key, int]] = {}
        self._dirty: dict[tuple[str, Key], str] = {}
        self._pod_ips: set[str] | None = None
        self._usage: dict[str, int] = {}  # quota'd kinds: objects that count, kept current

    # --- reads ----------------------------------------------------------------------------------

    def _load(self, kind: str) -> dict[Key, Obj]:
        if kind not in self._objects:
            rows = kind_info(kind).model.objects.filter(cluster=self.cluster).values_list(
                "pk", "namespace", "name", "body"
            )
            objs: dict[Key, Obj] = {}
            pks: dict[Key, int] = {}
            for pk, ns, name, body in rows:
                objs[(ns, name)] = body
                pks[(ns, name)] = pk
            self._objects[kind] = objs
            self._pks[kind] = pks
        return self._objects[kind]

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        """A copy the caller may change and hand back to put()."""
        obj = self._load(kind).get((namespace, name))
        return copy.deepcopy(obj) if obj is not None else None

    def peek(self, kind: str, namespace: str, name: str) -> Obj | None:
        """The stored object itself: read it, never change it."""
        return self._load(kind).get((namespace, name))

    def list(self, kind: str, namespace: str | None = None) -> list[Obj]:
        """Stored objects (not copies), in name order."""
        objs = self._load(kind)
        keys = sorted(k for k in objs if namespace is None or k[0] == namespace)
        return [objs[k] for k in keys]

    def names(self, kind: str, namespace: str) -> set[str]:
        return {name for ns, name in self._load(kind) if ns == namespace}

    def nodes_by_name(self) -> dict[str, Obj]:
        return {node["metadata"]["name"]: node for node in self.list("Node")}

    def pod_ips(self) -> set[str]:
        """Pod IPs in use, kept current across this transaction's writes."""
        if self._pod_ips is None:
            self._pod_ips = {ip for ip in map(pod_ip, self.list("Pod")) if ip}
        return self._pod_ips

    def node_ips(self) -> dict[str, str]:
        return {name: node_internal_ip(node) for name, node in self.nodes_by_name().items()}

    # --- writes ---------------------------------------------------------------------------------

    def next_rv(self) -> int:
        self.rv += 1
        return self.rv

    def put(self, kind: str, obj: Obj) -> Obj:
        """Store a created or changed object: it gets server metadata and a new resourceVersion."""
        info = kind_info(kind)
        meta = obj.setdefault("metadata", {})
        if not info.namespaced:
            meta.pop("namespace", None)
        key = (meta.get("namespace", ""), meta["name"])
        objs = self._load(kind)
        old = objs.get(key)
        if kind in quota.LIMITED_KINDS:
            self._count(kind, old, obj, plural=info.plural, name=meta["name"])
        obj["apiVersion"] = info.api_version
        obj["kind"] = kind
        if old is None:
            meta["uid"] = meta.get("uid") or str(uuid.uuid4())
            meta["creationTimestamp"] = meta.get("creationTimestamp") or rfc3339(self.now)
            if kind in ("Deployment", "ReplicaSet"):
                meta.setdefault("generation", 1)
        else:
            meta["uid"] = old["metadata"]["uid"]
            meta["creationTimestamp"] = old["metadata"]["creationTimestamp"]
            if kind in ("Deployment", "ReplicaSet") and obj.get("spec") != old.get("spec"):
                meta["generation"] = int(old["metadata"].get("generation", 1)) + 1
        meta["resourceVersion"] = str(self.next_rv())
        objs[key] = obj
        if kind == "Pod" and pod_ip(obj):
            self.pod_ips().add(pod_ip(obj))
        self._dirty[(kind, key)] = "save"
        self._record(Event.ADDED if old is None else Event.MODIFIED, kind, key, obj)
        self.changes.append(Change(kind, old, obj))
        return obj

    def remove(self, kind: str, namespace: str, name: str) -> Obj | None:
        key = (namespace, name)
        old = self._load(kind).pop(key, None)
        if old is None:
            return None
        if kind == "Pod" and pod_ip(old):
            self.pod_ips().discard(pod_ip(old))
        if kind in self._usage and quota.counts(kind, old):
            self._usage[kind] -= 1
        last = copy.deepcopy(old)
        last["metadata"]["resourceVersion"] = str(self.next_rv())
        self._dirty[(kind, key)] = "delete"
        self._record(Event.DELETED, kind, key, last)
        self.changes.append(Change(kind, old, None))
        return last

    def usage(self, kind: str) -> int:
        """How many objects of a quota'd kind count against the sandbox's limits now."""
        if kind not in self._usage:
            self._usage[kind] = quota.used(kind, self.list(kind))
        return self._usage[kind]

    def refusal(self, kind: str, name: str) -> dict | None:
        """The 403 Status creating one more `kind` named `name` would get now, or None."""
        return quota.exceeded_status(kind, kind_info(kind).plural, name, used_now=self.usage(kind),
                                     limits=sandbox_limits())

    def _count(self, kind: str, old: Obj | None, new: Obj, *, plural: str, name: str) -> None:
        """ResourceQuota admission: refuse what would take the sandbox past its limit (before any
        change), else keep the count current."""
        now_counts, counted = quota.counts(kind, new), old is not None and quota.counts(kind, old)
        if now_counts and not counted:
            refusal = self.refusal(kind, name)
            if refusal is not None:
                raise ApiError(refusal)
            self._usage[kind] += 1
        elif counted and not now_counts and kind in self._usage:
            self._usage[kind] -= 1

    def _record(self, type_: str, kind: str, key: Key, obj: Obj) -> None:
        self.events.append(
            Event(
                cluster=self.cluster, seq=self.rv, type=type_, kind=kind,
                namespace=key[0], name=key[1], object=copy.deepcopy(obj),
            )
        )

    def flush(self) -> None:
        """Write rows (deletes first, so a freed IP or name can be reused), events and the counter."""
        by_kind: dict[str, dict[str, list[Key]]] = {}
        for (kind, key), action in self._dirty.items():
            by_kind.setdefault(kind, {}).setdefault(action, []).append(key)
        for kind, actions in by_kind.items():
            model = KINDS[kind].model
            pks = self._pks[kind]
            gone = [pks.pop(key) for key in actions.get("delete", []) if key in pks]
            if gone:
                model.objects.filter(pk__in=gone).delete()
        for kind, actions in by_kind.items():
            self._save_rows(kind, actions.get("save", []))
        Event.objects.bulk_create(self.events, batch_size=500)
        self._trim_log()
        Cluster.objects.filter(pk=self.cluster.pk).update(resource_version=self.rv, last_active=self.now)
        self.cluster.resource_version = self.rv
        self._dirty.clear()

    def _trim_log(self) -> None:
        """Keep the last EVENT_LOG_MAX events; trimmed in steps of TRIM_STEP so most writes skip it.
        A reader behind what is kept gets None from events_since (a snapshot, or 410 Gone)."""
        bound = settings.EVENT_LOG_MAX
        before, after = self.cluster.resource_version, self.rv
        if after > bound and after // TRIM_STEP != before // TRIM_STEP:
            Event.objects.filter(cluster=self.cluster, seq__lte=after - bound).delete()

    def _save_rows(self, kind: str, keys: list[Key]) -> None:
        model = KINDS[kind].model
        objs, pks = self._objects[kind], self._pks[kind]
        new_rows, changed_rows = [], []
        for key in keys:
            obj = objs[key]
            fields = {
                "namespace": key[0], "name": key[1], "uid": obj["metadata"]["uid"],
                "resource_version": int(obj["metadata"]["resourceVersion"]), "body": obj,
                **_index_columns(kind, obj),
            }
            if key in pks:
                changed_rows.append(model(pk=pks[key], cluster=self.cluster, **fields))
            else:
                new_rows.append(model(cluster=self.cluster, **fields))
        if changed_rows:
            update_fields = ["body", "resource_version", *(_index_columns(kind, objs[keys[0]]).keys())]
            model.objects.bulk_update(changed_rows, update_fields, batch_size=500)
        if new_rows:
            for row in model.objects.bulk_create(new_rows, batch_size=500):
                if row.pk is not None:
                    pks[(row.namespace, row.name)] = row.pk
            missing = [row for row in new_rows if row.pk is None]
            if missing:  # backends that don't return primary keys from bulk inserts
                found = model.objects.filter(cluster=self.cluster, uid__in=[r.uid for r in missing])
                for pk, ns, name in found.values_list("pk", "namespace", "name"):
                    pks[(ns, name)] = pk
