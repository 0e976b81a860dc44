"""Decoding a JSON document into a kind, the way kube-apiserver's JSON serializer does.

What Go's decoder would refuse is refused with its message (`json: cannot unmarshal string into
Go struct field ServicePort.spec.ports.port of type int32`); fields the Go struct lacks are
dropped and listed, so the caller can warn or, under fieldValidation=Strict, refuse; JSON nulls
become absent fields, as Go's zero values are omitted when the object is written back.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from cluster.sim.api.apischema import Free, ListOf, MapOf, Scalar, Struct, Type, go_type_name

_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


class DecodeError(ValueError):
    """A value of the wrong JSON type: the message is encoding/json's."""


@dataclass
class Decoded:
    obj: dict[str, Any]
    unknown: list[str] = field(default_factory=list)  # paths like `spec.ports[0].foo`, in document order


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


@dataclass(frozen=True)
class _Where:
    """Where a value sits: the Go struct holding the field, the field's dotted Go path, the JSON path."""

    owner: str
    go_path: str
    path: str

    def child(self, owner: str, name: str) -> _Where:
        go_path = f"{self.go_path}.{name}" if self.go_path else name
        path = f"{self.path}.{name}" if self.path else name
        return _Where(owner, go_path, path)

    def index(self, i: int | str) -> _Where:
        suffix = f"[{i}]" if isinstance(i, int) else f".{i}"
        return _Where(self.owner, self.go_path, self.path + suffix)


def _mismatch(value: Any, t: Type, where: _Where, *, detail: str = "") -> DecodeError:
    what = detail or json_type(value)
    if where.owner:
        return DecodeError(
            f"json: cannot unmarshal {what} into Go struct field {where.owner}.{where.go_path} of type {go_type_name(t)}"
        )
    return DecodeError(f"json: cannot unmarshal {what} into Go value of type {go_type_name(t)}")


def _integer(value: Any, t: Scalar, where: _Where) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _mismatch(value, t, where)
    lo, hi = _INT_RANGES[t.go]
    if isinstance(value, float) or not lo <= value <= hi:
        raise _mismatch(value, t, where, detail=f"number {value}")
    return value


def _scalar(value: Any, t: Scalar, where: _Where) -> Any:
    if t.go in _INT_RANGES:
        return _integer(value, t, where)
    if t.go == "bool":
        if not isinstance(value, bool):
            raise _mismatch(value, t, where)
        return value
    if t.go == "intstr.IntOrString":
        if isinstance(value, str):
            return value
        return _integer(value, Scalar("int32"), where)
    if t.go == "resource.Quantity":
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise _mismatch(value, t, where)
        return value
    if not isinstance(value, str):  # string, v1.Time
        raise _mismatch(value, t, where)
    return value


def _zero(t: Type) -> Any:
    if isinstance(t, (Struct, MapOf)):
        return {}
    if isinstance(t, ListOf):
        return []
    if isinstance(t, Scalar):
        return {"string": "", "bool": False, "int32": 0, "int64": 0}.get(t.go, "")
    return None


def _value(value: Any, t: Type, where: _Where, unknown: list[str]) -> Any:
    if isinstance(t, Free):
        return copy.deepcopy(value)
    if value is None:
        return _zero(t)
    if isinstance(t, Scalar):
        return _scalar(value, t, where)
    if isinstance(t, ListOf):
        if not isinstance(value, list):
            raise _mismatch(value, t, where)
        return [_value(item, t.elem, where.index(i), unknown) for i, item in enumerate(value)]
    if isinstance(t, MapOf):
        if not isinstance(value, dict):
            raise _mismatch(value, t, where)
        return {str(k): _value(v, t.value, where.index(str(k)), unknown) for k, v in value.items()}
    if not isinstance(value, dict):
        raise _mismatch(value, t, where)
    return _struct(value, t, where, unknown)


def _struct(value: dict[str, Any], t: Struct, where: _Where, unknown: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, item in value.items():
        spec = t.fields.get(name)
        if spec is None:
            if t.open:
                result[name] = copy.deepcopy(item)
            else:
                unknown.append(f"{where.path}.{name}" if where.path else name)
            continue
        if item is None:
            continue  # Go: null leaves the zero value, which is omitted when written back
        result[name] = _value(item, spec.type, where.child(t.name, name), unknown)
    return result


def decode(document: dict[str, Any], schema: Struct) -> Decoded:
    """The document as the Go struct would hold it, and the unknown fields it had."""
    unknown: list[str] = []
    obj = _struct(document, schema, _Where("", "", ""), unknown)
    return Decoded(obj, unknown)


def strict_message(unknown: list[str]) -> str:
    return "strict decoding error: " + ", ".join(f'unknown field "{path}"' for path in unknown)


def cannot_handle(kind: str, version: str, message: str) -> str:
    """The serializer's wrapper around any decoding failure of a request body."""
    return f'{kind} in version "{version}" cannot be handled as a {kind}: {message}'
