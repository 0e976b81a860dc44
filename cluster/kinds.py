"""Which model stores which Kubernetes kind, and the kinds' API coordinates."""

from dataclasses import dataclass

from cluster import models


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
    info.kind: info
    for info in (
        KindInfo("Namespace", models.Namespace, "v1", "namespaces", namespaced=False),
        KindInfo("Node", models.Node, "v1", "nodes", namespaced=False),
        KindInfo("Pod", models.Pod, "v1", "pods"),
        KindInfo("Service", models.Service, "v1", "services"),
        KindInfo("Endpoints", models.Endpoints, "v1", "endpoints"),
        KindInfo("Deployment", models.Deployment, "apps/v1", "deployments"),
        KindInfo("ReplicaSet", models.ReplicaSet, "apps/v1", "replicasets"),
        KindInfo("EndpointSlice", models.EndpointSlice, "discovery.k8s.io/v1", "endpointslices"),
    )
}

# The order a whole-sandbox snapshot or export lists kinds in: what others depend on first.
KIND_ORDER = ["Namespace", "Node", "Deployment", "ReplicaSet", "Pod", "Service", "Endpoints", "EndpointSlice"]


def kind_info(kind: str) -> KindInfo:
    return KINDS[kind]
