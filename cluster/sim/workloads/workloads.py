"""Deployment and ReplicaSet arithmetic: template hashes, pod names, which pods to remove."""

from __future__ import annotations

import copy
import hashlib
import json

from cluster.sim.objects import Obj, pod_node, pod_ready, pod_terminating

POD_TEMPLATE_HASH = "pod-template-hash"
_HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def template_hash(template: Obj) -> str:
    """A stable, name-safe hash of a pod template, like the pod-template-hash label."""
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).digest()
    value = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(10):
        value, index = divmod(value, len(_HASH_ALPHABET))
        chars.append(_HASH_ALPHABET[index])
    return "".join(chars)


def workload_manifest(kind: str, name: str, *, replicas: int, labels: dict[str, str], containers: list[Obj],
                      namespace: str = "default", labelled: bool = True) -> Obj:
    """A Deployment or ReplicaSet selecting `labels`, whose pods carry them and run `containers`;
    `labelled` also puts the labels on the workload itself (as `kubectl create deployment` does)."""
    meta: Obj = {"name": name, "namespace": namespace}
    if labelled:
        meta["labels"] = dict(labels)
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": meta,
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {"metadata": {"labels": dict(labels)}, "spec": {"containers": containers}},
        },
    }


def container(name: str, image: str, port: int, port_name: str = "") -> Obj:
    """One container listening on `port` (named `port_name` when given)."""
    container_port: Obj = {"containerPort": port, "protocol": "TCP"}
    if port_name:
        container_port["name"] = port_name
    return {"name": name, "image": image, "ports": [container_port]}


def replicaset_for(deployment: Obj) -> Obj:
    """The ReplicaSet a Deployment owns for its current template."""
    spec = deployment["spec"]
    template = copy.deepcopy(spec["template"])
    digest = template_hash(template)
    labels = {**(template.get("metadata", {}).get("labels") or {}), POD_TEMPLATE_HASH: digest}
    template.setdefault("metadata", {})["labels"] = labels
    selector = copy.deepcopy(spec.get("selector") or {})
    selector.setdefault("matchLabels", {})[POD_TEMPLATE_HASH] = digest
    meta = deployment["metadata"]
    return {
        "metadata": {
            "name": f"{meta['name']}-{digest}",
            "namespace": meta.get("namespace", "default"),
            "labels": labels,
            "annotations": {"deployment.kubernetes.io/revision": "1"},
            "ownerReferences": [owner_reference(deployment)],
        },
        "spec": {"replicas": spec.get("replicas", 1), "selector": selector, "template": template},
    }


def owner_reference(owner: Obj) -> Obj:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def controlled_by(obj: Obj, owner: Obj) -> bool:
    uid = owner["metadata"]["uid"]
    return any(
        ref.get("uid") == uid and ref.get("controller")
        for ref in obj["metadata"].get("ownerReferences") or []
    )


def selector_text(selector: Obj | None) -> str:
    """A LabelSelector as the string form kubectl and the scale subresource use."""
    parts = [f"{k}={v}" for k, v in sorted((selector or {}).get("matchLabels", {}).items())]
    for expr in (selector or {}).get("matchExpressions") or []:
        op, key, values = expr["operator"], expr["key"], ",".join(sorted(expr.get("values") or []))
        parts.append(
            {
                "In": f"{key} in ({values})",
                "NotIn": f"{key} notin ({values})",
                "Exists": key,
                "DoesNotExist": f"!{key}",
            }[op]
        )
    return ",".join(parts)


def pods_to_delete(pods: list[Obj], count: int, pods_per_node: dict[str, int]) -> list[Obj]:
    """Which pods a ReplicaSet removes first, following its ranking: unscheduled, then not ready,
    then pods on more crowded nodes, then the newest."""

    def rank(pod: Obj) -> tuple:
        node = pod_node(pod)
        return (bool(node), pod_ready(pod), -pods_per_node.get(node, 0))

    active = [p for p in pods if not pod_terminating(p)]
    # Newest first among equals: sort by age, then by rank (sorting is stable).
    newest_first = sorted(active, key=lambda p: (p["metadata"].get("creationTimestamp", ""),
                                                  p["metadata"]["name"]), reverse=True)
    return sorted(newest_first, key=rank)[:count]


def pod_from_template(owner: Obj, name: str) -> Obj:
    template = copy.deepcopy(owner["spec"]["template"])
    meta = template.get("metadata") or {}
    return {
        "metadata": {
            "name": name,
            "namespace": owner["metadata"].get("namespace", "default"),
            "labels": meta.get("labels") or {},
            "annotations": meta.get("annotations") or {},
            "generateName": f"{owner['metadata']['name']}-",
            "ownerReferences": [owner_reference(owner)],
        },
        "spec": template.get("spec") or {},
    }
