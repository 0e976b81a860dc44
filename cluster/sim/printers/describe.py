"""`kubectl describe` text for the kinds the simulator shows (kubectl/pkg/describe/describe.go).

`related` carries what kubectl fetches besides the object itself:
  - "events": Event objects (only those about the described object are shown),
  - "endpointslices": for a Service, its EndpointSlices (matched by kubernetes.io/service-name),
  - "pods": for a ReplicaSet (Pods Status) and a Node (Non-terminated Pods),
  - "replicasets": for a Deployment (OldReplicaSets / NewReplicaSet),
  - "lease": for a Node, a one-element list with its kube-node-lease Lease (section omitted if absent).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from cluster.sim.allocation.quota import describe_quota
from cluster.sim.objects import (
    SERVICE_NAME_LABEL,
    Obj,
    labels_of,
    metadata_of,
    name_of,
    namespace_of,
    pod_phase,
    service_type,
    spec_of,
    status_of,
)
from cluster.sim.printers.cells import node_roles, service_cluster_ips
from cluster.sim.printers.describe_workloads import describe_deployment, describe_pod, describe_replicaset
from cluster.sim.printers.format import format_labels, go_bool, join_host_port, rfc1123z, since
from cluster.sim.printers.quantity import ZERO, Quantity, parse_quantity
from cluster.sim.printers.writer import (
    PrefixWriter,
    annotations_multiline,
    describe_events,
    describe_header,
    events_about,
    labels_multiline,
    optional_lines,
)

Related = dict[str, list[Obj]]
Describer = Callable[[Obj, Related, datetime], str]


# --- Services -----------------------------------------------------------------------------------


def _endpoint_ready(endpoint: Obj) -> bool:
    """A nil ready condition counts as ready (discovery/v1 types.go)."""
    ready = (endpoint.get("conditions") or {}).get("ready")
    return ready is None or bool(ready)


def format_endpoint_slices(slices: list[Obj], port_names: set[str] | None) -> str:
    """formatEndpointSlices: ready `ip:port` for the named service port, first 3, `<none>` w/o slices.

    Like kubectl, `more` is decided before the readiness check, so three ready endpoints followed by
    a not-ready one print `... + 0 more...`.
    """
    if not slices:
        return "<none>"
    shown: list[str] = []
    count, more = 0, False

    def visit(entry: str, endpoint: Obj) -> None:
        nonlocal count, more
        if len(shown) == 3:
            more = True
        if not _endpoint_ready(endpoint):
            return
        if not more:
            shown.append(entry)
        count += 1

    for eps in slices:
        endpoints = eps.get("endpoints") or []
        ports = eps.get("ports") or []
        if not ports:  # headless services without ports
            for endpoint in endpoints:
                visit(endpoint["addresses"][0], endpoint)
        for port in ports:
            if port_names is None or (port.get("name") or "") in port_names:
                for endpoint in endpoints:
                    visit(join_host_port(endpoint["addresses"][0], port.get("port")), endpoint)
    text = ",".join(shown)
    return f"{text} + {count - 3} more..." if more else text


def _ingress_text(ingress: list[Obj]) -> str:
    """buildIngressString: `ip (ipMode)` or hostname, comma-space separated."""
    parts = []
    for item in ingress:
        if item.get("ip"):
            parts.append(f"{item['ip']} ({item['ipMode']})" if item.get("ipMode") else item["ip"])
        else:
            parts.append(item.get("hostname", ""))
    return ", ".join(parts)


def _service_port(w: PrefixWriter, port: Obj, slices: list[Obj]) -> None:
    name = port.get("name") or "<unset>"
    proto = port.get("protocol") or "TCP"
    target = port.get("targetPort", port.get("port"))  # defaulted to port by the apiserver
    w.write(0, f"Port:\t{name}\t{port.get('port')}/{proto}\n")
    w.write(0, f"TargetPort:\t{target}/{proto}\n")
    if port.get("appProtocol") is not None:
        w.write(0, f"AppProtocol:\t{port['appProtocol']}\n")
    if port.get("nodePort"):
        w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{proto}\n")
    w.write(0, f"Endpoints:\t{format_endpoint_slices(slices, {port.get('name') or ''})}\n")


def _slices_of(svc: Obj, slices: list[Obj]) -> list[Obj]:
    """What kubectl's list by label kubernetes.io/service-name=<name> returns."""
    return [
        s
        for s in slices
        if labels_of(s).get(SERVICE_NAME_LABEL) == name_of(svc) and namespace_of(s) == namespace_of(svc)
    ]


def describe_service(svc: Obj, related: Related, now: datetime) -> str:
    spec = spec_of(svc)
    w = PrefixWriter()
    describe_header(w, svc)
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{service_type(svc)}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{','.join(service_cluster_ips(svc)) or '<none>'}\n")
    optional_lines(
        w,
        (
            ("External IPs", spec.get("externalIPs")),
            ("Desired LoadBalancer IP", spec.get("loadBalancerIP")),
            ("External Name", spec.get("externalName")),
        ),
    )
    ingress = (status_of(svc).get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        w.write(0, f"LoadBalancer Ingress:\t{_ingress_text(ingress)}\n")
    slices = _slices_of(svc, related.get("endpointslices") or [])
    for port in spec.get("ports") or []:
        _service_port(w, port, slices)
    # The apiserver always stores a session affinity; None is its default.
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity') or 'None'}\n")
    optional_lines(
        w,
        (
            ("External Traffic Policy", spec.get("externalTrafficPolicy")),
            ("Internal Traffic Policy", spec.get("internalTrafficPolicy")),
            ("HealthCheck NodePort", spec.get("healthCheckNodePort")),
            ("LoadBalancer Source Ranges", ",".join(spec.get("loadBalancerSourceRanges") or [])),
            ("Traffic Distribution", spec.get("trafficDistribution")),
        ),
    )
    describe_events(w, events_about(svc, related.get("events") or []), now)
    return w.render()


# --- Endpoints and EndpointSlices ---------------------------------------------------------------


def _ports_table(w: PrefixWriter, ports: list[Obj], level: int) -> None:
    w.write(level, "Name\tPort\tProtocol\n")
    w.write(level, "----\t----\t--------\n")
    for port in ports:
        number = port.get("port")
        w.write(
            level,
            f"{port.get('name') or '<unset>'}\t{'<unset>' if number is None else number}\t"
            f"{port.get('protocol') or 'TCP'}\n",
        )


def describe_endpoints(ep: Obj, related: Related, now: datetime) -> str:
    w = PrefixWriter()
    describe_header(w, ep)
    w.write(0, "Subsets:\n")
    for subset in ep.get("subsets") or []:
        ready = ",".join(a["ip"] for a in subset.get("addresses") or [])
        not_ready = ",".join(a["ip"] for a in subset.get("notReadyAddresses") or [])
        w.write(1, f"Addresses:\t{ready or '<none>'}\n")
        w.write(1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        if subset.get("ports"):
            w.write(1, "Ports:\n")
            _ports_table(w, subset["ports"], 2)
        w.write(0, "\n")
    describe_events(w, events_about(ep, related.get("events") or []), now)
    return w.render()


def _unset(value: object) -> str:
    return "<unset>" if value is None else str(value)


def _slice_endpoint(w: PrefixWriter, endpoint: Obj) -> None:
    w.write(1, f"- Addresses:\t{', '.join(endpoint.get('addresses') or []) or '<none>'}\n")
    w.write(2, "Conditions:\n")
    ready = (endpoint.get("conditions") or {}).get("ready")
    w.write(3, f"Ready:\t{'<unset>' if ready is None else go_bool(ready)}\n")
    w.write(2, f"Hostname:\t{_unset(endpoint.get('hostname'))}\n")
    ref = endpoint.get("targetRef")
    if ref:
        w.write(2, f"TargetRef:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
    w.write(2, f"NodeName:\t{_unset(endpoint.get('nodeName'))}\n")
    w.write(2, f"Zone:\t{_unset(endpoint.get('zone'))}\n")


def describe_endpointslice(eps: Obj, related: Related, now: datetime) -> str:
    w = PrefixWriter()
    describe_header(w, eps)
    w.write(0, f"AddressType:\t{eps.get('addressType', '')}\n")
    ports = eps.get("ports") or []
    if not ports:
        w.write(0, "Ports: <unset>\n")
    else:
        w.write(0, "Ports:\n")
        _ports_table(w, ports, 1)
    endpoints = eps.get("endpoints") or []
    w.write(0, "Endpoints: <none>\n" if not endpoints else "Endpoints:\n")
    for endpoint in endpoints:
        _slice_endpoint(w, endpoint)
    describe_events(w, events_about(eps, related.get("events") or []), now)
    return w.render()


# --- Nodes --------------------------------------------------------------------------------------


def _taint(taint: Obj) -> str:
    """Taint.ToString."""
    key, value, effect = taint.get("key", ""), taint.get("value", ""), taint.get("effect", "")
    if not effect:
        return f"{key}={value}:" if value else key
    return f"{key}={value}:{effect}" if value else f"{key}:{effect}"


def _taints(w: PrefixWriter, taints: list[Obj]) -> None:
    w.write(0, "Taints:\t")
    if not taints:
        w.line("<none>")
        return
    ordered = sorted(taints, key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    for i, taint in enumerate(ordered):
        if i:
            w.write(0, "\t")
        w.write(0, _taint(taint) + "\n")


def _lease(w: PrefixWriter, lease: Obj) -> None:
    spec = spec_of(lease)
    w.write(0, "Lease:\n")
    w.write(1, f"HolderIdentity:\t{spec.get('holderIdentity') or '<unset>'}\n")
    for title, field in (("AcquireTime", "acquireTime"), ("RenewTime", "renewTime")):
        w.write(1, f"{title}:\t{rfc1123z(spec[field]) if spec.get(field) else '<unset>'}\n")


def _node_conditions(w: PrefixWriter, conditions: list[Obj]) -> None:
    if not conditions:
        return
    w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
    w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
    zero = "0001-01-01T00:00:00Z"
    for c in conditions:
        heartbeat = rfc1123z(c.get("lastHeartbeatTime") or zero)
        transition = rfc1123z(c.get("lastTransitionTime") or zero)
        w.write(
            1,
            f"{c.get('type')} \t{c.get('status')} \t{heartbeat} \t{transition} \t"
            f"{c.get('reason', '')} \t{c.get('message', '')}\n",
        )


def _resource_list(w: PrefixWriter, title: str, resources: dict[str, str]) -> None:
    if not resources:
        return
    w.write(0, f"{title}:\n")
    for name in sorted(resources):
        w.write(0, f"  {name}:\t{parse_quantity(resources[name])}\n")


_SYSTEM_INFO = (
    ("Machine ID", "machineID"),
    ("System UUID", "systemUUID"),
    ("Boot ID", "bootID"),
    ("Kernel Version", "kernelVersion"),
    ("OS Image", "osImage"),
    ("Operating System", "operatingSystem"),
    ("Architecture", "architecture"),
    ("Container Runtime Version", "containerRuntimeVersion"),
    ("Kubelet Version", "kubeletVersion"),
)


def _pod_resources(pod: Obj, field: str) -> dict[str, Quantity]:
    """resourcehelper.PodRequests / PodLimits: containers summed, init containers as a floor.

    A request left unset defaults to the limit, as the apiserver stores it.
    """

    def of(container: Obj) -> dict[str, Quantity]:
        res = container.get("resources") or {}
        values = dict(res.get("limits") or {}) if field == "requests" else {}
        values.update(res.get(field) or {})
        return {k: parse_quantity(v) for k, v in values.items()}

    total: dict[str, Quantity] = {}
    for container in spec_of(pod).get("containers") or []:
        for name, q in of(container).items():
            total[name] = total.get(name, ZERO) + q
    for container in spec_of(pod).get("initContainers") or []:
        for name, q in of(container).items():
            if q.value > total.get(name, ZERO).value:
                total[name] = q
    return total


def _percent(part: int, whole: int) -> int:
    """int64(float64(part) / float64(whole) * 100), 0 where kubectl would divide by zero."""
    return math.trunc(part / whole * 100) if whole else 0


def _cpu_mem(quantities: dict[str, Quantity], alloc: dict[str, Quantity]) -> list[str]:
    cpu, mem = quantities.get("cpu", ZERO), quantities.get("memory", ZERO)
    cpu_pct = _percent(cpu.milli_value(), alloc.get("cpu", ZERO).milli_value())
    mem_pct = _percent(mem.int_value(), alloc.get("memory", ZERO).int_value())
    return [f"{cpu} ({cpu_pct}%)", f"{mem} ({mem_pct}%)"]


def _node_pods(w: PrefixWriter, node: Obj, pods: list[Obj], now: datetime) -> None:
    """describeNodeResource: the non-terminated pods on this node and their share of allocatable."""
    status = status_of(node)
    alloc = {
        k: parse_quantity(v) for k, v in (status.get("allocatable") or status.get("capacity") or {}).items()
    }
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    totals: dict[str, dict[str, Quantity]] = {"requests": {}, "limits": {}}
    for pod in pods:
        req, lim = _pod_resources(pod, "requests"), _pod_resources(pod, "limits")
        for bucket, values in (("requests", req), ("limits", lim)):
            for name, q in values.items():
                totals[bucket][name] = totals[bucket].get(name, ZERO) + q
        (cpu_req, mem_req), (cpu_lim, mem_lim) = _cpu_mem(req, alloc), _cpu_mem(lim, alloc)
        created = metadata_of(pod).get("creationTimestamp")
        w.write(
            1,
            f"{namespace_of(pod)}\t{name_of(pod)}\t\t{cpu_req}\t{cpu_lim}\t{mem_req}\t{mem_lim}\t{since(created, now)}\n",
        )
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    extra = sorted(k for k in alloc if k.startswith("hugepages-"))
    for name in ("cpu", "memory", "ephemeral-storage", *extra):
        req, lim = totals["requests"].get(name, ZERO), totals["limits"].get(name, ZERO)
        whole = alloc.get(name, ZERO)
        scale = Quantity.milli_value if name == "cpu" else Quantity.int_value
        w.write(
            1,
            f"{name}\t{req} ({_percent(scale(req), scale(whole))}%)\t{lim} ({_percent(scale(lim), scale(whole))}%)\n",
        )


def describe_node(node: Obj, related: Related, now: datetime) -> str:
    spec, status, meta = spec_of(node), status_of(node), metadata_of(node)
    w = PrefixWriter()
    w.write(0, f"Name:\t{name_of(node)}\n")
    w.write(0, f"Roles:\t{','.join(node_roles(node)) or '<none>'}\n")
    labels_multiline(w, "Labels", labels_of(node))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp', '0001-01-01T00:00:00Z'))}\n")
    _taints(w, spec.get("taints") or [])
    w.write(0, f"Unschedulable:\t{go_bool(bool(spec.get('unschedulable')))}\n")
    for lease in related.get("lease") or []:
        _lease(w, lease)
    _node_conditions(w, status.get("conditions") or [])
    w.write(0, "Addresses:\n")
    for address in status.get("addresses") or []:
        w.write(1, f"{address.get('type')}:\t{address.get('address')}\n")
    _resource_list(w, "Capacity", status.get("capacity") or {})
    _resource_list(w, "Allocatable", status.get("allocatable") or {})
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for title, field in _SYSTEM_INFO:
        w.write(0, f"  {title}:\t{info.get(field, '')}\n")
    optional_lines(
        w,
        (
            ("PodCIDR", spec.get("podCIDR")),
            ("PodCIDRs", spec.get("podCIDRs")),
            ("ProviderID", spec.get("providerID")),
        ),
    )
    pods = [
        p
        for p in related.get("pods") or []
        if spec_of(p).get("nodeName") == name_of(node) and pod_phase(p) not in ("Succeeded", "Failed")
    ]
    _node_pods(w, node, pods, now)
    describe_events(w, events_about(node, related.get("events") or []), now)
    return w.render()


# --- Entry point --------------------------------------------------------------------------------

DESCRIBERS: dict[str, Describer] = {
    "Service": describe_service,
    "Endpoints": describe_endpoints,
    "EndpointSlice": describe_endpointslice,
    "Pod": describe_pod,
    "Deployment": describe_deployment,
    "ReplicaSet": describe_replicaset,
    "Node": describe_node,
    "ResourceQuota": describe_quota,
}


def describe(kind: str, obj: Obj, *, related: Related, now: datetime) -> str:
    """The text `kubectl describe <kind> <name>` prints for `obj` (kind as in the object's `kind`)."""
    describer = DESCRIBERS.get(kind)
    if describer is None:
        raise ValueError(f"no description has been implemented for {kind}")
    return describer(obj, related, now)
