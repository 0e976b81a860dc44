"""kube-proxy's endpoint cache, per process: the endpoints merged from a Service's slices are kept
and reused for as long as the slices' resourceVersions stay the same, so a trace through a Service
of 10,000 endpoints does not parse 100 slices again. Checking costs one small query (names and
versions, no bodies); any write to a slice changes its version and the next trace merges afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.db import transaction

from cluster.sim.dataplane.kubeproxy import Endpoint, ServicePort, merge_slice_endpoints
from cluster.sim.objects import Obj

# Bound on the endpoints kept across every entry (about 200 bytes each): the least recently used
# Services are forgotten first.
MAX_ENDPOINTS = 200_000

Versions = tuple[tuple[str, int], ...]
Key = tuple[str, str, str, str, str]  # cluster, namespace, service, port name, protocol

_lock = threading.Lock()
_entries: OrderedDict[Key, tuple[Versions, tuple[Endpoint, ...]]] = OrderedDict()
_size = 0


def key_of(cluster_id: str, spi: ServicePort) -> Key:
    return (cluster_id, spi.namespace, spi.service, spi.port_name, spi.protocol)


def cached(key: Key, versions: Versions) -> tuple[Endpoint, ...] | None:
    with _lock:
        entry = _entries.get(key)
        if entry is None or entry[0] != versions:
            return None
        _entries.move_to_end(key)
        return entry[1]


def merged(key: Key, rows: list[tuple[str, int, Obj]], spi: ServicePort) -> tuple[Endpoint, ...]:
    """Merge slices read as (name, resourceVersion, body), and keep the result under their versions
    once the transaction that read them commits: a rolled-back write gives its resourceVersions out
    again, to other contents."""
    endpoints = merge_slice_endpoints([body for _name, _rv, body in rows], spi.port_name, spi.protocol)
    versions = tuple((name, rv) for name, rv, _body in rows)
    transaction.on_commit(lambda: _keep(key, versions, endpoints))
    return endpoints


def _keep(key: Key, versions: Versions, endpoints: tuple[Endpoint, ...]) -> None:
    global _size
    if len(endpoints) > MAX_ENDPOINTS:
        return
    with _lock:
        old = _entries.pop(key, None)
        _size -= len(old[1]) if old else 0
        _entries[key] = (versions, endpoints)
        _size += len(endpoints)
        while _size > MAX_ENDPOINTS:
            _key, (_versions, evicted) = _entries.popitem(last=False)
            _size -= len(evicted)


def clear() -> None:
    global _size
    with _lock:
        _entries.clear()
        _size = 0
