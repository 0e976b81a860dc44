"""Lessons and broken-cluster scenarios on real sandboxes: start one, follow the learner's progress,
and "show me" — every change through the one write path, so everyone watching sees it happen."""

from __future__ import annotations

import secrets
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cluster.errors import ApiError
from cluster.kinds import KIND_ORDER
from cluster.models import Cluster, LessonProgress, Trace
from cluster.selectors import object_list
from cluster.services.console import console_run
from cluster.services.manifests import ManifestError, manifests_apply
from cluster.services.objects import object_delete
from cluster.services.observations import KINDS as OBSERVATION_KINDS
from cluster.services.observations import MAX_TEXT, observation_record
from cluster.services.sandboxes import cluster_create, cluster_reset, cluster_update_settings
from cluster.services.traces import trace_create
from cluster.services.workloads import pod_set_ready, workload_scale
from cluster.sim.api.fielderrors import status_bad_request
from cluster.sim.lessons.loader import read_catalogue
from cluster.sim.lessons.model import Action, Lesson, Step
from cluster.sim.lessons.placeholders import PlaceholderError, fill
from cluster.sim.lessons.progress import advance, is_complete, next_step
from cluster.sim.lessons.state import LessonState, parse_pairs
from cluster.sim.objects import name_of, namespace_of, pod_ready

LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"
STATE_TRACES = 200


class LessonError(Exception):
    """A lesson request that cannot be done now, in the learner's terms (HTTP 409)."""


@cache
def lesson_catalogue() -> dict[str, Lesson]:
    """Every lesson and scenario, read once per process (a mistake in any file refuses them all)."""
    folder = getattr(settings, "LESSON_DIR", None) or LESSON_DIR
    return read_catalogue(Path(folder))


def lesson_get(lesson_id: str) -> Lesson | None:
    return lesson_catalogue().get(lesson_id)


# --- the state the checks read ------------------------------------------------------------------------


def lesson_state(cluster: Cluster) -> LessonState:
    with transaction.atomic():
        fresh = Cluster.objects.get(pk=cluster.pk)
        objects = {kind: object_list(cluster=fresh, kind=kind) for kind in KIND_ORDER}
        traces = list(Trace.objects.filter(cluster=fresh).order_by("-id").values_list("id", "body")[:STATE_TRACES])
        progress = LessonProgress.objects.filter(cluster=fresh).first()
    return LessonState(
        objects=objects, settings=fresh.settings,
        traces=tuple({**body, "id": pk} for pk, body in reversed(traces)),
        observations=tuple(progress.observations if progress else ()),
    )


# --- starting, following, resetting -------------------------------------------------------------------


def lesson_start(*, lesson_id: str, owner: str = "", name: str = "", seed: int | None = None) -> Cluster:
    """A new sandbox for the lesson: its preset, then the lesson's own start (a broken Service, say)."""
    lesson = lesson_get(lesson_id)
    if lesson is None:
        raise KeyError(lesson_id)
    name = name or f"{lesson.id}-{secrets.token_hex(3)}"
    cluster = cluster_create(name=name, preset=lesson.preset, owner=owner, seed=seed)
    Cluster.objects.filter(pk=cluster.pk).update(lesson=lesson.id)
    cluster.lesson = lesson.id
    LessonProgress.objects.create(cluster=cluster)
    _run_start(cluster, lesson)
    return cluster


def _run_start(cluster: Cluster, lesson: Lesson) -> None:
    for action in lesson.start:
        perform(cluster, action)


def lesson_reset(*, cluster: Cluster) -> Cluster:
    """Back to the lesson's start: the sandbox's objects and settings, and no progress."""
    lesson = _lesson_of(cluster)
    cluster_reset(cluster=cluster)
    Trace.objects.filter(cluster=cluster).delete()
    LessonProgress.objects.update_or_create(cluster=cluster, defaults={"done": [], "observations": [],
                                                                        "completed_at": None})
    _run_start(cluster, lesson)
    return cluster


def _lesson_of(cluster: Cluster) -> Lesson:
    lesson = lesson_get(cluster.lesson)
    if lesson is None:
        raise LessonError(_("This sandbox was not made for a lesson."))
    return lesson


def lesson_progress(*, cluster: Cluster) -> tuple[Lesson, list[str], LessonProgress]:
    """Check the learner's next steps against the sandbox now; done steps are kept."""
    lesson = _lesson_of(cluster)
    progress, _ = LessonProgress.objects.get_or_create(cluster=cluster)
    done = advance(lesson, lesson_state(cluster), list(progress.done or []))
    if done != progress.done:
        with transaction.atomic():
            progress = LessonProgress.objects.select_for_update().get(pk=progress.pk)
            merged = advance(lesson, lesson_state(cluster), list(progress.done or []))
            progress.done = merged
            if is_complete(lesson, merged) and progress.completed_at is None:
                progress.completed_at = timezone.now()
            progress.save(update_fields=["done", "completed_at", "updated_at"])
        done = merged
    return lesson, done, progress


def lesson_observe(*, cluster: Cluster, what: str, **details: Any) -> None:
    """Record something the page saw the learner do (a view opened, a prediction answered)."""
    if what not in OBSERVATION_KINDS:
        raise ApiError(status_bad_request(f'"what" must be one of: {", ".join(OBSERVATION_KINDS)}'))
    if what == "cause":
        lesson = _lesson_of(cluster)
        if lesson.kind != "scenario":
            raise LessonError(_("Only a broken cluster has a cause to reveal."))
        if not Trace.objects.filter(cluster=cluster).exists():
            raise LessonError(_("Send the failing request and look at its trace first."))
    clean = {k: v for k, v in details.items() if isinstance(v, (str, int, bool)) and not isinstance(v, float)}
    for key, value in clean.items():
        if isinstance(value, str) and len(value) > MAX_TEXT:
            clean[key] = value[:MAX_TEXT]
    observation_record(cluster=cluster, what=what, **clean)


# --- "show me" ----------------------------------------------------------------------------------------


def lesson_solve(*, cluster: Cluster) -> Step | None:
    """Perform the next unfinished step as its "show me" says (a scenario: its fix), through the
    write path; returns the step performed, or None when everything is done."""
    lesson, done, _ = lesson_progress(cluster=cluster)
    step = next_step(lesson, done)
    if step is None:
        return None
    if step.predict is not None:
        observation_record(cluster=cluster, what="predict", step=step.id, choice=step.predict.answer, shown=True)
    for action in step.show:
        perform(cluster, action)
    return step


def perform(cluster: Cluster, action: Action) -> None:
    """One action of a lesson file, through the services every other path uses."""
    try:
        _perform(cluster, action)
    except PlaceholderError as exc:
        raise LessonError(_("Cannot show this step in the sandbox as it is now: %(why)s.") % {"why": exc}) from None


def _perform(cluster: Cluster, action: Action) -> None:
    name, params = action.name, action.params
    if name == "apply":
        manifests_apply(cluster=cluster, text=params, source="lesson")
    elif name == "apply_refused":
        with suppress(ApiError, ManifestError):  # the write path records the refusal: seeing it is the point
            manifests_apply(cluster=cluster, text=params, source="lesson")
    elif name == "console":
        console_run(cluster=cluster, command=fill(params, lesson_state(cluster)))
    elif name == "ready":
        _set_ready(cluster, params)
    elif name == "scale":
        workload_scale(cluster=cluster, kind=params.get("kind", "ReplicaSet"), namespace=params.get("namespace", "default"),
                       name=params["name"], replicas=params["replicas"])
    elif name == "settings":
        cluster_update_settings(cluster=cluster, node_port_range=params.get("nodePortRange"),
                                max_endpoints_per_slice=params.get("maxEndpointsPerSlice"),
                                lb_pool=params.get("lbPool"))
    elif name == "request":
        state = lesson_state(cluster)
        trace_create(cluster=cluster, source=fill(params["source"], state),
                     destination=fill(params["destination"], state), count=params.get("count", 1))
    elif name == "observe":
        observation_record(cluster=cluster, **params)
    elif name == "delete":
        object_delete(cluster=cluster, kind=params["kind"], namespace=params.get("namespace", "default"),
                      name=params["name"])
    else:  # the loader admits no other action
        raise ValueError(f"unknown action {name}")


def _set_ready(cluster: Cluster, params: dict) -> None:
    selector = parse_pairs(params["selector"])
    pods = [p for p in lesson_state(cluster).pods_matching(selector) if pod_ready(p) != params["ready"]]
    for pod in sorted(pods, key=name_of)[: params.get("count", 1)]:
        pod_set_ready(cluster=cluster, namespace=namespace_of(pod), name=name_of(pod), ready=params["ready"])


def lesson_request(*, cluster: Cluster) -> list[dict]:
    """Send a scenario's failing request again (its symptom), as the trace API would."""
    lesson = _lesson_of(cluster)
    if lesson.request is None:
        raise LessonError(_("This lesson has no request of its own to send."))
    state = lesson_state(cluster)
    try:
        source, destination = fill(lesson.request.source, state), fill(lesson.request.destination, state)
    except PlaceholderError as exc:
        raise LessonError(_("Cannot send the request in the sandbox as it is now: %(why)s.") % {"why": exc}) from None
    return trace_create(cluster=cluster, source=source, destination=destination, count=lesson.request.count)
