"""The sandbox page's forms. They only parse types; what is valid is decided by the cluster's one
write path, and its Kubernetes field errors are shown next to the form field they concern.

Each form maps Kubernetes field paths (`spec.ports[1].nodePort`) to its own field names
(`ports-1-node_port`); a cause no field claims becomes a non-field error. The message shown is the
cause as kubectl prints it: `<field path>: <message>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from cluster.errors import ApiError
from cluster.models import Cluster, ProxyMode
from cluster.sim.objects import Obj

MAX_PORT_ROWS = 4
MAX_REPLICAS = 2000  # a simulator quota, not a Kubernetes rule: checked here, before the write path

SERVICE_TYPES = [("ClusterIP", "ClusterIP"), ("NodePort", "NodePort"), ("LoadBalancer", "LoadBalancer")]
PROTOCOLS = [("TCP", "TCP"), ("UDP", "UDP"), ("SCTP", "SCTP")]
SESSION_AFFINITIES = [("None", "None"), ("ClientIP", "ClientIP")]
TRAFFIC_POLICIES = [("", _("(default)")), ("Cluster", "Cluster"), ("Local", "Local")]
PORT_FIELDS = {"name": "name", "protocol": "protocol", "port": "port", "targetPort": "target_port",
               "nodePort": "node_port"}


def _within(path: str, prefix: str) -> bool:
    """`path` is `prefix` or one of its sub-fields (`spec.selector`, `spec.selector[app]`)."""
    return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))


def cause_text(cause: dict[str, Any]) -> str:
    field = cause.get("field") or ""
    message = cause.get("message") or ""
    return f"{field}: {message}" if field else message


# --- fields ---------------------------------------------------------------------------------------


class ApiChoiceField(forms.CharField):
    """A select whose value reaches the apiserver unchecked, so an unsupported value is answered
    with Kubernetes' own `Unsupported value` message rather than Django's."""

    def __init__(self, *, choices: Iterable[tuple[str, Any]], **kwargs: Any):
        kwargs.setdefault("required", False)
        super().__init__(widget=forms.Select(choices=list(choices)), **kwargs)


class LabelsField(forms.CharField):
    """`app=kubia,tier=web` <-> {"app": "kubia", "tier": "web"}; keys and values are the apiserver's
    to judge."""

    default_error_messages = {"pairs": _("Use key=value pairs separated by commas, e.g. app=kubia.")}

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return ",".join(f"{k}={v}" for k, v in value.items())
        return value

    def to_python(self, value: Any) -> dict[str, str]:  # type: ignore[override]
        text = super().to_python(value)
        labels: dict[str, str] = {}
        for pair in filter(None, (p.strip() for p in text.split(","))):
            key, sep, val = pair.partition("=")
            if not sep:
                raise ValidationError(self.error_messages["pairs"], code="pairs")
            labels[key.strip()] = val.strip()
        return labels


class PortOrNameField(forms.CharField):
    """A targetPort: a number (`8080`) or a container port's name (`http`); empty = the port."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | str | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        return int(text) if re.fullmatch(r"-?\d+", text) else text


def _optional_int(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(required=False, **kwargs)


# --- the base: action URL, title, Kubernetes errors -----------------------------------------------


class SandboxForm(forms.Form):
    """A form of the sandbox page: it knows where it posts and how to show an ApiError."""

    title: Any = ""
    submit_label: Any = _("Apply")
    # (Kubernetes field path, form field): the first that is the cause's field or holds it wins.
    field_paths: tuple[tuple[str, str], ...] = ()

    def __init__(self, *args: Any, action: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.action = action

    def form_field(self, path: str) -> str | None:
        for prefix, field in self.field_paths:
            if _within(path, prefix) and field in self.fields:
                return field
        return None

    def status_field(self, status: dict[str, Any]) -> str | None:
        """The field a Status without causes is about (e.g. AlreadyExists: the name)."""
        return None

    def add_api_error(self, error: ApiError) -> None:
        causes = error.causes if error.status.get("reason") == "Invalid" else []
        for cause in causes:
            if not cause.get("message"):
                continue
            self.add_error(self.form_field(cause.get("field") or ""), cause_text(cause))
        if not any(c.get("message") for c in causes):
            self.add_error(self.status_field(error.status), str(error.status.get("message") or error))

    def error_payload(self) -> dict[str, Any]:
        """`{"ok": false, "errors": {field: [...]}, "non_field_errors": [...]}`."""
        errors = {name: [str(m) for m in messages] for name, messages in self.errors.items()
                  if name != NON_FIELD_ERRORS}
        return {"ok": False, "errors": errors, "non_field_errors": [str(m) for m in self.non_field_errors()]}


class NamedObjectForm(SandboxForm):
    """Forms that create a named object: AlreadyExists belongs next to the name."""

    def status_field(self, status: dict[str, Any]) -> str | None:
        if status.get("reason") == "AlreadyExists" and "name" in self.fields:
            return "name"
        details = status.get("details") or {}
        if status.get("reason") == "NotFound" and details.get("kind") == "namespaces" and "namespace" in self.fields:
            return "namespace"
        return None


# --- Service --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortRow:
    """One row of port inputs, for templates: `{% for row in form.port_rows %}{{ row.port }}`."""

    index: int
    name: BoundField
    protocol: BoundField
    port: BoundField
    target_port: BoundField
    node_port: BoundField


def port_field_name(row: int, field: str) -> str:
    return f"ports-{row}-{field}"


class ServiceForm(NamedObjectForm):
    """Create (or edit) a Service: type, selector, affinity, traffic policies and up to 4 ports."""

    title = _("Create a Service")
    submit_label = _("Create")
    field_paths = (
        ("metadata.name", "name"),
        ("metadata.namespace", "namespace"),
        ("spec.type", "type"),
        ("spec.selector", "selector"),
        ("spec.sessionAffinityConfig", "session_affinity_timeout"),
        ("spec.sessionAffinity", "session_affinity"),
        ("spec.externalTrafficPolicy", "external_traffic_policy"),
        ("spec.internalTrafficPolicy", "internal_traffic_policy"),
    )

    name = forms.CharField(label=_("Name"), required=False, max_length=300)
    namespace = forms.CharField(label=_("Namespace"), required=False, initial="default", max_length=300)
    type = ApiChoiceField(label=_("Type"), choices=SERVICE_TYPES, initial="ClusterIP")
    selector = LabelsField(label=_("Selector"), help_text=_("key=value pairs separated by commas"))
    session_affinity = ApiChoiceField(label=_("Session affinity"), choices=SESSION_AFFINITIES, initial="None")
    session_affinity_timeout = _optional_int(label=_("Affinity timeout (seconds)"))
    external_traffic_policy = ApiChoiceField(label=_("External traffic policy"), choices=TRAFFIC_POLICIES)
    internal_traffic_policy = ApiChoiceField(label=_("Internal traffic policy"), choices=TRAFFIC_POLICIES)

    def __init__(self, *args: Any, port_rows: int = MAX_PORT_ROWS, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.row_count = max(port_rows, MAX_PORT_ROWS)
        for row in range(self.row_count):
            self.fields.update(self._port_fields(row))
        if editing:
            # The name and namespace come from the URL; an edit cannot rename.
            self.title = _("Edit Service")
            self.submit_label = _("Save")
            self.fields["name"].disabled = True
            self.fields["namespace"].disabled = True
        # spec.ports index -> row index, filled by spec(): empty rows are left out of spec.ports.
        self.row_of_port: list[int] = []

    @staticmethod
    def _port_fields(row: int) -> dict[str, forms.Field]:
        # Short labels: the page shows them as the port table's column heads ("Port 2: Node port").
        return {
            port_field_name(row, "name"): forms.CharField(label=_("Name"), required=False, max_length=300),
            port_field_name(row, "protocol"): ApiChoiceField(label=_("Protocol"), choices=PROTOCOLS, initial="TCP"),
            port_field_name(row, "port"): _optional_int(label=_("Port")),
            # Placeholders, not help texts: the table has no room for a help line under each cell.
            port_field_name(row, "target_port"): PortOrNameField(
                label=_("Target port"), widget=forms.TextInput(attrs={"placeholder": _("port, or a name")})),
            port_field_name(row, "node_port"): _optional_int(
                label=_("Node port"), widget=forms.NumberInput(attrs={"placeholder": _("auto")})),
        }

    @property
    def port_rows(self) -> list[PortRow]:
        return [PortRow(row, *(self[port_field_name(row, f)] for f in PORT_FIELDS.values()))
                for row in range(self.row_count)]

    def form_field(self, path: str) -> str | None:
        match = re.match(r"spec\.ports\[(\d+)\](?:\.(\w+))?", path)
        if match is None:
            return super().form_field(path)
        index, sub = int(match[1]), match[2]
        if index >= len(self.row_of_port):
            return None
        # A whole-port error (duplicate protocol/port pair) is shown at the port number.
        field = PORT_FIELDS.get(sub or "port")
        return port_field_name(self.row_of_port[index], field) if field else None

    def _row_filled(self, row: int) -> bool:
        keys = ("name", "port", "target_port", "node_port")
        return any(self.cleaned_data.get(port_field_name(row, k)) not in (None, "") for k in keys)

    def _port(self, row: int) -> Obj:
        value = lambda field: self.cleaned_data.get(port_field_name(row, field))  # noqa: E731
        port: Obj = {"port": value("port") or 0}  # a missing number is Go's zero value: the apiserver says so
        if value("name"):
            port["name"] = value("name")
        if value("protocol"):
            port["protocol"] = value("protocol")
        if value("target_port") is not None:
            port["targetPort"] = value("target_port")
        if value("node_port") is not None:
            port["nodePort"] = value("node_port")
        return port

    def spec(self) -> Obj:
        """The spec fields this form manages, from valid data (only filled port rows)."""
        data = self.cleaned_data
        self.row_of_port = [row for row in range(self.row_count) if self._row_filled(row)]
        spec: Obj = {"ports": [self._port(row) for row in self.row_of_port]}
        if data.get("type"):
            spec["type"] = data["type"]
        if data.get("selector"):
            spec["selector"] = data["selector"]
        affinity = data.get("session_affinity") or ""
        if affinity:
            spec["sessionAffinity"] = affinity
        if affinity == "ClientIP" and data.get("session_affinity_timeout") is not None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": data["session_affinity_timeout"]}}
        for field, key in (("external_traffic_policy", "externalTrafficPolicy"),
                           ("internal_traffic_policy", "internalTrafficPolicy")):
            if data.get(field):
                spec[key] = data[field]
        return spec

    def manifest(self) -> Obj:
        """A whole Service to create."""
        spec = self.spec()
        metadata = {"name": self.cleaned_data.get("name") or "",
                    "namespace": self.cleaned_data.get("namespace") or "default"}
        return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


# The spec fields an edit replaces; the rest (clusterIP, families, LB settings) is kept as stored.
SERVICE_FORM_SPEC_KEYS = ("type", "selector", "ports", "sessionAffinity", "sessionAffinityConfig",
                          "externalTrafficPolicy", "internalTrafficPolicy")


def _keep_unformed_port_fields(new_ports: list[Obj], old_ports: list[Obj]) -> None:
    """Port fields the form has no input for (appProtocol) survive an edit: a named port keeps
    those of the stored port with its name, an unnamed one those of the port it replaces."""
    by_name = {p["name"]: p for p in old_ports if p.get("name")}
    for index, port in enumerate(new_ports):
        old = by_name.get(port.get("name", "")) if port.get("name") else None
        if old is None and not port.get("name") and index < len(old_ports):
            old = old_ports[index]
        for key, value in (old or {}).items():
            if key not in PORT_FIELDS:
                port.setdefault(key, value)


def replace_service_spec(service: Obj, spec: Obj) -> Obj:
    """The edit's mutate step: the form's fields replace the stored ones."""
    stored = service.setdefault("spec", {})
    _keep_unformed_port_fields(spec.get("ports") or [], stored.get("ports") or [])
    for key in SERVICE_FORM_SPEC_KEYS:
        stored.pop(key, None)
    stored.update(spec)
    return service


def service_initial(service: Obj) -> dict[str, Any]:
    """A stored Service as ServiceForm initial data (for the edit form)."""
    meta, spec = service.get("metadata") or {}, service.get("spec") or {}
    client_ip = (spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}
    initial: dict[str, Any] = {
        "name": meta.get("name", ""),
        "namespace": meta.get("namespace", "default"),
        "type": spec.get("type") or "ClusterIP",
        "selector": LabelsField().prepare_value(spec.get("selector") or {}),
        "session_affinity": spec.get("sessionAffinity") or "None",
        "session_affinity_timeout": client_ip.get("timeoutSeconds"),
        "external_traffic_policy": spec.get("externalTrafficPolicy") or "",
        "internal_traffic_policy": spec.get("internalTrafficPolicy") or "",
    }
    for row, port in enumerate(spec.get("ports") or []):
        for key, field in PORT_FIELDS.items():
            value = port.get(key)
            initial[port_field_name(row, field)] = "" if value is None else value
    return initial


# --- workloads ------------------------------------------------------------------------------------


class WorkloadForm(NamedObjectForm):
    """A Deployment of pods labelled `labels`, listening on one container port."""

    title = _("Create a workload")
    submit_label = _("Create")
    _port = "spec.template.spec.containers[0].ports[0]"
    field_paths = (
        ("metadata.name", "name"),
        ("metadata.namespace", "namespace"),
        ("spec.replicas", "replicas"),
        ("spec.selector", "labels"),
        ("metadata.labels", "labels"),
        ("spec.template.metadata.labels", "labels"),
        (f"{_port}.containerPort", "container_port"),
        (f"{_port}.name", "port_name"),
        ("spec.template.spec.containers[0].name", "name"),
    )

    name = forms.CharField(label=_("Name"), required=False, max_length=300)
    namespace = forms.CharField(label=_("Namespace"), required=False, initial="default", max_length=300)
    replicas = _optional_int(label=_("Replicas"), initial=3, max_value=MAX_REPLICAS)
    labels = LabelsField(label=_("Pod labels"), initial="app=web",
                         help_text=_("key=value pairs separated by commas"))
    container_port = _optional_int(label=_("Container port"), initial=8080)
    port_name = forms.CharField(label=_("Port name"), required=False, initial="http", max_length=300)

    def workload_args(self) -> dict[str, Any]:
        data = self.cleaned_data
        replicas = data.get("replicas")
        return {
            "name": data.get("name") or "",
            "namespace": data.get("namespace") or "default",
            "replicas": 1 if replicas is None else replicas,  # the Deployment default
            "labels": data.get("labels") or {},
            "container_port": data.get("container_port") or 0,
            "port_name": data.get("port_name") or "",
        }


def split_workload_ref(ref: str) -> tuple[str, str]:
    """`namespace/name` or a bare `name` (in `default`)."""
    namespace, sep, name = ref.strip().rpartition("/")
    return (namespace or "default") if sep else "default", name


class ScaleForm(SandboxForm):
    """Set a Deployment's (or a standalone ReplicaSet's) replicas."""

    title = _("Scale a workload")
    submit_label = _("Scale")
    field_paths = (("spec.replicas", "replicas"),)

    workload = forms.CharField(label=_("Workload"), max_length=600,
                               help_text=_("namespace/name, or a name in the default namespace"))
    replicas = forms.IntegerField(label=_("Replicas"), min_value=0, max_value=MAX_REPLICAS)

    def __init__(self, *args: Any, workloads: Iterable[str] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [(ref, ref) for ref in workloads]
        if choices:
            self.fields["workload"].widget = forms.Select(choices=choices)

    def status_field(self, status: dict[str, Any]) -> str | None:
        return "workload" if status.get("reason") == "NotFound" else None


class NodeForm(SandboxForm):
    """Add a node (node-<n>, the next free number); it has no inputs."""

    title = _("Add a node")
    submit_label = _("Add node")


class SettingsForm(SandboxForm):
    """The sandbox's knobs: node-port range, slice size, kube-proxy mode, load-balancer pool."""

    title = _("Sandbox settings")
    submit_label = _("Save")
    field_paths = (
        ("nodePortRange", "node_port_range"),
        ("maxEndpointsPerSlice", "max_endpoints_per_slice"),
        ("proxyMode", "proxy_mode"),
        ("lbPool", "lb_pool"),
    )

    node_port_range = forms.CharField(label=_("Node-port range"), max_length=20,
                                      help_text=_("like 30000-32767"))
    max_endpoints_per_slice = forms.IntegerField(label=_("Max endpoints per EndpointSlice"))
    proxy_mode = ApiChoiceField(label=_("kube-proxy mode"), choices=ProxyMode.choices, required=True)
    lb_pool = forms.CharField(
        label=_("Load-balancer address pool"), required=False, max_length=2000,
        help_text=_("addresses, ranges or CIDRs separated by commas; empty: LoadBalancers stay <pending>"))

    @staticmethod
    def initial_for(cluster: Cluster) -> dict[str, Any]:
        return {
            "node_port_range": f"{cluster.node_port_min}-{cluster.node_port_max}",
            "max_endpoints_per_slice": cluster.max_endpoints_per_slice,
            "proxy_mode": cluster.proxy_mode,
            "lb_pool": ", ".join(cluster.lb_pool or []),
        }

    def settings_args(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "node_port_range": data["node_port_range"].strip(),
            "max_endpoints_per_slice": data["max_endpoints_per_slice"],
            "proxy_mode": data["proxy_mode"],
            "lb_pool": [entry.strip() for entry in (data.get("lb_pool") or "").split(",") if entry.strip()],
        }


# --- per-object actions ---------------------------------------------------------------------------


class ReadinessForm(SandboxForm):
    """`ready` = "true" | "false"; left out, the pod's readiness is flipped (a one-button toggle)."""

    ready = forms.TypedChoiceField(label=_("Ready"), choices=[("true", "true"), ("false", "false")],
                                   coerce=lambda value: value == "true", required=False, empty_value=None)


class PodDeleteForm(SandboxForm):
    graceful = forms.BooleanField(label=_("Graceful (stay Terminating first)"), required=False)


class ObjectActionForm(SandboxForm):
    """Actions without inputs (delete a Service, a workload, a node)."""
