"""The lesson pages: the catalogue, one page per lesson (its text beside the learner's own live
sandbox), starting over, and the completion page. A visitor's lesson sandbox is the newest one
of theirs (in their session) made for that lesson."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST, require_safe

from cluster.models import Cluster, LessonProgress
from cluster.services.lessons import lesson_catalogue, lesson_get, lesson_progress, lesson_reset, lesson_start
from cluster.sim.lessons.model import Lesson
from visualizer.access import claim, owned_cluster_ids, visitor_id
from visualizer.lesson_payload import catalogue_entry
from visualizer.views import render_owner_page


def _lesson_or_404(lesson_id: str) -> Lesson:
    lesson = lesson_get(lesson_id)
    if lesson is None:
        raise Http404(_('There is no lesson "%(id)s".') % {"id": lesson_id[:64]})
    return lesson


def visitor_sandboxes(request: HttpRequest) -> dict[str, Cluster]:
    """The visitor's newest sandbox per lesson id."""
    ids = owned_cluster_ids(request.session)
    found: dict[str, Cluster] = {}
    for cluster in Cluster.objects.filter(pk__in=ids).exclude(lesson="").order_by("created_at"):
        found[cluster.lesson] = cluster
    return found


@require_safe
@ensure_csrf_cookie
def lessons(request: HttpRequest) -> HttpResponse:
    language = get_language() or "en"
    mine = visitor_sandboxes(request)
    progress = {p.cluster_id: p for p in LessonProgress.objects.filter(cluster__in=list(mine.values()))}
    entries = []
    for lesson in lesson_catalogue().values():
        cluster = mine.get(lesson.id)
        record = progress.get(cluster.pk) if cluster else None
        done = len([s for s in (record.done if record else []) if lesson.step(s)])
        entries.append({**catalogue_entry(lesson, language), "started": cluster is not None, "done_steps": done,
                        "finished": done == len(lesson.steps)})
    return render(request, "visualizer/lessons.html", {
        "lessons": [e for e in entries if e["kind"] == "lesson"],
        "scenarios": [e for e in entries if e["kind"] == "scenario"],
    })


@require_safe
@ensure_csrf_cookie
def lesson_page(request: HttpRequest, lesson_id: str) -> HttpResponse:
    lesson = _lesson_or_404(lesson_id)
    cluster = visitor_sandboxes(request).get(lesson.id)
    if cluster is None:
        return render(request, "visualizer/lesson_intro.html",
                      {"lesson": catalogue_entry(lesson, get_language() or "en")})
    return render_owner_page(request, cluster)


@require_POST
def lesson_begin(request: HttpRequest, lesson_id: str) -> HttpResponse:
    lesson = _lesson_or_404(lesson_id)
    cluster = lesson_start(lesson_id=lesson.id, owner=visitor_id(request.session))
    claim(request.session, cluster)
    return redirect("lesson", lesson_id=lesson.id)


@require_POST
def lesson_restart(request: HttpRequest, lesson_id: str) -> HttpResponse:
    """Back to the lesson's start, in the same sandbox (viewers follow the change)."""
    lesson = _lesson_or_404(lesson_id)
    cluster = visitor_sandboxes(request).get(lesson.id)
    if cluster is None:
        return redirect("lesson", lesson_id=lesson.id)
    lesson_reset(cluster=cluster)
    return redirect("lesson", lesson_id=lesson.id)


@require_safe
def lesson_complete(request: HttpRequest, lesson_id: str) -> HttpResponse:
    lesson = _lesson_or_404(lesson_id)
    cluster = visitor_sandboxes(request).get(lesson.id)
    if cluster is None:
        return redirect("lesson", lesson_id=lesson.id)
    _lesson, done, _progress = lesson_progress(cluster=cluster)
    if len(done) < len(lesson.steps):
        return redirect("lesson", lesson_id=lesson.id)
    language = get_language() or "en"
    ordered = list(lesson_catalogue().values())
    later = [x for x in ordered[ordered.index(lesson) + 1:] if x.kind == lesson.kind]
    return render(request, "visualizer/lesson_complete.html", {
        "lesson": catalogue_entry(lesson, language),
        "done_text": lesson.done.get(language),
        "steps": [{"title": s.title.get(language), "why": s.why.get(language) if s.why else ""} for s in lesson.steps],
        "next": catalogue_entry(later[0], language) if later else None,
    })
