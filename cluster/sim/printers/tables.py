"""kubectl-style printing: server-side Tables, their text rendering, and describe.

Two halves, as in the real system:
  - `table()` is what kube-apiserver answers to `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`
    (cells computed by pkg/printers/internalversion, always with the wide cells included);
  - `render_table()` is what kubectl then prints (cli-runtime printers/tableprinter.go): upper-cased
    headers, priority>0 columns only with -o wide, NAMESPACE / LABELS decorations, and a
    tabwriter(minwidth 6, tabwidth 4, padding 3) whose last column is never padded.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from cluster.sim.objects import Obj
from cluster.sim.printers.cells import ROWS, Cell, row_conditions
from cluster.sim.printers.columns import COLUMNS
from cluster.sim.printers.describe import describe
from cluster.sim.printers.format import age, escape_terminal, format_labels, go_bool, human_duration, tabwrite

__all__ = [
    "age",
    "describe",
    "human_duration",
    "kind_prefix_for",
    "no_resources_message",
    "render_table",
    "table",
]

# kubectl's tabwriter settings (cli-runtime printers/tabwriter.go).
TABLE_MINWIDTH = 6
TABLE_PADDING = 3

# The `kind/` (or `kind.group/`) prefix `kubectl get all` puts before names.
_KIND_PREFIXES = {
    "Deployment": "deployment.apps/",
    "ReplicaSet": "replicaset.apps/",
    "EndpointSlice": "endpointslice.discovery.k8s.io/",
    "Event": "event/",
}

_BREAK_CHARS = "\f\n\r"  # tableprinter.go cellBreakChars: the cell is cut there, then "..."


def table(kind: str, objs: list[Obj], *, now: datetime) -> dict[str, Any]:
    """A meta.k8s.io/v1 Table for `objs` of one kind, rows in the given order."""
    if kind not in ROWS:
        raise ValueError(f"no table printer for kind {kind}")
    rows = []
    for obj in objs:
        row: dict[str, Any] = {"cells": ROWS[kind](obj, now)}
        conditions = row_conditions(kind, obj)
        if conditions:
            row["conditions"] = conditions
        row["object"] = partial_object_metadata(obj)
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": copy.deepcopy(COLUMNS[kind]),
        "rows": rows,
    }


def partial_object_metadata(obj: Obj) -> Obj:
    """The row's `object` when kubectl asks for includeObject=Metadata (its default)."""
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": copy.deepcopy(obj.get("metadata") or {}),
    }


def render_table(
    table: dict[str, Any],
    *,
    wide: bool = False,
    with_namespace: bool = False,
    show_labels: bool = False,
    kind_prefix: str = "",
    no_headers: bool = False,
) -> str:
    """kubectl's text for one Table, newline-terminated; "" when it has no rows.

    For `kubectl get all`, render each kind separately and join them with "\\n": kubectl resets
    the tabwriter's remembered widths between kinds, so every table aligns on its own.
    """
    rows = table.get("rows") or []
    if not rows:
        return ""
    columns = table.get("columnDefinitions") or []
    lines = (
        []
        if no_headers
        else [_header(columns, wide=wide, with_namespace=with_namespace, show_labels=show_labels)]
    )
    name_column = _name_column(columns) if kind_prefix else None
    for row in rows:
        cells = [_cell_text(c) for c in (row.get("cells") or [])[: len(columns)]]
        if name_column is not None and name_column < len(cells):
            cells[name_column] = kind_prefix + cells[name_column]
        visible = [cell for cell, col in zip(cells, columns, strict=False) if wide or not col.get("priority")]
        meta = (row.get("object") or {}).get("metadata") or {}
        if with_namespace:
            visible.insert(0, meta.get("namespace", ""))
        if show_labels:
            visible.append(format_labels(meta.get("labels")))
        lines.append("\t".join(visible))
    return tabwrite("\n".join(lines), minwidth=TABLE_MINWIDTH, padding=TABLE_PADDING) + "\n"


def _header(columns: list[dict[str, Any]], *, wide: bool, with_namespace: bool, show_labels: bool) -> str:
    names = [c["name"].upper() for c in columns if wide or not c.get("priority")]
    return "\t".join((["NAMESPACE"] if with_namespace else []) + names + (["LABELS"] if show_labels else []))


def _name_column(columns: list[dict[str, Any]]) -> int | None:
    """decorateTable: the kind prefix goes on the first string column formatted as a name."""
    for i, col in enumerate(columns):
        if col.get("format") == "name" and col.get("type") == "string":
            return i
    return None


def _cell_text(cell: Cell | float) -> str:
    """fmt.Sprint of a cell, cut at a line break and escaped like tableprinter's appendCellValue."""
    if cell is None:
        return ""
    text = go_bool(cell) if isinstance(cell, bool) else str(cell)
    cut = min((text.index(ch) for ch in _BREAK_CHARS if ch in text), default=None)
    return escape_terminal(text) if cut is None else escape_terminal(text[:cut]) + "..."


def kind_prefix_for(kind: str) -> str:
    """The name prefix `kubectl get all` shows, e.g. `service/` or `deployment.apps/`."""
    return _KIND_PREFIXES.get(kind, kind.lower() + "/")


def no_resources_message(namespace: str | None) -> str:
    """What kubectl prints on stderr for an empty list (namespace None means --all-namespaces)."""
    if namespace is None:
        return "No resources found"
    return f"No resources found in {namespace} namespace."
