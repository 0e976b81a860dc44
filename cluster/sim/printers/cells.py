"""Row cells per kind: a port of the print functions in pkg/printers/internalversion/printers.go.

The apiserver builds Table cells with GenerateOptions{Wide: true} (pkg/printers/storage), so every
row carries the priority-1 cells too; kubectl only hides those columns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cluster.sim.allocation.quota import quota_request_column
from cluster.sim.objects import Obj, labels_of, name_of, pod_ip, pod_phase, service_type, spec_of, status_of
from cluster.sim.printers.format import (
    format_label_selector,
    format_labels,
    join_host_port,
    label_selector_string,
    list_with_more,
    parse_time,
    since,
)

Cell = str | int | bool | None
RowFn = Callable[[Obj, datetime], list[Cell]]

LOAD_BALANCER_WIDTH = 16  # printers.go loadBalancerWidth
NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
NODE_ROLE_LABEL = "kubernetes.io/role"

# --- Services -----------------------------------------------------------------------------------


def service_cluster_ips(svc: Obj) -> list[str]:
    """spec.clusterIPs, filled from spec.clusterIP the way the v1->internal conversion does."""
    spec = spec_of(svc)
    if spec.get("clusterIPs"):
        return list(spec["clusterIPs"])
    return [spec["clusterIP"]] if spec.get("clusterIP") else []


def load_balancer_status(svc: Obj, *, wide: bool) -> str:
    """loadBalancerStatusStringer: de-duplicated, sorted ingress IPs (or hostnames)."""
    ingress = ((status_of(svc).get("loadBalancer") or {}).get("ingress")) or []
    found = {i.get("ip") or i.get("hostname") for i in ingress} - {None, ""}
    text = ",".join(sorted(found))
    if not wide and len(text) > LOAD_BALANCER_WIDTH:
        text = text[: LOAD_BALANCER_WIDTH - 3] + "..."
    return text


def service_external_ip(svc: Obj, *, wide: bool) -> str:
    """getServiceExternalIP. The cut to 13 chars + "..." only applies when wide is False, which the
    apiserver never asks for: kubectl therefore always shows the full address list."""
    svc_type, external_ips = service_type(svc), spec_of(svc).get("externalIPs") or []
    if svc_type in ("ClusterIP", "NodePort"):
        return ",".join(external_ips) if external_ips else "<none>"
    if svc_type == "LoadBalancer":
        lb_ips = load_balancer_status(svc, wide=wide)
        if external_ips:
            return ",".join([*(lb_ips.split(",") if lb_ips else []), *external_ips])
        return lb_ips or "<pending>"
    if svc_type == "ExternalName":
        return spec_of(svc).get("externalName", "")
    return "<unknown>"


def service_ports(svc: Obj) -> str:
    """makePortString: `port/PROTO` or `port:nodePort/PROTO`, comma-joined, `<none>` if none."""
    pieces = []
    for port in spec_of(svc).get("ports") or []:
        proto = port.get("protocol") or "TCP"
        node_port = port.get("nodePort") or 0
        pieces.append(f"{port['port']}:{node_port}/{proto}" if node_port > 0 else f"{port['port']}/{proto}")
    return ",".join(pieces) or "<none>"


def service_cells(svc: Obj, now: datetime, *, wide: bool = True) -> list[Cell]:
    cluster_ips = service_cluster_ips(svc)
    cells: list[Cell] = [
        name_of(svc),
        service_type(svc),
        cluster_ips[0] if cluster_ips else "<none>",
        service_external_ip(svc, wide=wide),
        service_ports(svc),
        since(_created(svc), now),
    ]
    if wide:
        cells.append(format_labels(spec_of(svc).get("selector")))
    return cells


def _created(obj: Obj) -> str:
    return (obj.get("metadata") or {}).get("creationTimestamp", "")


# --- Endpoints and EndpointSlices ---------------------------------------------------------------


def format_endpoints(endpoints: Obj) -> str:
    """formatEndpoints(ep, nil): ready addresses only, first 3, `<none>` without subsets."""
    subsets = endpoints.get("subsets") or []
    if not subsets:
        return "<none>"
    shown: list[str] = []
    count, more = 0, False
    for subset in subsets:
        addresses = [a["ip"] for a in subset.get("addresses") or []]
        ports = subset.get("ports") or []
        # One group per port; headless services without ports list bare IPs.
        groups = [[join_host_port(ip, p["port"]) for ip in addresses] for p in ports] or [addresses]
        for group in groups:
            count += len(group)
            for entry in group:
                if len(shown) == 3:
                    more = True
                    break
                shown.append(entry)
    text = ",".join(shown)
    return f"{text} + {count - 3} more..." if more else text


def _unset_if_empty(text: str) -> str:
    return text or "<unset>"


def format_slice_ports(ports: list[Obj]) -> str:
    """formatDiscoveryPorts: the port number, else its name, else `*`."""
    labels = []
    for port in ports:
        if port.get("port") is not None:
            labels.append(str(port["port"]))
        elif port.get("name") is not None:
            labels.append(port["name"])
        else:
            labels.append("*")
    return _unset_if_empty(list_with_more(labels, len(labels)))


def format_slice_endpoints(endpoints: list[Obj]) -> str:
    """formatDiscoveryEndpoints: every address, whatever its readiness."""
    addresses = [addr for ep in endpoints for addr in ep.get("addresses") or []]
    return _unset_if_empty(list_with_more(addresses, len(addresses)))


def endpoints_cells(ep: Obj, now: datetime) -> list[Cell]:
    return [name_of(ep), format_endpoints(ep), since(_created(ep), now)]


def endpointslice_cells(eps: Obj, now: datetime) -> list[Cell]:
    return [
        name_of(eps),
        eps.get("addressType", ""),
        format_slice_ports(eps.get("ports") or []),
        format_slice_endpoints(eps.get("endpoints") or []),
        since(_created(eps), now),
    ]


# --- Pods ---------------------------------------------------------------------------------------


def _restartable(container: Obj | None) -> bool:
    """A sidecar: an init container with restartPolicy Always."""
    return bool(container) and container.get("restartPolicy") == "Always"


def _condition_true(pod: Obj, kind: str) -> bool:
    return any(
        c.get("type") == kind and c.get("status") == "True" for c in status_of(pod).get("conditions") or []
    )


def _later(current: str | None, candidate: str | None) -> str | None:
    """The later of two RFC 3339 timestamps (lastRestartDate.Before(&terminatedDate))."""
    if not candidate:
        return current
    return candidate if current is None or parse_time(candidate) > parse_time(current) else current


def _terminated_reason(terminated: Obj, prefix: str) -> str:
    if terminated.get("reason"):
        return prefix + terminated["reason"]
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


class _PodSummary:
    """The READY / STATUS / RESTARTS computation of printPod, one concern per method."""

    def __init__(self, pod: Obj) -> None:
        self.pod, spec, status = pod, spec_of(pod), status_of(pod)
        self.reason = status.get("reason") or pod_phase(pod)
        self.ready = 0
        self.total = len(spec.get("containers") or [])
        self.restarts = 0
        self.last_restart: str | None = None
        if any(
            c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated"
            for c in status.get("conditions") or []
        ):
            self.reason = "SchedulingGated"
        initializing, sidecar_restarts, sidecar_last = self._init_containers()
        if not initializing or _condition_true(pod, "Initialized"):
            self.restarts, self.last_restart = sidecar_restarts, sidecar_last
            self._containers()
        self._deletion()

    def _init_containers(self) -> tuple[bool, int, str | None]:
        spec, status = spec_of(self.pod), status_of(self.pod)
        inits = {c["name"]: c for c in spec.get("initContainers") or []}
        self.total += sum(1 for c in inits.values() if _restartable(c))
        sidecar_restarts, sidecar_last = 0, None
        for i, cs in enumerate(status.get("initContainerStatuses") or []):
            self.restarts += cs.get("restartCount", 0)
            finished = ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
            self.last_restart = _later(self.last_restart, finished)
            sidecar = _restartable(inits.get(cs.get("name", "")))
            if sidecar:
                sidecar_restarts += cs.get("restartCount", 0)
                sidecar_last = _later(sidecar_last, finished)
            state = cs.get("state") or {}
            terminated, waiting = state.get("terminated"), state.get("waiting")
            if terminated and terminated.get("exitCode", 0) == 0:
                continue
            if sidecar and cs.get("started"):
                self.ready += 1 if cs.get("ready") else 0
                continue
            if terminated:
                self.reason = _terminated_reason(terminated, "Init:")
            elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
                self.reason = "Init:" + waiting["reason"]
            else:
                self.reason = f"Init:{i}/{len(inits)}"
            return True, sidecar_restarts, sidecar_last
        return False, sidecar_restarts, sidecar_last

    def _containers(self) -> None:
        has_running = False
        for cs in reversed(status_of(self.pod).get("containerStatuses") or []):
            self.restarts += cs.get("restartCount", 0)
            finished = ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
            self.last_restart = _later(self.last_restart, finished)
            state = cs.get("state") or {}
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting and waiting.get("reason"):
                self.reason = waiting["reason"]
            elif terminated:
                self.reason = _terminated_reason(terminated, "")
            elif cs.get("ready") and "running" in state:
                has_running = True
                self.ready += 1
        if self.reason == "Completed" and has_running:
            self.reason = "Running" if _condition_true(self.pod, "Ready") else "NotReady"

    def _deletion(self) -> None:
        if not (self.pod.get("metadata") or {}).get("deletionTimestamp"):
            return
        if status_of(self.pod).get("reason") == "NodeLost":
            self.reason = "Unknown"
        elif pod_phase(self.pod) not in ("Succeeded", "Failed"):
            self.reason = "Terminating"

    def restarts_cell(self, now: datetime) -> str:
        if self.restarts and self.last_restart:
            return f"{self.restarts} ({since(self.last_restart, now)} ago)"
        return str(self.restarts)


def pod_readiness_gates(pod: Obj) -> str:
    gates = spec_of(pod).get("readinessGates") or []
    if not gates:
        return "<none>"
    conditions = {c.get("type"): c.get("status") for c in status_of(pod).get("conditions") or []}
    true = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
    return f"{true}/{len(gates)}"


def pod_cells(pod: Obj, now: datetime) -> list[Cell]:
    summary = _PodSummary(pod)
    ips = status_of(pod).get("podIPs") or []
    ip = ips[0].get("ip", "") if ips else pod_ip(pod)  # the conversion fills podIPs from podIP
    return [
        name_of(pod),
        f"{summary.ready}/{summary.total}",
        summary.reason,
        summary.restarts_cell(now),
        since(_created(pod), now),
        ip or "<none>",
        spec_of(pod).get("nodeName") or "<none>",
        status_of(pod).get("nominatedNodeName") or "<none>",
        pod_readiness_gates(pod),
    ]


# --- Workloads ----------------------------------------------------------------------------------


def container_cells(template: Obj) -> tuple[str, str]:
    """layoutContainerCells: container names and images, comma-joined."""
    containers = ((template or {}).get("spec") or {}).get("containers") or []
    return ",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers)


def deployment_cells(deploy: Obj, now: datetime) -> list[Cell]:
    spec, status = spec_of(deploy), status_of(deploy)
    names, images = container_cells(spec.get("template") or {})
    return [
        name_of(deploy),
        f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
        status.get("updatedReplicas", 0),
        status.get("availableReplicas", 0),
        since(_created(deploy), now),
        names,
        images,
        label_selector_string(spec.get("selector")),
    ]


def replicaset_cells(rs: Obj, now: datetime) -> list[Cell]:
    spec, status = spec_of(rs), status_of(rs)
    names, images = container_cells(spec.get("template") or {})
    return [
        name_of(rs),
        spec.get("replicas", 1),
        status.get("replicas", 0),
        status.get("readyReplicas", 0),
        since(_created(rs), now),
        names,
        images,
        format_label_selector(spec.get("selector")),
    ]


# --- Nodes, namespaces, events ------------------------------------------------------------------


def node_roles(node: Obj) -> list[str]:
    """findNodeRoles: node-role.kubernetes.io/<role> keys and the kubernetes.io/role value."""
    roles = set()
    for key, value in labels_of(node).items():
        if key.startswith(NODE_ROLE_PREFIX) and key[len(NODE_ROLE_PREFIX) :]:
            roles.add(key[len(NODE_ROLE_PREFIX) :])
        elif key == NODE_ROLE_LABEL and value:
            roles.add(value)
    return sorted(roles)


def node_status(node: Obj) -> str:
    ready = [c for c in status_of(node).get("conditions") or [] if c.get("type") == "Ready"]
    status = ["Unknown"] if not ready else ["Ready" if ready[-1].get("status") == "True" else "NotReady"]
    if spec_of(node).get("unschedulable"):
        status.append("SchedulingDisabled")
    return ",".join(status)


def _node_address(node: Obj, kind: str) -> str:
    for address in status_of(node).get("addresses") or []:
        if address.get("type") == kind:
            return address.get("address", "")
    return "<none>"


def node_cells(node: Obj, now: datetime) -> list[Cell]:
    info = status_of(node).get("nodeInfo") or {}
    return [
        name_of(node),
        node_status(node),
        ",".join(node_roles(node)) or "<none>",
        since(_created(node), now),
        info.get("kubeletVersion", ""),
        _node_address(node, "InternalIP"),
        _node_address(node, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


def namespace_cells(ns: Obj, now: datetime) -> list[Cell]:
    # The namespace strategy always stores a phase; Active is what it sets on create.
    return [name_of(ns), status_of(ns).get("phase") or "Active", since(_created(ns), now)]


def event_source(event: Obj) -> str:
    """formatEventSource: component (or reportingController), then ", host" when known."""
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingController") or ""
    host = source.get("host") or event.get("reportingInstance") or ""
    return f"{component}, {host}" if host else component


def event_cells(event: Obj, now: datetime) -> list[Cell]:
    first = since(event.get("firstTimestamp") or event.get("eventTime"), now)
    last = since(event["lastTimestamp"], now) if event.get("lastTimestamp") else first
    count = event.get("count") or 0
    if event.get("series"):
        last = since(event["series"].get("lastObservedTime"), now)
        count = event["series"].get("count", 0)
    elif count == 0:
        count = 1  # singleton events carry no count in the events.k8s.io API
    involved = event.get("involvedObject") or {}
    kind = (involved.get("kind") or "").lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    return [
        last,
        event.get("type", ""),
        event.get("reason", ""),
        target,
        involved.get("fieldPath", ""),
        event_source(event),
        (event.get("message") or "").strip(),
        first,
        count,
        name_of(event),
    ]


def resourcequota_cells(quota: Obj, now: datetime) -> list[Cell]:
    request, limit = quota_request_column(quota)
    return [name_of(quota), since(_created(quota), now), request, limit]


ROWS: dict[str, RowFn] = {
    "Service": service_cells,
    "Pod": pod_cells,
    "Endpoints": endpoints_cells,
    "EndpointSlice": endpointslice_cells,
    "Deployment": deployment_cells,
    "ReplicaSet": replicaset_cells,
    "Node": node_cells,
    "Namespace": namespace_cells,
    "Event": event_cells,
    "ResourceQuota": resourcequota_cells,
}

# Completed pods carry a row condition (printers.go podSuccessConditions / podFailedConditions).
POD_ROW_CONDITIONS = {
    "Succeeded": "The pod has completed successfully.",
    "Failed": "The pod failed.",
}


def row_conditions(kind: str, obj: Obj) -> list[dict[str, str]] | None:
    if kind != "Pod" or pod_phase(obj) not in POD_ROW_CONDITIONS:
        return None
    phase = pod_phase(obj)
    return [{"type": "Completed", "status": "True", "reason": phase, "message": POD_ROW_CONDITIONS[phase]}]
