"""ClusterIP and nodePort reservations for a Service write.

The arithmetic (bands, random picks, range checks) is in cluster.sim.allocation; here each value
is reserved by inserting a row under a unique constraint, so two racing writes cannot both win,
whatever the database.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction

from cluster.models import ClusterIPAllocation, NodePortAllocation
from cluster.sim.allocation import pick_dynamic_ip, pick_dynamic_port, static_ip_error, static_port_error
from cluster.sim.fielderrors import FieldError
from cluster.sim.objects import Obj, service_type
from cluster.store import Store

ALREADY_ALLOCATED_PORT = "provided port is already allocated"
ALREADY_ALLOCATED_IP = "provided IP is already allocated"


def _reserve(model, **fields) -> bool:
    try:
        with transaction.atomic():
            model.objects.create(**fields)
    except IntegrityError:
        return False
    return True


def allocate_service(store: Store, svc: Obj, old: Obj | None) -> list[FieldError]:
    errors = _allocate_cluster_ip(store, svc, old)
    if not errors:
        errors = _allocate_node_ports(store, svc)
    return errors


def release_service(store: Store, svc: Obj) -> None:
    uid = svc["metadata"]["uid"]
    ClusterIPAllocation.objects.filter(cluster=store.cluster, service_uid=uid).delete()
    NodePortAllocation.objects.filter(cluster=store.cluster, service_uid=uid).delete()


def _allocate_cluster_ip(store: Store, svc: Obj, old: Obj | None) -> list[FieldError]:
    spec = svc["spec"]
    uid = _ensure_uid(svc)
    if service_type(svc) == "ExternalName":
        if old is not None:
            ClusterIPAllocation.objects.filter(cluster=store.cluster, service_uid=uid).delete()
        return []
    if old is not None and ClusterIPAllocation.objects.filter(cluster=store.cluster, service_uid=uid).exists():
        return []  # validation has already refused any change to an allocated clusterIP
    if spec.get("clusterIP") == "None":
        return []
    cidr = store.settings.service_cidr
    requested = spec.get("clusterIP") or ""
    if requested:
        reason = static_ip_error(requested, cidr, set())
        if reason is None and not _reserve(ClusterIPAllocation, cluster=store.cluster, ip=requested, service_uid=uid):
            reason = ALREADY_ALLOCATED_IP
        if reason:
            return [FieldError("spec.clusterIPs", "Invalid value", [requested],
                               f"failed to allocate IP {requested}: {reason}")]
        ip = requested
    else:
        used = set(ClusterIPAllocation.objects.filter(cluster=store.cluster).values_list("ip", flat=True))
        ip = pick_dynamic_ip(cidr, used, store.rng)
        if ip is None or not _reserve(ClusterIPAllocation, cluster=store.cluster, ip=ip, service_uid=uid):
            return [FieldError("spec.clusterIPs", "Internal error", None,
                               "failed to allocate a serviceIP: range is full")]
    spec["clusterIP"] = ip
    spec["clusterIPs"] = [ip]
    return []


def _ensure_uid(svc: Obj) -> str:
    meta = svc["metadata"]
    if not meta.get("uid"):
        meta["uid"] = str(uuid.uuid4())
    return meta["uid"]


def _wanted_node_ports(svc: Obj) -> tuple[bool, bool]:
    """(the type opens nodePorts at all, nodePorts are chosen automatically when left empty)."""
    kind = service_type(svc)
    if kind == "NodePort":
        return True, True
    if kind == "LoadBalancer":
        return True, svc["spec"].get("allocateLoadBalancerNodePorts", True) is not False
    return False, False


def _allocate_node_ports(store: Store, svc: Obj) -> list[FieldError]:
    uid = _ensure_uid(svc)
    lo, hi = store.settings.node_port_min, store.settings.node_port_max
    held = set(NodePortAllocation.objects.filter(cluster=store.cluster, service_uid=uid).values_list("port", flat=True))
    opens, automatic = _wanted_node_ports(svc)
    spec = svc["spec"]
    ports = spec.get("ports") or []
    wanted: dict[int, str] = {}  # nodePort -> the field path that asked for it first
    errors: list[FieldError] = []
    by_port_number: dict[int, int] = {}  # ports with the same `port` share one nodePort (53/TCP + 53/UDP)

    def claim(value: int, field: str, owner_port: int | None) -> None:
        if value in wanted and (owner_port is None or by_port_number.get(owner_port) != value):
            errors.append(FieldError(field, "Invalid value", value, ALREADY_ALLOCATED_PORT))
            return
        if value not in held:
            reason = static_port_error(value, lo, hi)
            if reason is None and not _reserve(NodePortAllocation, cluster=store.cluster, port=value, service_uid=uid):
                reason = ALREADY_ALLOCATED_PORT
            if reason:
                errors.append(FieldError(field, "Invalid value", value, reason))
                return
        wanted[value] = field
        if owner_port is not None:
            by_port_number[owner_port] = value

    if opens:
        for i, port in enumerate(ports):  # explicit values first, so automatic ones can share them
            if port.get("nodePort"):
                claim(int(port["nodePort"]), f"spec.ports[{i}].nodePort", int(port.get("port", 0)))
        for port in ports:
            if not port.get("nodePort") and automatic:
                shared = by_port_number.get(int(port.get("port", 0)))
                port["nodePort"] = shared or _dynamic_port(store, lo, hi, uid, errors)
                if port["nodePort"]:
                    wanted[port["nodePort"]] = "spec.ports"
                    by_port_number[int(port.get("port", 0))] = port["nodePort"]
    else:
        for port in ports:
            port.pop("nodePort", None)
    if service_type(svc) == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local":
        if spec.get("healthCheckNodePort"):
            claim(int(spec["healthCheckNodePort"]), "spec.healthCheckNodePort", None)
        else:
            spec["healthCheckNodePort"] = _dynamic_port(store, lo, hi, uid, errors)
            wanted[spec["healthCheckNodePort"]] = "spec.healthCheckNodePort"
    if errors:
        return errors
    released = held - set(wanted)
    if released:
        NodePortAllocation.objects.filter(cluster=store.cluster, service_uid=uid, port__in=released).delete()
    return []


def _dynamic_port(store: Store, lo: int, hi: int, uid: str, errors: list[FieldError]) -> int:
    used = set(NodePortAllocation.objects.filter(cluster=store.cluster).values_list("port", flat=True))
    port = pick_dynamic_port(lo, hi, used, store.rng)
    if port is None or not _reserve(NodePortAllocation, cluster=store.cluster, port=port, service_uid=uid):
        errors.append(FieldError("spec.ports", "Internal error", None, "failed to allocate a nodePort: range is full"))
        return 0
    return port
