"""The sandbox's limits as the Kubernetes API and the console show them: a ResourceQuota named
"sandbox" in every namespace, counting the whole sandbox (there is one set of limits per sandbox)."""

from __future__ import annotations

from cluster.models import Cluster, Namespace, Node, Pod, Service
from cluster.sim.allocation import quota
from cluster.sim.objects import Obj
from cluster.store import rfc3339, sandbox_limits


def quota_usage(*, cluster: Cluster) -> dict[str, int]:
    pods = Pod.objects.filter(cluster=cluster, terminal=False).count()  # quota.counts: not Succeeded or Failed
    return {
        "pods": pods,
        "services": Service.objects.filter(cluster=cluster).count(),
        "nodes": Node.objects.filter(cluster=cluster).count(),
    }


def quota_list(*, cluster: Cluster, namespace: str | None = None, kind: str = "ResourceQuota") -> list[Obj]:
    """The quota in `namespace` (none if it does not exist), or in every namespace."""
    names = Namespace.objects.filter(cluster=cluster)
    if namespace is not None:
        names = names.filter(name=namespace)
    namespaces = sorted(names.values_list("name", flat=True))
    if not namespaces:
        return []
    fresh = Cluster.objects.filter(pk=cluster.pk).first() or cluster
    usage = quota_usage(cluster=fresh)
    return [
        quota.quota_object(ns, limits=sandbox_limits(), created=rfc3339(fresh.created_at),
                           resource_version=str(fresh.resource_version), **usage)
        for ns in namespaces
    ]


def quota_get(*, cluster: Cluster, namespace: str, name: str, kind: str = "ResourceQuota") -> Obj | None:
    if name != quota.QUOTA_NAME:
        return None
    found = quota_list(cluster=cluster, namespace=namespace)
    return found[0] if found else None
