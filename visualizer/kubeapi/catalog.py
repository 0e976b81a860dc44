"""The API resources this server serves: what discovery announces and the routes accept."""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
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

RESOURCES: tuple[ApiResource, ...] = (
    ApiResource(
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        namespaced=False,
        short_names=("ns",),
        verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
        subresources=(_status("Namespace"),),
    ),
    ApiResource(
        "",
        "v1",
        "nodes",
        "node",
        "Node",
        namespaced=False,
        short_names=("no",),
        subresources=(_status("Node"),),
    ),
    ApiResource(
        "",
        "v1",
        "pods",
        "pod",
        "Pod",
        short_names=("po",),
        categories=("all",),
        subresources=(_status("Pod"),),
    ),
    ApiResource(
        "",
        "v1",
        "services",
        "service",
        "Service",
        short_names=("svc",),
        categories=("all",),
        verbs=("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
        subresources=(_status("Service"),),
    ),
    ApiResource("", "v1", "endpoints", "endpoints", "Endpoints", short_names=("ep",)),
    ApiResource(
        "",
        "v1",
        "events",
        "event",
        "Event",
        short_names=("ev",),
        verbs=("get", "list", "watch"),
        stored=False,
    ),
    # The sandbox's limits, as a read-only ResourceQuota "sandbox" in every namespace.
    ApiResource(
        "",
        "v1",
        "resourcequotas",
        "resourcequota",
        "ResourceQuota",
        short_names=("quota",),
        verbs=("get", "list"),
        stored=False,
    ),
    ApiResource(
        "apps",
        "v1",
        "deployments",
        "deployment",
        "Deployment",
        short_names=("deploy",),
        categories=("all",),
        subresources=(_status("Deployment", "apps"), _SCALE),
    ),
    ApiResource(
        "apps",
        "v1",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        short_names=("rs",),
        categories=("all",),
        subresources=(_status("ReplicaSet", "apps"), _SCALE),
    ),
    ApiResource("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice"),
)

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
