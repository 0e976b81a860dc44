"""What a learner was seen doing that the objects do not show: recorded for a lesson's checks.

Only sandboxes made for a lesson record anything; the log is bounded (newest kept)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cluster.events import broadcast
from cluster.models import Cluster, LessonProgress

MAX_OBSERVATIONS = 200
MAX_TEXT = 500
KINDS = ("console", "refused", "open", "api", "view", "rule", "quiz", "predict", "cause")


def observation_record(*, cluster: Cluster | str, what: str, **details: Any) -> bool:
    """Append one observation to the sandbox's lesson progress; False when it has no lesson."""
    cluster_id = cluster.pk if isinstance(cluster, Cluster) else cluster
    entry = {"what": what}
    for key, value in details.items():
        if isinstance(value, str):
            value = value[:MAX_TEXT]
        if value is not None:
            entry[key] = value
    with transaction.atomic():
        progress = LessonProgress.objects.select_for_update().filter(cluster_id=cluster_id).first()
        if progress is None:
            return False
        progress.observations = [*(progress.observations or []), entry][-MAX_OBSERVATIONS:]
        progress.save(update_fields=["observations", "updated_at"])
        # Seeing may finish a step: the lesson's pages check again (no object event will tell them).
        transaction.on_commit(lambda: broadcast(cluster_id, {"type": "lesson"}))
    return True


def lesson_of(cluster_id: Any) -> str:
    return Cluster.objects.filter(pk=cluster_id).values_list("lesson", flat=True).first() or ""
