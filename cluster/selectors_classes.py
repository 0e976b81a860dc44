"""Reads of a class: the state a screen starts from, the messages it missed, the roster."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from cluster.models import Class, ClassMessage, ClassStudent, LessonProgress, Trace
from cluster.services.classes import public_question, roster_entry

# A screen further behind than this gets the whole state instead of the missed messages.
MAX_CLASS_REPLAY = 1000


def class_state(*, klass: Class, student: ClassStudent | None = None, teacher: bool = False) -> dict[str, Any]:
    """The `class` message: everything a screen shows, at one seq. Students get the question
    without its answer (until the reveal) and their own answers; the teacher gets the answer and
    the live counts."""
    with transaction.atomic():
        fresh = Class.objects.select_related("sandbox").get(pk=klass.pk)
        state = dict(fresh.state or {})
        trace = None
        if state.get("trace") is not None:
            body = Trace.objects.filter(cluster_id=fresh.sandbox_id, pk=state["trace"]).values_list(
                "body", flat=True).first()
            trace = None if body is None else {**body, "id": state["trace"]}
        question = state.get("question")
        counts = class_counts(klass=fresh, question=question) if teacher and question else None
    message = {
        "type": "class", "seq": fresh.seq, "code": fresh.code, "follow": fresh.follow,
        "ended": fresh.ended_at is not None, "lesson": fresh.lesson,
        "sandbox": {"id": str(fresh.sandbox_id), "name": fresh.sandbox.name},
        "trace": trace, "hop": state.get("hop", 0), "paused": bool(state.get("paused")),
        "speed": state.get("speed", 1), "selection": state.get("selection"),
        "question": ({**question, "counts": counts if not question.get("revealed") else question.get("counts")}
                     if teacher and question else public_question(question)),
        "spotlight": state.get("spotlight"), "release": int(state.get("release") or 0),
    }
    if student is not None:
        message["answers"] = dict(student.answers or {})
    return message


def class_messages_since(*, klass: Class, since: int) -> list[dict[str, Any]] | None:
    """The messages after `since`, in order, or None when the log cannot bring the screen up to
    date (then it needs the whole state)."""
    current = Class.objects.filter(pk=klass.pk).values_list("seq", flat=True).first()
    if current is None or since > current or current - since > MAX_CLASS_REPLAY:
        return None
    bodies = list(ClassMessage.objects.filter(klass_id=klass.pk, seq__gt=since, seq__lte=current)
                  .order_by("seq").values_list("body", flat=True))
    # Newer messages come live; fewer than expected means the log was trimmed past this screen.
    return bodies if len(bodies) == current - since else None


def class_counts(*, klass: Class, question: dict[str, Any] | None) -> list[int] | None:
    if not question:
        return None
    counts = [0] * len(question.get("choices") or [])
    key = str(question["id"])
    for answers in ClassStudent.objects.filter(klass=klass).values_list("answers", flat=True):
        choice = (answers or {}).get(key)
        if isinstance(choice, int) and not isinstance(choice, bool) and 0 <= choice < len(counts):
            counts[choice] += 1
    return counts


def _lesson_steps(lesson_id: str) -> int | None:
    if not lesson_id:
        return None
    try:
        from cluster.services.lessons import lesson_get
    except ImportError:  # no lessons catalogue: progress is shown as a count of done steps
        return None
    try:
        lesson = lesson_get(lesson_id)
    except Exception:  # a catalogue that cannot be read does not take the roster down
        return None
    return len(lesson.steps) if lesson is not None else None


def class_roster(*, klass: Class) -> dict[str, Any]:
    """Every student: name, connected, answers, and in a lesson the steps done in their copy."""
    students = list(ClassStudent.objects.filter(klass=klass).order_by("id"))
    done = dict(LessonProgress.objects.filter(cluster_id__in=[s.copy_id for s in students if s.copy_id])
                .values_list("cluster_id", "done")) if klass.lesson else {}
    steps = _lesson_steps(klass.lesson)
    rows = []
    now = timezone.now()
    for student in students:
        entry = roster_entry(student, now)
        if klass.lesson:
            entry["progress"] = {"done": len(done.get(student.copy_id) or []), "steps": steps}
        rows.append(entry)
    return {"students": rows, "connected": sum(1 for row in rows if row["connected"]), "total": len(students),
            "steps": steps}
