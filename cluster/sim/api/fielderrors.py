"""Field errors and Status objects, rendered exactly like kube-apiserver and kubectl print them.

Rendering follows apimachinery `field.Error.ErrorBody()` as of v1.33: bad values print bare (numbers,
bools), Go-quoted (strings) or in Go `%#v` syntax (slices, maps, structs). v1.34 switched composite
values to JSON (`["10.96.0.1"]`); the simulator targets the v1.33 texts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

REQUIRED = "Required value"
INVALID = "Invalid value"
DUPLICATE = "Duplicate value"
UNSUPPORTED = "Unsupported value"
FORBIDDEN = "Forbidden"
TOO_LONG = "Too long"
TOO_MANY = "Too many"
NOT_FOUND = "Not found"
INTERNAL = "Internal error"

# field.ErrorType values, which Status causes carry as `reason`.
_REASONS = {
    REQUIRED: "FieldValueRequired",
    INVALID: "FieldValueInvalid",
    DUPLICATE: "FieldValueDuplicate",
    UNSUPPORTED: "FieldValueNotSupported",
    FORBIDDEN: "FieldValueForbidden",
    TOO_LONG: "FieldValueTooLong",
    TOO_MANY: "FieldValueTooMany",
    NOT_FOUND: "FieldValueNotFound",
    INTERNAL: "InternalError",
}
# These types never print the bad value.
_VALUELESS = {REQUIRED, FORBIDDEN, TOO_LONG, INTERNAL}


@dataclass(frozen=True)
class GoRaw:
    """A bad value whose Go rendering is given verbatim (struct dumps, nil slices, Stringer output)."""

    text: str


@dataclass(frozen=True)
class FieldError:
    field: str
    type: str
    value: Any = None
    detail: str = ""

    def body(self) -> str:
        """`ErrorBody()`: the message without the field path (what Status causes carry)."""
        text = self.type if self.type in _VALUELESS else f"{self.type}: {go_repr(self.value)}"
        return f"{text}: {self.detail}" if self.detail else text

    @property
    def reason(self) -> str:
        return _REASONS[self.type]

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"


# --- constructors mirroring field.Required/Invalid/... -------------------------------------------


def required(path: str, detail: str = "") -> FieldError:
    return FieldError(path, REQUIRED, "", detail)


def invalid(path: str, value: Any, detail: str) -> FieldError:
    return FieldError(path, INVALID, value, detail)


def duplicate(path: str, value: Any) -> FieldError:
    return FieldError(path, DUPLICATE, value)


def forbidden(path: str, detail: str) -> FieldError:
    return FieldError(path, FORBIDDEN, "", detail)


def not_supported(path: str, value: Any, supported: Sequence[str]) -> FieldError:
    detail = "supported values: " + ", ".join(go_quote(v) for v in supported) if supported else ""
    return FieldError(path, UNSUPPORTED, value, detail)


def too_long(path: str, max_bytes: int) -> FieldError:
    return FieldError(path, TOO_LONG, "", f"may not be more than {max_bytes} bytes")


def internal_error(path: str, message: str) -> FieldError:
    return FieldError(path, INTERNAL, None, message)


# --- Go value rendering ---------------------------------------------------------------------------

_ESCAPES = {
    "\a": r"\a",
    "\b": r"\b",
    "\f": r"\f",
    "\n": r"\n",
    "\r": r"\r",
    "\t": r"\t",
    "\v": r"\v",
    "\\": r"\\",
    '"': r"\"",
}


def go_quote(s: str) -> str:
    """Go's `%q` / strconv.Quote: printable runes as-is, the rest escaped."""
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _go_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, GoRaw):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return go_quote(value)
    return go_quote(str(value))


def _slice_type(items: Sequence[Any]) -> str:
    """The Go slice type to print; an empty list is taken to be a []string (clusterIPs, ipFamilies...)."""
    if all(isinstance(i, str) for i in items):
        return "[]string"
    if all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        return "[]int"
    return "[]interface {}"


def go_repr(value: Any) -> str:
    """How `ErrorBody()` prints a bad value: `30123`, `"HTTP"`, `[]string{"a", "b"}`, `map[string]string{"k":"v"}`."""
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{go_quote(str(k))}:{go_quote(str(v))}" for k, v in sorted(value.items()))
        return f"map[string]string{{{pairs}}}"
    if isinstance(value, (list, tuple)):
        return f"{_slice_type(value)}{{{', '.join(_go_scalar(v) for v in value)}}}"
    return _go_scalar(value)


# --- Status objects -------------------------------------------------------------------------------


def status_object(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """A failure Status as kube-apiserver sends it (field order as the apiserver writes it)."""
    status: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details is not None:
        status["details"] = details
    status["code"] = code
    return status


def _details(name: str, group: str, kind: str) -> dict[str, Any]:
    # StatusDetails fields are omitempty, so an empty group or name is left out.
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    details["kind"] = kind
    return details


def _qualified(name: str, group: str) -> str:
    """schema.GroupKind/GroupResource.String(): `Service`, `Deployment.apps`, `deployments.apps`."""
    return f"{name}.{group}" if group else name


def _unique_messages(errors: Sequence[FieldError]) -> list[str]:
    """ErrorList.ToAggregate() drops repeated messages (labels are validated twice on update)."""
    seen: list[str] = []
    for err in errors:
        if str(err) not in seen:
            seen.append(str(err))
    return seen


def invalid_status(kind: str, group: str, name: str, errors: Sequence[FieldError]) -> dict[str, Any]:
    """errors.NewInvalid: 422 with one cause per field error."""
    messages = _unique_messages(errors)
    subject = f"{_qualified(kind, group)} {go_quote(name)} is invalid"
    if len(messages) == 1:
        message = f"{subject}: {messages[0]}"
    elif messages:
        message = f"{subject}: [{', '.join(messages)}]"
    else:
        message = subject
    details = _details(name, group, kind)
    details["causes"] = [{"reason": e.reason, "message": e.body(), "field": e.field} for e in errors]
    return status_object(422, "Invalid", message, details)


def status_not_found(resource_plural: str, name: str, group: str = "") -> dict[str, Any]:
    message = f"{_qualified(resource_plural, group)} {go_quote(name)} not found"
    return status_object(404, "NotFound", message, _details(name, group, resource_plural))


def status_already_exists(resource_plural: str, name: str, group: str = "") -> dict[str, Any]:
    message = f"{_qualified(resource_plural, group)} {go_quote(name)} already exists"
    return status_object(409, "AlreadyExists", message, _details(name, group, resource_plural))


# storage.OptimisticLockErrorMsg: what a stale resourceVersion on update reports.
OPTIMISTIC_LOCK_MSG = (
    "the object has been modified; please apply your changes to the latest version and try again"
)


def status_conflict(
    resource_plural: str, name: str, group: str = "", detail: str = OPTIMISTIC_LOCK_MSG
) -> dict[str, Any]:
    message = (
        f"Operation cannot be fulfilled on {_qualified(resource_plural, group)} {go_quote(name)}: {detail}"
    )
    return status_object(409, "Conflict", message, _details(name, group, resource_plural))


def status_forbidden(resource_plural: str, name: str, detail: str, group: str = "") -> dict[str, Any]:
    """errors.NewForbidden, e.g. creating in a terminating namespace."""
    qualified = _qualified(resource_plural, group)
    subject = f"{qualified} {go_quote(name)}" if name else qualified
    return status_object(
        403, "Forbidden", f"{subject} is forbidden: {detail}", _details(name, group, resource_plural)
    )


def status_bad_request(message: str) -> dict[str, Any]:
    return status_object(400, "BadRequest", message)


def status_internal_error(message: str) -> dict[str, Any]:
    """errors.NewInternalError, e.g. `failed to allocate a nodePort: range is full`."""
    return status_object(
        500, "InternalError", f"Internal error occurred: {message}", {"causes": [{"message": message}]}
    )


# --- kubectl --------------------------------------------------------------------------------------


def _cause_lines(causes: Sequence[Mapping[str, Any]]) -> list[str]:
    lines: list[str] = []
    for cause in causes:
        line = f"{cause.get('field', '')}: {cause.get('message', '')}"
        if line not in lines:
            lines.append(line)
    return lines


def kubectl_error_text(status: Mapping[str, Any], *, source: str = "", verb: str = "creating") -> str:
    """What kubectl writes to stderr for a failed request (cmdutil.CheckErr), without the final newline.

    `source` is the manifest path kubectl read (`-f svc.yaml`); kubectl then prefixes non-Invalid
    messages with `error when creating "svc.yaml": `.
    """
    reason = status.get("reason", "")
    message = status.get("message", "")
    if reason == "Invalid":
        return _invalid_text(status.get("details"))
    if source:
        message = f"error when {verb} {go_quote(source)}: {message}"
    if reason == "Unauthorized":
        return f"error: You must be logged in to the server ({message})"
    if reason:
        return f"Error from server ({reason}): {message}"
    return f"Error from server: {message}"


def _invalid_text(details: Mapping[str, Any] | None) -> str:
    if details is None:
        return "The request is invalid"
    subject = "The request is invalid"
    if details.get("kind") or details.get("name"):
        subject = f"The {details.get('kind', '')} {go_quote(details.get('name', ''))} is invalid"
    lines = _cause_lines(details.get("causes") or [])
    if not lines:
        return subject
    if len(lines) == 1:
        return f"{subject}: {lines[0]}"
    return "\n".join([f"{subject}: ", *(f"* {line}" for line in lines)])
