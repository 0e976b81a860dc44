"""Server-side printing: the meta.k8s.io Table kubectl asks for with `Accept: ...;as=Table`.

The cells come from the printers (cluster.sim.printers.tables.table); this module adds what depends on
the request: the Table's apiVersion and resourceVersion, and each row's `object` according to
`includeObject` (None, Metadata - kubectl's default - or Object).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cluster.sim.printers.tables import table
from visualizer.kubeapi.errors import KubeError, bad_request

INCLUDE_OBJECT = ("None", "Metadata", "Object")

Obj = dict[str, Any]


def include_object(value: str) -> str:
    value = value or "Metadata"
    if value not in INCLUDE_OBJECT:
        raise KubeError(
            bad_request(f'Unsupported value: "{value}": supported values: "None", "Metadata", "Object"')
        )
    return value


def as_table(
    kind: str,
    objs: list[Obj],
    *,
    now: datetime,
    version: str,
    resource_version: str,
    include: str,
    columns: bool = True,
) -> dict[str, Any]:
    result = table(kind, objs, now=now)
    result["apiVersion"] = f"meta.k8s.io/{version}"
    result["metadata"] = {"resourceVersion": resource_version} if resource_version else {}
    if not columns:
        result["columnDefinitions"] = None  # later watch events reuse the first event's columns
    for row, obj in zip(result["rows"], objs, strict=True):
        if include == "None":
            row.pop("object", None)
        elif include == "Object":
            row["object"] = obj
    return result
