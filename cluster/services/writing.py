"""The one write path: lock the sandbox, change it through a Store, run the controllers, commit,
then publish the events.

A dry run (`dryRun=All`) is the same write - validation, defaulting, allocation, quota and the
controllers all run, so the answer is what a real write would return - that ends in a rollback:
nothing is stored, no event is published, no refusal is observed.
"""

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
def writing(cluster: Cluster | str, *, seed: int | None = None, resync_all: bool = False,
            dry_run: bool = False) -> Iterator[Store]:
    """Everything done to the yielded Store commits together, or not at all (always not, when
    `dry_run`)."""
    cluster_id = cluster.pk if isinstance(cluster, Cluster) else cluster
    try:
        with _locked_write(cluster_id, seed=seed, resync_all=resync_all, dry_run=dry_run) as (locked, store):
            yield store
    except Exception as error:
        # A refusal (an ApiError, or an error that carries its Status) changes nothing, but a
        # lesson may be about seeing it (nodePort 80, say).
        status = getattr(error, "status", None)
        if isinstance(status, dict) and not dry_run and lesson_of(cluster_id):
            observation_record(cluster=cluster_id, what="refused", text=str(status.get("message") or ""))
        raise
    if isinstance(cluster, Cluster) and not dry_run:
        cluster.resource_version = locked.resource_version


@contextmanager
def _locked_write(cluster_id, *, seed: int | None, resync_all: bool,
                  dry_run: bool) -> Iterator[tuple[Cluster, Store]]:
    with transaction.atomic():
        # The row lock orders writers per sandbox on PostgreSQL; SQLite takes its write lock at BEGIN.
        locked = Cluster.objects.select_for_update().get(pk=cluster_id)
        store = Store(locked, seed=seed)
        yield locked, store
        run_controllers(store, resync_all=resync_all)
        # A dry run writes its rows too, so the database refuses what it would refuse for real.
        store.flush()
        if dry_run:
            transaction.set_rollback(True)
        elif store.events:
            transaction.on_commit(partial(broadcast, locked.pk, events_message(store.events)))
