"""The one list of kinds: every resource the sandbox serves, with its API coordinates, names,
verbs and subresources, and which model stores it. The Kubernetes API's discovery catalogue,
the console's resource names and the manifests' applicable kinds are all derived from it."""

from dataclasses import dataclass

from cluster import models

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Resource:
    kind: str
    api_version: str
    plural: str
    singular: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[str, ...] = ()  # "status", "scale"
    stored: bool = True  # the others are served read-only (Events empty, ResourceQuota computed)
    in_manifests: bool = True  # a manifest (YAML tab, kubectl apply of a file) may hold it
    in_console: bool = True  # the in-page console's kubectl knows its names

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def version(self) -> str:
        return self.api_version.rpartition("/")[2]

    def names(self) -> tuple[str, ...]:
        """What kubectl accepts for it: plural, singular, short names, then with the group."""
        own = tuple(dict.fromkeys((self.plural, self.singular, *self.short_names)))
        if not self.group:
            return own
        return (*own, *dict.fromkeys(f"{name}.{self.group}" for name in (self.plural, self.singular)))


# In discovery order.
RESOURCES: tuple[Resource, ...] = (
    Resource("Namespace", "v1", "namespaces", "namespace", namespaced=False, short_names=("ns",),
             verbs=("create", "delete", "get", "list", "patch", "update", "watch"), subresources=("status",)),
    Resource("Node", "v1", "nodes", "node", namespaced=False, short_names=("no",), subresources=("status",)),
    Resource("Pod", "v1", "pods", "pod", short_names=("po",), categories=("all",), subresources=("status",)),
    Resource("Service", "v1", "services", "service", short_names=("svc",), categories=("all",),
             subresources=("status",)),
    Resource("Endpoints", "v1", "endpoints", "endpoints", short_names=("ep",)),
    Resource("Event", "v1", "events", "event", short_names=("ev",), verbs=("get", "list", "watch"),
             stored=False, in_manifests=False, in_console=False),
    # The sandbox's limits, as a read-only ResourceQuota "sandbox" in every namespace.
    Resource("ResourceQuota", "v1", "resourcequotas", "resourcequota", short_names=("quota",),
             verbs=("get", "list"), stored=False, in_manifests=False),
    Resource("Deployment", "apps/v1", "deployments", "deployment", short_names=("deploy",), categories=("all",),
             subresources=("status", "scale")),
    Resource("ReplicaSet", "apps/v1", "replicasets", "replicaset", short_names=("rs",), categories=("all",),
             subresources=("status", "scale")),
    Resource("EndpointSlice", "discovery.k8s.io/v1", "endpointslices", "endpointslice", in_manifests=False),
)


@dataclass(frozen=True)
class KindInfo:
    kind: str
    model: type[models.KubeObject]
    api_version: str
    plural: str
    namespaced: bool = True

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]


KINDS: dict[str, KindInfo] = {
    r.kind: KindInfo(r.kind, getattr(models, r.kind), r.api_version, r.plural, namespaced=r.namespaced)
    for r in RESOURCES if r.stored
}

# The order a whole-sandbox snapshot or export lists kinds in: what others depend on first.
KIND_ORDER = ["Namespace", "Node", "Deployment", "ReplicaSet", "Pod", "Service", "Endpoints", "EndpointSlice"]

# The kinds a manifest may hold, with their only served apiVersion.
MANIFEST_KINDS = {r.kind: r.api_version for r in RESOURCES if r.stored and r.in_manifests}


def kind_info(kind: str) -> KindInfo:
    return KINDS[kind]
