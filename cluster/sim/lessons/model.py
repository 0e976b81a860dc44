"""What a lesson is made of, once its file has been read and checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("en", "ko")
KINDS = ("lesson", "scenario")


@dataclass(frozen=True)
class Text:
    """One sentence or paragraph of ours, in every language we speak."""

    en: str
    ko: str

    def get(self, language: str) -> str:
        return self.ko if language.startswith("ko") else self.en

    def as_dict(self) -> dict[str, str]:
        return {"en": self.en, "ko": self.ko}


@dataclass(frozen=True)
class Check:
    """One named pure function of the sandbox's state and its parameters."""

    name: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Action:
    """One change made through the write path (or one request sent), for "show me" and start-up."""

    name: str
    params: Any


@dataclass(frozen=True)
class Predict:
    """A question asked before the learner acts; the reveal says why."""

    question: Text
    choices: tuple[Text, ...]
    answer: int
    explain: Text


@dataclass(frozen=True)
class Step:
    id: str
    title: Text
    do: Text
    checks: tuple[Check, ...]
    show: tuple[Action, ...]
    hint: Text
    look: Text | None = None
    why: Text | None = None
    predict: Predict | None = None


@dataclass(frozen=True)
class Request:
    """A request as the trace API takes it; source and destination may hold {placeholders}."""

    source: str
    destination: str
    count: int = 1


@dataclass(frozen=True)
class Lesson:
    id: str
    kind: str  # lesson | scenario
    order: int
    title: Text
    summary: Text
    preset: str
    steps: tuple[Step, ...]
    done: Text
    start: tuple[Action, ...] = ()
    symptom: Text | None = None
    request: Request | None = None  # a scenario's failing request
    cause: Text | None = None
    source: str = ""  # the file it was read from
    extra: dict[str, Any] = field(default_factory=dict)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)
