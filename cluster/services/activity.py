"""When a sandbox was last used: writes set it (Store.flush), reads and viewers touch it here.

A touch writes at most once per TOUCH_EVERY per sandbox (a conditional UPDATE), so reads stay
reads. `cleanup_sandboxes` deletes only sandboxes untouched for SANDBOX_IDLE_HOURS.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cluster.models import Cluster

TOUCH_EVERY = timedelta(minutes=5)


def cluster_touch(*, cluster: Cluster | str) -> None:
    now = timezone.now()
    if isinstance(cluster, Cluster):
        if cluster.last_active and now - cluster.last_active < TOUCH_EVERY:
            return
        cluster.last_active = now
    cluster_id = cluster.pk if isinstance(cluster, Cluster) else cluster
    Cluster.objects.filter(pk=cluster_id, last_active__lt=now - TOUCH_EVERY).update(last_active=now)
