"""The API resources this server serves: what discovery announces and the routes accept."""

from __future__ import annotations

from dataclasses import dataclass, field

from cluster import kinds
from cluster.kinds import ALL_VERBS

SUBRESOURCE_VERBS = ("get", "patch", "update")


@dataclass(frozen=True)
class Subresource:
    name: str
    kind: str
    group: str
    version: str


@dataclass(frozen=True)
class ApiResource:
    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[Subresource, ...] = field(default_factory=tuple)
    # Kinds the cluster layer stores; the others are served read-only (Events empty, ResourceQuota
    # computed from the sandbox's limits).
    stored: bool = True

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    def subresource(self, name: str) -> Subresource | None:
        return next((s for s in self.subresources if s.name == name), None)


def _status(kind: str, group: str = "", version: str = "v1") -> Subresource:
    return Subresource("status", kind, group, version)


_SCALE = Subresource("scale", "Scale", "autoscaling", "v1")

def _api_resource(r: kinds.Resource) -> ApiResource:
    subresources = tuple(_status(r.kind, r.group, r.version) if name == "status" else _SCALE
                         for name in r.subresources)
    return ApiResource(r.group, r.version, r.plural, r.singular, r.kind, namespaced=r.namespaced,
                       short_names=r.short_names, categories=r.categories, verbs=r.verbs,
                       subresources=subresources, stored=r.stored)


# cluster.kinds is the one list: discovery serves it as it stands.
RESOURCES: tuple[ApiResource, ...] = tuple(_api_resource(r) for r in kinds.RESOURCES)

GROUP_VERSIONS: dict[str, list[str]] = {}
for _r in RESOURCES:
    if _r.group and _r.version not in GROUP_VERSIONS.setdefault(_r.group, []):
        GROUP_VERSIONS[_r.group].append(_r.version)


def find(group: str, version: str, plural: str) -> ApiResource | None:
    return next((r for r in RESOURCES if (r.group, r.version, r.plural) == (group, version, plural)), None)


def in_group_version(group: str, version: str) -> list[ApiResource]:
    return [r for r in RESOURCES if (r.group, r.version) == (group, version)]


def by_kind(kind: str) -> ApiResource | None:
    return next((r for r in RESOURCES if r.kind == kind), None)
