"""ClusterIP and nodePort reservations for a Service write.

What a write needs (which numbers, shared by which ports, what is freed) is planned by
cluster.sim.allocation.bitmap exactly as the apiserver's allocators do; here each number is reserved by
inserting a row under a unique constraint, so two racing writes cannot both win, whatever the
database. Everything happens inside the write's transaction: a refused write frees what it took.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction

from cluster.models import ClusterIPAllocation, NodePortAllocation
from cluster.sim.allocation import bitmap as plan
from cluster.sim.api.fielderrors import FieldError, internal_error
from cluster.sim.objects import Obj
from cluster.store import Store


def _reserve(model, **fields) -> bool:
    try:
        with transaction.atomic():
            model.objects.create(**fields)
    except IntegrityError:
        return False
    return True


def _uid(svc: Obj) -> str:
    meta = svc["metadata"]
    meta["uid"] = meta.get("uid") or str(uuid.uuid4())
    return meta["uid"]


def allocate_service(store: Store, svc: Obj, old: Obj | None) -> list[FieldError]:
    """Reserve what the Service needs and write the numbers into it; errors as the apiserver's."""
    errors = _allocate_cluster_ip(store, svc, old)
    return errors or _allocate_node_ports(store, svc, old)


def release_service(store: Store, svc: Obj) -> None:
    uid = svc["metadata"]["uid"]
    ClusterIPAllocation.objects.filter(cluster=store.cluster, service_uid=uid).delete()
    NodePortAllocation.objects.filter(cluster=store.cluster, service_uid=uid).delete()


def _allocate_cluster_ip(store: Store, svc: Obj, old: Obj | None) -> list[FieldError]:
    uid = _uid(svc)
    wanted = plan.cluster_ip_plan(svc, old)
    if wanted.release:
        ClusterIPAllocation.objects.filter(cluster=store.cluster, ip__in=wanted.release).delete()
    if wanted.request is None:
        return []
    spec, cidr = svc["spec"], store.settings.service_cidr
    if wanted.request == plan.DYNAMIC:
        used = set(ClusterIPAllocation.objects.filter(cluster=store.cluster).values_list("ip", flat=True))
        ip = plan.pick_dynamic_ip(cidr, used, store.rng)
        if ip is None or not _reserve(ClusterIPAllocation, cluster=store.cluster, ip=ip, service_uid=uid):
            return [internal_error("spec.clusterIPs", plan.IP_RANGE_FULL)]
    else:
        ip = wanted.request
        reason = plan.static_ip_error(ip, cidr, ())
        if reason is None and not _reserve(ClusterIPAllocation, cluster=store.cluster, ip=ip, service_uid=uid):
            reason = plan.IP_ALREADY_ALLOCATED
        if reason:
            return [plan.cluster_ip_field_error(spec.get("clusterIPs") or [ip], ip, reason)]
    spec["clusterIP"] = ip
    spec["clusterIPs"] = [ip]
    return []


def _allocate_node_ports(store: Store, svc: Obj, old: Obj | None) -> list[FieldError]:
    uid = _uid(svc)
    wanted = plan.node_port_requests(svc, old)
    lo, hi = store.settings.node_port_min, store.settings.node_port_max
    numbers: list[int] = []
    for claim in wanted.claims:
        number, error = _reserve_claim(store, uid, claim, lo, hi)
        if error is not None:
            return [error]
        numbers.append(number)
    if wanted.release:
        NodePortAllocation.objects.filter(cluster=store.cluster, service_uid=uid, port__in=wanted.release).delete()
    svc["spec"] = plan.assign_node_ports(svc, wanted, numbers)["spec"]
    return []


def _reserve_claim(store: Store, uid: str, claim: plan.NodePortClaim, lo: int, hi: int
                   ) -> tuple[int, FieldError | None]:
    if claim.dynamic:
        used = set(NodePortAllocation.objects.filter(cluster=store.cluster).values_list("port", flat=True))
        number = plan.pick_dynamic_port(lo, hi, used, store.rng)
        if number is None or not _reserve(NodePortAllocation, cluster=store.cluster, port=number, service_uid=uid):
            full = plan.HEALTH_CHECK_RANGE_FULL if claim.health_check else plan.NODE_PORT_RANGE_FULL
            return 0, internal_error(claim.field, full)
        return number, None
    number = int(claim.port)
    reason = plan.static_port_error(number, lo, hi)
    if reason is None and not _reserve(NodePortAllocation, cluster=store.cluster, port=number, service_uid=uid):
        reason = plan.PORT_ALREADY_ALLOCATED
    if reason is None:
        return number, None
    if claim.health_check:
        return 0, internal_error(claim.field, plan.health_check_error_message(number, reason))
    return 0, FieldError(claim.field, "Invalid value", number, reason)
