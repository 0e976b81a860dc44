"""Reading lesson files: YAML, one lesson or scenario a file, every sentence in English and Korean.

Everything is checked before anything is used: a file with a mistake is refused with the file and
the field named (`nodeport.yaml: steps[2].check[0].service: unknown parameter "nodeport"`), and
the catalogue is never half-loaded.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from cluster.sim.lessons.checks import CHECKS
from cluster.sim.lessons.model import KINDS, LANGUAGES, Action, Check, Lesson, Predict, Request, Step, Text
from cluster.sim.lessons.placeholders import unknown_placeholders
from cluster.sim.lessons.state import parse_pairs

PRESETS = ("kubia", "empty")
_ID = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

# Actions: "show me", a lesson's start and a scenario's fix. A str action takes its text; the others
# take a mapping of these parameters (True: required).
TEXT_ACTIONS = ("apply", "apply_refused", "console")
ACTIONS: dict[str, dict[str, tuple[type, bool]]] = {
    "ready": {"selector": (str, True), "ready": (bool, True), "count": (int, False)},
    "scale": {"kind": (str, False), "name": (str, True), "namespace": (str, False), "replicas": (int, True)},
    "settings": {"nodePortRange": (str, False), "maxEndpointsPerSlice": (int, False), "lbPool": (list, False)},
    "request": {"source": (str, True), "destination": (str, True), "count": (int, False)},
    "observe": {"what": (str, True), "name": (str, False), "text": (str, False)},
    "delete": {"kind": (str, True), "name": (str, True), "namespace": (str, False)},
}


class LessonFileError(ValueError):
    def __init__(self, source: str, where: str, message: str):
        self.source = source
        self.where = where
        super().__init__(f"{source}: {where}: {message}" if where else f"{source}: {message}")


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


class _Reader:
    """Walks one file's data, naming the field of every mistake."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, message: str) -> typing.NoReturn:
        raise LessonFileError(self.source, where, message)

    def mapping(self, value: Any, where: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "must be a mapping")
        for key in value:
            if key not in allowed:
                self.fail(f"{where}.{key}" if where else str(key), f"unknown field; expected one of {', '.join(allowed)}")
        for key in required:
            if key not in value:
                self.fail(f"{where}.{key}" if where else key, "is required")
        return value

    def text(self, value: Any, where: str) -> Text:
        data = self.mapping(value, where, LANGUAGES, LANGUAGES)
        for lang in LANGUAGES:
            if not isinstance(data[lang], str) or not data[lang].strip():
                self.fail(f"{where}.{lang}", "must be a non-empty string")
        return Text(en=data["en"].strip(), ko=data["ko"].strip())

    def optional_text(self, data: dict, key: str, where: str) -> Text | None:
        return self.text(data[key], f"{where}.{key}" if where else key) if key in data else None

    def string(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, "must be a non-empty string")
        return value

    def one_key(self, value: Any, where: str) -> tuple[str, Any]:
        if not isinstance(value, dict) or len(value) != 1:
            self.fail(where, "must be a mapping with exactly one key (the name)")
        return next(iter(value.items()))

    def items(self, value: Any, where: str) -> list:
        if not isinstance(value, list):
            self.fail(where, "must be a list")
        return value

    # --- checks and actions -----------------------------------------------------------------------

    def check(self, value: Any, where: str) -> Check:
        name, raw = self.one_key(value, where)
        if name not in CHECKS:
            self.fail(where, f'unknown check "{name}"; known: {", ".join(sorted(CHECKS))}')
        where = f"{where}.{name}"
        raw = {} if raw is None else raw
        if not isinstance(raw, dict):
            self.fail(where, "parameters must be a mapping")
        fn = CHECKS[name]
        hints = typing.get_type_hints(fn)
        signature = inspect.signature(fn)
        params: dict[str, Any] = {}
        for key, val in raw.items():
            param = snake(str(key))
            if param not in signature.parameters or param == "state":
                self.fail(where, f'unknown parameter "{key}"')
            params[param] = self.typed(val, hints[param], f"{where}.{key}")
        for param, spec in signature.parameters.items():
            if param != "state" and spec.default is inspect.Parameter.empty and param not in params:
                self.fail(f"{where}.{param}", "is required")
        return Check(name, params)

    def typed(self, value: Any, hint: Any, where: str) -> Any:
        allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        if value is None and type(None) in allowed:
            return None
        for kind in allowed:
            if kind is int and isinstance(value, int) and not isinstance(value, bool):
                return value
            if kind in (str, bool) and isinstance(value, kind):
                if kind is str:
                    self.pairs_if_selector(value, where)
                return value
        names = " or ".join(k.__name__ for k in allowed if k is not type(None))
        self.fail(where, f"must be {names}, not {type(value).__name__} {value!r}")

    def pairs_if_selector(self, value: str, where: str) -> None:
        if where.rsplit(".", 1)[-1] == "selector":
            try:
                parse_pairs(value)
            except ValueError as exc:
                self.fail(where, str(exc))

    def action(self, value: Any, where: str) -> Action:
        name, raw = self.one_key(value, where)
        where = f"{where}.{name}"
        if name in TEXT_ACTIONS:
            text = self.string(raw, where)
            if name != "console":
                self.manifests(text, where)
            self.placeholders(text, where)
            return Action(name, text)
        if name not in ACTIONS:
            self.fail(where, f'unknown action; known: {", ".join(sorted([*TEXT_ACTIONS, *ACTIONS]))}')
        spec = ACTIONS[name]
        data = self.mapping(raw, where, tuple(spec), tuple(k for k, (_, req) in spec.items() if req))
        for key, val in data.items():
            kind = spec[key][0]
            if not isinstance(val, kind) or (kind is int and isinstance(val, bool)):
                self.fail(f"{where}.{key}", f"must be {kind.__name__}, not {type(val).__name__} {val!r}")
            if isinstance(val, str):
                self.placeholders(val, f"{where}.{key}")
                self.pairs_if_selector(val, f"{where}.{key}")
        return Action(name, dict(data))

    def manifests(self, text: str, where: str) -> None:
        try:
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError as exc:
            self.fail(where, f"is not valid YAML: {exc}")
        if not docs or not all(isinstance(d, dict) and d.get("kind") for d in docs):
            self.fail(where, "must hold Kubernetes manifests (each with a kind)")

    def placeholders(self, text: str, where: str) -> None:
        unknown = unknown_placeholders(text)
        if unknown:
            self.fail(where, f'unknown placeholder "{{{unknown[0]}:…}}"')

    # --- the lesson --------------------------------------------------------------------------------

    def predict(self, value: Any, where: str) -> Predict:
        data = self.mapping(value, where, ("question", "choices", "answer", "explain"),
                            ("question", "choices", "answer", "explain"))
        choices = tuple(self.text(c, f"{where}.choices[{i}]")
                        for i, c in enumerate(self.items(data["choices"], f"{where}.choices")))
        if len(choices) < 2:
            self.fail(f"{where}.choices", "needs at least two choices")
        answer = data["answer"]
        if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(choices):
            self.fail(f"{where}.answer", f"must be the index of a choice (0 to {len(choices) - 1})")
        return Predict(self.text(data["question"], f"{where}.question"), choices, answer,
                       self.text(data["explain"], f"{where}.explain"))

    def step(self, value: Any, where: str) -> Step:
        data = self.mapping(value, where, ("id", "title", "do", "look", "why", "hint", "predict", "check", "show"),
                            ("id", "title", "do", "hint", "check", "show"))
        step_id = self.string(data["id"], f"{where}.id")
        if not _ID.match(step_id):
            self.fail(f"{where}.id", "must be lower-case letters, digits and dashes")
        checks = tuple(self.check(c, f"{where}.check[{i}]")
                       for i, c in enumerate(self.items(data["check"], f"{where}.check")))
        if not checks:
            self.fail(f"{where}.check", "needs at least one check")
        show = tuple(self.action(a, f"{where}.show[{i}]")
                     for i, a in enumerate(self.items(data["show"], f"{where}.show")))
        if not show:
            self.fail(f"{where}.show", 'needs at least one action ("show me")')
        predict = self.predict(data["predict"], f"{where}.predict") if "predict" in data else None
        if predict is not None:
            checks = (Check("predicted", {"step": step_id}), *checks)
        return Step(
            id=step_id, title=self.text(data["title"], f"{where}.title"), do=self.text(data["do"], f"{where}.do"),
            checks=checks, show=show, hint=self.text(data["hint"], f"{where}.hint"),
            look=self.optional_text(data, "look", where), why=self.optional_text(data, "why", where),
            predict=predict,
        )

    def lesson(self, data: Any, expected_id: str) -> Lesson:
        data = self.mapping(data, "", ("id", "kind", "order", "title", "summary", "preset", "start", "steps",
                                       "done", "symptom", "request", "cause"),
                            ("id", "kind", "order", "title", "summary", "preset", "steps", "done"))
        if data["id"] != expected_id:
            self.fail("id", f'must be "{expected_id}", the file\'s name')
        if data["kind"] not in KINDS:
            self.fail("kind", f"must be one of {', '.join(KINDS)}")
        if not isinstance(data["order"], int) or isinstance(data["order"], bool):
            self.fail("order", "must be a whole number")
        if data["preset"] not in PRESETS:
            self.fail("preset", f"must be one of {', '.join(PRESETS)}")
        steps = tuple(self.step(s, f"steps[{i}]") for i, s in enumerate(self.items(data["steps"], "steps")))
        if not steps:
            self.fail("steps", "needs at least one step")
        ids = [s.id for s in steps]
        for i, step_id in enumerate(ids):
            if step_id in ids[:i]:
                self.fail(f"steps[{i}].id", f'"{step_id}" is used twice')
        scenario = data["kind"] == "scenario"
        for key in ("symptom", "request", "cause"):
            if scenario and key not in data:
                self.fail(key, "is required for a scenario")
        request = None
        if "request" in data:
            raw = self.action({"request": data["request"]}, "").params  # fields named request.*
            request = Request(raw["source"], raw["destination"], raw.get("count", 1))
        return Lesson(
            id=data["id"], kind=data["kind"], order=data["order"], title=self.text(data["title"], "title"),
            summary=self.text(data["summary"], "summary"), preset=data["preset"], steps=steps,
            done=self.text(data["done"], "done"),
            start=tuple(self.action(a, f"start[{i}]") for i, a in enumerate(self.items(data.get("start", []), "start"))),
            symptom=self.optional_text(data, "symptom", ""), request=request,
            cause=self.optional_text(data, "cause", ""), source=self.source,
        )


def read_lesson(path: Path) -> Lesson:
    reader = _Reader(path.name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LessonFileError(path.name, "", f"cannot be read: {exc}") from None
    return reader.lesson(data, path.stem)


def read_catalogue(folder: Path) -> dict[str, Lesson]:
    """Every `*.yaml` lesson in `folder`, in catalogue order; any mistake refuses them all."""
    lessons = [read_lesson(path) for path in sorted(folder.glob("*.yaml"))]
    lessons.sort(key=lambda lesson: (lesson.kind != "lesson", lesson.order, lesson.id))
    return {lesson.id: lesson for lesson in lessons}
