"""Small readers shared by the cluster tests."""

from cluster.selectors import object_get, object_list
from cluster.sim.objects import SERVICE_NAME_LABEL


def slices_of(cluster, service: str, namespace: str = "default") -> list[dict]:
    return [
        s for s in object_list(cluster=cluster, kind="EndpointSlice", namespace=namespace)
        if (s["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL) == service
    ]


def slice_sizes(cluster, service: str) -> list[int]:
    return sorted((len(s.get("endpoints") or []) for s in slices_of(cluster, service)), reverse=True)


def service(cluster, name: str, namespace: str = "default") -> dict:
    return object_get(cluster=cluster, kind="Service", namespace=namespace, name=name)


def nodeport_service(name: str, node_port: int | None = None, **spec) -> dict:
    port = {"port": 80, "targetPort": 8080}
    if node_port is not None:
        port["nodePort"] = node_port
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
            "spec": {"type": "NodePort", "selector": {"app": "kubia"}, "ports": [port], **spec}}
