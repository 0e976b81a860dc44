"""The one write path: lock the sandbox, change it through a Store, run the controllers, commit,
then publish the events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from django.db import transaction

from cluster.controllers import run_controllers
from cluster.events import broadcast, events_message
from cluster.models import Cluster
from cluster.services.observations import lesson_of, observation_record
from cluster.store import Store


@contextmanager
def writing(cluster: Cluster | str, *, seed: int | None = None, resync_all: bool = False) -> Iterator[Store]:
    """Everything done to the yielded Store commits together, or not at all."""
    cluster_id = cluster.pk if isinstance(cluster, Cluster) else cluster
    try:
        with _locked_write(cluster_id, seed=seed, resync_all=resync_all) as (locked, store):
            yield store
    except Exception as error:
        # A refusal (an ApiError, or an error that carries its Status) changes nothing, but a
        # lesson may be about seeing it (nodePort 80, say).
        status = getattr(error, "status", None)
        if isinstance(status, dict) and lesson_of(cluster_id):
            observation_record(cluster=cluster_id, what="refused", text=str(status.get("message") or ""))
        raise
    if isinstance(cluster, Cluster):
        cluster.resource_version = locked.resource_version


@contextmanager
def _locked_write(cluster_id, *, seed: int | None, resync_all: bool) -> Iterator[tuple[Cluster, Store]]:
    with transaction.atomic():
        # The row lock orders writers per sandbox on PostgreSQL; SQLite takes its write lock at BEGIN.
        locked = Cluster.objects.select_for_update().get(pk=cluster_id)
        store = Store(locked, seed=seed)
        yield locked, store
        run_controllers(store, resync_all=resync_all)
        store.flush()
        if store.events:
            transaction.on_commit(partial(broadcast, locked.pk, events_message(store.events)))
