"""The building blocks every `kubectl describe` output shares (kubectl/pkg/describe/describe.go).

describe.go writes "Title:\tvalue" lines through a PrefixWriter (two spaces per level) into one
text/tabwriter(minwidth 0, tabwidth 8, padding 2); consecutive lines that carry a tab form one
aligned block, and any line without a tab ends every block.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from cluster.sim.objects import Obj, labels_of, metadata_of, name_of, namespace_of
from cluster.sim.printers.format import escape_terminal, parse_time, since, tabwrite

LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
MAX_ANNOTATION_LEN = 140


class PrefixWriter:
    """Collects describe text; `render` runs it through kubectl's escaper and tabwriter."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._parts.append("  " * level + text)

    def line(self, text: str = "") -> None:
        """WriteLine: the text and a newline, no indentation."""
        self._parts.append(text + "\n")

    def render(self) -> str:
        return tabwrite(escape_terminal("".join(self._parts)), minwidth=0, padding=2)


def labels_multiline(
    w: PrefixWriter,
    title: str,
    labels: Mapping[str, str] | None,
    *,
    initial_indent: str = "",
    inner_indent: str = "\t",
) -> None:
    """printLabelsMultilineWithIndent: one `k=v` per line, continuation lines start with a tab."""
    w.write(0, f"{initial_indent}{title}:{inner_indent}")
    if not labels:
        w.line("<none>")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(0, initial_indent + inner_indent)
        w.write(0, f"{key}={labels[key]}\n")


def annotations_multiline(w: PrefixWriter, title: str, annotations: Mapping[str, str] | None) -> None:
    """printAnnotationsMultiline: long or multi-line values move under their key, cut at 138."""
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in annotations or {} if k != LAST_APPLIED_ANNOTATION)
    if not keys:
        w.line("<none>")
        return
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = annotations[key].removesuffix("\n")  # type: ignore[index]
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{key}:\n")
            for part in value.split("\n"):
                w.write(0, f"\t  {_shorten(part, MAX_ANNOTATION_LEN - 2)}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def describe_header(w: PrefixWriter, obj: Obj, *after_namespace: str) -> None:
    """Name, Namespace, any kind-specific lines, Labels, Annotations: how most describers start."""
    w.write(0, f"Name:\t{name_of(obj)}\n")
    w.write(0, f"Namespace:\t{namespace_of(obj)}\n")
    for line in after_namespace:
        w.write(0, line)
    labels_multiline(w, "Labels", labels_of(obj))
    annotations_multiline(w, "Annotations", metadata_of(obj).get("annotations"))


def optional_lines(w: PrefixWriter, fields: Iterable[tuple[str, object]]) -> None:
    """A `Title:\tvalue` line for each field that is set (not empty); a list value is comma-joined."""
    for title, value in fields:
        if value:
            w.write(0, f"{title}:\t{','.join(value) if isinstance(value, list) else value}\n")


def _shorten(text: str, limit: int) -> str:
    return text[:limit] + "..." if len(text) > limit else text


def _toleration(t: Obj) -> str:
    text = t.get("key", "")
    if t.get("value"):
        text += f"={t['value']}"
    if t.get("effect"):
        text += f":{t['effect']}"
    if t.get("operator") == "Exists" and not t.get("value"):
        text += " op=Exists" if t.get("key") or t.get("effect") else "op=Exists"
    if t.get("tolerationSeconds") is not None:
        text += f" for {t['tolerationSeconds']}s"
    return text


def tolerations_multiline(w: PrefixWriter, title: str, tolerations: list[Obj] | None) -> None:
    """printTolerationsMultilineWithIndent, sorted by key."""
    w.write(0, f"{title}:\t")
    if not tolerations:
        w.line("<none>")
        return
    for i, toleration in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if i:
            w.write(0, "\t")
        w.write(0, _toleration(toleration) + "\n")


def _event_time(event: Obj) -> datetime:
    """kubectl's sort key: series.lastObservedTime, else lastTimestamp, else eventTime."""
    stamp = ((event.get("series") or {}).get("lastObservedTime")) or event.get("lastTimestamp")
    stamp = stamp or event.get("eventTime") or "0001-01-01T00:00:00Z"
    return parse_time(stamp)


def _event_interval(event: Obj, now: datetime) -> str:
    first = since(event.get("eventTime") or event.get("firstTimestamp"), now)
    if event.get("series"):
        series = event["series"]
        return f"{since(series.get('lastObservedTime'), now)} (x{series.get('count', 0)} over {first})"
    if (event.get("count") or 0) > 1:
        return f"{since(event.get('lastTimestamp'), now)} (x{event['count']} over {first})"
    return first


def describe_events(w: PrefixWriter, events: list[Obj], now: datetime) -> None:
    """DescribeEvents: `Events:  <none>` in the main block, or a Type/Reason/Age/From/Message table."""
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for event in sorted(events, key=_event_time):
        source = (event.get("source") or {}).get("component") or event.get("reportingController") or ""
        message = (event.get("message") or "").strip()
        field_path = (event.get("involvedObject") or {}).get("fieldPath")
        if field_path:
            message = f"{field_path}: {message}"
        interval = _event_interval(event, now)
        w.write(1, f"{event.get('type', '')}\t{event.get('reason', '')}\t{interval}\t{source}\t{message}\n")


def events_about(obj: Obj, events: list[Obj], *, match_kind: bool = True) -> list[Obj]:
    """The events kubectl's field selector returns: involvedObject name, namespace, kind and uid.

    Pod describes clear the kind from the reference, hence `match_kind`.
    """
    meta = metadata_of(obj)

    def about(event: Obj) -> bool:
        ref = event.get("involvedObject") or {}
        same_namespace = (ref.get("namespace") or "") == (meta.get("namespace") or "")
        if ref.get("name") != meta.get("name") or not same_namespace:
            return False
        if match_kind and ref.get("kind") and obj.get("kind") and ref["kind"] != obj["kind"]:
            return False
        return not (ref.get("uid") and meta.get("uid") and ref["uid"] != meta["uid"])

    return [e for e in events if about(e)]
