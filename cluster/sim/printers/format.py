"""Formatting primitives shared by the kubectl-style printers and describers.

Each function mirrors one Go helper named in its docstring, because students compare our text
with the real kubectl byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

Obj = dict[str, Any]

_NS_PER_SECOND = 1_000_000_000
_NS_PER_MINUTE = 60 * _NS_PER_SECOND
_NS_PER_HOUR = 60 * _NS_PER_MINUTE

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- Durations and timestamps -------------------------------------------------------------------


def human_duration_ns(d: int) -> str:
    """apimachinery duration.HumanDuration over an integer nanosecond count (a Go time.Duration)."""
    seconds = _trunc_div(d, _NS_PER_SECOND)  # Go's int(d.Seconds()) truncates toward zero
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = d // _NS_PER_MINUTE
    if minutes < 10:
        s = (d // _NS_PER_SECOND) % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = d // _NS_PER_HOUR
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def human_duration(seconds: float) -> str:
    """duration.HumanDuration for a duration given in seconds."""
    return human_duration_ns(round(seconds * _NS_PER_SECOND))


def parse_time(value: str) -> datetime:
    """An RFC 3339 timestamp as stored in the API ("2026-11-25T10:00:00Z"), timezone-aware."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def since(timestamp: str | None, now: datetime) -> str:
    """printers translateTimestampSince: "<unknown>" for a zero (absent) timestamp."""
    if not timestamp:
        return "<unknown>"
    delta = _aware(now) - parse_time(timestamp)
    ns = (delta.days * 86_400 + delta.seconds) * _NS_PER_SECOND + delta.microseconds * 1000
    return human_duration_ns(ns)


def age(created: str, now: datetime) -> str:
    """The AGE cell for an object created at `created` (RFC 3339), seen at `now`."""
    return since(created, now)


def rfc1123z(timestamp: str) -> str:
    """Go's time.RFC1123Z layout ("Mon, 02 Jan 2006 15:04:05 -0700"), without locale effects.

    kubectl shows the time in the viewer's local zone; the simulator's viewer zone is UTC.
    """
    t = parse_time(timestamp).astimezone(UTC)
    return (
        f"{_WEEKDAYS[t.weekday()]}, {t.day:02d} {_MONTHS[t.month - 1]} {t.year:04d} "
        f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} +0000"
    )


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // b
    return q if a >= 0 else -q


# --- Labels and selectors -----------------------------------------------------------------------


def format_labels(labels: Mapping[str, str] | None) -> str:
    """labels.FormatLabels: sorted `k=v` pairs joined by commas, `<none>` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


_OPERATORS = {"In": " in ", "NotIn": " notin ", "Equals": "=", "DoubleEquals": "==", "NotEquals": "!="}


def _requirement(key: str, operator: str, values: Iterable[str]) -> str:
    """labels.Requirement.String()."""
    if operator == "DoesNotExist":
        return f"!{key}"
    if operator == "Exists":
        return key
    vals = sorted(values)
    joined = f"({','.join(vals)})" if operator in ("In", "NotIn") else ",".join(vals)
    return f"{key}{_OPERATORS.get(operator, operator)}{joined}"


def label_selector_string(selector: Obj | None) -> str:
    """metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key, "" when empty."""
    if not selector:
        return ""
    reqs = [(k, _requirement(k, "Equals", [v])) for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        reqs.append((expr["key"], _requirement(expr["key"], expr["operator"], expr.get("values") or [])))
    return ",".join(text for _, text in sorted(reqs, key=lambda r: r[0]))


def format_label_selector(selector: Obj | None) -> str:
    """metav1.FormatLabelSelector: like label_selector_string but `<none>` when empty."""
    return label_selector_string(selector) or "<none>"


# --- Misc helpers -------------------------------------------------------------------------------


def join_host_port(host: str, port: int | str) -> str:
    """net.JoinHostPort: IPv6 literals get brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def list_with_more(items: list[str], total: int, limit: int = 3) -> str:
    """The `a,b,c + N more...` shape used by several printers; the caller decides `total`."""
    shown = ",".join(items[:limit])
    return f"{shown} + {total - limit} more..." if total > limit else shown


def controller_of(obj: Obj) -> Obj | None:
    """metav1.GetControllerOf: the ownerReference with controller: true."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def go_bool(value: bool) -> str:
    """fmt's %v for a bool."""
    return "true" if value else "false"


# kubectl's terminalEscaper (cli-runtime printers/terminal.go): defuses terminal escape sequences.
_ESCAPES = {"\x1b": "^[", "\r": "\\r"}


def escape_terminal(text: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


# --- Go text/tabwriter --------------------------------------------------------------------------


def tabwrite(text: str, *, minwidth: int, padding: int) -> str:
    """Go's text/tabwriter (padchar ' ', no flags) applied to a whole buffer.

    Cells are tab-terminated; the text after a line's last tab is not a column cell and is never
    padded. A column block is a run of consecutive lines that all have a cell in that column; its
    width is max(minwidth, widest cell + padding). Widths count runes, as Go does.
    """
    lines = [line.split("\t") for line in text.split("\n")]
    widths = _column_widths(lines, minwidth=minwidth, padding=padding)
    return "\n".join(_pad_line(cells, w) for cells, w in zip(lines, widths, strict=True))


def _column_widths(lines: list[list[str]], *, minwidth: int, padding: int) -> list[list[int]]:
    """Per line, the widths of its columns: the recursion of tabwriter.format()."""
    result: list[list[int]] = [[] for _ in lines]

    def walk(first: int, last: int, widths: list[int]) -> None:
        column = len(widths)
        i = first
        while i < last:
            if column >= len(lines[i]) - 1:
                result[i] = widths  # this line has no cell in `column`: written at this depth
                i += 1
                continue
            start, width = i, minwidth
            while i < last and column < len(lines[i]) - 1:
                width = max(width, len(lines[i][column]) + padding)
                i += 1
            walk(start, i, [*widths, width])

    walk(0, len(lines), [])
    return result


def _pad_line(cells: list[str], widths: list[int]) -> str:
    return "".join(
        cell + " " * (widths[j] - len(cell)) if j < len(widths) else cell for j, cell in enumerate(cells)
    )
