"""ObjectMeta, names, labels and label selectors (apimachinery api/validation and meta/v1/validation)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cluster.sim.api.fielderrors import FieldError, GoRaw, forbidden, invalid, required, too_long
from cluster.sim.objects import Obj
from cluster.sim.validation.formats import (
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_label_value,
)

NameCheck = Callable[[str], list[str]]

CLUSTER_SCOPED_KINDS = frozenset({"Namespace", "Node"})
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
FIELD_IMMUTABLE = "field is immutable"


def name_check(kind: str, *, relaxed_service_names: bool = False) -> NameCheck:
    """The per-kind name rule: Services are DNS-1035 labels (RFC 1123 labels with the
    RelaxedServiceNameValidation gate), Namespaces RFC 1123 labels, everything else subdomains."""
    if kind == "Service":
        return is_dns1123_label if relaxed_service_names else is_dns1035_label
    if kind == "Namespace":
        return is_dns1123_label
    return is_dns1123_subdomain


def _mask_trailing_dash(name: str) -> str:
    # generateName prefixes may end in '-'; Go swaps the last two characters for "a" before checking.
    return name[:-2] + "a" if len(name) > 1 and name.endswith("-") else name


def validate_name(
    kind: str, name: str, *, generate_name: str = "", relaxed_service_names: bool = False
) -> list[FieldError]:
    """metadata.generateName and metadata.name as ValidateObjectMetaAccessor checks them."""
    check = name_check(kind, relaxed_service_names=relaxed_service_names)
    errs = [
        invalid("metadata.generateName", generate_name, msg) for msg in _prefix_problems(check, generate_name)
    ]
    if not name:
        errs.append(required("metadata.name", "name or generateName is required"))
    else:
        errs.extend(invalid("metadata.name", name, msg) for msg in check(name))
    return errs


def _prefix_problems(check: NameCheck, generate_name: str) -> list[str]:
    return check(_mask_trailing_dash(generate_name)) if generate_name else []


def validate_labels(labels: Mapping[str, Any] | None, path: str) -> list[FieldError]:
    """Every key must be a qualified name and every value a label value; both report at `path`."""
    errs: list[FieldError] = []
    for key, value in (labels or {}).items():
        errs.extend(validate_label_name(str(key), path))
        text = value if isinstance(value, str) else str(value)
        errs.extend(invalid(path, text, msg) for msg in is_valid_label_value(text))
    return errs


def validate_label_name(key: str, path: str) -> list[FieldError]:
    return [invalid(path, key, msg) for msg in is_qualified_name(key)]


def validate_annotations(annotations: Mapping[str, Any] | None, path: str) -> list[FieldError]:
    annotations = annotations or {}
    # Annotation keys are qualified names where case does not matter.
    errs = [invalid(path, key, msg) for key in annotations for msg in is_qualified_name(str(key).lower())]
    size = sum(len(str(k)) + len(str(v)) for k, v in annotations.items())
    if size > TOTAL_ANNOTATION_SIZE_LIMIT:
        errs.append(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT))
    return errs


def validate_object_meta(obj: Obj, kind: str, *, relaxed_service_names: bool = False) -> list[FieldError]:
    meta = obj.get("metadata") or {}
    errs = validate_name(
        kind,
        meta.get("name") or "",
        generate_name=meta.get("generateName") or "",
        relaxed_service_names=relaxed_service_names,
    )
    if kind not in CLUSTER_SCOPED_KINDS:
        errs.extend(_validate_namespace_field(meta.get("namespace") or ""))
    errs.extend(validate_labels(meta.get("labels"), "metadata.labels"))
    errs.extend(validate_annotations(meta.get("annotations"), "metadata.annotations"))
    return errs


def _validate_namespace_field(namespace: str) -> list[FieldError]:
    # The apiserver fills this from the request URL before validating, so a blank one is a bug upstream.
    if not namespace:
        return [required("metadata.namespace")]
    return [invalid("metadata.namespace", namespace, msg) for msg in is_dns1123_label(namespace)]


def validate_object_meta_update(new: Obj, old: Obj) -> list[FieldError]:
    """ValidateObjectMetaUpdate: identity fields are immutable; labels and annotations are re-checked."""
    new_meta, old_meta = new.get("metadata") or {}, old.get("metadata") or {}
    errs: list[FieldError] = []
    for key in ("name", "namespace"):
        new_value, old_value = new_meta.get(key) or "", old_meta.get(key) or ""
        # A blank namespace is filled from the request URL, so only a different one is a change.
        if new_value != old_value and (new_value or key == "name"):
            errs.append(invalid(f"metadata.{key}", new_value, FIELD_IMMUTABLE))
    errs.extend(validate_labels(new_meta.get("labels"), "metadata.labels"))
    errs.extend(validate_annotations(new_meta.get("annotations"), "metadata.annotations"))
    return errs


# --- label selectors (metav1.LabelSelector) -------------------------------------------------------


def validate_label_selector(selector: Obj, path: str) -> list[FieldError]:
    errs = validate_labels(selector.get("matchLabels"), f"{path}.matchLabels")
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        errs.extend(_validate_requirement(expr, f"{path}.matchExpressions[{i}]"))
    return errs


def _validate_requirement(expr: Obj, path: str) -> list[FieldError]:
    operator, values = expr.get("operator") or "", expr.get("values") or []
    errs: list[FieldError] = []
    if operator in ("In", "NotIn"):
        if not values:
            errs.append(required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            errs.append(
                forbidden(
                    f"{path}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                )
            )
    else:
        errs.append(invalid(f"{path}.operator", operator, "not a valid selector operator"))
    errs.extend(validate_label_name(expr.get("key") or "", f"{path}.key"))
    if operator in ("In", "NotIn"):
        for j, value in enumerate(values):
            errs.extend(
                invalid(f"{path}.values[{j}]", value, msg) for msg in is_valid_label_value(str(value))
            )
    return errs


def label_selector_matches(selector: Obj | None, labels: Mapping[str, str] | None) -> bool:
    """metav1.LabelSelectorAsSelector(...).Matches: a nil selector matches nothing, an empty one everything."""
    if selector is None:
        return False
    labels = labels or {}
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    return all(_requirement_matches(expr, labels) for expr in selector.get("matchExpressions") or [])


def _requirement_matches(expr: Obj, labels: Mapping[str, str]) -> bool:
    key, operator, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False


def label_selector_is_empty(selector: Obj | None) -> bool:
    selector = selector or {}
    return not selector.get("matchLabels") and not selector.get("matchExpressions")


def label_selector_go_string(selector: Obj | None) -> GoRaw:
    """How a *metav1.LabelSelector prints in an error: its generated (gogo protobuf) String() method."""
    if selector is None:
        return GoRaw("nil")
    labels = selector.get("matchLabels") or {}
    match_labels = "".join(f"{k}: {labels[k]}," for k in sorted(labels))
    expressions = "".join(
        f"LabelSelectorRequirement{{Key:{e.get('key', '')},Operator:{e.get('operator', '')},"
        f"Values:[{' '.join(e.get('values') or [])}],}},"
        for e in selector.get("matchExpressions") or []
    )
    return GoRaw(
        f"&LabelSelector{{MatchLabels:map[string]string{{{match_labels}}},"
        f"MatchExpressions:[]LabelSelectorRequirement{{{expressions}}},}}"
    )
