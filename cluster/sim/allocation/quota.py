"""The sandbox's limits as a ResourceQuota would apply them: counting, the refusal, the object.

kube-apiserver's ResourceQuota admission (staging/src/k8s.io/apiserver/pkg/admission/plugin/
resourcequota/controller.go) refuses a create that would take usage past `hard` with
errors.NewForbidden and the text `exceeded quota: <name>, requested: <r>, used: <u>, limited: <h>`,
each list `name=quantity` pairs, sorted and joined by ",", of the exceeded resources only.
Pods count while they are not terminal (pkg/quota/v1/evaluator/core/pods.go QuotaV1Pod).

Nodes are cluster-scoped and no ResourceQuota counts them; the sandbox limits them itself and says
so in the same Status form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cluster.sim.api.fielderrors import status_forbidden
from cluster.sim.objects import Obj
from cluster.sim.printers.writer import PrefixWriter

QUOTA_NAME = "sandbox"
# The quota's resource names, per kind, as in ResourceQuota spec.hard.
QUOTA_RESOURCES = {"Pod": "pods", "Service": "services"}
NODE_RESOURCE = "nodes"
LIMITED_KINDS = ("Pod", "Service", "Node")
TERMINAL_PHASES = ("Succeeded", "Failed")


@dataclass(frozen=True)
class Limits:
    pods: int
    services: int
    nodes: int

    def hard(self, resource: str) -> int:
        return int(getattr(self, resource))


def counts(kind: str, obj: Obj) -> bool:
    """Whether `obj` uses quota: every Service and Node, and pods not yet Succeeded or Failed."""
    if kind == "Pod":
        return ((obj.get("status") or {}).get("phase") or "") not in TERMINAL_PHASES
    return True


def used(kind: str, objs: list[Obj]) -> int:
    return sum(1 for obj in objs if counts(kind, obj))


def _pairs(resource: str, value: int) -> str:
    return f"{resource}={value}"


def exceeded_status(kind: str, plural: str, name: str, *, used_now: int, limits: Limits) -> dict[str, Any] | None:
    """The 403 Status a create of one more `kind` gets, or None when it fits."""
    resource = QUOTA_RESOURCES.get(kind) or (NODE_RESOURCE if kind == "Node" else None)
    if resource is None:
        return None
    hard = limits.hard(resource)
    if used_now + 1 <= hard:
        return None
    numbers = (f"requested: {_pairs(resource, 1)}, used: {_pairs(resource, used_now)}, "
               f"limited: {_pairs(resource, hard)}")
    if kind == "Node":
        detail = (f"exceeded the sandbox's node limit (nodes are cluster-scoped, so no ResourceQuota "
                  f"counts them; this sandbox allows {hard}), {numbers}")
    else:
        detail = f"exceeded quota: {QUOTA_NAME}, {numbers}"
    return status_forbidden(plural, name, detail)


def quota_object(namespace: str, *, limits: Limits, pods: int, services: int, nodes: int,
                 created: str, resource_version: str) -> Obj:
    """The sandbox's quota as a v1 ResourceQuota in `namespace` (it counts the whole sandbox)."""
    hard = {"pods": str(limits.pods), "services": str(limits.services)}
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {
            "name": QUOTA_NAME,
            "namespace": namespace,
            "uid": "",
            "resourceVersion": resource_version,
            "creationTimestamp": created,
            "annotations": {
                "servicescope.dev/scope": "the whole sandbox, every namespace",
                "servicescope.dev/nodes": f"{nodes}/{limits.nodes}",
            },
        },
        "spec": {"hard": dict(hard)},
        "status": {"hard": dict(hard), "used": {"pods": str(pods), "services": str(services)}},
    }


def quota_request_column(quota: Obj) -> tuple[str, str]:
    """printResourceQuota: `name: used/hard, ...` in resource-name order; `limits.*` in LIMIT."""
    status = quota.get("status") or {}
    hard, used_now = status.get("hard") or {}, status.get("used") or {}
    request, limit = [], []
    for resource in sorted((quota.get("spec") or {}).get("hard") or {}):
        text = f"{resource}: {used_now.get(resource, '0')}/{hard.get(resource, '0')}"
        (limit if resource.split(".")[0] == "limits" and "." in resource else request).append(text)
    return ", ".join(request), ", ".join(limit)


def describe_quota(quota: Obj, related: Any = None, now: Any = None) -> str:
    """describeQuota (kubectl/pkg/describe): Name, Namespace, then Resource / Used / Hard."""
    meta = quota["metadata"]
    status = quota.get("status") or {}
    hard, used_now = status.get("hard") or {}, status.get("used") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta['name']}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, "Resource\tUsed\tHard\n")
    w.write(0, "--------\t----\t----\n")
    for resource in sorted((quota.get("spec") or {}).get("hard") or {}):
        w.write(0, f"{resource}\t{used_now.get(resource, '0')}\t{hard.get(resource, '0')}\n")
    return w.render()
