"""A list or a snapshot shows the sandbox at the resourceVersion it reports, even when another
writer commits between reading that version and reading the objects: on PostgreSQL (READ COMMITTED
by default) the objects used to be newer than the version, so `kubectl get -w` printed a Service
twice (once listed, once watched from the list's version).

The race is forced: the function that reads the objects first lets a write from another thread
(its own database connection) commit, or wait for the reader where the database makes it wait
(SQLite's write lock). This file also runs on PostgreSQL (tests/hosted/test_write_path_postgresql.py).
"""

from __future__ import annotations

import threading
from itertools import count

import pytest
from django.db import connection

from cluster import selectors, snapshots
from cluster.presets import service_manifest
from cluster.selectors import cluster_snapshot
from cluster.services.objects import object_create
from cluster.services.sandboxes import cluster_create
from cluster.sim.api.selection import Selection
from cluster.snapshots import packed_snapshot, snapshot_objects
from visualizer.kubeapi import catalog, reads
from visualizer.kubeapi.target import Target

pytestmark = pytest.mark.django_db(transaction=True)  # the writer thread needs committed rows

_names = count()


@pytest.fixture
def box():
    return cluster_create(name="versions", preset="empty", seed=5)


def _racing(monkeypatch, module, name: str, cluster) -> list[threading.Thread]:
    """Make `module.name` let another connection create a Service just before it reads."""
    original = getattr(module, name)
    writers: list[threading.Thread] = []

    def write() -> None:
        try:
            object_create(cluster=str(cluster.pk), obj=service_manifest(f"late-{next(_names)}"))
        finally:
            connection.close()

    def reading(*args, **kwargs):
        if not writers:
            writer = threading.Thread(target=write)
            writers.append(writer)
            writer.start()
            writer.join(timeout=1.0)  # committed by now, unless this read holds it back
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, reading)
    return writers


def _versions(objects: dict[str, list[dict]]) -> list[int]:
    return [int(o["metadata"]["resourceVersion"]) for objs in objects.values() for o in objs]


def _finish(writers: list[threading.Thread]) -> None:
    assert writers, "the race was not run"
    for writer in writers:
        writer.join(timeout=30)
        assert not writer.is_alive()


def test_a_kubernetes_list_is_at_its_resource_version(monkeypatch, box):
    writers = _racing(monkeypatch, reads, "object_list", box)
    services = Target(catalog.find("", "v1", "services"), None)
    version, items = reads.read_list(box, services, Selection("Service"))
    _finish(writers)
    assert all(int(o["metadata"]["resourceVersion"]) <= int(version) for o in items), (version, items)
    after = reads.read_list(box, services, Selection("Service"))
    assert int(after[0]) > int(version) and len(after[1]) == len(items) + 1  # the write did land


def test_a_snapshot_is_at_its_seq(monkeypatch, box):
    writers = _racing(monkeypatch, selectors, "object_list", box)
    snapshot = cluster_snapshot(cluster=box)
    _finish(writers)
    assert max(_versions(snapshot["objects"])) <= snapshot["seq"]


def test_a_packed_snapshot_is_at_its_seq(monkeypatch, box):
    writers = _racing(monkeypatch, snapshots, "objects_json", box)
    snapshot = packed_snapshot(cluster=box)
    _finish(writers)
    assert max(_versions(snapshot_objects(snapshot))) <= snapshot["seq"]

