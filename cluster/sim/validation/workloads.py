"""Pods, ReplicaSets and Deployments (pkg/apis/core/validation, pkg/apis/apps/validation), limited to
the fields the simulator stores."""

from __future__ import annotations

from typing import Any

from cluster.sim.api.fielderrors import (
    FieldError,
    GoRaw,
    duplicate,
    forbidden,
    go_quote,
    invalid,
    not_supported,
    required,
)
from cluster.sim.objects import Obj
from cluster.sim.validation.formats import (
    is_dns1123_label,
    is_dns1123_subdomain,
    is_valid_percent,
    is_valid_port_name,
    is_valid_port_num,
)
from cluster.sim.validation.meta import (
    FIELD_IMMUTABLE,
    label_selector_go_string,
    label_selector_is_empty,
    label_selector_matches,
    validate_annotations,
    validate_label_selector,
    validate_labels,
    validate_object_meta,
    validate_object_meta_update,
)

NEGATIVE = "must be greater than or equal to 0"
PORT_PROTOCOLS = ("SCTP", "TCP", "UDP")
RESTART_POLICIES = ("Always", "OnFailure", "Never")
DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
TERMINATION_MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
STRATEGY_TYPES = ("Recreate", "RollingUpdate")
_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def _as_int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def validate_nonnegative(value: Any, path: str) -> list[FieldError]:
    return [invalid(path, value, NEGATIVE)] if _as_int(value) < 0 else []


def _labels_value(labels: dict[str, str] | None) -> Any:
    return GoRaw("map[string]string(nil)") if labels is None else labels


# --- pod spec -------------------------------------------------------------------------------------


def validate_pod_spec(spec: Obj, path: str) -> list[FieldError]:
    errs = _validate_containers(spec.get("containers") or [], f"{path}.containers")
    errs += _validate_enum(spec.get("restartPolicy") or "", f"{path}.restartPolicy", RESTART_POLICIES)
    errs += _validate_enum(spec.get("dnsPolicy") or "", f"{path}.dnsPolicy", DNS_POLICIES)
    errs += validate_labels(spec.get("nodeSelector"), f"{path}.nodeSelector")
    node_name = spec.get("nodeName") or ""
    if node_name:
        errs += [invalid(f"{path}.nodeName", node_name, msg) for msg in is_dns1123_subdomain(node_name)]
    errs += validate_nonnegative(
        spec.get("terminationGracePeriodSeconds"), f"{path}.terminationGracePeriodSeconds"
    )
    for key in ("hostname", "subdomain"):
        value = spec.get(key) or ""
        errs += [invalid(f"{path}.{key}", value, msg) for msg in is_dns1123_label(value)] if value else []
    return errs


def _validate_enum(value: str, path: str, allowed: tuple[str, ...]) -> list[FieldError]:
    if not value:
        return [required(path)]
    return [] if value in allowed else [not_supported(path, value, allowed)]


def _validate_containers(containers: list[Obj], path: str) -> list[FieldError]:
    if not containers:
        return [required(path)]
    names: set[str] = set()
    errs: list[FieldError] = []
    for i, container in enumerate(containers):
        errs += _validate_container(container, f"{path}[{i}]")
        name = container.get("name") or ""
        if name in names:
            errs.append(duplicate(f"{path}[{i}].name", name))
        names.add(name)
    return errs


def _validate_container(container: Obj, path: str) -> list[FieldError]:
    name = container.get("name") or ""
    errs = (
        [required(f"{path}.name")]
        if not name
        else [invalid(f"{path}.name", name, m) for m in is_dns1123_label(name)]
    )
    if not container.get("image"):
        errs.append(required(f"{path}.image"))
    message_policy = container.get("terminationMessagePolicy") or ""
    errs += _validate_enum(message_policy, f"{path}.terminationMessagePolicy", TERMINATION_MESSAGE_POLICIES)
    errs += _validate_container_ports(container.get("ports") or [], f"{path}.ports")
    errs += _validate_enum(container.get("imagePullPolicy") or "", f"{path}.imagePullPolicy", PULL_POLICIES)
    return errs


def _validate_container_ports(ports: list[Obj], path: str) -> list[FieldError]:
    names: set[str] = set()
    errs: list[FieldError] = []
    for i, port in enumerate(ports):
        item = f"{path}[{i}]"
        name = port.get("name") or ""
        if name:
            problems = is_valid_port_name(name)
            errs += [invalid(f"{item}.name", name, msg) for msg in problems]
            if not problems and name in names:
                errs.append(duplicate(f"{item}.name", name))
            names.add(name)
        container_port = _as_int(port.get("containerPort"))
        if not container_port:
            errs.append(required(f"{item}.containerPort"))
        else:
            errs += [
                invalid(f"{item}.containerPort", container_port, m) for m in is_valid_port_num(container_port)
            ]
        host_port = _as_int(port.get("hostPort"))
        if host_port:
            errs += [invalid(f"{item}.hostPort", host_port, m) for m in is_valid_port_num(host_port)]
        errs += _validate_enum(port.get("protocol") or "", f"{item}.protocol", PORT_PROTOCOLS)
    return errs


def validate_pod(pod: Obj) -> list[FieldError]:
    return validate_object_meta(pod, "Pod") + validate_pod_spec(pod.get("spec") or {}, "spec")


def validate_pod_update(new: Obj, old: Obj) -> list[FieldError]:
    # Upstream also forbids most spec changes; the simulator's controllers rewrite pods freely.
    return validate_object_meta_update(new, old) + validate_pod(new)


# --- ReplicaSets and Deployments ------------------------------------------------------------------


def _validate_selector(spec: Obj, path: str) -> tuple[list[FieldError], bool]:
    """The selector checks shared by ReplicaSet and Deployment; also says if the selector is usable."""
    selector = spec.get("selector")
    if selector is None:
        return [required(path)], True
    errs = validate_label_selector(selector, path)
    if label_selector_is_empty(selector):
        # sic: the ReplicaSet check reuses the Deployment wording
        errs.append(
            invalid(path, label_selector_go_string(selector), "empty selector is invalid for deployment")
        )
    operators_ok = all(
        e.get("operator") in _SELECTOR_OPERATORS for e in selector.get("matchExpressions") or []
    )
    if not operators_ok:
        errs.append(invalid(path, label_selector_go_string(selector), "invalid label selector"))
    return errs, operators_ok


def _validate_template(spec: Obj, path: str) -> list[FieldError]:
    """ValidatePodTemplateSpecForReplicaSet."""
    template = spec.get("template") or {}
    meta = template.get("metadata") or {}
    selector = spec.get("selector")
    errs: list[FieldError] = []
    if not label_selector_matches(selector, meta.get("labels")):
        detail = "`selector` does not match template `labels`"
        errs.append(invalid(f"{path}.metadata.labels", _labels_value(meta.get("labels")), detail))
    # sic: template labels and annotations are reported without the `.metadata` segment
    errs += validate_labels(meta.get("labels"), f"{path}.labels")
    errs += validate_annotations(meta.get("annotations"), f"{path}.annotations")
    pod_spec = template.get("spec") or {}
    errs += validate_pod_spec(pod_spec, f"{path}.spec")
    restart = pod_spec.get("restartPolicy") or ""
    if restart != "Always":
        errs.append(not_supported(f"{path}.spec.restartPolicy", restart, ("Always",)))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        detail = "activeDeadlineSeconds in ReplicaSet is not Supported"
        errs.append(invalid(f"{path}.spec.activeDeadlineSeconds", pod_spec["activeDeadlineSeconds"], detail))
    return errs


def validate_replicaset(rs: Obj) -> list[FieldError]:
    spec = rs.get("spec") or {}
    errs = validate_object_meta(rs, "ReplicaSet")
    errs += validate_nonnegative(spec.get("replicas"), "spec.replicas")
    errs += validate_nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    selector_errs, usable = _validate_selector(spec, "spec.selector")
    errs += selector_errs
    return errs + (_validate_template(spec, "spec.template") if usable else [])


def validate_deployment(deploy: Obj) -> list[FieldError]:
    spec = deploy.get("spec") or {}
    errs = validate_object_meta(deploy, "Deployment")
    errs += validate_nonnegative(spec.get("replicas"), "spec.replicas")
    selector_errs, usable = _validate_selector(spec, "spec.selector")
    errs += selector_errs
    errs += _validate_template(spec, "spec.template") if usable else []
    errs += _validate_strategy(spec.get("strategy") or {}, "spec.strategy")
    errs += validate_nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    errs += validate_nonnegative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit")
    deadline = spec.get("progressDeadlineSeconds")
    if deadline is not None:
        errs += validate_nonnegative(deadline, "spec.progressDeadlineSeconds")
        if _as_int(deadline) <= _as_int(spec.get("minReadySeconds")):
            errs.append(
                invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds")
            )
    return errs


def _validate_strategy(strategy: Obj, path: str) -> list[FieldError]:
    kind, rolling = strategy.get("type") or "", strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            return [
                forbidden(f"{path}.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")
            ]
        return []
    if kind == "RollingUpdate":
        if rolling is None:
            return [required(f"{path}.rollingUpdate", "this should be defaulted and never be nil")]
        return _validate_rolling_update(rolling, f"{path}.rollingUpdate")
    pointer = "(nil)" if rolling is None else "(0xc000000000)"  # a Go pointer prints as its address
    dump = GoRaw(
        f"apps.DeploymentStrategy{{Type:{go_quote(kind)}, RollingUpdate:(*apps.RollingUpdateDeployment){pointer}}}"
    )
    return [not_supported(path, dump, STRATEGY_TYPES)]


def _int_or_percent_text(value: Any) -> GoRaw:
    # IntOrString prints through its String() method: unquoted.
    return GoRaw(str(value))


def _validate_int_or_percent(value: Any, path: str) -> list[FieldError]:
    if isinstance(value, str):
        return [invalid(path, _int_or_percent_text(value), msg) for msg in is_valid_percent(value)]
    return validate_nonnegative(value, path)


def _int_or_percent_value(value: Any) -> int:
    if isinstance(value, str):
        digits = value[:-1] if value.endswith("%") else value
        return int(digits) if digits.isdigit() else 0
    return _as_int(value)


def _validate_rolling_update(rolling: Obj, path: str) -> list[FieldError]:
    unavailable, surge = rolling.get("maxUnavailable", 0), rolling.get("maxSurge", 0)
    errs = _validate_int_or_percent(unavailable, f"{path}.maxUnavailable")
    errs += _validate_int_or_percent(surge, f"{path}.maxSurge")
    if _int_or_percent_value(unavailable) == 0 and _int_or_percent_value(surge) == 0:
        errs.append(
            invalid(
                f"{path}.maxUnavailable",
                _int_or_percent_text(unavailable),
                "may not be 0 when `maxSurge` is 0",
            )
        )
    if (
        isinstance(unavailable, str)
        and not is_valid_percent(unavailable)
        and _int_or_percent_value(unavailable) > 100
    ):
        errs.append(
            invalid(
                f"{path}.maxUnavailable", _int_or_percent_text(unavailable), "must not be greater than 100%"
            )
        )
    return errs


def _validate_selector_unchanged(new: Obj, old: Obj) -> list[FieldError]:
    """apps/v1 forbids changing a controller's selector after creation."""
    new_selector = (new.get("spec") or {}).get("selector")
    if new_selector != (old.get("spec") or {}).get("selector"):
        return [invalid("spec.selector", label_selector_go_string(new_selector), FIELD_IMMUTABLE)]
    return []


def validate_replicaset_update(new: Obj, old: Obj) -> list[FieldError]:
    return (
        validate_object_meta_update(new, old)
        + _validate_selector_unchanged(new, old)
        + validate_replicaset(new)
    )


def validate_deployment_update(new: Obj, old: Obj) -> list[FieldError]:
    return (
        validate_object_meta_update(new, old)
        + _validate_selector_unchanged(new, old)
        + validate_deployment(new)
    )
