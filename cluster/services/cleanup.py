"""Deleting idle sandboxes (manage.py cleanup_sandboxes)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cluster.models import Class, Cluster


def idle_sandboxes(*, idle_for: timedelta, now: datetime | None = None) -> QuerySet[Cluster]:
    """Sandboxes with no write, read or connected viewer for `idle_for` (last_active), and no class
    still running on them that began within that time."""
    cutoff = (now or timezone.now()) - idle_for
    running = Class.objects.filter(ended_at__isnull=True, created_at__gte=cutoff).values("sandbox_id")
    return Cluster.objects.filter(Q(last_active__lt=cutoff)).exclude(pk__in=running).order_by("last_active")


def sandboxes_cleanup(*, idle_for: timedelta, dry_run: bool = False, now: datetime | None = None) -> list[str]:
    """Delete the idle sandboxes (each with everything in it); their names, oldest use first.

    Each is checked again under its row lock, so one used since the listing stays."""
    names = []
    for cluster_id in list(idle_sandboxes(idle_for=idle_for, now=now).values_list("pk", flat=True)):
        with transaction.atomic():
            locked = idle_sandboxes(idle_for=idle_for, now=now).select_for_update().filter(pk=cluster_id).first()
            if locked is None:
                continue
            names.append(locked.name)
            if not dry_run:
                locked.delete()
    return names
