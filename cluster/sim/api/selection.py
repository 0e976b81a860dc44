"""Label and field selectors of list and watch requests (k8s.io/apimachinery labels and fields).

Label selectors: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` (exists), `!k`
(does not exist), `k>1`, `k<1`, comma-separated (all must hold). Field selectors: `f=v`, `f==v`,
`f!=v` over the fields each kind supports, with backslash escapes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cluster.sim.validation.formats import is_qualified_name, is_valid_label_value

Obj = dict[str, Any]


class SelectorError(ValueError):
    """An unparsable selector or an unsupported field: the apiserver answers 400 BadRequest."""


# --- label selectors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # "=", "!=", "in", "notin", "exists", "!", "gt", "lt"
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.operator in ("=", "in"):
            return present and value in self.values
        if self.operator in ("!=", "notin"):
            return not present or value not in self.values
        if self.operator == "exists":
            return present
        if self.operator == "!":
            return not present
        if not present or not _is_int(value):
            return False
        bound = int(self.values[0])
        return int(value) > bound if self.operator == "gt" else int(value) < bound


def _is_int(text: str | None) -> bool:
    return text is not None and re.fullmatch(r"-?\d+", text) is not None


# Tokens of labels.Lexer: the special symbols, and identifiers made of anything else.
_TOKEN = re.compile(r"\s*(==|!=|=|!|\(|\)|,|>|<|[^\s=!(),<>]+)")
_OPERATORS = {"=": "=", "==": "=", "!=": "!=", "in": "in", "notin": "notin", ">": "gt", "<": "lt"}


def _tokens(text: str) -> list[str]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None:  # pragma: no cover - every character belongs to some token
            raise SelectorError(f"unable to parse requirement: unexpected character at {pos}")
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


def _check_key(key: str) -> None:
    problems = is_qualified_name(key)
    if problems:
        raise SelectorError(
            f'unable to parse requirement: key: Invalid value: "{key}": {"; ".join(problems)}'
        )


def _check_value(key: str, value: str) -> None:
    problems = is_valid_label_value(value)
    if problems:
        raise SelectorError(
            f'unable to parse requirement: values[0][{key}]: Invalid value: "{value}": {"; ".join(problems)}'
        )


def _identifier(token: str | None) -> bool:
    return token is not None and token not in ("==", "!=", "=", "!", "(", ")", ",", ">", "<")


def parse_label_selector(text: str) -> list[Requirement]:
    """labels.Parse: the requirements, all of which must hold. Empty text selects everything."""
    tokens = _tokens(text)
    requirements: list[Requirement] = []
    i = 0

    def peek(offset: int = 0) -> str | None:
        return tokens[i + offset] if i + offset < len(tokens) else None

    while i < len(tokens):
        if peek() == "!":
            if not _identifier(peek(1)):
                raise SelectorError(
                    f"unable to parse requirement: found '{peek(1) or ''}', expected: identifier"
                )
            _check_key(tokens[i + 1])
            requirements.append(Requirement(tokens[i + 1], "!"))
            i += 2
        elif _identifier(peek()):
            key = tokens[i]
            _check_key(key)
            i += 1
            op = peek()
            if op is None or op == ",":
                requirements.append(Requirement(key, "exists"))
            elif op in ("=", "==", "!=", ">", "<"):
                i += 1
                value = peek() if _identifier(peek()) else ""
                if value:
                    i += 1
                if op in (">", "<") and not _is_int(value):
                    raise SelectorError(
                        f"unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer: {value!r}"
                    )
                _check_value(key, value)
                requirements.append(Requirement(key, _OPERATORS[op], (value,)))
            elif op in ("in", "notin"):
                i += 1
                if peek() != "(":
                    raise SelectorError(f"unable to parse requirement: found '{peek() or ''}', expected: '('")
                i += 1
                values: list[str] = []
                while True:
                    if _identifier(peek()):
                        _check_value(key, tokens[i])
                        values.append(tokens[i])
                        i += 1
                    else:
                        values.append("")  # `in (a,)` and `in ()` allow empty values
                    if peek() == ",":
                        i += 1
                        continue
                    if peek() == ")":
                        i += 1
                        break
                    raise SelectorError(
                        f"unable to parse requirement: found '{peek() or ''}', expected: ',', ')' or identifier"
                    )
                requirements.append(Requirement(key, _OPERATORS[op], tuple(values)))
            else:
                raise SelectorError(
                    f"unable to parse requirement: found '{op}', expected: in, notin, =, ==, !=, gt, lt"
                )
        else:
            raise SelectorError(
                f"unable to parse requirement: found '{peek()}', expected: !, identifier, or 'end of string'"
            )
        if i < len(tokens):
            if tokens[i] != ",":
                raise SelectorError(
                    f"unable to parse requirement: found '{tokens[i]}', expected: ',' or 'end of string'"
                )
            i += 1
            if i == len(tokens):
                raise SelectorError("unable to parse requirement: found '', expected: identifier after ','")
    return requirements


def labels_match(requirements: list[Requirement], labels: dict[str, str] | None) -> bool:
    labels = labels or {}
    return all(r.matches(labels) for r in requirements)


# --- field selectors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldTerm:
    field: str
    value: str
    negated: bool = False


def _split_unescaped(text: str, separator: str) -> list[str]:
    parts, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    out, escaped = [], False
    for ch in text:
        if escaped:
            if ch not in "\\,=":
                raise SelectorError(f"invalid field selector: unescaped character {ch!r} after backslash")
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in ",=":
            raise SelectorError(f"invalid field selector: unescaped {ch!r} in value")
        else:
            out.append(ch)
    if escaped:
        raise SelectorError("invalid field selector: trailing backslash")
    return "".join(out)


def parse_field_selector(text: str) -> list[FieldTerm]:
    """fields.ParseSelector. Empty text selects everything."""
    terms: list[FieldTerm] = []
    if not text.strip():
        return terms
    for part in _split_unescaped(text, ","):
        for op in ("!=", "==", "="):
            field, sep, value = part.partition(op)
            if sep and "\\" not in field:
                terms.append(FieldTerm(field.strip(), _unescape(value), negated=op == "!="))
                break
        else:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{part}'")
    return terms


def _path(*keys: str) -> Callable[[Obj], str]:
    def get(obj: Obj) -> str:
        node: Any = obj
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, bool):
            return "true" if node else "false"
        return "" if node is None else str(node)

    return get


_COMMON = {"metadata.name": _path("metadata", "name"), "metadata.namespace": _path("metadata", "namespace")}
_INVOLVED = {
    f"involvedObject.{f}": _path("involvedObject", f)
    for f in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")
}
_EXTRA: dict[str, dict[str, Callable[[Obj], str]]] = {
    "Pod": {
        f"spec.{f}": _path("spec", f)
        for f in ("nodeName", "restartPolicy", "schedulerName", "serviceAccountName", "hostNetwork")
    }
    | {f"status.{f}": _path("status", f) for f in ("phase", "podIP", "nominatedNodeName")},
    "Event": _INVOLVED
    | {f: _path(f) for f in ("reason", "reportingComponent", "type")}
    | {"source": _path("source", "component")},
    "Namespace": {"status.phase": _path("status", "phase")},
    "Node": {"spec.unschedulable": _path("spec", "unschedulable")},
    "ReplicaSet": {"status.replicas": _path("status", "replicas")},
}


def field_getters(kind: str) -> dict[str, Callable[[Obj], str]]:
    return _COMMON | _EXTRA.get(kind, {})


def check_fields(kind: str, terms: list[FieldTerm]) -> None:
    """Refuse fields the kind cannot be selected by, with the apiserver's two wordings."""
    getters = field_getters(kind)
    for term in terms:
        if term.field not in getters:
            if kind in _EXTRA:
                raise SelectorError(f"field label not supported: {term.field}")
            raise SelectorError(
                f'"{term.field}" is not a known field selector: only "metadata.name", "metadata.namespace"'
            )


def fields_match(kind: str, terms: list[FieldTerm], obj: Obj) -> bool:
    getters = field_getters(kind)
    return all((getters[t.field](obj) == t.value) != t.negated for t in terms)


@dataclass(frozen=True)
class Selection:
    """What a list or watch request selects, beyond its namespace."""

    kind: str
    labels: tuple[Requirement, ...] = ()
    fields: tuple[FieldTerm, ...] = ()

    def matches(self, obj: Obj) -> bool:
        meta = obj.get("metadata") or {}
        return labels_match(list(self.labels), meta.get("labels")) and fields_match(
            self.kind, list(self.fields), obj
        )


def selection(kind: str, label_selector: str, field_selector: str) -> Selection:
    terms = parse_field_selector(field_selector)
    check_fields(kind, terms)
    return Selection(kind, tuple(parse_label_selector(label_selector)), tuple(terms))
