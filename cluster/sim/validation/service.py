"""Service validation on create (pkg/apis/core/validation: ValidateService).

The apiserver allocates ClusterIPs and nodePorts *before* validating, so an unallocated clusterIP or
nodePort (empty / 0) is accepted here; `healthCheckNodePort` is treated the same way.
"""

from __future__ import annotations

from typing import Any

from cluster.sim.api.defaults import cluster_ip_family, externally_accessible
from cluster.sim.api.fielderrors import (
    FieldError,
    GoRaw,
    duplicate,
    forbidden,
    go_quote,
    internal_error,
    invalid,
    not_supported,
    required,
)
from cluster.sim.objects import ClusterSettings, Obj
from cluster.sim.validation.formats import (
    ip_family,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_port_name,
    is_valid_port_num,
    validate_cidr,
    validate_ip,
    validate_non_special_ip,
)
from cluster.sim.validation.meta import validate_labels, validate_object_meta

PROTOCOLS = ("SCTP", "TCP", "UDP")
SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
SESSION_AFFINITIES = ("ClientIP", "None")
TRAFFIC_POLICIES = ("Cluster", "Local")
IP_FAMILIES = ("IPv4", "IPv6")
IP_FAMILY_POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
TRAFFIC_DISTRIBUTIONS = ("PreferClose",)
MAX_CLIENT_IP_TIMEOUT = 86400
LB_SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"

_LB_ONLY = "may only be used when `type` is 'LoadBalancer'"


# --- small readers over the spec ------------------------------------------------------------------


def as_int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def strings(spec: Obj, key: str) -> list[str]:
    return list(spec.get(key) or [])


def is_headless(spec: Obj) -> bool:
    return strings(spec, "clusterIPs") == ["None"]


def needs_cluster_ip(spec: Obj) -> bool:
    return spec.get("type") != "ExternalName"


def needs_node_port(spec: Obj) -> bool:
    return spec.get("type") in ("NodePort", "LoadBalancer")


def needs_health_check(spec: Obj) -> bool:
    """apiservice.NeedsHealthCheck: only LoadBalancer + externalTrafficPolicy Local gets one."""
    return spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


def _service_port_dump(protocol: str, port: int) -> GoRaw:
    # The duplicate check keys a map on core.ServicePort{Protocol, Port} and reports that key with %#v.
    return GoRaw(
        f'core.ServicePort{{Name:"", Protocol:{go_quote(protocol)}, AppProtocol:(*string)(nil), Port:{port}, '
        'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}'
    )


# --- ValidateService ------------------------------------------------------------------------------


def validate_service(svc: Obj, *, settings: ClusterSettings, relaxed_names: bool = False) -> list[FieldError]:
    """Every ValidateService rule, in the apiserver's order, on a defaulted Service."""
    spec = svc.get("spec") or {}
    errs = validate_object_meta(svc, "Service", relaxed_service_names=relaxed_names)
    if not spec.get("ports") and not is_headless(spec) and spec.get("type") != "ExternalName":
        errs.append(required("spec.ports"))
    errs += _validate_type_specific(spec)
    errs += _validate_ports(spec)
    if spec.get("selector") is not None:
        errs += validate_labels(spec["selector"], "spec.selector")
    errs += _validate_session_affinity(spec)
    errs += validate_cluster_ips_related_fields(spec)
    errs += _validate_families_against_cluster(spec, cluster_ip_family(settings))
    errs += _validate_external_ips(spec)
    errs += _validate_type(spec)
    errs += _validate_node_ports(spec)
    errs += _validate_duplicate_ports(spec)
    errs += _validate_source_ranges(svc)
    errs += _validate_allocate_lb_node_ports(spec)
    errs += _validate_load_balancer_class(spec)
    errs += _validate_external_traffic_policy(spec)
    errs += _validate_internal_traffic_policy(spec)
    errs += _validate_traffic_distribution(spec)
    return errs


def _validate_type_specific(spec: Obj) -> list[FieldError]:
    kind = spec.get("type")
    if kind in ("LoadBalancer", "NodePort") and is_headless(spec):
        return [invalid("spec.clusterIPs[0]", "None", f"may not be set to 'None' for {kind} services")]
    if kind != "ExternalName":
        return []
    errs: list[FieldError] = []
    for key in ("clusterIPs", "ipFamilies"):
        if spec.get(key):
            errs.append(forbidden(f"spec.{key}", "may not be set for ExternalName services"))
    if spec.get("ipFamilyPolicy") is not None:
        errs.append(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"))
    # A trailing dot marks the CNAME as fully qualified.
    cname = (spec.get("externalName") or "").removesuffix(".")
    if cname:
        errs += [invalid("spec.externalName", cname, msg) for msg in is_dns1123_subdomain(cname)]
    else:
        errs.append(required("spec.externalName"))
    return errs


def _validate_ports(spec: Obj) -> list[FieldError]:
    ports = spec.get("ports") or []
    names: set[str] = set()
    errs: list[FieldError] = []
    for i, port in enumerate(ports):
        errs += _validate_service_port(port, f"spec.ports[{i}]", require_name=len(ports) > 1, names=names)
    return errs


def _validate_service_port(port: Obj, path: str, *, require_name: bool, names: set[str]) -> list[FieldError]:
    errs: list[FieldError] = []
    name = port.get("name") or ""
    if require_name and not name:
        errs.append(required(f"{path}.name"))
    elif name:
        errs += [invalid(f"{path}.name", name, msg) for msg in is_dns1123_label(name)]
        if name in names:
            errs.append(duplicate(f"{path}.name", name))
        names.add(name)
    number = as_int(port.get("port"))
    errs += [invalid(f"{path}.port", number, msg) for msg in is_valid_port_num(number)]
    errs += _validate_protocol(port.get("protocol") or "", f"{path}.protocol")
    errs += validate_port_num_or_name(port.get("targetPort"), f"{path}.targetPort")
    if port.get("appProtocol") is not None:
        app = port["appProtocol"]
        errs += [invalid(f"{path}.appProtocol", app, msg) for msg in is_qualified_name(app)]
    return errs


def _validate_protocol(protocol: str, path: str) -> list[FieldError]:
    if not protocol:
        return [required(path)]
    return [] if protocol in PROTOCOLS else [not_supported(path, protocol, PROTOCOLS)]


def validate_port_num_or_name(value: Any, path: str) -> list[FieldError]:
    """ValidatePortNumOrName for an IntOrString: a port number, or an IANA_SVC_NAME."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [invalid(path, value, msg) for msg in is_valid_port_num(value)]
    if isinstance(value, str):
        return [invalid(path, value, msg) for msg in is_valid_port_name(value)]
    return [internal_error(path, f"unknown type: {type(value).__name__}")]


def _validate_session_affinity(spec: Obj) -> list[FieldError]:
    affinity = spec.get("sessionAffinity") or ""
    if not affinity:
        return [required("spec.sessionAffinity")]
    if affinity not in SESSION_AFFINITIES:
        return [not_supported("spec.sessionAffinity", affinity, SESSION_AFFINITIES)]
    config = spec.get("sessionAffinityConfig")
    if affinity == "None":
        if config is not None:
            return [forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None")]
        return []
    return _validate_client_ip_config(config)


def _validate_client_ip_config(config: Obj | None) -> list[FieldError]:
    path, why = "spec.sessionAffinityConfig", "when session affinity type is ClientIP"
    if config is None:
        return [required(path, why)]
    if config.get("clientIP") is None:
        return [required(f"{path}.clientIP", why)]
    timeout = config["clientIP"].get("timeoutSeconds")
    if timeout is None:
        return [required(f"{path}.clientIP.timeoutSeconds", why)]
    if not 0 < as_int(timeout) <= MAX_CLIENT_IP_TIMEOUT:
        detail = f"must be greater than 0 and less than {MAX_CLIENT_IP_TIMEOUT}"
        return [invalid(f"{path}.clientIP.timeoutSeconds", timeout, detail)]
    return []


def validate_cluster_ips_related_fields(spec: Obj) -> list[FieldError]:
    """ValidateServiceClusterIPsRelatedFields (also run by the allocator before it allocates)."""
    if spec.get("type") == "ExternalName":
        return []
    cluster_ip, cluster_ips = spec.get("clusterIP") or "", strings(spec, "clusterIPs")
    errs = _validate_cluster_ip_sync(cluster_ip, cluster_ips)
    families = strings(spec, "ipFamilies")
    seen: set[str] = set()
    for i, family in enumerate(families):
        if family not in IP_FAMILIES:
            errs.append(not_supported(f"spec.ipFamilies[{i}]", family, IP_FAMILIES))
        if family in seen:
            errs.append(duplicate(f"spec.ipFamilies[{i}]", family))
        seen.add(family)
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy not in IP_FAMILY_POLICIES:
        errs.append(not_supported("spec.ipFamilyPolicy", policy, IP_FAMILY_POLICIES))
    ip_errs = _validate_cluster_ip_values(cluster_ips)
    errs += ip_errs
    if len(cluster_ips) > 2:
        errs.append(invalid("spec.clusterIPs", cluster_ips, "may only hold up to 2 values"))
    if ip_errs:
        return errs  # bad IPs would skew the family checks below
    if len(cluster_ips) > 1 and len({ip_family(ip) for ip in cluster_ips}) != len(cluster_ips):
        errs.append(
            invalid("spec.clusterIPs", cluster_ips, "may specify no more than one IP for each IP family")
        )
    if not is_headless(spec):
        errs += _validate_ips_match_families(cluster_ips, families)
    return errs


def _validate_cluster_ip_sync(cluster_ip: str, cluster_ips: list[str]) -> list[FieldError]:
    if cluster_ip:
        if not cluster_ips:
            return [required("spec.clusterIPs")]
        if cluster_ips[0] != cluster_ip:
            return [invalid("spec.clusterIPs", cluster_ips, "first value must match `clusterIP`")]
    elif cluster_ips:
        return [invalid("spec.clusterIPs", cluster_ips, "must be empty when `clusterIP` is not specified")]
    return []


def _validate_cluster_ip_values(cluster_ips: list[str]) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, ip in enumerate(cluster_ips):
        if i == 0 and ip == "None":
            if len(cluster_ips) > 1:
                errs.append(
                    invalid("spec.clusterIPs", cluster_ips, "'None' must be the first and only value")
                )
            continue
        errs += validate_ip(f"spec.clusterIPs[{i}]", ip)
    return errs


def _validate_ips_match_families(cluster_ips: list[str], families: list[str]) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, (ip, family) in enumerate(zip(cluster_ips, families, strict=False)):
        actual = ip_family(ip)
        if family in IP_FAMILIES and actual != family:
            errs.append(
                invalid(
                    f"spec.clusterIPs[{i}]",
                    ip,
                    f"expected an {family} value as indicated by `ipFamilies[{i}]`",
                )
            )
    return errs


def _validate_families_against_cluster(spec: Obj, cluster_family: str) -> list[FieldError]:
    """initIPFamilyFields' checks against a single-stack cluster (the allocator reports these)."""
    if spec.get("type") == "ExternalName":
        return []
    policy = spec.get("ipFamilyPolicy")
    cluster_ips, families = strings(spec, "clusterIPs"), strings(spec, "ipFamilies")
    errs: list[FieldError] = []
    if policy == "SingleStack":
        many = "must be 'RequireDualStack' or 'PreferDualStack' when multiple {} are specified"
        if len(cluster_ips) == 2:
            errs.append(invalid("spec.ipFamilyPolicy", policy, many.format("cluster IPs")))
        if len(families) == 2:
            errs.append(invalid("spec.ipFamilyPolicy", policy, many.format("IP families")))
    for i, ip in enumerate(cluster_ips):
        if ip == "None":
            break
        family = ip_family(ip)
        if i >= len(families) and family in IP_FAMILIES and family != cluster_family:
            errs.append(
                invalid(f"spec.clusterIPs[{i}]", cluster_ips, f"{family} is not configured on this cluster")
            )
    if errs or (spec.get("clusterIP") == "None" and not spec.get("selector")):
        return errs  # headless selectorless Services may name both families
    if policy == "RequireDualStack":
        errs.append(
            invalid("spec.ipFamilyPolicy", policy, "this cluster is not configured for dual-stack services")
        )
    for i, family in enumerate(families):
        if family in IP_FAMILIES and family != cluster_family:
            errs.append(invalid(f"spec.ipFamilies[{i}]", family, "not configured on this cluster"))
    return errs


def _validate_external_ips(spec: Obj) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, ip in enumerate(strings(spec, "externalIPs")):
        path = f"spec.externalIPs[{i}]"
        errs += validate_ip(path, ip) or validate_non_special_ip(path, ip)
    return errs


def _validate_type(spec: Obj) -> list[FieldError]:
    kind = spec.get("type") or ""
    if not kind:
        return [required("spec.type")]
    return [] if kind in SERVICE_TYPES else [not_supported("spec.type", kind, SERVICE_TYPES)]


def _validate_node_ports(spec: Obj) -> list[FieldError]:
    ports = spec.get("ports") or []
    errs: list[FieldError] = []
    if spec.get("type") == "ClusterIP":
        errs += [
            forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'")
            for i, port in enumerate(ports)
            if as_int(port.get("nodePort"))
        ]
    seen: set[tuple[str, int]] = set()
    for i, port in enumerate(ports):
        node_port = as_int(port.get("nodePort"))
        if not node_port:
            continue
        key = (port.get("protocol") or "", node_port)  # TCP and UDP may share one nodePort
        if key in seen:
            errs.append(duplicate(f"spec.ports[{i}].nodePort", node_port))
        seen.add(key)
    return errs


def _validate_duplicate_ports(spec: Obj) -> list[FieldError]:
    seen: set[tuple[str, int]] = set()
    errs: list[FieldError] = []
    for i, port in enumerate(spec.get("ports") or []):
        key = (port.get("protocol") or "", as_int(port.get("port")))
        if key in seen:
            errs.append(duplicate(f"spec.ports[{i}]", _service_port_dump(*key)))
        seen.add(key)
    return errs


def _validate_source_ranges(svc: Obj) -> list[FieldError]:
    spec = svc.get("spec") or {}
    is_lb = spec.get("type") == "LoadBalancer"
    ranges = strings(spec, "loadBalancerSourceRanges")
    if ranges:
        path = "spec.LoadBalancerSourceRanges"  # sic: the apiserver capitalises this path
        errs = [] if is_lb else [forbidden(path, _LB_ONLY)]
        for i, value in enumerate(ranges):
            errs += validate_cidr(f"{path}[{i}]", value.strip())  # space padding is tolerated
        return errs
    annotations = (svc.get("metadata") or {}).get("annotations") or {}
    if LB_SOURCE_RANGES_ANNOTATION not in annotations:
        return []
    path = f"metadata.annotations[{LB_SOURCE_RANGES_ANNOTATION}]"
    errs = [] if is_lb else [forbidden(path, _LB_ONLY)]
    value = annotations[LB_SOURCE_RANGES_ANNOTATION].strip()
    for cidr in value.split(",") if value else []:
        errs += validate_cidr(path, cidr.strip())
    return errs


def _validate_allocate_lb_node_ports(spec: Obj) -> list[FieldError]:
    is_lb = spec.get("type") == "LoadBalancer"
    value = spec.get("allocateLoadBalancerNodePorts")
    if value is not None and not is_lb:
        return [forbidden("spec.allocateLoadBalancerNodePorts", _LB_ONLY)]
    if value is None and is_lb:
        return [required("allocateLoadBalancerNodePorts")]  # sic: upstream omits the `spec.` prefix
    return []


def _validate_load_balancer_class(spec: Obj) -> list[FieldError]:
    lb_class = spec.get("loadBalancerClass")
    if lb_class is None:
        return []
    if spec.get("type") != "LoadBalancer":
        return [forbidden("spec.loadBalancerClass", _LB_ONLY)]
    return [invalid("spec.loadBalancerClass", lb_class, msg) for msg in is_qualified_name(lb_class)]


def _validate_external_traffic_policy(spec: Obj) -> list[FieldError]:
    policy = spec.get("externalTrafficPolicy") or ""
    errs: list[FieldError] = []
    if not externally_accessible(spec):
        if policy:
            detail = "may only be set for externally-accessible services"
            errs.append(invalid("spec.externalTrafficPolicy", policy, detail))
    elif not policy:
        errs.append(required("spec.externalTrafficPolicy"))
    elif policy not in TRAFFIC_POLICIES:
        errs.append(not_supported("spec.externalTrafficPolicy", policy, TRAFFIC_POLICIES))
    health_check = as_int(spec.get("healthCheckNodePort"))
    if not needs_health_check(spec):
        if health_check:
            detail = "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"
            errs.append(invalid("spec.healthCheckNodePort", health_check, detail))
    elif health_check:  # 0 means "not allocated yet": allocation runs before validation upstream
        errs += [
            invalid("spec.healthCheckNodePort", health_check, m) for m in is_valid_port_num(health_check)
        ]
    return errs


def _validate_internal_traffic_policy(spec: Obj) -> list[FieldError]:
    policy = spec.get("internalTrafficPolicy")
    if policy is None:
        if spec.get("type") in ("ClusterIP", "NodePort", "LoadBalancer"):
            return [required("spec.internalTrafficPolicy")]
        return []
    if policy in TRAFFIC_POLICIES:
        return []
    return [not_supported("spec.internalTrafficPolicy", policy, TRAFFIC_POLICIES)]


def _validate_traffic_distribution(spec: Obj) -> list[FieldError]:
    value = spec.get("trafficDistribution")
    if value is None or value in TRAFFIC_DISTRIBUTIONS:
        return []
    return [not_supported("spec.trafficDistribution", value, TRAFFIC_DISTRIBUTIONS)]
