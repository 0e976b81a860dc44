"""How a lesson and a learner's progress are shown: one dict for the JSON API and the page.

Our sentences come in the visitor's language; a prediction's answer and a scenario's cause are
only sent once the learner has answered or asked."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import get_language

from cluster.models import Cluster, LessonProgress
from cluster.services.lessons import lesson_get
from cluster.sim.lessons.model import Lesson, Step, Text


def _say(text: Text | None, language: str) -> str | None:
    return text.get(language) if text is not None else None


def catalogue_entry(lesson: Lesson, language: str) -> dict[str, Any]:
    return {
        "id": lesson.id,
        "kind": lesson.kind,
        "title": lesson.title.get(language),
        "summary": lesson.summary.get(language),
        "steps": len(lesson.steps),
    }


def _predicted(observations: list[dict], step: Step) -> dict | None:
    return next((o for o in reversed(observations) if o.get("what") == "predict" and o.get("step") == step.id), None)


def _step(step: Step, done: bool, observations: list[dict], language: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": step.id,
        "title": step.title.get(language),
        "done": done,
        "do": step.do.get(language),
        "look": _say(step.look, language),
        "hint": step.hint.get(language),
        "why": _say(step.why, language) if done else None,
        "predict": None,
    }
    if step.predict is not None:
        answered = _predicted(observations, step)
        entry["predict"] = {
            "question": step.predict.question.get(language),
            "choices": [c.get(language) for c in step.predict.choices],
            "answered": answered is not None,
            "choice": answered.get("choice") if answered else None,
            "answer": step.predict.answer if answered else None,
            "explain": step.predict.explain.get(language) if answered else None,
        }
    return entry


def lesson_status_payload(lesson: Lesson, done: list[str], progress: LessonProgress, language: str,
                          cluster_id: Any) -> dict[str, Any]:
    observations = list(progress.observations or [])
    finished = all(s.id in done for s in lesson.steps)
    current = next((s.id for s in lesson.steps if s.id not in done), None)
    payload: dict[str, Any] = {
        **catalogue_entry(lesson, language),
        "sandbox": str(cluster_id),
        "steps": [_step(s, s.id in done, observations, language) for s in lesson.steps],
        "current": current,
        "done": finished,
        "done_text": lesson.done.get(language) if finished else None,
        "complete_url": reverse("lesson-complete", kwargs={"lesson_id": lesson.id}),
    }
    if lesson.kind == "scenario":
        revealed = any(o.get("what") == "cause" for o in observations)
        payload["symptom"] = _say(lesson.symptom, language)
        payload["cause"] = _say(lesson.cause, language) if revealed or finished else None
    return payload


def lesson_context(cluster: Cluster) -> dict[str, Any] | None:
    """What the sandbox page needs to show its lesson column (None: a free sandbox)."""
    lesson = lesson_get(cluster.lesson) if cluster.lesson else None
    if lesson is None:
        return None
    language = get_language() or "en"

    def api(name: str) -> str:
        return reverse(name, kwargs={"cluster_id": cluster.pk})

    return {
        "id": lesson.id,
        "kind": lesson.kind,
        "title": lesson.title.get(language),
        "summary": lesson.summary.get(language),
        "symptom": lesson.symptom.get(language) if lesson.symptom else "",
        "status_url": api("api-lesson"),
        "solve_url": api("api-lesson-solve"),
        "observe_url": api("api-lesson-observe"),
        "request_url": api("api-lesson-request"),
        "reset_url": reverse("lesson-reset", kwargs={"lesson_id": lesson.id}),
        "complete_url": reverse("lesson-complete", kwargs={"lesson_id": lesson.id}),
        "catalogue_url": reverse("lessons"),
    }
