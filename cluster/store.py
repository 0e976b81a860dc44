"""A unit of work over one sandbox: every write of one transaction goes through a Store.

The Store loads only what a write touches: one object by name, the objects a query picks (a
namespace, a Service's slices, the pods a selector or an owner picks, pending pods, named nodes),
or, when asked, a whole kind; every read sees this transaction's own changes over the rows. It
hands out copies, numbers every change with the sandbox's resourceVersion counter, records the
events, and writes rows, events and the counter in bulk at the end. Controllers see the changes
of the whole transaction, so one write that adds several pods is one EndpointSlice sync.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Count, Exists, F, Func, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Collate
from django.db.models.lookups import Exact
from django.utils import timezone

from cluster.errors import ApiError
from cluster.kinds import KINDS, kind_info
from cluster.models import Cluster, Event, LabelPair, OwnerReference, SliceEndpoint
from cluster.sim.allocation import quota
from cluster.sim.objects import Obj, copy_obj, node_internal_ip, pod_ip, pod_node, selector_matches
from cluster.store_index import derived_changed, derived_rows, forget_derived, index_columns, slice_pods

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


class LazyNames:
    """Store.names without reading every name: each name asked is looked up (and remembered);
    past LOOKUPS of them (many pods made at once) every name is read, once."""

    LOOKUPS = 32

    def __init__(self, store: Store, kind: str, namespace: str):
        self._store, self._kind, self._namespace = store, kind, namespace
        self._known: dict[str, bool] = {}
        self._all: set[str] | None = None

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        if name not in self._known:
            if self._all is None and len(self._known) >= self.LOOKUPS:
                self._all = self._store.all_names(self._kind, self._namespace)
            if self._all is not None:
                return name in self._all
            self._known[name] = self._store.exists(self._kind, self._namespace, name)
        return self._known[name]

    def add(self, name: str) -> None:
        self._known[name] = True
        if self._all is not None:
            self._all.add(name)

    def __iter__(self):
        names = self._store.all_names(self._kind, self._namespace)
        return iter(names | {name for name, taken in self._known.items() if taken})


class NodesByName(Mapping):
    """Store.nodes_by_name with the names read at once and each body when it is asked for (a new
    pod's scheduler looks at the few least loaded nodes, not at all of them)."""

    def __init__(self, store: Store):
        self._store = store
        self._names = sorted(store.all_names("Node", ""))

    def __getitem__(self, name: str) -> Obj:
        node = self._store.peek("Node", "", name)
        if node is None:
            raise KeyError(name)
        return node

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def values(self):
        return self._store.nodes_by_name().values()


class PodIPs:
    """Store.pod_ips without reading every pod: the stored IPs are read one block (the address up
    to its last separator: a node's /24 in practice) at a time, when one of its addresses is asked."""

    def __init__(self, store: Store, held: set[str]):
        self._store = store
        self._stored: set[str] = set()
        self._blocks: set[str] = set()
        self._added, self._removed = set(held), set()

    def __contains__(self, ip: object) -> bool:
        if not isinstance(ip, str):
            return False
        if ip in self._added:
            return True
        if ip in self._removed:
            return False
        block = ip[:max(ip.rfind("."), ip.rfind(":")) + 1]
        if block not in self._blocks:
            self._stored |= self._store.stored_pod_ips(block)
            self._blocks.add(block)
        return ip in self._stored

    def add(self, ip: str) -> None:
        self._added.add(ip)
        self._removed.discard(ip)

    def discard(self, ip: str) -> None:
        self._removed.add(ip)
        self._added.discard(ip)


def ip_text():
    """A pod's IP as text in byte order (upstream sorts addresses by the bytes of the IP string):
    the column itself on SQLite, host(inet) in the "C" collation on PostgreSQL."""
    if connection.vendor == "postgresql":
        return Collate(Func(F("ip"), function="host", output_field=CharField()), "C")
    return F("ip")


def sandbox_limits() -> quota.Limits:
    return quota.Limits(pods=settings.SANDBOX_MAX_PODS, services=settings.SANDBOX_MAX_SERVICES,
                        nodes=settings.SANDBOX_MAX_NODES)


class Store:
    # Read every kind whole, as before reads were narrowed: the reference the narrowed reads are
    # tested against (tests/cluster/test_store_narrow_reads.py), never set in production.
    load_whole = False

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
        self._touched: dict[str, set[Key]] = {}  # per kind: keys put or removed in this transaction
        self._derived: dict[str, set[Key]] = {}  # per kind: keys whose derived rows (store_index) changed
        self._slices_before: dict[Key, Obj | None] = {}  # EndpointSlices as stored before this transaction
        self._whole: set[str] = set()  # kinds loaded whole
        self._whole_ns: dict[str, set[str]] = {}  # per kind: namespaces loaded whole
        self._absent: dict[str, set[Key]] = {}  # keys looked up and not found
        self._read: set[tuple] = set()  # the queries already read (held objects cover them since)
        self._stored_names: dict[tuple[str, str], set[str]] = {}  # (kind, namespace): names in the rows
        self._pod_ips: set[str] | None = None
        self._usage: dict[str, int] = {}  # quota'd kinds: objects that count, kept current
        self._tallies: dict[tuple, tuple[set[int], dict[str, int]]] = {}  # tally's counts of the rows, by memo

    # --- reads ----------------------------------------------------------------------------------

    def _model(self, kind: str):
        return kind_info(kind).model.objects.filter(cluster=self.cluster)

    def _cached(self, kind: str) -> dict[Key, Obj]:
        self._pks.setdefault(kind, {})
        return self._objects.setdefault(kind, {})

    def _gone(self, kind: str, key: Key) -> bool:
        return self._dirty.get((kind, key)) == "delete"

    def _take_rows(self, kind: str, rows) -> None:
        """Read the rows a query picks, seen through this transaction: an object already held
        stays the held one (it may have changed), a removed one stays removed, and only bodies
        not yet held are fetched and parsed."""
        objs, pks = self._cached(kind), self._pks[kind]
        wanted: dict[int, Key] = {}
        if not rows.query.is_sliced:
            rows = rows.order_by()  # the model's ordering costs a sort; keys are ordered when read
        for pk, ns, name in rows.values_list("pk", "namespace", "name"):
            key = (ns, name)
            if key not in objs and not self._gone(kind, key):
                wanted[pk] = key
        ids = sorted(wanted)
        for start in range(0, len(ids), 900):  # under SQLite's bound-parameter limit
            chunk = ids[start:start + 900]
            for pk, body in self._model(kind).filter(pk__in=chunk).values_list("pk", "body"):
                objs[wanted[pk]] = body
                pks[wanted[pk]] = pk

    def _load(self, kind: str) -> dict[Key, Obj]:
        """Every object of `kind` (rare: a resync, a node change, a reset)."""
        if kind not in self._whole:
            self._take_rows(kind, self._model(kind))
            self._whole.add(kind)
        return self._objects[kind]

    def _is_whole(self, kind: str, namespace: str | None) -> bool:
        if self.load_whole and kind not in self._whole:
            self._load(kind)
        return kind in self._whole or (namespace is not None and namespace in self._whole_ns.get(kind, ()))

    def select(self, kind: str, namespace: str | None, query: list | None = None,
               keep: Callable[[Obj], bool] | None = None, *, memo: tuple | None = None) -> list[Obj]:
        """Stored objects (not copies), in name order: those of `namespace` (all when None) that
        `keep` accepts. `query` (filter conditions) narrows the database read and must pick at
        least every row `keep` accepts: it is a prefilter, `keep` decides. A `memo` names the
        query, so that reading it again in this transaction costs no database read."""
        objs = self._cached(kind)
        memo = (kind, namespace, memo) if memo is not None else None
        if not self._is_whole(kind, namespace) and (memo is None or memo not in self._read):
            rows = self._model(kind)
            if namespace is not None:
                rows = rows.filter(namespace=namespace)
            if query:
                rows = rows.filter(*query)
            self._take_rows(kind, rows)
            if memo is not None:
                self._read.add(memo)
            if query is None and namespace is not None:
                self._whole_ns.setdefault(kind, set()).add(namespace)
            elif query is None:
                self._whole.add(kind)
        # Held objects are the truth: what the database returned and what this transaction wrote.
        keys = sorted(k for k in objs if namespace is None or k[0] == namespace)
        return [objs[k] for k in keys if keep is None or keep(objs[k])]

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        """A copy the caller may change and hand back to put()."""
        obj = self.peek(kind, namespace, name)
        return copy_obj(obj) if obj is not None else None

    def peek(self, kind: str, namespace: str, name: str) -> Obj | None:
        """The stored object itself: read it, never change it."""
        key = (namespace, name)
        objs = self._cached(kind)
        if key in objs:
            return objs[key]
        if self._is_whole(kind, namespace):
            return objs.get(key)
        if self._gone(kind, key) or key in self._absent.get(kind, ()):
            return None
        if name not in self._stored_names.get((kind, namespace), (name,)):
            return None  # not among the rows when the names were read, and not written since
        row = self._model(kind).filter(namespace=namespace, name=name).values_list("pk", "body").first()
        if row is None:
            self._absent.setdefault(kind, set()).add(key)
            return None
        objs[key], self._pks[kind][key] = row[1], row[0]
        return row[1]

    def list(self, kind: str, namespace: str | None = None) -> list[Obj]:
        """Stored objects (not copies), in name order."""
        return self.select(kind, namespace)

    def names(self, kind: str, namespace: str) -> set[str] | LazyNames:
        """The names of `kind` in the namespace, as this transaction sees them: a set when they
        are at hand, else a LazyNames that looks a name up when asked (generateName asks few)."""
        if not self._is_whole(kind, namespace) and (kind, namespace) not in self._stored_names:
            return LazyNames(self, kind, namespace)
        return self.all_names(kind, namespace)

    def all_names(self, kind: str, namespace: str) -> set[str]:
        if self._is_whole(kind, namespace):
            return {name for ns, name in self._objects[kind] if ns == namespace}
        if (kind, namespace) not in self._stored_names:
            self._stored_names[(kind, namespace)] = set(
                self._model(kind).filter(namespace=namespace).order_by().values_list("name", flat=True))
        stored = set(self._stored_names[(kind, namespace)])
        touched = {key for key in self._touched.get(kind, ()) if key[0] == namespace}
        stored -= {name for ns, name in touched if self._gone(kind, (ns, name))}
        return stored | {name for ns, name in touched if not self._gone(kind, (ns, name))}

    def exists(self, kind: str, namespace: str, name: str) -> bool:
        key = (namespace, name)
        if key in self._touched.get(kind, ()) or key in self._objects.get(kind, {}):
            return not self._gone(kind, key)
        return self._model(kind).filter(namespace=namespace, name=name).exists()

    def selected(self, kind: str, namespace: str, selector: dict | None,
                 keep: Callable[[Obj], bool]) -> list[Obj]:
        """Objects of the namespace `keep` accepts, read through their labels' `selector` pairs
        (a map of labels each of them must carry; None or {} reads the whole namespace)."""
        query = self.labelled(kind, namespace, selector)
        if query is None:
            return self.select(kind, namespace, None, keep)
        return self.select(kind, namespace, query, keep, memo=("labels", *sorted(selector.items())))

    def labelled(self, kind: str, namespace: str, selector: dict | None, *, per_row: bool = False) -> list | None:
        """Filter conditions picking the stored objects that carry every pair of `selector`
        (None when it is no map of strings, or empty): through the pairs index for pods, as a
        list of names (the default) or checked row by row (`per_row`, for a query that stops early)."""
        if not (isinstance(selector, dict) and selector and all(
                isinstance(k, str) and isinstance(v, str) for k, v in selector.items())):
            return None
        if kind == "Pod":  # a Service's indexed pairs are its selector, not its labels
            pairs = LabelPair.objects.filter(cluster=self.cluster, kind=kind, namespace=namespace)
            if per_row:
                pairs = pairs.filter(name=OuterRef("name"))
                return [Exists(pairs.filter(key=k, value=v)) for k, v in sorted(selector.items())]
            return [Q(name__in=pairs.filter(key=k, value=v).values("name")) for k, v in sorted(selector.items())]
        labels = KeyTransform("labels", KeyTransform("metadata", "body"))
        return [Exact(KeyTextTransform(k, labels), v) for k, v in sorted(selector.items())]

    def selecting(self, namespace: str, labels: dict[str, str]) -> set[str]:
        """Names of the namespace's Services whose selector picks `labels`: the stored ones found
        through the selector pairs index, the ones this transaction wrote by their held bodies."""
        touched = {name for ns, name in self._touched.get("Service", ()) if ns == namespace}
        names: set[str] = set()
        if self._is_whole("Service", namespace):
            held = self.list("Service", namespace)
        else:
            held = [obj for name in sorted(touched) if (obj := self.peek("Service", namespace, name))]
            pairs = sorted((k, v) for k, v in labels.items() if isinstance(k, str) and isinstance(v, str))
            if pairs:
                found, sizes = Counter(), {}
                rows = LabelPair.objects.filter(cluster=self.cluster, kind="Service", namespace=namespace)
                pair_of = Q()
                for k, v in pairs:
                    pair_of |= Q(key=k, value=v)
                for name, size in rows.filter(pair_of).values_list("name", "size"):
                    found[name] += 1
                    sizes[name] = size
                names = {name for name, count in found.items() if count == sizes[name] and name not in touched}
        names |= {svc["metadata"]["name"] for svc in held
                  if selector_matches((svc.get("spec") or {}).get("selector"), labels)}
        return names

    def slice_sizes(self, namespace: str, service: str, managed_by: str) -> dict[str, tuple[str, str, int]] | None:
        """The stored slices of a Service one controller manages, by name: (owner UID, address
        type, number of endpoints). None when this transaction wrote one of the namespace's slices
        that is, or was, the Service's: then only the bodies tell."""
        for ns, name in self._touched.get("EndpointSlice", ()):
            held = self._objects.get("EndpointSlice", {}).get((ns, name))
            if ns == namespace and (held is None or held["metadata"].get("labels", {}).get(
                    "kubernetes.io/service-name") == service or name in self._slice_names(namespace, service)):
                return None
        rows = self._model("EndpointSlice").filter(namespace=namespace, service_name=service, managed_by=managed_by)
        return {name: (uid, address_type, count) for name, uid, address_type, count
                in rows.values_list("name", "owner_uid", "address_type", "endpoint_count")}

    def _slice_names(self, namespace: str, service: str) -> set[str]:
        return set(self._model("EndpointSlice").filter(namespace=namespace, service_name=service)
                   .values_list("name", flat=True))

    def slices_holding(self, namespace: str, pods: Iterable[str]) -> set[str]:
        """Names of the stored slices of the namespace holding an endpoint of one of the pods."""
        names, found = sorted(set(pods)), set()
        for start in range(0, len(names), 900):
            rows = SliceEndpoint.objects.filter(cluster=self.cluster, namespace=namespace,
                                                pod_name__in=names[start:start + 900])
            found.update(rows.values_list("slice_name", flat=True))
        return found

    def ready_pods_after(self, namespace: str, selector: dict | None, after: str, limit: int) -> list[Obj]:
        """Up to `limit` stored pods the selector picks that are ready, not terminating nor
        terminal, in the byte order of their IPs after the IP `after` (IPs are unique in a
        sandbox): what lies beyond a truncated Endpoints object. Read along the IP index, so it
        stops after `limit`. Pods this transaction wrote are left out (the caller has them)."""
        query = self.labelled("Pod", namespace, selector, per_row=True)
        if query is None:
            return []
        pks = self._pks.get("Pod", {})
        rows = (self._model("Pod").annotate(ip_text=ip_text())
                .filter(*query, namespace=namespace, ready=True, terminating=False, terminal=False,
                        ip_text__gt=after)
                .exclude(pk__in=[pks[key] for key in self._touched.get("Pod", ()) if key in pks])
                .order_by("ip_text")[:limit])
        names = list(rows.values_list("name", flat=True))  # a few: their bodies are read in one query
        for start in range(0, len(names), 900):
            self._take_rows("Pod", self._model("Pod").filter(namespace=namespace, name__in=names[start:start + 900]))
        return [pod for pod in (self.peek("Pod", namespace, name) for name in names) if pod is not None]

    def tally(self, kind: str, namespace: str, where: Q, matches: Callable[[Obj], bool],
              groups: dict[str, tuple[Q, Callable[[Obj], bool]]], *, memo: tuple | None = None) -> dict[str, int]:
        """How many objects of the namespace `where` picks ("total"), and of those, how many each
        group's condition picks: counted by the database, but for the objects this transaction
        wrote, which are judged by their held bodies (`matches` and each group's test mirror
        `where` and the group's condition). A `memo` names the count, so that counting it again
        in this transaction reads only the rows written since."""
        touched = [key for key in self._touched.get(kind, ()) if key[0] == namespace]
        if self._is_whole(kind, namespace):
            counts = dict.fromkeys(["total", *groups], 0)
            held = self.select(kind, namespace)
        else:
            pks = self._pks.get(kind, {})
            excluded = {pks[key] for key in touched if key in pks}
            counts = self._stored_tally(kind, namespace, where, groups, excluded, memo)
            held = [self._objects[kind][key] for key in touched if key in self._objects.get(kind, {})]
        for obj in held:
            if matches(obj):
                counts["total"] += 1
                for name, (_, test) in groups.items():
                    counts[name] += bool(test(obj))
        return counts

    def _stored_tally(self, kind: str, namespace: str, where: Q, groups: dict[str, tuple[Q, Callable]],
                      excluded: set[int], memo: tuple | None) -> dict[str, int]:
        """tally's count of the rows but `excluded`. A count already taken under `memo` is
        reused: the rows excluded since are counted by primary key and taken off it."""
        def count(rows) -> dict[str, int]:
            return rows.filter(namespace=namespace).filter(where).aggregate(
                total=Count("pk"), **{name: Count("pk", filter=cond) for name, (cond, _) in groups.items()})

        key = (kind, namespace, memo)
        if memo is None or key not in self._tallies:
            counts = count(self._model(kind).exclude(pk__in=sorted(excluded)))
        else:
            before, counts = self._tallies[key]
            since = sorted(excluded - before)
            if since:
                gone = count(self._model(kind).filter(pk__in=since))
                counts = {name: counts[name] - gone[name] for name in counts}
        if memo is not None:
            self._tallies[key] = (set(excluded), dict(counts))
        return dict(counts)

    def owned(self, kind: str, namespace: str | None, uids: Iterable[str],
              keep: Callable[[Obj], bool]) -> list[Obj]:
        """Objects `keep` accepts, read among those with an ownerReference to one of `uids`
        (through the OwnerReference index)."""
        uids = sorted(set(uids))
        if not uids:
            return []
        objs = self._cached(kind)
        memo = (kind, namespace, ("owned", *uids))
        if not self._is_whole(kind, namespace) and memo not in self._read:
            refs = OwnerReference.objects.filter(cluster=self.cluster, kind=kind, owner_uid__in=uids)
            if namespace is not None:
                refs = refs.filter(namespace=namespace)
            names: dict[str, list[str]] = {}
            for ns, name in refs.values_list("namespace", "name"):
                names.setdefault(ns, []).append(name)
            for ns, listed in names.items():
                for start in range(0, len(listed), 900):
                    self._take_rows(kind, self._model(kind).filter(namespace=ns, name__in=listed[start:start + 900]))
            self._read.add(memo)
        keys = sorted(k for k in objs if namespace is None or k[0] == namespace)
        return [objs[k] for k in keys if keep(objs[k])]

    def nodes_by_name(self) -> dict[str, Obj]:
        return {node["metadata"]["name"]: node for node in self.list("Node")}

    def nodes_lazily(self) -> Mapping[str, Obj]:
        """The nodes by name, each body read when asked for (every one at hand when all are held)."""
        if self._is_whole("Node", None):
            return self.nodes_by_name()
        return NodesByName(self)

    def nodes_named(self, names: Iterable[str]) -> dict[str, Obj]:
        """The named nodes that exist, by name."""
        wanted = sorted(set(names) - {""})
        if self._is_whole("Node", None):
            return {n: self._objects["Node"][("", n)] for n in wanted if ("", n) in self._objects["Node"]}
        missing = [n for n in wanted if ("", n) not in self._objects.get("Node", {})
                   and not self._gone("Node", ("", n)) and ("", n) not in self._absent.get("Node", ())]
        if missing:
            self._take_rows("Node", self._model("Node").filter(name__in=missing))
            self._absent.setdefault("Node", set()).update(("", n) for n in missing
                                                          if ("", n) not in self._objects["Node"])
        nodes = self._cached("Node")
        return {n: nodes[("", n)] for n in wanted if ("", n) in nodes}

    def pods_per_node(self) -> Counter:
        """How many pods each node holds now."""
        touched = self._touched.get("Pod", set())
        counts: Counter = Counter()
        if self._is_whole("Pod", None):
            held = self._objects["Pod"].values()
        else:
            pks = self._pks.get("Pod", {})
            rows = self._model("Pod").exclude(node_name="").exclude(pk__in=[pks[key] for key in touched if key in pks])
            for node, count in rows.order_by().values("node_name").annotate(count=Count("pk")).values_list(
                    "node_name", "count"):
                counts[node] += count
            held = [self._objects["Pod"][key] for key in touched if key in self._objects.get("Pod", {})]
        counts.update(node for node in map(pod_node, held) if node)
        return counts

    def pod_ips(self) -> set[str] | PodIPs:
        """Pod IPs in use, kept current across this transaction's writes: a set when every pod
        is held, else a PodIPs that reads one address block at a time."""
        if self._pod_ips is None:
            touched = self._touched.get("Pod", set())
            held = [self._objects["Pod"][key] for key in touched if key in self._objects.get("Pod", {})]
            if self._is_whole("Pod", None):
                self._pod_ips = {ip for ip in map(pod_ip, self._objects["Pod"].values()) if ip}
            else:
                self._pod_ips = PodIPs(self, {ip for ip in map(pod_ip, held) if ip})
        return self._pod_ips

    def stored_pod_ips(self, prefix: str) -> set[str]:
        """The stored IPs starting with `prefix`, but for the pods this transaction wrote."""
        pks = self._pks.get("Pod", {})
        if connection.vendor == "sqlite" and prefix:
            # The IP column is text there: a range along the unique IP index, where LIKE reads every row.
            picked = Q(ip__gte=prefix, ip__lt=prefix[:-1] + chr(ord(prefix[-1]) + 1))
        else:
            picked = Q(ip__startswith=prefix)
        rows = self._model("Pod").filter(picked).exclude(
            pk__in=[pks[key] for key in self._touched.get("Pod", ()) if key in pks])
        return set(rows.order_by().values_list("ip", flat=True))

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
        old = self.peek(kind, key[0], key[1])
        objs = self._objects[kind]
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
        if kind == "EndpointSlice":
            self._slices_before.setdefault(key, old)
        objs[key] = obj
        if kind == "Pod" and pod_ip(obj) and self._pod_ips is not None:
            self._pod_ips.add(pod_ip(obj))
        self._dirty[(kind, key)] = "save"
        self._touched.setdefault(kind, set()).add(key)
        if derived_changed(kind, old, obj):
            self._derived.setdefault(kind, set()).add(key)
        self._record(Event.ADDED if old is None else Event.MODIFIED, kind, key, obj)
        self.changes.append(Change(kind, old, obj))
        return obj

    def remove(self, kind: str, namespace: str, name: str) -> Obj | None:
        key = (namespace, name)
        if self.peek(kind, namespace, name) is None:
            return None
        old = self._objects[kind].pop(key)
        if kind == "EndpointSlice":
            self._slices_before.setdefault(key, old)
        if kind == "Pod" and pod_ip(old) and self._pod_ips is not None:
            self._pod_ips.discard(pod_ip(old))
        if kind in self._usage and quota.counts(kind, old):
            self._usage[kind] -= 1
        last = copy_obj(old)
        last["metadata"]["resourceVersion"] = str(self.next_rv())
        self._dirty[(kind, key)] = "delete"
        self._touched.setdefault(kind, set()).add(key)
        if derived_changed(kind, old, None):
            self._derived.setdefault(kind, set()).add(key)
        self._record(Event.DELETED, kind, key, last)
        self.changes.append(Change(kind, old, None))
        return last

    def usage(self, kind: str) -> int:
        """How many objects of a quota'd kind count against the sandbox's limits now."""
        if kind not in self._usage:
            self._usage[kind] = self._used(kind)
        return self._usage[kind]

    def _used(self, kind: str) -> int:
        """quota.used over the kind, counted by the database but for what this transaction holds."""
        if self._is_whole(kind, None):
            return quota.used(kind, self.list(kind))
        touched = self._touched.get(kind, set())
        pks = self._pks.get(kind, {})
        rows = self._model(kind).exclude(pk__in=[pks[key] for key in touched if key in pks])
        if kind == "Pod":
            rows = rows.filter(terminal=False)  # phase Succeeded or Failed: quota.counts
        stored = rows.count()
        held = [self._objects[kind][key] for key in touched if key in self._objects.get(kind, {})]
        return stored + quota.used(kind, held)

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
                namespace=key[0], name=key[1], object=copy_obj(obj),
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
        self._save_derived()
        Event.objects.bulk_create(self.events, batch_size=500)
        self._trim_log()
        Cluster.objects.filter(pk=self.cluster.pk).update(resource_version=self.rv, last_active=self.now)
        self.cluster.resource_version = self.rv
        self._dirty.clear()
        self._tallies.clear()

    def _save_derived(self) -> None:
        """Rewrite the label, selector and owner rows of the objects whose pairs changed; a slice's
        membership rows change by the pods it gained and lost (a slice holds up to 100)."""
        for kind, keys in self._derived.items():
            ordered = sorted(keys)
            forget_derived(self.cluster, kind, ordered, memberships=False)
            held = self._objects.get(kind, {})
            by_model: dict[type, list] = {}
            for key in ordered:
                for row in derived_rows(self.cluster, kind, held[key], memberships=False) if key in held else ():
                    by_model.setdefault(type(row), []).append(row)
            if kind == "EndpointSlice":
                by_model[SliceEndpoint] = self._moved_memberships(ordered)
            for model, rows in by_model.items():
                model.objects.bulk_create(rows, batch_size=500)
        self._derived.clear()
        self._slices_before.clear()

    def _moved_memberships(self, keys: list[Key]) -> list[SliceEndpoint]:
        """Delete the membership rows of the pods the slices lost; the rows of the pods they gained."""
        held, added = self._objects.get("EndpointSlice", {}), []
        for ns, name in keys:
            before, now = slice_pods(self._slices_before.get((ns, name))), slice_pods(held.get((ns, name)))
            lost = sorted(before - now)
            for start in range(0, len(lost), 900):
                SliceEndpoint.objects.filter(cluster=self.cluster, namespace=ns, slice_name=name,
                                             pod_name__in=lost[start:start + 900]).delete()
            added += [SliceEndpoint(cluster=self.cluster, namespace=ns, slice_name=name, pod_name=pod)
                      for pod in sorted(now - before)]
        return added

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
                **index_columns(kind, obj),
            }
            if key in pks:
                changed_rows.append(model(pk=pks[key], cluster=self.cluster, **fields))
            else:
                new_rows.append(model(cluster=self.cluster, **fields))
        update_fields = ["body", "resource_version", *(index_columns(kind, objs[keys[0]]).keys())] if keys else []
        if len(changed_rows) == 1:  # the common write: a plain UPDATE costs less to build than bulk_update's CASE
            row = changed_rows[0]
            model.objects.filter(pk=row.pk).update(**{field: getattr(row, field) for field in update_fields})
        elif changed_rows:
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
