"""kube-apiserver validation for the simulated kinds, with the apiserver's exact messages.

`validate(kind, obj, old=..., settings=...)` is the single entry point; it expects the object as the
apiserver would validate it: defaulted (cluster.sim.api.defaults), namespace filled in from the request,
and for Service updates already passed through `prepare_service_update`.
"""

from __future__ import annotations

from collections.abc import Callable

from cluster.sim.api.fielderrors import FieldError, invalid, not_supported, required
from cluster.sim.objects import ClusterSettings, Obj
from cluster.sim.validation.formats import (
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_port_num,
    validate_cidr,
    validate_ip,
    validate_non_special_ip,
)
from cluster.sim.validation.meta import validate_name, validate_object_meta, validate_object_meta_update
from cluster.sim.validation.service import validate_cluster_ips_related_fields, validate_service
from cluster.sim.validation.service_update import prepare_service_update, validate_service_update
from cluster.sim.validation.workloads import (
    validate_deployment,
    validate_deployment_update,
    validate_pod,
    validate_pod_update,
    validate_replicaset,
    validate_replicaset_update,
)

__all__ = [
    "prepare_service_update",
    "validate",
    "validate_cluster_ips_related_fields",
    "validate_deployment",
    "validate_endpoints",
    "validate_name",
    "validate_namespace",
    "validate_node",
    "validate_pod",
    "validate_replicaset",
    "validate_service",
    "validate_service_update",
]

STANDARD_FINALIZERS = frozenset({"kubernetes"})


# --- Namespaces and Nodes -------------------------------------------------------------------------


def validate_namespace(ns: Obj) -> list[FieldError]:
    errs = validate_object_meta(ns, "Namespace")
    for finalizer in (ns.get("spec") or {}).get("finalizers") or []:
        errs += _validate_finalizer_name(finalizer, "spec.finalizers")
    return errs


def _validate_finalizer_name(name: str, path: str) -> list[FieldError]:
    errs = [invalid(path, name, msg) for msg in is_qualified_name(name)]
    if "/" not in name and name not in STANDARD_FINALIZERS:
        errs.append(
            invalid(path, name, "name is neither a standard finalizer name nor is it fully qualified")
        )
    return errs


def validate_node(node: Obj) -> list[FieldError]:
    spec = node.get("spec") or {}
    errs = validate_object_meta(node, "Node")
    pod_cidrs = spec.get("podCIDRs") or ([spec["podCIDR"]] if spec.get("podCIDR") else [])
    for i, cidr in enumerate(pod_cidrs):
        errs += validate_cidr(f"spec.podCIDRs[{i}]", cidr)
    return errs


# --- Endpoints ------------------------------------------------------------------------------------


def validate_endpoints(endpoints: Obj) -> list[FieldError]:
    errs = validate_object_meta(endpoints, "Endpoints")
    for i, subset in enumerate(endpoints.get("subsets") or []):
        errs += _validate_subset(subset, f"subsets[{i}]")
    return errs


def _validate_subset(subset: Obj, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not subset.get("addresses") and not subset.get("notReadyAddresses"):
        errs.append(required(path, "must specify `addresses` or `notReadyAddresses`"))
    for key in ("addresses", "notReadyAddresses"):
        for j, address in enumerate(subset.get(key) or []):
            errs += _validate_endpoint_address(address, f"{path}.{key}[{j}]")
    ports = subset.get("ports") or []
    for j, port in enumerate(ports):
        errs += _validate_endpoint_port(port, f"{path}.ports[{j}]", require_name=len(ports) > 1)
    return errs


def _validate_endpoint_address(address: Obj, path: str) -> list[FieldError]:
    ip = address.get("ip") or ""
    errs = validate_ip(f"{path}.ip", ip)
    hostname = address.get("hostname") or ""
    if hostname:
        errs += [invalid(f"{path}.hostname", hostname, msg) for msg in is_dns1123_label(hostname)]
    node_name = address.get("nodeName")
    if node_name is not None:
        errs += [invalid(f"{path}.nodeName", node_name, msg) for msg in is_dns1123_subdomain(node_name)]
    return errs + validate_non_special_ip(f"{path}.ip", ip)


def _validate_endpoint_port(port: Obj, path: str, *, require_name: bool) -> list[FieldError]:
    name = port.get("name") or ""
    errs: list[FieldError] = []
    if require_name and not name:
        errs.append(required(f"{path}.name"))
    elif name:
        errs += [invalid(f"{path}.name", name, msg) for msg in is_dns1123_label(name)]
    number = port.get("port") if isinstance(port.get("port"), int) else 0
    errs += [invalid(f"{path}.port", number, msg) for msg in is_valid_port_num(number)]
    protocol = port.get("protocol") or ""
    if not protocol:
        errs.append(required(f"{path}.protocol"))
    elif protocol not in ("SCTP", "TCP", "UDP"):
        errs.append(not_supported(f"{path}.protocol", protocol, ("SCTP", "TCP", "UDP")))
    return errs


# --- entry point ----------------------------------------------------------------------------------

Check = Callable[[Obj], list[FieldError]]
UpdateCheck = Callable[[Obj, Obj], list[FieldError]]

_CREATE: dict[str, Check] = {
    "Pod": validate_pod,
    "ReplicaSet": validate_replicaset,
    "Deployment": validate_deployment,
    "Namespace": validate_namespace,
    "Node": validate_node,
    "Endpoints": validate_endpoints,
}
_UPDATE: dict[str, UpdateCheck] = {
    "Pod": validate_pod_update,
    "ReplicaSet": validate_replicaset_update,
    "Deployment": validate_deployment_update,
}


def validate(
    kind: str, obj: Obj, *, old: Obj | None = None, settings: ClusterSettings, relaxed_names: bool = False
) -> list[FieldError]:
    """Create validation, or update validation when `old` is given. Unknown kinds get ObjectMeta checks."""
    if kind == "Service":
        if old is None:
            return validate_service(obj, settings=settings, relaxed_names=relaxed_names)
        return validate_service_update(obj, old, settings=settings, relaxed_names=relaxed_names)
    create = _CREATE.get(kind, lambda o: validate_object_meta(o, kind))
    if old is None:
        return create(obj)
    update = _UPDATE.get(kind)
    if update is not None:
        return update(obj, old)
    return validate_object_meta_update(obj, old) + create(obj)
