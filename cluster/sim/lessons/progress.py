"""Progress through a lesson: steps are checked in order, and a step once done stays done."""

from __future__ import annotations

from cluster.sim.lessons.checks import run_check
from cluster.sim.lessons.model import Lesson, Step
from cluster.sim.lessons.state import LessonState


def step_passes(step: Step, state: LessonState) -> bool:
    return all(run_check(state, c.name, c.params) for c in step.checks)


def advance(lesson: Lesson, state: LessonState, done: list[str]) -> list[str]:
    """The steps done after looking at `state`: the ones done before, then each next step whose
    checks all hold now, stopping at the first that does not (later steps wait their turn)."""
    known = {s.id for s in lesson.steps}
    result = [s for s in done if s in known]
    for step in lesson.steps:
        if step.id in result:
            continue
        if not step_passes(step, state):
            break
        result.append(step.id)
    return result


def next_step(lesson: Lesson, done: list[str]) -> Step | None:
    return next((s for s in lesson.steps if s.id not in done), None)


def is_complete(lesson: Lesson, done: list[str]) -> bool:
    return next_step(lesson, done) is None
