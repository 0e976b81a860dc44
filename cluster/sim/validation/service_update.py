"""Service updates: the strategy that runs before validation (pkg/registry/core/service:
patchAllocatedValues, NormalizeClusterIPs, initIPFamilyFields, PrepareForUpdate and
dropTypeDependentFields) and ValidateServiceUpdate's immutability rules.
"""

from __future__ import annotations

import copy
from typing import Any

from cluster.sim.api.defaults import (
    apply_service_api_defaults,
    cluster_ip_family,
    externally_accessible,
    init_ip_family_fields,
    normalize_cluster_ips,
)
from cluster.sim.api.fielderrors import FieldError, GoRaw, forbidden, invalid
from cluster.sim.objects import ClusterSettings, Obj
from cluster.sim.validation.meta import FIELD_IMMUTABLE, validate_object_meta_update
from cluster.sim.validation.service import (
    as_int,
    is_headless,
    needs_cluster_ip,
    needs_health_check,
    needs_node_port,
    strings,
    validate_service,
)

NIL_STRINGS = GoRaw("[]string(nil)")


def _string_list_value(values: list[str] | None) -> Any:
    """A []string bad value: a missing list prints as Go's nil slice."""
    return NIL_STRINGS if values is None else list(values)


# --- ValidateServiceUpdate ------------------------------------------------------------------------


def validate_service_update(
    new: Obj, old: Obj, *, settings: ClusterSettings, relaxed_names: bool = False
) -> list[FieldError]:
    """Immutability rules, then everything validate_service checks. Run on prepare_service_update's output."""
    new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    errs = validate_object_meta_update(new, old)
    errs += _validate_cluster_ips_update(old_spec, new_spec)
    errs += _validate_ip_families_update(old_spec, new_spec)
    errs += _validate_lb_class_update(old_spec, new_spec)
    if (
        needs_health_check(old_spec)
        and needs_health_check(new_spec)
        and not _same(new_spec, old_spec, "healthCheckNodePort")
    ):
        errs.append(forbidden("spec.healthCheckNodePort", FIELD_IMMUTABLE))
    return errs + validate_service(new, settings=settings, relaxed_names=relaxed_names)


def _validate_cluster_ips_update(old_spec: Obj, new_spec: Obj) -> list[FieldError]:
    """validateUpgradeDowngradeClusterIPs: the primary clusterIP never changes (except via ExternalName)."""
    if "ExternalName" in (old_spec.get("type"), new_spec.get("type")):
        return []
    if is_headless(old_spec) and is_headless(new_spec):
        return []
    old_ips, new_ips = strings(old_spec, "clusterIPs"), strings(new_spec, "clusterIPs")
    value = _string_list_value(new_spec.get("clusterIPs"))
    path = "spec.clusterIPs"
    if len(old_ips) == len(new_ips):
        return [
            invalid(f"{path}[{i}]", value, "may not change once set")
            for i, ip in enumerate(old_ips)
            if ip != new_ips[i]
        ]
    errs: list[FieldError] = []
    if len(old_ips) > len(new_ips):
        if not new_ips:
            errs.append(invalid(f"{path}[0]", value, "primary clusterIP can not be unset"))
        elif new_ips[0] != old_ips[0]:
            errs.append(invalid(f"{path}[0]", value, "may not change once set"))
        if len(new_ips) == 1 and new_spec.get("ipFamilyPolicy") != "SingleStack":
            detail = "must be set to 'SingleStack' when releasing the secondary clusterIP"
            errs.append(invalid("spec.ipFamilyPolicy", new_spec.get("ipFamilyPolicy"), detail))
    elif old_ips and new_ips[0] != old_ips[0]:
        errs.append(invalid(f"{path}[0]", value, "may not change once set"))
    return errs


def _validate_ip_families_update(old_spec: Obj, new_spec: Obj) -> list[FieldError]:
    """validateUpgradeDowngradeIPFamilies (upstream reports some of these with the clusterIPs value)."""
    if "ExternalName" in (old_spec.get("type"), new_spec.get("type")):
        return []
    if is_headless(old_spec) or is_headless(new_spec):
        return []  # headless Services may change families, and so may transitions to/from headless
    old_families, new_families = strings(old_spec, "ipFamilies"), strings(new_spec, "ipFamilies")
    path = "spec.ipFamilies[0]"
    if len(old_families) == len(new_families):
        changed = sum(a != b for a, b in zip(old_families, new_families, strict=True))
        return [invalid(path, new_families, "may not change once set")] * changed  # sic: always index 0
    ips_value = _string_list_value(new_spec.get("clusterIPs"))
    errs: list[FieldError] = []
    if len(old_families) > len(new_families):
        if not strings(new_spec, "clusterIPs"):
            errs.append(invalid(path, new_families, "primary ipFamily can not be unset"))
        if new_families and new_families[0] != old_families[0]:
            errs.append(invalid(path, ips_value, "may not change once set"))
        if len(new_families) == 1 and new_spec.get("ipFamilyPolicy") != "SingleStack":
            detail = "must be set to 'SingleStack' when releasing the secondary ipFamily"
            errs.append(invalid("spec.ipFamilyPolicy", new_spec.get("ipFamilyPolicy"), detail))
    elif old_families and new_families[0] != old_families[0]:
        errs.append(invalid(path, ips_value, "may not change once set"))
    return errs


def _validate_lb_class_update(old_spec: Obj, new_spec: Obj) -> list[FieldError]:
    both_lb = old_spec.get("type") == new_spec.get("type") == "LoadBalancer"
    if both_lb and old_spec.get("loadBalancerClass") != new_spec.get("loadBalancerClass"):
        return [
            invalid("spec.loadBalancerClass", new_spec.get("loadBalancerClass"), "may not change once set")
        ]
    return []


# --- the update strategy --------------------------------------------------------------------------


def prepare_service_update(new: Obj, old: Obj, *, settings: ClusterSettings | None = None) -> Obj:
    """Turn the object a client PUT/PATCHed into what the apiserver validates (returns a new dict).

    Mirrors storage.beginUpdate (re-fill values the server allocated and the client omitted, sync
    clusterIP/clusterIPs, infer IP families) followed by svcStrategy.PrepareForUpdate (keep status,
    drop fields the new type cannot use unless the user changed them).
    """
    new = apply_service_api_defaults(new)
    spec, old_spec = new["spec"], (old.get("spec") or {})
    _patch_allocated_values(spec, old_spec)
    normalize_cluster_ips(spec, old_spec)
    init_ip_family_fields(spec, old_spec, cluster_ip_family(settings or ClusterSettings()))
    new["status"] = copy.deepcopy(old.get("status") or {"loadBalancer": {}})
    _drop_type_dependent_fields(new, old)
    return new


def _patch_allocated_values(spec: Obj, old_spec: Obj) -> None:
    """patchAllocatedValues: resubmitting the original manifest must not lose allocated values."""
    if needs_cluster_ip(old_spec) and needs_cluster_ip(spec):
        for key in ("clusterIP", "clusterIPs"):
            if not spec.get(key):
                _copy_if_set(old_spec, spec, key)
    if needs_node_port(old_spec) and needs_node_port(spec):
        # Matched by port name: the user may have changed anything else about the port.
        by_name = {p.get("name") or "": as_int(p.get("nodePort")) for p in old_spec.get("ports") or []}
        for port in spec.get("ports") or []:
            previous = by_name.get(port.get("name") or "", 0)
            if previous and not as_int(port.get("nodePort")):
                port["nodePort"] = previous
    if needs_health_check(old_spec) and needs_health_check(spec) and not spec.get("healthCheckNodePort"):
        _copy_if_set(old_spec, spec, "healthCheckNodePort")


def _same(spec: Obj, old_spec: Obj, key: str) -> bool:
    """Go compares zero values: a missing field equals an empty/0 one."""
    return (spec.get(key) or None) == (old_spec.get(key) or None)


def _copy_if_set(source: Obj, target: Obj, key: str) -> None:
    if source.get(key):
        target[key] = copy.deepcopy(source[key])


def _node_port_set(spec: Obj) -> set[int]:
    return {as_int(p.get("nodePort")) for p in spec.get("ports") or []} - {0}


def _drop_type_dependent_fields(new: Obj, old: Obj) -> None:
    """dropTypeDependentFields: wipe what the new type cannot use, but only if the user left it as it was."""
    spec, old_spec = new["spec"], old.get("spec") or {}
    if needs_cluster_ip(old_spec) and not needs_cluster_ip(spec):
        if _same(spec, old_spec, "clusterIP") and strings(spec, "clusterIPs") == strings(
            old_spec, "clusterIPs"
        ):
            spec.pop("clusterIP", None)  # released after the write commits
            spec.pop("clusterIPs", None)
        for key in ("ipFamilies", "ipFamilyPolicy"):
            if spec.get(key) == old_spec.get(key):
                spec.pop(key, None)
    if (
        needs_node_port(old_spec)
        and not needs_node_port(spec)
        and _node_port_set(spec) <= _node_port_set(old_spec)
    ):
        for port in spec.get("ports") or []:
            port.pop("nodePort", None)
    if (
        needs_health_check(old_spec)
        and not needs_health_check(spec)
        and _same(spec, old_spec, "healthCheckNodePort")
    ):
        spec.pop("healthCheckNodePort", None)
    _drop_lb_only_fields(spec, old_spec)
    leaving_external = externally_accessible(old_spec) and not externally_accessible(spec)
    if leaving_external and _same(spec, old_spec, "externalTrafficPolicy"):
        spec.pop("externalTrafficPolicy", None)
    if spec.get("type") != "LoadBalancer":
        # LB de-provisioning is asynchronous, but users never see a stale ingress.
        new["status"]["loadBalancer"] = {}


def _drop_lb_only_fields(spec: Obj, old_spec: Obj) -> None:
    if old_spec.get("type") != "LoadBalancer" or spec.get("type") == "LoadBalancer":
        return
    for key in ("allocateLoadBalancerNodePorts", "loadBalancerClass"):
        if spec.get(key) is not None and spec.get(key) == old_spec.get(key):
            spec.pop(key, None)
