"""`kubectl describe` for Pods, Deployments and ReplicaSets (and the pod template they share).

A port of describePod, describeContainers, DescribePodTemplate, describeDeployment and
describeReplicaSet from kubectl/pkg/describe/describe.go, covering the fields the simulator stores.
"""

from __future__ import annotations

from datetime import datetime

from cluster.sim.objects import (
    Obj,
    labels_of,
    metadata_of,
    name_of,
    namespace_of,
    pod_ip,
    pod_phase,
    spec_of,
    status_of,
    uid_of,
)
from cluster.sim.printers.format import (
    controller_of,
    format_label_selector,
    go_bool,
    join_host_port,
    label_selector_string,
    rfc1123z,
    since,
)
from cluster.sim.printers.quantity import parse_quantity
from cluster.sim.printers.writer import (
    PrefixWriter,
    annotations_multiline,
    describe_events,
    describe_header,
    events_about,
    labels_multiline,
    optional_lines,
    tolerations_multiline,
)

POD_TEMPLATE_HASH_LABEL = "pod-template-hash"


def _print_bool(value: bool) -> str:
    """describe.go printBool: True / False."""
    return "True" if value else "False"


# --- Containers ---------------------------------------------------------------------------------


def _ports_text(ports: list[Obj], field: str) -> str:
    """describeContainerPorts / describeContainerHostPorts (a missing hostPort prints as 0)."""
    texts = []
    for port in ports:
        text = f"{port.get(field, 0)}/{port.get('protocol') or 'TCP'}"
        texts.append(f"{text} ({port['name']})" if port.get("name") else text)
    return ", ".join(texts)


def _write_ports(w: PrefixWriter, title: str, text: str) -> None:
    if "," in text:
        w.write(2, f"{title}s:\t{text}\n")
    else:
        w.write(2, f"{title}:\t{text or '<none>'}\n")


def _basic_info(w: PrefixWriter, container: Obj, status: Obj | None, space: str) -> None:
    w.write(1, f"{' ' if space else ''}{container.get('name', '')}:\n")
    if status is not None:
        w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
    w.write(2, f"Image:\t{container.get('image', '')}\n")
    if status is not None:
        w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
    _write_ports(w, "Port", _ports_text(container.get("ports") or [], "containerPort"))
    _write_ports(w, "Host Port", _ports_text(container.get("ports") or [], "hostPort"))


def _command(w: PrefixWriter, container: Obj) -> None:
    for title, field in (("Command", "command"), ("Args", "args")):
        if container.get(field):
            w.write(2, f"{title}:\n")
            for item in container[field]:
                for part in str(item).split("\n"):
                    w.write(3, f"{part}\n")


def _state(w: PrefixWriter, title: str, state: Obj) -> None:
    """describeStatus."""
    if "running" in state:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt', '0001-01-01T00:00:00Z'))}\n")
    elif "terminated" in state:
        t = state["terminated"]
        w.write(2, f"{title}:\tTerminated\n")
        if t.get("reason"):
            w.write(3, f"Reason:\t{t['reason']}\n")
        if t.get("message"):
            w.write(3, f"Message:\t{t['message']}\n")
        w.write(3, f"Exit Code:\t{t.get('exitCode', 0)}\n")
        if (t.get("signal") or 0) > 0:
            w.write(3, f"Signal:\t{t['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(t.get('startedAt', '0001-01-01T00:00:00Z'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(t.get('finishedAt', '0001-01-01T00:00:00Z'))}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")
        reason = (state.get("waiting") or {}).get("reason")
        if reason:
            w.write(3, f"Reason:\t{reason}\n")


def _container_state(w: PrefixWriter, status: Obj) -> None:
    _state(w, "State", status.get("state") or {})
    last = status.get("lastState") or {}
    if last.get("terminated"):
        _state(w, "Last State", last)
    w.write(2, f"Ready:\t{_print_bool(bool(status.get('ready')))}\n")
    w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")


def _resources(w: PrefixWriter, resources: Obj, level: int) -> None:
    for title, field in (("Limits", "limits"), ("Requests", "requests")):
        values = resources.get(field) or {}
        if values:
            w.write(level, f"{title}:\n")
        for name in sorted(values):
            w.write(level + 1, f"{name}:\t{parse_quantity(values[name])}\n")


def describe_probe(probe: Obj) -> str:
    """DescribeProbe, with the apiserver's defaults for unset timings."""
    attrs = (
        f"delay={probe.get('initialDelaySeconds', 0)}s timeout={probe.get('timeoutSeconds', 1)}s "
        f"period={probe.get('periodSeconds', 10)}s #success={probe.get('successThreshold', 1)} "
        f"#failure={probe.get('failureThreshold', 3)}"
    )
    if "exec" in probe:
        return f"exec [{' '.join(probe['exec'].get('command') or [])}] {attrs}"
    if "httpGet" in probe:
        get = probe["httpGet"]
        scheme = (get.get("scheme") or "HTTP").lower()
        port = str(get.get("port", ""))
        host = join_host_port(get.get("host", ""), port) if port else get.get("host", "")
        return f"http-get {scheme}://{host}{get.get('path', '')} {attrs}"
    if "tcpSocket" in probe:
        sock = probe["tcpSocket"]
        return f"tcp-socket {sock.get('host', '')}:{sock.get('port', '')} {attrs}"
    if "grpc" in probe:
        return f"grpc <pod>:{probe['grpc'].get('port')} {probe['grpc'].get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _probes(w: PrefixWriter, container: Obj) -> None:
    for title, field in (
        ("Liveness", "livenessProbe"),
        ("Readiness", "readinessProbe"),
        ("Startup", "startupProbe"),
    ):
        if container.get(field):
            w.write(2, f"{title}:\t{describe_probe(container[field])}\n")


_POD_FIELDS = {
    "metadata.name": lambda p: name_of(p),
    "metadata.namespace": lambda p: namespace_of(p),
    "metadata.uid": lambda p: uid_of(p),
    "spec.nodeName": lambda p: spec_of(p).get("nodeName", ""),
    "spec.serviceAccountName": lambda p: spec_of(p).get("serviceAccountName", ""),
    "status.hostIP": lambda p: status_of(p).get("hostIP", ""),
    "status.podIP": pod_ip,
}


def _field_value(pod: Obj | None, path: str) -> str:
    """EnvValueRetriever: the downward-API value, empty for templates (no pod yet)."""
    if pod is None:
        return ""
    for prefix, source in (
        ("metadata.labels", labels_of(pod)),
        ("metadata.annotations", metadata_of(pod).get("annotations") or {}),
    ):
        if path.startswith(prefix + "['") and path.endswith("']"):
            return source.get(path[len(prefix) + 2 : -2], "")
    getter = _POD_FIELDS.get(path)
    return getter(pod) if getter else ""


def _env_from_source(env: Obj, pod: Obj | None, container: Obj) -> str:
    source = env["valueFrom"]
    name = env.get("name", "")
    if "fieldRef" in source:
        ref = source["fieldRef"]
        path = ref.get("fieldPath", "")
        return f"{name}:\t{_field_value(pod, path)} ({ref.get('apiVersion', 'v1')}:{path})\n"
    if "resourceFieldRef" in source:
        resource = source["resourceFieldRef"].get("resource", "")
        kind, _, res_name = resource.partition(".")
        raw = ((container.get("resources") or {}).get(kind) or {}).get(res_name)
        value = str(parse_quantity(raw)) if raw is not None else "0"
        if value == "0" and resource in ("limits.cpu", "limits.memory"):
            value = "node allocatable"
        return f"{name}:\t{value} ({resource})\n"
    for field, noun in (("secretKeyRef", "in secret"), ("configMapKeyRef", "of config map")):
        if field in source:
            ref = source[field]
            optional = go_bool(bool(ref.get("optional")))
            return f"{name}:\t<set to the key '{ref.get('key', '')}' {noun} '{ref.get('name', '')}'>\tOptional: {optional}\n"
    return ""


def _environment(w: PrefixWriter, container: Obj, pod: Obj | None) -> None:
    if container.get("envFrom"):
        w.write(2, "Environment Variables from:\n")
        for item in container["envFrom"]:
            kind, ref = (
                ("ConfigMap", item["configMapRef"])
                if "configMapRef" in item
                else ("Secret", item.get("secretRef") or {})
            )
            optional = go_bool(bool(ref.get("optional")))
            source = f"{kind} with prefix '{item['prefix']}'" if item.get("prefix") else kind
            w.write(3, f"{ref.get('name', '')}\t{source}\tOptional: {optional}\n")
    env = container.get("env") or []
    w.write(2, "Environment:\t<none>\n" if not env else "Environment:\n")
    for item in env:
        if "valueFrom" in item:
            w.write(3, _env_from_source(item, pod, container))
            continue
        for i, part in enumerate(str(item.get("value", "")).split("\n")):
            w.write(3, f"{item.get('name', '')}:\t{part}\n" if i == 0 else f"\t{part}\n")


def _mounts(w: PrefixWriter, container: Obj) -> None:
    mounts = container.get("volumeMounts") or []
    w.write(2, "Mounts:\t<none>\n" if not mounts else "Mounts:\n")
    for mount in sorted(mounts, key=lambda m: m.get("mountPath", "")):
        flags = ["ro" if mount.get("readOnly") else "rw"]
        if mount.get("subPath"):
            flags.append(f'path="{mount["subPath"]}"')
        w.write(3, f"{mount.get('mountPath', '')} from {mount.get('name', '')} ({','.join(flags)})\n")


def describe_containers(
    w: PrefixWriter, label: str, containers: list[Obj], statuses: list[Obj], *, pod: Obj | None, space: str
) -> None:
    """describeContainers: statuses are matched by container name; templates have none."""
    by_name = {s.get("name"): s for s in statuses}
    w.write(0, f"{space}{label}:{'' if containers else ' <none>'}\n")
    for container in containers:
        status = by_name.get(container.get("name"))
        _basic_info(w, container, status, space)
        _command(w, container)
        if status is not None:
            _container_state(w, status)
        _resources(w, container.get("resources") or {}, 2)
        _probes(w, container)
        _environment(w, container, pod)
        _mounts(w, container)


# --- Volumes, QoS -------------------------------------------------------------------------------

_VOLUME_TEXT = {
    "emptyDir": lambda v: (
        "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
        f"    Medium:\t{v.get('medium', '')}\n    SizeLimit:\t{v.get('sizeLimit') or '<unset>'}\n"
    ),
    "hostPath": lambda v: (
        "Type:\tHostPath (bare host directory volume)\n"
        f"    Path:\t{v.get('path', '')}\n    HostPathType:\t{v.get('type') or '<none>'}\n"
    ),
    "secret": lambda v: (
        "Type:\tSecret (a volume populated by a Secret)\n"
        f"    SecretName:\t{v.get('secretName', '')}\n    Optional:\t{go_bool(bool(v.get('optional')))}\n"
    ),
    "configMap": lambda v: (
        "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
        f"    Name:\t{v.get('name', '')}\n    Optional:\t{go_bool(bool(v.get('optional')))}\n"
    ),
    "persistentVolumeClaim": lambda v: (
        "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n"
        f"    ClaimName:\t{v.get('claimName', '')}\n    ReadOnly:\t{go_bool(bool(v.get('readOnly')))}\n"
    ),
}


def _projected(w: PrefixWriter, projected: Obj) -> None:
    w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
    for source in projected.get("sources") or []:
        if "secret" in source:
            optional = go_bool(bool(source["secret"].get("optional")))
            w.write(2, f"SecretName:\t{source['secret'].get('name', '')}\n    Optional:\t{optional}\n")
        elif "downwardAPI" in source:
            w.write(2, "DownwardAPI:\ttrue\n")
        elif "configMap" in source:
            optional = go_bool(bool(source["configMap"].get("optional")))
            w.write(2, f"ConfigMapName:\t{source['configMap'].get('name', '')}\n    Optional:\t{optional}\n")
        elif "serviceAccountToken" in source:
            w.write(
                2,
                f"TokenExpirationSeconds:\t{source['serviceAccountToken'].get('expirationSeconds', 3600)}\n",
            )


def describe_volumes(w: PrefixWriter, volumes: list[Obj], space: str) -> None:
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for volume in volumes:
        w.write(1, f"{' ' if space else ''}{volume.get('name', '')}:\n")
        kind = next((k for k in (*_VOLUME_TEXT, "projected") if k in volume), None)
        if kind == "projected":
            _projected(w, volume["projected"])
        elif kind:
            w.write(2, _VOLUME_TEXT[kind](volume[kind] or {}))
        else:
            w.write(1, "<unknown>\n")


def pod_qos_class(pod: Obj) -> str:
    """qos.GetPodQOS: the stored status.qosClass, else computed from cpu/memory requests and limits."""
    if status_of(pod).get("qosClass"):
        return status_of(pod)["qosClass"]
    containers = [*(spec_of(pod).get("initContainers") or []), *(spec_of(pod).get("containers") or [])]
    requests: dict[str, object] = {}
    limits: dict[str, object] = {}
    guaranteed = True
    for c in containers:
        res = c.get("resources") or {}
        req = {k: v for k, v in (res.get("requests") or {}).items() if k in ("cpu", "memory")}
        lim = {k: v for k, v in (res.get("limits") or {}).items() if k in ("cpu", "memory")}
        requests.update(req)
        limits.update(lim)
        if set(lim) != {"cpu", "memory"} or any(
            parse_quantity(req[k]).value != parse_quantity(lim[k]).value for k in req
        ):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


# --- Pods ---------------------------------------------------------------------------------------


def _pod_header(w: PrefixWriter, pod: Obj, now: datetime) -> None:
    spec, status, meta = spec_of(pod), status_of(pod), metadata_of(pod)
    w.write(0, f"Name:\t{name_of(pod)}\n")
    w.write(0, f"Namespace:\t{namespace_of(pod)}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{status.get('hostIP', '')}\n" if node else "Node:\t<none>\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    labels_multiline(w, "Labels", labels_of(pod))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    if meta.get("deletionTimestamp") and pod_phase(pod) not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], now)})\n")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 30)}s\n")
    else:
        w.write(0, f"Status:\t{pod_phase(pod)}\n")
    optional_lines(w, (("Reason", status.get("reason")), ("Message", status.get("message"))))


def _pod_addresses(w: PrefixWriter, pod: Obj) -> None:
    w.write(0, f"IP:\t{pod_ip(pod)}\n")
    ips = [i.get("ip", "") for i in status_of(pod).get("podIPs") or []] or (
        [pod_ip(pod)] if pod_ip(pod) else []
    )
    if not ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{ip}\n")
    _write_controlled_by(w, pod)
    if status_of(pod).get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status_of(pod)['nominatedNodeName']}\n")


def _write_controlled_by(w: PrefixWriter, obj: Obj) -> None:
    owner = controller_of(obj)
    if owner:
        w.write(0, f"Controlled By:\t{owner.get('kind', '')}/{owner.get('name', '')}\n")


def _pod_conditions(w: PrefixWriter, pod: Obj) -> None:
    conditions = status_of(pod).get("conditions") or []
    gates = spec_of(pod).get("readinessGates") or []
    if gates:
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        by_type = {c.get("type"): c.get("status") for c in conditions}
        for gate in gates:
            w.write(1, f"{gate.get('conditionType')} \t{by_type.get(gate.get('conditionType'), '<none>')} \n")
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for c in conditions:
            w.write(1, f"{c.get('type')} \t{c.get('status')} \n")


def describe_pod(pod: Obj, related: dict[str, list[Obj]], now: datetime) -> str:
    spec, status = spec_of(pod), status_of(pod)
    w = PrefixWriter()
    _pod_header(w, pod, now)
    _pod_addresses(w, pod)
    if spec.get("initContainers"):
        describe_containers(
            w,
            "Init Containers",
            spec["initContainers"],
            status.get("initContainerStatuses") or [],
            pod=pod,
            space="",
        )
    describe_containers(
        w,
        "Containers",
        spec.get("containers") or [],
        status.get("containerStatuses") or [],
        pod=pod,
        space="",
    )
    _pod_conditions(w, pod)
    describe_volumes(w, spec.get("volumes") or [], "")
    w.write(0, f"QoS Class:\t{pod_qos_class(pod)}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
    describe_events(w, events_about(pod, related.get("events") or [], match_kind=False), now)
    return w.render()


# --- Pod templates, Deployments, ReplicaSets ----------------------------------------------------


def describe_pod_template(w: PrefixWriter, template: Obj | None) -> None:
    """DescribePodTemplate: everything is indented one level under "Pod Template:"."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    meta, spec = metadata_of(template), spec_of(template)
    labels_multiline(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        annotations_multiline(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], [], pod=None, space="  ")
    describe_containers(w, "Containers", spec.get("containers") or [], [], pod=None, space="  ")
    describe_volumes(w, spec.get("volumes") or [], "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "  Tolerations", spec.get("tolerations"))


def _conditions_table(w: PrefixWriter, conditions: list[Obj]) -> None:
    """The Type/Status/Reason block of deployments, replica sets and controllers."""
    if not conditions:
        return
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
    w.write(1, "----\t------\t------\n")
    for c in conditions:
        w.write(1, f"{c.get('type')} \t{c.get('status')}\t{c.get('reason', '')}\n")


def _controlled_by(obj: Obj, owner: Obj) -> bool:
    ref = controller_of(obj)
    if not ref:
        return False
    if ref.get("uid") and uid_of(owner):
        return ref["uid"] == uid_of(owner)
    return ref.get("kind") == owner.get("kind") and ref.get("name") == name_of(owner)


def _template_without_hash(template: Obj) -> Obj:
    labels = {k: v for k, v in labels_of(template).items() if k != POD_TEMPLATE_HASH_LABEL}
    return {**template, "metadata": {**metadata_of(template), "labels": labels}}


def _split_replica_sets(deploy: Obj, replica_sets: list[Obj]) -> tuple[list[Obj], list[Obj]]:
    """deploymentutil.GetAllReplicaSets: the new RS has the deployment's template (hash aside)."""
    owned = sorted(
        (rs for rs in replica_sets if _controlled_by(rs, deploy)),
        key=lambda rs: metadata_of(rs).get("creationTimestamp", ""),
    )
    wanted = _template_without_hash(spec_of(deploy).get("template") or {})
    new = next(
        (rs for rs in owned if _template_without_hash(spec_of(rs).get("template") or {}) == wanted), None
    )
    return [rs for rs in owned if rs is not new], [new] if new else []


def _replica_sets_text(replica_sets: list[Obj]) -> str:
    texts = [
        f"{name_of(rs)} ({status_of(rs).get('replicas', 0)}/{spec_of(rs).get('replicas', 1)} replicas created)"
        for rs in replica_sets
    ]
    return ", ".join(texts) or "<none>"


def describe_deployment(deploy: Obj, related: dict[str, list[Obj]], now: datetime) -> str:
    spec, status, meta = spec_of(deploy), status_of(deploy), metadata_of(deploy)
    w = PrefixWriter()
    created = rfc1123z(meta.get("creationTimestamp", "0001-01-01T00:00:00Z"))
    describe_header(w, deploy, f"CreationTimestamp:\t{created}\n")
    w.write(0, f"Selector:\t{label_selector_string(spec.get('selector'))}\n")
    w.write(
        0,
        f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} updated | "
        f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
        f"{status.get('unavailableReplicas', 0)} unavailable\n",
    )
    strategy = spec.get("strategy") or {}
    strategy_type = strategy.get("type", "RollingUpdate")  # the apps/v1 default
    w.write(0, f"StrategyType:\t{strategy_type}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    if strategy_type == "RollingUpdate":
        rolling = strategy.get("rollingUpdate") or {}
        unavailable = rolling.get("maxUnavailable", "25%")
        surge = rolling.get("maxSurge", "25%")
        w.write(0, f"RollingUpdateStrategy:\t{unavailable} max unavailable, {surge} max surge\n")
    describe_pod_template(w, spec.get("template"))
    _conditions_table(w, status.get("conditions") or [])
    old, new = _split_replica_sets(deploy, related.get("replicasets") or [])
    if old or new:
        w.write(0, f"OldReplicaSets:\t{_replica_sets_text(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_replica_sets_text(new)}\n")
    describe_events(w, events_about(deploy, related.get("events") or []), now)
    return w.render()


def _pods_status(rs: Obj, pods: list[Obj]) -> str:
    """getPodStatusForController: phases of the pods this controller owns."""
    counts = dict.fromkeys(("Running", "Pending", "Succeeded", "Failed"), 0)
    for pod in pods:
        if _controlled_by(pod, rs) and pod_phase(pod) in counts:
            counts[pod_phase(pod)] += 1
    return (
        f"{counts['Running']} Running / {counts['Pending']} Waiting / "
        f"{counts['Succeeded']} Succeeded / {counts['Failed']} Failed"
    )


def describe_replicaset(rs: Obj, related: dict[str, list[Obj]], now: datetime) -> str:
    spec, status = spec_of(rs), status_of(rs)
    w = PrefixWriter()
    describe_header(w, rs, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    _write_controlled_by(w, rs)
    w.write(0, f"Replicas:\t{status.get('replicas', 0)} current / {spec.get('replicas', 1)} desired\n")
    w.write(0, f"Pods Status:\t{_pods_status(rs, related.get('pods') or [])}\n")
    describe_pod_template(w, spec.get("template"))
    _conditions_table(w, status.get("conditions") or [])
    describe_events(w, events_about(rs, related.get("events") or []), now)
    return w.render()
