"""A class on a new lesson sandbox: the lesson starts, then the class opens on its sandbox.

Apart from `classes.py`, which cannot import the lessons: starting a lesson may send traces, and
`classes.py` numbers the traces of a class sandbox for its students.
"""

from __future__ import annotations

from typing import Any

from cluster.models import Class
from cluster.services.classes import ClassError, class_create
from cluster.services.lessons import lesson_get, lesson_start


def class_create_for_lesson(*, lesson: Any, owner: str = "", seed: int | None = None) -> Class:
    if not isinstance(lesson, str) or lesson_get(lesson) is None:
        raise ClassError(f'There is no lesson "{str(lesson)[:64]}".', code="lesson")
    return class_create(sandbox=lesson_start(lesson_id=lesson, owner=owner, seed=seed), owner=owner)
