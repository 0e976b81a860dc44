"""Tiny builders for Kubernetes-shaped dicts used by the pure-core tests.

Keep these simple and append-only: other test modules import them.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def make_node(
    name: str,
    ip: str,
    *,
    pod_cidr: str = "",
    zone: str = "",
    ready: bool = True,
    external_ip: str = "",
    labels: dict[str, str] | None = None,
) -> Obj:
    node_labels = {"kubernetes.io/hostname": name, **(labels or {})}
    if zone:
        node_labels["topology.kubernetes.io/zone"] = zone
    addresses = [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}]
    if external_ip:
        addresses.append({"type": "ExternalIP", "address": external_ip})
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": node_labels},
        "spec": {"podCIDR": pod_cidr} if pod_cidr else {},
        "status": {
            "addresses": addresses,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


def make_pod(
    name: str,
    *,
    node: str,
    ip: str,
    namespace: str = "default",
    labels: dict[str, str] | None = None,
    ready: bool = True,
    terminating: bool = False,
    ports: list[Obj] | None = None,
) -> Obj:
    """ports: container ports, e.g. [{"containerPort": 8080}] (protocol defaults to TCP)."""
    metadata: Obj = {
        "name": name,
        "namespace": namespace,
        "labels": labels or {},
        "uid": f"uid-{namespace}-{name}",
    }
    if terminating:
        metadata["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {
            "nodeName": node,
            "containers": [{"name": "app", "image": "luksa/kubia", "ports": ports or []}],
        },
        "status": {
            "phase": "Running",
            "podIP": ip,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


def make_service(
    name: str,
    *,
    namespace: str = "default",
    type: str = "ClusterIP",
    cluster_ip: str = "10.96.0.10",
    ports: list[Obj] | None = None,
    selector: dict[str, str] | None = None,
    lb_ips: list[str] | None = None,
    **spec: Any,
) -> Obj:
    """ports default to one unnamed 80 → 8080/TCP port; extra keyword args go into spec."""
    port_list = ports if ports is not None else [{"port": 80, "targetPort": 8080}]
    full_ports = [{"name": "", "protocol": "TCP", **p} for p in port_list]
    for port in full_ports:
        port.setdefault("targetPort", port["port"])
    body: Obj = {"type": type, "clusterIP": cluster_ip, "ports": full_ports, **spec}
    if selector is not None:
        body["selector"] = selector
    service: Obj = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
        "spec": body,
        "status": {"loadBalancer": {}},
    }
    if lb_ips:
        service["status"]["loadBalancer"]["ingress"] = [{"ip": ip} for ip in lb_ips]
    return service


def make_endpoint(
    pod: Obj,
    *,
    ready: bool | None = None,
    serving: bool | None = None,
    terminating: bool | None = None,
    zone: str = "",
) -> Obj:
    """An EndpointSlice endpoint for pod; conditions default to what the controller derives."""
    pod_ready = any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"]["conditions"])
    is_terminating = bool(pod["metadata"].get("deletionTimestamp")) if terminating is None else terminating
    is_serving = pod_ready if serving is None else serving
    endpoint: Obj = {
        "addresses": [pod["status"]["podIP"]],
        "conditions": {
            "ready": (is_serving and not is_terminating) if ready is None else ready,
            "serving": is_serving,
            "terminating": is_terminating,
        },
        "nodeName": pod["spec"]["nodeName"],
        "targetRef": {
            "kind": "Pod",
            "namespace": pod["metadata"]["namespace"],
            "name": pod["metadata"]["name"],
        },
    }
    if zone:
        endpoint["zone"] = zone
    return endpoint


def make_slice(
    service: Obj,
    endpoints: list[Obj],
    *,
    name: str = "",
    ports: list[Obj] | None = None,
    address_type: str = "IPv4",
) -> Obj:
    """ports default to the service's ports with numeric targetPorts."""
    svc_name = service["metadata"]["name"]
    if ports is None:
        ports = [
            {"name": p.get("name", ""), "port": int(p["targetPort"]), "protocol": p.get("protocol", "TCP")}
            for p in service["spec"].get("ports", [])
        ]
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": name or f"{svc_name}-abcde",
            "namespace": service["metadata"]["namespace"],
            "labels": {
                "kubernetes.io/service-name": svc_name,
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
            },
        },
        "addressType": address_type,
        "ports": ports,
        "endpoints": endpoints,
    }


def slice_for_pods(service: Obj, pods: list[Obj], *, name: str = "") -> Obj:
    """One slice holding every pod, with controller-style conditions."""
    return make_slice(service, [make_endpoint(pod) for pod in pods], name=name)
