"""What kube-apiserver fills in: v1 defaulting (pkg/apis/core/v1/defaults.go, pkg/apis/apps/v1/defaults.go)
plus the values the registry strategies' PrepareForCreate sets (status, generation, finalizers).

Every `default_*` function returns a new dict, leaves its argument untouched, and only fills in what
is missing, so it is safe on updates too. Dropping a client-sent status on create is the caller's job.
"""

from __future__ import annotations

import copy

from cluster.sim.objects import ClusterSettings, Obj, service_type
from cluster.sim.validation.formats import ip_family, parse_cidr_sloppy

DEFAULT_CLIENT_IP_TIMEOUT = 10800  # v1.DefaultClientIPServiceAffinitySeconds
DEFAULT_TERMINATION_GRACE_PERIOD = 30
DEFAULT_SCHEDULER = "default-scheduler"
TERMINATION_MESSAGE_PATH = "/dev/termination-log"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

_NODE_PORT_TYPES = ("NodePort", "LoadBalancer")
_CLUSTER_IP_TYPES = ("ClusterIP", "NodePort", "LoadBalancer")


# --- Services -------------------------------------------------------------------------------------


def cluster_ip_family(settings: ClusterSettings) -> str:
    """The cluster's single Service IP family, from the primary service CIDR."""
    network = parse_cidr_sloppy(settings.service_cidr)
    return "IPv6" if network is not None and network.version == 6 else "IPv4"


def externally_accessible(spec: Obj) -> bool:
    """apiservice.ExternallyAccessible: NodePort, LoadBalancer, or a ClusterIP with externalIPs."""
    kind = spec.get("type") or "ClusterIP"
    return kind in _NODE_PORT_TYPES or (kind == "ClusterIP" and bool(spec.get("externalIPs")))


def apply_service_api_defaults(svc: Obj) -> Obj:
    """SetDefaults_Service: what decoding a v1 Service fills in. Idempotent; returns a new dict."""
    svc = copy.deepcopy(svc)
    spec = svc.setdefault("spec", {})
    _default_session_affinity(spec)
    spec["type"] = spec.get("type") or "ClusterIP"
    for port in spec.get("ports") or []:
        port["protocol"] = port.get("protocol") or "TCP"
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port", 0)
    if externally_accessible(spec) and not spec.get("externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    if spec.get("internalTrafficPolicy") is None and spec["type"] in _CLUSTER_IP_TYPES:
        spec["internalTrafficPolicy"] = "Cluster"
    if spec["type"] == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    _default_lb_ip_mode(svc)
    return svc


def _default_session_affinity(spec: Obj) -> None:
    spec["sessionAffinity"] = spec.get("sessionAffinity") or "None"
    if spec["sessionAffinity"] == "None":
        # Defaulting (not validation) drops a config that None cannot use.
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        client_ip = (spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}
        if client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": DEFAULT_CLIENT_IP_TIMEOUT}}


def _default_lb_ip_mode(svc: Obj) -> None:
    if service_type(svc) != "LoadBalancer":
        return
    for ingress in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []:
        if ingress.get("ip") and not ingress.get("ipMode"):
            ingress["ipMode"] = "VIP"


def normalize_cluster_ips(spec: Obj, old_spec: Obj | None = None) -> None:
    """NormalizeClusterIPs: keep the singular clusterIP and the plural clusterIPs in step."""
    cluster_ip, cluster_ips = spec.get("clusterIP") or "", spec.get("clusterIPs") or []
    if old_spec is None:
        if cluster_ip and not cluster_ips:
            spec["clusterIPs"] = [cluster_ip]
        return
    old_ip, old_ips = old_spec.get("clusterIP") or "", old_spec.get("clusterIPs") or []
    if old_ips and not cluster_ips and old_ip == cluster_ip:
        spec["clusterIPs"] = cluster_ips = list(old_ips)  # an old client patched without clusterIPs
    if old_ip == cluster_ip:
        return
    if old_ip and not cluster_ip:
        if cluster_ips == old_ips:
            spec.pop("clusterIPs", None)  # clearing both; validation decides if that is allowed
    elif cluster_ips == old_ips:
        spec["clusterIPs"] = [cluster_ip]  # the user changed only the singular field


def init_ip_family_fields(spec: Obj, old_spec: Obj | None, family: str) -> None:
    """Allocators.initIPFamilyFields on a single-stack cluster: infer ipFamilyPolicy and ipFamilies."""
    if spec.get("type") == "ExternalName":
        return
    headless_selectorless = spec.get("clusterIP") == "None" and not spec.get("selector")
    if not spec.get("ipFamilyPolicy"):
        if old_spec is not None and old_spec.get("ipFamilyPolicy"):
            spec["ipFamilyPolicy"] = old_spec["ipFamilyPolicy"]
        else:
            spec["ipFamilyPolicy"] = "RequireDualStack" if headless_selectorless else "SingleStack"
    families: list[str] = list(spec.get("ipFamilies") or [])
    for i, ip in enumerate(spec.get("clusterIPs") or []):
        if ip == "None":
            break
        if i >= len(families):
            if ip_family(ip) != family:
                return  # validation reports the foreign family; don't paper over it
            families.append(family)
    if not families:
        families = [family]
    if headless_selectorless and len(families) < 2 and spec["ipFamilyPolicy"] != "SingleStack":
        # Headless selectorless Services may list both families even on a single-stack cluster.
        families.append("IPv6" if families[0] == "IPv4" else "IPv4")
    spec["ipFamilies"] = families


def default_service(svc: Obj, *, settings: ClusterSettings | None = None) -> Obj:
    """A Service as the apiserver stores it on create, before the ClusterIP/nodePorts are allocated."""
    svc = apply_service_api_defaults(svc)
    spec = svc["spec"]
    normalize_cluster_ips(spec)
    init_ip_family_fields(spec, None, cluster_ip_family(settings or ClusterSettings()))
    svc.setdefault("status", {}).setdefault("loadBalancer", {})
    return svc


# --- Pods and pod templates -----------------------------------------------------------------------


def _image_tag(image: str) -> str:
    """parsers.ParseImageName's tag: an untagged, undigested image means `latest`."""
    name, _, digest = image.partition("@")
    last_segment = name.rsplit("/", 1)[-1]
    if ":" in last_segment:
        return last_segment.rsplit(":", 1)[1]
    return "" if digest else "latest"


def _default_container(container: Obj) -> None:
    if not container.get("imagePullPolicy"):
        latest = _image_tag(container.get("image") or "") == "latest"
        container["imagePullPolicy"] = "Always" if latest else "IfNotPresent"
    container["terminationMessagePath"] = container.get("terminationMessagePath") or TERMINATION_MESSAGE_PATH
    container["terminationMessagePolicy"] = container.get("terminationMessagePolicy") or "File"
    for port in container.get("ports") or []:
        port["protocol"] = port.get("protocol") or "TCP"


def _all_containers(spec: Obj) -> list[Obj]:
    return [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]


def _default_pod_spec(spec: Obj) -> None:
    """SetDefaults_PodSpec plus container defaults: shared by Pods and pod templates."""
    spec["dnsPolicy"] = spec.get("dnsPolicy") or "ClusterFirst"
    spec["restartPolicy"] = spec.get("restartPolicy") or "Always"
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = DEFAULT_TERMINATION_GRACE_PERIOD
    spec["schedulerName"] = spec.get("schedulerName") or DEFAULT_SCHEDULER
    for container in _all_containers(spec):
        _default_container(container)


def _default_pod_only_fields(spec: Obj) -> None:
    """SetDefaults_Pod: requests default to limits; enableServiceLinks; hostNetwork host ports."""
    for container in _all_containers(spec):
        resources = container.get("resources") or {}
        if resources.get("limits"):
            requests = resources.setdefault("requests", {})
            for name, quantity in resources["limits"].items():
                requests.setdefault(name, quantity)
            container["resources"] = resources
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True
    if spec.get("hostNetwork"):
        for container in _all_containers(spec):
            for port in container.get("ports") or []:
                port["hostPort"] = port.get("hostPort") or port.get("containerPort")


def pod_qos_class(spec: Obj) -> str:
    """qos.GetPodQOS, simplified to cpu and memory."""
    containers = spec.get("containers") or []
    resources = [c.get("resources") or {} for c in containers]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    for r in resources:
        limits, requests = r.get("limits") or {}, r.get("requests") or {}
        for name in ("cpu", "memory"):
            if name not in limits or str(requests.get(name, limits[name])) != str(limits[name]):
                return "Burstable"
    return "Guaranteed"


def default_pod(pod: Obj) -> Obj:
    pod = copy.deepcopy(pod)
    spec = pod.setdefault("spec", {})
    _default_pod_only_fields(spec)
    _default_pod_spec(spec)
    # What PrepareForCreate starts a pod with; the scheduler and kubelet fill in the rest.
    status = pod.setdefault("status", {})
    status.setdefault("phase", "Pending")
    status.setdefault("qosClass", pod_qos_class(spec))
    return pod


def _default_template(spec: Obj) -> None:
    template = spec.setdefault("template", {})
    _default_pod_spec(template.setdefault("spec", {}))


# --- Workload controllers -------------------------------------------------------------------------


def default_replicaset(rs: Obj) -> Obj:
    rs = copy.deepcopy(rs)
    spec = rs.setdefault("spec", {})
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    _default_template(spec)
    rs.setdefault("metadata", {}).setdefault("generation", 1)
    rs.setdefault("status", {}).setdefault("replicas", 0)
    return rs


def default_deployment(deploy: Obj) -> Obj:
    deploy = copy.deepcopy(deploy)
    spec = deploy.setdefault("spec", {})
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    strategy = spec.setdefault("strategy", {})
    strategy["type"] = strategy.get("type") or "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    if spec.get("progressDeadlineSeconds") is None:
        spec["progressDeadlineSeconds"] = 600
    _default_template(spec)
    deploy.setdefault("metadata", {}).setdefault("generation", 1)
    deploy.setdefault("status", {})
    return deploy


# --- Cluster-scoped kinds and Endpoints -----------------------------------------------------------


def default_namespace(ns: Obj) -> Obj:
    ns = copy.deepcopy(ns)
    meta = ns.setdefault("metadata", {})
    if meta.get("name"):
        meta["labels"] = {**(meta.get("labels") or {}), NAMESPACE_NAME_LABEL: meta["name"]}
    ns.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    ns.setdefault("status", {}).setdefault("phase", "Active")
    return ns


def default_node(node: Obj) -> Obj:
    node = copy.deepcopy(node)
    node.setdefault("spec", {})
    status = node.setdefault("status", {})
    if status.get("allocatable") is None and status.get("capacity") is not None:
        status["allocatable"] = dict(status["capacity"])
    return node


def default_endpoints(endpoints: Obj) -> Obj:
    endpoints = copy.deepcopy(endpoints)
    for subset in endpoints.get("subsets") or []:
        for port in subset.get("ports") or []:
            port["protocol"] = port.get("protocol") or "TCP"
    return endpoints
