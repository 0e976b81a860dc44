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
from cluster.store import Store


@contextmanager
def writing(cluster: Cluster | str, *, seed: int | None = None, resync_all: bool = False) -> Iterator[Store]:
    """Everything done to the yielded Store commits together, or not at all."""
    cluster_id = cluster.pk if isinstance(cluster, Cluster) else cluster
    with transaction.atomic():
        # The row lock orders writers per sandbox on PostgreSQL; SQLite takes its write lock at BEGIN.
        locked = Cluster.objects.select_for_update().get(pk=cluster_id)
        store = Store(locked, seed=seed)
        yield store
        run_controllers(store, resync_all=resync_all)
        store.flush()
        if store.events:
            transaction.on_commit(partial(broadcast, locked.pk, events_message(store.events)))
    if isinstance(cluster, Cluster):
        cluster.resource_version = locked.resource_version
