"""Ready-made sandboxes: the objects each preset starts with, as Kubernetes manifests."""

from __future__ import annotations

from cluster.sim.objects import Obj
from cluster.sim.workloads.workloads import container, workload_manifest

PRESETS = ("kubia", "empty", "scale")
APISERVER_IP = "10.0.0.2"
# Kubernetes in Action, chapter 5: the GKE nodes' ExternalIPs the book shows (the first two; the
# third is one more in the same range). Its load balancer, 130.211.53.173, is the first address
# of the kubia preset's pool (cluster.services.sandboxes.DEFAULT_LB_POOL).
KUBIA_NODE_EXTERNAL_IPS = ("130.211.97.55", "130.211.99.206", "130.211.96.148")


def apiserver_service_manifest(cluster_ip: str) -> Obj:
    """default/kubernetes: the apiserver's own Service, on the first address of the service CIDR."""
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": cluster_ip,
                 "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]},
    }


def apiserver_endpoint_manifests() -> list[Obj]:
    """The apiserver writes these itself; its Endpoints are never mirrored."""
    port = {"name": "https", "port": 6443, "protocol": "TCP"}
    return [
        {"apiVersion": "v1", "kind": "Endpoints",
         "metadata": {"name": "kubernetes", "namespace": "default",
                      "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
         "subsets": [{"addresses": [{"ip": APISERVER_IP}], "ports": [port]}]},
        {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
         "metadata": {"name": "kubernetes", "namespace": "default",
                      "labels": {"kubernetes.io/service-name": "kubernetes"}},
         "addressType": "IPv4",
         "endpoints": [{"addresses": [APISERVER_IP], "conditions": {"ready": True}}],
         "ports": [port]},
    ]


def node_manifest(index: int, *, zone_count: int = 3, external_ip: str = "") -> Obj:
    """node-<index>: InternalIP 10.0.<i // 200>.<10 + i % 200>, ExternalIP external_ip or
    130.211.<i // 200>.<10 + i % 200>, pod CIDR 10.244.<i>.0/24 (past node-255, where 10.244.0.0/16
    runs out, 10.<112 + i // 256>.<i % 256>.0/24: clear of the Service and node ranges)."""
    name = f"node-{index}"
    pod_cidr = f"10.244.{index}.0/24" if index < 256 else f"10.{112 + index // 256}.{index % 256}.0/24"
    external_ip = external_ip or f"130.211.{index // 200}.{10 + index % 200}"
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "topology.kubernetes.io/zone": f"zone-{'abcdefgh'[(index - 1) % zone_count]}",
            },
        },
        "spec": {"podCIDR": pod_cidr, "podCIDRs": [pod_cidr]},
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": f"10.0.{index // 200}.{10 + index % 200}"},
                {"type": "ExternalIP", "address": external_ip},
                {"type": "Hostname", "address": name},
            ],
            "capacity": {"cpu": "2", "memory": "8Gi", "pods": "110"},
            "allocatable": {"cpu": "2", "memory": "8Gi", "pods": "110"},
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "kubelet is posting ready status"}],
            "nodeInfo": {"kubeletVersion": "v1.31.0", "osImage": "Debian GNU/Linux 12 (bookworm)",
                         "kernelVersion": "6.1.0", "containerRuntimeVersion": "containerd://1.7.0",
                         "architecture": "amd64", "operatingSystem": "linux"},
        },
    }


def replicaset_manifest(name: str, replicas: int, *, labels: dict[str, str], port: int,
                        port_name: str = "", image: str = "luksa/kubia") -> Obj:
    return workload_manifest("ReplicaSet", name, replicas=replicas, labels=labels, labelled=False,
                             containers=[container(name, image, port, port_name)])


def service_manifest(name: str, *, type_: str = "ClusterIP", port: int = 80, target_port: int | str = 8080,
                     node_port: int | None = None, selector: dict[str, str] | None = None) -> Obj:
    service_port: Obj = {"port": port, "targetPort": target_port}
    if node_port:
        service_port["nodePort"] = node_port
    spec: Obj = {"ports": [service_port], "selector": selector or {"app": name}}
    if type_ != "ClusterIP":
        spec["type"] = type_
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def preset_manifests(preset: str) -> list[Obj]:
    if preset == "empty":
        return [node_manifest(i) for i in (1, 2, 3)]
    if preset == "kubia":
        # Kubernetes in Action, chapter 5: three kubia pods behind three kinds of Service.
        return [
            *(node_manifest(i, external_ip=ip) for i, ip in enumerate(KUBIA_NODE_EXTERNAL_IPS, start=1)),
            replicaset_manifest("kubia", 3, labels={"app": "kubia"}, port=8080, port_name="http"),
            service_manifest("kubia", selector={"app": "kubia"}),
            service_manifest("kubia-nodeport", type_="NodePort", node_port=30123, selector={"app": "kubia"}),
            service_manifest("kubia-loadbalancer", type_="LoadBalancer", selector={"app": "kubia"}),
        ]
    if preset == "scale":
        # About 20 nodes and 1,000 pods over several services: level of detail and slice splits.
        workloads = [("web", 500), ("api", 300), ("cache", 150), ("batch", 50)]
        manifests: list[Obj] = [node_manifest(i) for i in range(1, 21)]
        for name, replicas in workloads:
            manifests.append(replicaset_manifest(name, replicas, labels={"app": name}, port=8080))
            manifests.append(service_manifest(name, selector={"app": name}))
        manifests.append(service_manifest("web-public", type_="LoadBalancer", selector={"app": "web"}))
        return manifests
    raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")


SCALE_MAX_NODES = 5000
SCALE_MAX_PODS = 150_000
NODES_PER_WRITE = 500
PODS_PER_SERVICE = 1000


def scale_batches(*, nodes: int, pods: int) -> list[list[Obj]]:
    """The scale preset at any size: `nodes` nodes, then `pods` pods in ReplicaSets of at most
    1,000, each behind its own ClusterIP Service (10 EndpointSlices apiece). One list per write:
    500 nodes, or one ReplicaSet with its Service (its pods come from the ReplicaSet controller)."""
    if not 1 <= nodes <= SCALE_MAX_NODES or not 0 <= pods <= SCALE_MAX_PODS:
        raise ValueError(f"the scale preset takes 1 to {SCALE_MAX_NODES} nodes and 0 to {SCALE_MAX_PODS} pods")
    batches = [[node_manifest(i) for i in range(start, min(start + NODES_PER_WRITE, nodes + 1))]
               for start in range(1, nodes + 1, NODES_PER_WRITE)]
    for index, start in enumerate(range(0, pods, PODS_PER_SERVICE), start=1):
        name = f"app-{index}"
        replicas = min(PODS_PER_SERVICE, pods - start)
        batches.append([replicaset_manifest(name, replicas, labels={"app": name}, port=8080),
                        service_manifest(name, selector={"app": name})])
    return batches
