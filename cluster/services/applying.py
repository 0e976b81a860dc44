"""What `kubectl apply` (client-side) computes before it patches: the three-way patch.

kubectl keeps the configuration it last applied in an annotation. On the next apply it patches
the live object with (a) the new configuration, which sets every field the person wrote, and
(b) deletions of the fields the last configuration had and the new one dropped; fields nobody
wrote (defaults, allocations, what controllers set) stay. The patch is a strategic merge patch,
applied by the same function the Kubernetes API uses (cluster/sim/api/patch.py), inside the write
path's update.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from cluster.sim.api.apischema import Field, ListOf, Struct
from cluster.sim.api.patch import PATCH, SET_ELEMENT_ORDER
from cluster.sim.printers.writer import LAST_APPLIED_ANNOTATION

Obj = dict[str, Any]


def with_last_applied(config: Obj) -> Obj:
    """The configuration carrying itself in the annotation, as kubectl sends it (its JSON with
    sorted keys and a final newline, the annotation itself left out of it)."""
    recorded = copy.deepcopy(config)
    annotations = recorded.setdefault("metadata", {}).setdefault("annotations", {})
    annotations.pop(LAST_APPLIED_ANNOTATION, None)
    text = json.dumps(recorded, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    result = copy.deepcopy(config)
    result.setdefault("metadata", {}).setdefault("annotations", {})[LAST_APPLIED_ANNOTATION] = text
    return result


def last_applied(live: Obj) -> Obj | None:
    """The configuration recorded on the live object, or None (made by create, a form, a preset)."""
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED_ANNOTATION)
    if not text:
        return None
    try:
        recorded = json.loads(text)
    except ValueError:
        return None
    return recorded if isinstance(recorded, dict) else None


def _struct(field: Field | None) -> Struct | None:
    if field is None:
        return None
    t = field.type.elem if isinstance(field.type, ListOf) else field.type
    return t if isinstance(t, Struct) else None


def three_way_patch(previous: Obj, config: Obj, schema: Struct | None) -> Obj:
    """A strategic merge patch: `config`, plus a deletion of each field `previous` had that
    `config` dropped (null for a map key, `$patch: delete` for an item of a keyed list)."""
    patch = copy.deepcopy(config)
    for key, old in previous.items():
        field = schema.fields.get(key) if schema is not None else None
        if key not in config:
            patch[key] = None
        elif isinstance(old, dict) and isinstance(config[key], dict):
            patch[key] = three_way_patch(old, config[key], _struct(field))
        elif isinstance(old, list) and isinstance(config[key], list) and field and field.merges and field.merge_key:
            patch[key] = _keyed_list_patch(old, config[key], field)
            patch[f"{SET_ELEMENT_ORDER}{key}"] = [
                {field.merge_key: item[field.merge_key]} for item in config[key]
                if isinstance(item, dict) and field.merge_key in item
            ]
    return patch


def _keyed_list_patch(old: list, new: list, field: Field) -> list:
    key = field.merge_key
    before = {item[key]: item for item in old if isinstance(item, dict) and key in item}
    items = [
        three_way_patch(before[item[key]], item, _struct(field))
        if isinstance(item, dict) and item.get(key) in before else copy.deepcopy(item)
        for item in new
    ]
    kept = {item.get(key) for item in new if isinstance(item, dict)}
    items += [{key: value, PATCH: "delete"} for value in before if value not in kept]
    return items
