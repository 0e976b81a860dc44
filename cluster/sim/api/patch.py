"""The four patch formats kube-apiserver accepts, as pure functions over JSON-shaped values.

- JSON merge patch (RFC 7386): maps merge, `null` deletes, lists are replaced.
- JSON patch (RFC 6902): a list of add/remove/replace/move/copy/test operations.
- Strategic merge patch (k8s.io/apimachinery strategicpatch): lists with a patch strategy of
  "merge" merge by their merge key (Service ports by `port`, containers by `name`...), and the
  directives `$patch` (merge/replace/delete), `$retainKeys`, `$setElementOrder/<list>` and
  `$deleteFromPrimitiveList/<list>` are honoured. Merge keys come from `schema`.
- Server-side apply, simplified: the applied configuration is merged into the live object like
  a strategic merge patch. There are no managedFields, so a field left out of a later apply is
  kept rather than removed.

None of these functions changes its arguments.
"""

from __future__ import annotations

import copy
from typing import Any

from cluster.sim.api.apischema import Field, ListOf, Struct, Type

DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/"
SET_ELEMENT_ORDER = "$setElementOrder/"
RETAIN_KEYS = "$retainKeys"
PATCH = "$patch"


class PatchError(ValueError):
    """The patch cannot be applied to this document (the apiserver answers 422)."""


class PatchFormatError(ValueError):
    """The patch document itself is malformed (the apiserver answers 400)."""


# --- JSON merge patch -----------------------------------------------------------------------------


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 MergePatch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# --- JSON patch -----------------------------------------------------------------------------------


def _pointer(path: Any) -> list[str]:
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise PatchFormatError(f"invalid JSON pointer: {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path.split("/")[1:]] if path else []


def _index(container: list, token: str, *, for_insert: bool) -> int:
    if token == "-" and for_insert:
        return len(container)
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise PatchError(f"invalid array index: {token}")
    index = int(token)
    if index > len(container) or (index == len(container) and not for_insert):
        raise PatchError(f"array index out of bounds: {index}")
    return index


def _existing(node: Any, token: str) -> str | int | None:
    """The key or index `token` names in node, or None where the document has nothing there."""
    if isinstance(node, dict) and token in node:
        return token
    if isinstance(node, list):
        return _index(node, token, for_insert=False)
    return None


def _walk(doc: Any, tokens: list[str], path: str) -> Any:
    node = doc
    for token in tokens:
        key = _existing(node, token)
        if key is None:
            raise PatchError(f"doc is missing path: {path!r}")
        node = node[key]
    return node


def _parent(doc: Any, tokens: list[str], path: str) -> Any:
    return _walk(doc, tokens[:-1], path)


def _get(doc: Any, path: str) -> Any:
    return _walk(doc, _pointer(path), path)


def _add(doc: Any, path: str, value: Any) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return value
    parent, last = _parent(doc, tokens, path), tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, for_insert=True), value)
    else:
        raise PatchError(f"doc is missing path: {path!r}")
    return doc


def _remove(doc: Any, path: str) -> Any:
    tokens = _pointer(path)
    if not tokens:
        raise PatchError("cannot remove the whole document")
    parent, last = _parent(doc, tokens, path), tokens[-1]
    key = _existing(parent, last)
    if key is None:
        raise PatchError(f"unable to remove nonexistent key: {last}: missing value")
    del parent[key]
    return doc


def json_patch(doc: Any, operations: Any) -> Any:
    """RFC 6902: apply the operations in order; any failing operation fails the whole patch."""
    if not isinstance(operations, list):
        raise PatchFormatError("a JSON patch must be a list of operations")
    doc = copy.deepcopy(doc)
    for op in operations:
        if not isinstance(op, dict) or not isinstance(op.get("op"), str):
            raise PatchFormatError(f"invalid JSON patch operation: {op!r}")
        kind, path = op["op"], op.get("path")
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchFormatError(f'missing "value" in {kind} operation')
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op["value"]))
        elif kind == "remove":
            doc = _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)  # the target must exist
            doc = (
                _add(_remove(doc, path), path, copy.deepcopy(op["value"])) if _pointer(path) else op["value"]
            )
        elif kind in ("move", "copy"):
            value = copy.deepcopy(_get(doc, op.get("from")))
            if kind == "move":
                doc = _remove(doc, op.get("from"))
            doc = _add(doc, path, value)
        elif kind == "test":
            if _get(doc, path) != op["value"]:
                raise PatchError(f"testing value {path} failed: test failed")
        else:
            raise PatchFormatError(f"unexpected kind of JSON patch operation: {kind}")
    return doc


# --- strategic merge patch ------------------------------------------------------------------------


def _struct_of(t: Type | None) -> Struct | None:
    if isinstance(t, ListOf):
        t = t.elem
    return t if isinstance(t, Struct) else None


def _field(struct: Struct | None, name: str) -> Field | None:
    return struct.fields.get(name) if struct is not None else None


def strategic_merge_patch(
    original: dict[str, Any], patch: dict[str, Any], schema: Struct | None
) -> dict[str, Any]:
    if not isinstance(patch, dict):
        raise PatchFormatError("a strategic merge patch must be a JSON object")
    result = _merge_map(copy.deepcopy(original), patch, schema)
    return {} if result is None else result


def _merge_map(
    original: dict[str, Any], patch: dict[str, Any], struct: Struct | None
) -> dict[str, Any] | None:
    """The merged map, or None when the patch deletes it (`$patch: delete`)."""
    patch = dict(patch)
    directive = patch.pop(PATCH, None)
    if directive == "delete":
        return None
    if directive == "replace":
        return _merge_map({}, patch, struct) or {}
    if directive not in (None, "merge"):
        raise PatchFormatError(f"unknown patch type: {directive} in map")
    retain = patch.pop(RETAIN_KEYS, None)
    if retain is not None and not isinstance(retain, list):
        raise PatchFormatError("$retainKeys must be a list of field names")
    orders: dict[str, list] = {}
    for key in [k for k in patch if k.startswith(("$setElementOrder/", DELETE_FROM_PRIMITIVE_LIST))]:
        values = patch.pop(key)
        if not isinstance(values, list):
            raise PatchFormatError(f"{key} must be a list")
        directive_name, _, name = key.partition("/")
        if directive_name == SET_ELEMENT_ORDER[:-1]:
            orders[name] = values
        elif isinstance(original.get(name), list):
            original[name] = [v for v in original[name] if v not in values]
    for key, value in patch.items():
        spec = _field(struct, key)
        if value is None:
            original.pop(key, None)
        elif isinstance(value, dict) and not key.startswith("$"):
            merged = _merge_map(
                original[key] if isinstance(original.get(key), dict) else {},
                value,
                _struct_of(spec.type) if spec else None,
            )
            if merged is None:
                original.pop(key, None)
            else:
                original[key] = merged
        elif isinstance(value, list):
            current = original.get(key) if isinstance(original.get(key), list) else []
            original[key] = _merge_list(current, value, spec, orders.pop(key, None))
        else:
            original[key] = copy.deepcopy(value)
    for key, order in orders.items():  # an order for a list the patch leaves alone
        if isinstance(original.get(key), list):
            original[key] = _merge_list(original[key], [], _field(struct, key), order)
    if retain is not None:
        original = {k: v for k, v in original.items() if k in retain}
    return original


def _merge_list(original: list, patch: list, spec: Field | None, order: list | None) -> list:
    if spec is None or not spec.merges:
        return [_clean(v, spec) for v in patch]  # lists without a merge strategy are replaced
    if not spec.merge_key:
        merged = list(original) + [v for v in patch if v not in original]  # union of primitives
        return _ordered(merged, lambda v: v, order, original)
    if any(isinstance(v, dict) and v.get(PATCH) == "replace" for v in patch):
        return [_clean(v, spec) for v in patch if not (isinstance(v, dict) and v.get(PATCH) == "replace")]
    key = spec.merge_key
    elem = _struct_of(spec.type)
    merged = [copy.deepcopy(v) for v in original]
    for item in patch:
        if not isinstance(item, dict):
            raise PatchError(f"cannot merge a {type(item).__name__} into a list merged by {key}")
        if key not in item:
            raise PatchError(f"map: {_go_map(item)} does not contain declared merge key: {key}")
        position = next(
            (i for i, v in enumerate(merged) if isinstance(v, dict) and v.get(key) == item[key]), None
        )
        if item.get(PATCH) == "delete":
            merged = [v for v in merged if not (isinstance(v, dict) and v.get(key) == item[key])]
        elif position is None:
            merged.append(_merge_map({}, item, elem) or {})
        else:
            merged[position] = _merge_map(merged[position], item, elem) or {}
    return _ordered(merged, lambda v: v.get(key) if isinstance(v, dict) else v, order, original)


def _clean(value: Any, spec: Field | None) -> Any:
    """A patch value that replaces what was there: its own directives still apply."""
    if isinstance(value, dict):
        return _merge_map({}, value, _struct_of(spec.type) if spec else None) or {}
    return copy.deepcopy(value)


def _go_map(item: dict) -> str:
    return "map[" + " ".join(f"{k}:{v}" for k, v in sorted(item.items())) + "]"


def _ordered(merged: list, key_of: Any, order: list | None, original: list) -> list:
    """normalizeElementOrder: the order the patch gives, server-only items where they were."""
    if order is None:
        return merged
    wanted = [key_of(v) for v in order]
    server = [key_of(v) for v in original]

    def position(keys: list, item: Any) -> int:
        k = key_of(item)
        return keys.index(k) if k in keys else -1

    in_patch = sorted((v for v in merged if key_of(v) in wanted), key=lambda v: position(wanted, v))
    server_only = sorted(
        (v for v in merged if key_of(v) not in wanted),
        key=lambda v: (position(server, v) < 0, position(server, v)),
    )
    # mergeSortedSlice: compare by the server's order; items the server has not seen go later.
    result, i, j = [], 0, 0
    while i < len(server_only) and j < len(in_patch):
        li, ri = position(server, server_only[i]), position(server, in_patch[j])
        if (li >= 0 and ri >= 0 and li < ri) or (li >= 0 > ri):
            result.append(server_only[i])
            i += 1
        else:
            result.append(in_patch[j])
            j += 1
    return result + in_patch[j:] + server_only[i:]


# --- server-side apply (simplified) -----------------------------------------------------------------


def apply_merge(live: dict[str, Any], applied: dict[str, Any], schema: Struct | None) -> dict[str, Any]:
    """Merge an applied configuration into the live object: maps and keyed lists merge, other
    lists and scalars take the applied value. Directives are not part of apply configurations."""
    return strategic_merge_patch(live, _without_directives(applied), schema)


def _without_directives(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_directives(v) for k, v in value.items() if not k.startswith("$")}
    if isinstance(value, list):
        return [_without_directives(v) for v in value]
    return value
