"""What a resource path names: parse `/api/v1/...` and `/apis/<group>/<version>/...` into a Target.

Its own module, so that the request handlers (reads, writes, scale, watch) and the dispatcher that
imports them all import it, and nothing imports back.
"""

from __future__ import annotations

from dataclasses import dataclass

from visualizer.kubeapi import catalog
from visualizer.kubeapi.catalog import ApiResource
from visualizer.kubeapi.errors import KubeError, not_found_path


@dataclass(frozen=True)
class Target:
    """What a resource path names: a collection (no name), an object, or an object's subresource."""

    resource: ApiResource
    namespace: str | None  # None: cluster-scoped, or a namespaced list across all namespaces
    name: str = ""
    subresource: str = ""
    watch: bool = False  # the deprecated /watch/ path prefix


def parse_target(group: str, version: str, rest: str) -> Target:
    segments = [s for s in rest.split("/") if s]
    watching = bool(segments) and segments[0] == "watch"
    if watching:
        segments = segments[1:]
    namespace: str | None = None
    is_namespace_subresource = (
        len(segments) == 3
        and segments[0] == "namespaces"
        and catalog.find(group, version, segments[2]) is None
    )
    if len(segments) >= 3 and segments[0] == "namespaces" and not is_namespace_subresource:
        namespace, segments = segments[1], segments[2:]
    if not segments or len(segments) > 3:
        raise KubeError(not_found_path())
    resource = catalog.find(group, version, segments[0])
    if resource is None or (namespace is not None and not resource.namespaced):
        raise KubeError(not_found_path())
    name = segments[1] if len(segments) > 1 else ""
    target = Target(resource, namespace, name, segments[2] if len(segments) > 2 else "", watching)
    if target.name and resource.namespaced and namespace is None:
        raise KubeError(not_found_path())
    if target.subresource and resource.subresource(target.subresource) is None:
        raise KubeError(not_found_path())
    return target
