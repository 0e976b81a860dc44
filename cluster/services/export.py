"""Reads: a sandbox, or one object, as YAML a person can keep and `kubectl apply -f` elsewhere.

What is kept and what is dropped is cluster.sim.printers.export's decision (see its docstring).
"""

from __future__ import annotations

from cluster.kinds import KINDS
from cluster.models import Cluster
from cluster.selectors import cluster_snapshot, object_get
from cluster.sim.api.yamldoc import dump_documents, dump_yaml
from cluster.sim.objects import Obj
from cluster.sim.printers.export import clean, exported


def sandbox_export(*, cluster: Cluster) -> list[Obj]:
    """The sandbox's user-made objects, cleaned, in the order `kubectl apply -f` needs them."""
    return exported(cluster_snapshot(cluster=cluster)["objects"])


def sandbox_export_yaml(*, cluster: Cluster) -> str:
    """The whole sandbox as a multi-document YAML stream."""
    return dump_documents(sandbox_export(cluster=cluster))


def object_export_yaml(*, cluster: Cluster, kind: str, namespace: str, name: str) -> str | None:
    """One object, cleaned the same way (even one a controller owns), or None when there is none."""
    if kind not in KINDS:
        return None
    obj = object_get(cluster=cluster, kind=kind, namespace=namespace if KINDS[kind].namespaced else "", name=name)
    return None if obj is None else dump_yaml(clean(kind, obj))
