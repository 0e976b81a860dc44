"""Read helpers over Kubernetes-shaped dicts, shared by every part of the core."""

from __future__ import annotations

import ipaddress
import pickle
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]

ZONE_LABEL = "topology.kubernetes.io/zone"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
SLICE_CONTROLLER = "endpointslice-controller.k8s.io"
MIRROR_CONTROLLER = "endpointslicemirroring-controller.k8s.io"
HEADLESS_LABEL = "service.kubernetes.io/headless"


@dataclass(frozen=True)
class ClusterSettings:
    """A sandbox's control-plane and data-plane knobs."""

    service_cidr: str = "10.96.0.0/12"
    node_port_min: int = 30000
    node_port_max: int = 32767
    max_endpoints_per_slice: int = 100
    proxy_mode: str = "iptables"  # iptables | ipvs | nftables
    lb_pool: tuple[str, ...] = field(default_factory=tuple)  # addresses or CIDRs a bare-metal LB hands out
    cluster_domain: str = "cluster.local"

    @property
    def node_port_range(self) -> str:
        return f"{self.node_port_min}-{self.node_port_max}"


def copy_obj(obj: Any) -> Any:
    """copy.deepcopy of an object (or of any part of one), several times faster: one round
    through pickle's C code."""
    return pickle.loads(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))


def meta(obj: Obj) -> Obj:
    return obj.setdefault("metadata", {})


def metadata_of(obj: Obj) -> Obj:
    """Read-only: metadata, {} where missing or null (unlike `meta`, the object is not changed)."""
    return obj.get("metadata") or {}


def spec_of(obj: Obj) -> Obj:
    return obj.get("spec") or {}


def status_of(obj: Obj) -> Obj:
    return obj.get("status") or {}


def name_of(obj: Obj) -> str:
    return obj.get("metadata", {}).get("name", "")


def namespace_of(obj: Obj) -> str:
    return obj.get("metadata", {}).get("namespace", "")


def labels_of(obj: Obj) -> dict[str, str]:
    return obj.get("metadata", {}).get("labels") or {}


def uid_of(obj: Obj) -> str:
    return obj.get("metadata", {}).get("uid", "")


def selector_matches(selector: dict[str, str] | None, labels: dict[str, str]) -> bool:
    """A Service selector: nil or empty selects nothing; otherwise every pair must match."""
    if not selector:
        return False
    return all(labels.get(k) == v for k, v in selector.items())


# --- Pods ---------------------------------------------------------------------------------------


def pod_ip(pod: Obj) -> str:
    return (pod.get("status") or {}).get("podIP", "") or ""


def pod_node(pod: Obj) -> str:
    return (pod.get("spec") or {}).get("nodeName", "") or ""


def pod_phase(pod: Obj) -> str:
    return (pod.get("status") or {}).get("phase", "Pending")


def pod_ready(pod: Obj) -> bool:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


def pod_terminating(pod: Obj) -> bool:
    return bool(pod.get("metadata", {}).get("deletionTimestamp"))


def pod_terminal(pod: Obj) -> bool:
    return pod_phase(pod) in ("Succeeded", "Failed")


def pod_container_ports(pod: Obj) -> list[Obj]:
    ports: list[Obj] = []
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            ports.append({"protocol": "TCP", **port})
    return ports


def resolve_target_port(pod: Obj, target_port: int | str, protocol: str) -> int | None:
    """A number is used as-is; a name is looked up among the pod's ports by name and protocol."""
    if isinstance(target_port, int):
        return target_port
    if isinstance(target_port, str) and target_port.isdigit():
        return int(target_port)
    for port in pod_container_ports(pod):
        if port.get("name") == target_port and port.get("protocol", "TCP") == protocol:
            return int(port["containerPort"])
    return None


# --- Nodes --------------------------------------------------------------------------------------


def _node_address(node: Obj, kind: str) -> str:
    for addr in (node.get("status") or {}).get("addresses") or []:
        if addr.get("type") == kind:
            return addr.get("address", "")
    return ""


def node_internal_ip(node: Obj) -> str:
    return _node_address(node, "InternalIP")


def node_external_ip(node: Obj) -> str:
    return _node_address(node, "ExternalIP")


def node_zone(node: Obj) -> str:
    return labels_of(node).get(ZONE_LABEL, "")


def node_ready(node: Obj) -> bool:
    for cond in (node.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


def node_pod_cidr(node: Obj) -> str:
    return (node.get("spec") or {}).get("podCIDR", "")


# --- Services -----------------------------------------------------------------------------------


def service_type(svc: Obj) -> str:
    return (svc.get("spec") or {}).get("type") or "ClusterIP"


def service_cluster_ip(svc: Obj) -> str:
    return (svc.get("spec") or {}).get("clusterIP") or ""


def service_is_headless(svc: Obj) -> bool:
    return service_cluster_ip(svc) == "None"


def service_ports(svc: Obj) -> list[Obj]:
    return (svc.get("spec") or {}).get("ports") or []


def service_lb_ips(svc: Obj) -> list[str]:
    ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    return [i["ip"] for i in ingress if i.get("ip")]


def ip_in_cidr(ip: str, cidr: str) -> bool:
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
