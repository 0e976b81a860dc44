"""Validation messages, checked against the exact texts kube-apiserver and kubectl print.

Service cases run the real pipeline: defaulting (or the update strategy), then validation, then the
422 Status and kubectl's rendering of it.
"""

from __future__ import annotations

from typing import Any

import pytest

from cluster.sim.api.defaults import default_deployment, default_pod, default_replicaset, default_service
from cluster.sim.api.fielderrors import (
    FieldError,
    GoRaw,
    go_quote,
    go_repr,
    invalid_status,
    kubectl_error_text,
    status_already_exists,
    status_bad_request,
    status_conflict,
    status_forbidden,
    status_internal_error,
    status_not_found,
)
from cluster.sim.objects import ClusterSettings
from cluster.sim.validation.validation import (
    prepare_service_update,
    validate,
    validate_name,
    validate_service,
    validate_service_update,
)

SETTINGS = ClusterSettings()

DNS1035 = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
DNS1123_LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1123_SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    r"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_VALUE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
LABEL_KEY_NAME = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
PORT_RANGE = "must be between 1 and 65535, inclusive"
TCP80_DUMP = (
    'core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, '
    'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}'
)


def manifest(name: str = "kubia", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
    }


def web(**extra: Any) -> list[dict[str, Any]]:
    return [{"port": 80, "targetPort": 8080, **extra}]


def create_errors(svc: dict[str, Any], *, relaxed: bool = False) -> list[FieldError]:
    return validate_service(default_service(svc), settings=SETTINGS, relaxed_names=relaxed)


def message_of(kind: str, name: str, errors: list[FieldError], group: str = "") -> str:
    return invalid_status(kind, group, name, errors)["message"]


def kubectl_of(kind: str, name: str, errors: list[FieldError], group: str = "") -> str:
    return kubectl_error_text(invalid_status(kind, group, name, errors))


def stored(svc: dict[str, Any], cluster_ip: str = "10.96.12.34") -> dict[str, Any]:
    """A created Service as the store holds it: defaulted and allocated."""
    out = default_service(svc)
    if out["spec"].get("type") != "ExternalName":
        out["spec"]["clusterIP"] = cluster_ip
        out["spec"]["clusterIPs"] = [cluster_ip]
    return out


# --- reference §11 validation cases, single cause -------------------------------------------------

SINGLE_CAUSE_CASES = [
    pytest.param(
        manifest("My_Svc", ports=web()),
        f'metadata.name: Invalid value: "My_Svc": {DNS1035}',
        id="case-14",
    ),
    pytest.param(
        manifest("1kubia", ports=web()),
        f'metadata.name: Invalid value: "1kubia": {DNS1035}',
        id="case-15",
    ),
    pytest.param(
        manifest("a" * 64, ports=web()),
        f'metadata.name: Invalid value: "{"a" * 64}": must be no more than 63 characters',
        id="case-16",
    ),
    pytest.param(
        manifest(ports=[{"port": 0, "targetPort": 8080}]),
        f"spec.ports[0].port: Invalid value: 0: {PORT_RANGE}",
        id="case-18",
    ),
    pytest.param(
        manifest(ports=[{"port": 65536, "targetPort": 8080}]),
        f"spec.ports[0].port: Invalid value: 65536: {PORT_RANGE}",
        id="case-18-65536",
    ),
    pytest.param(
        manifest(ports=web(protocol="HTTP")),
        'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        id="case-19",
    ),
    pytest.param(
        manifest(ports=[{"port": 80, "targetPort": "web-http-server-1"}]),
        'spec.ports[0].targetPort: Invalid value: "web-http-server-1": must be no more than 15 characters',
        id="case-20",
    ),
    pytest.param(
        manifest(ports=[{"name": "http", "port": 80}, {"name": "http", "port": 81}]),
        'spec.ports[1].name: Duplicate value: "http"',
        id="case-21",
    ),
    pytest.param(
        manifest(ports=[{"name": "a", "port": 80}, {"name": "b", "port": 80, "targetPort": 8080}]),
        f"spec.ports[1]: Duplicate value: {TCP80_DUMP}",
        id="case-22",
    ),
    pytest.param(
        manifest(
            ports=web(),
            sessionAffinity="ClientIP",
            sessionAffinityConfig={"clientIP": {"timeoutSeconds": 86401}},
        ),
        "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: "
        "must be greater than 0 and less than 86400",
        id="case-24",
    ),
    pytest.param(
        manifest(ports=web(), externalTrafficPolicy="Local"),
        'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
        id="case-25",
    ),
    pytest.param(
        manifest(ports=web(nodePort=30123)),
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
        id="case-8",
    ),
    # --- the rest of §3.2 --------------------------------------------------------------------------
    pytest.param(manifest(), "spec.ports: Required value", id="ports-required"),
    pytest.param(
        manifest(ports=[{"name": "Web", "port": 80}]),
        f'spec.ports[0].name: Invalid value: "Web": {DNS1123_LABEL}',
        id="port-name-dns-label",
    ),
    pytest.param(
        manifest(ports=[{"name": "web.v1", "port": 80}]),
        'spec.ports[0].name: Invalid value: "web.v1": must not contain dots',
        id="port-name-dots",
    ),
    pytest.param(
        manifest(ports=[{"port": 80, "targetPort": "8080"}]),
        'spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)',
        id="target-port-digits-string",
    ),
    pytest.param(
        manifest(ports=[{"port": 80, "targetPort": "web--x"}]),
        'spec.ports[0].targetPort: Invalid value: "web--x": must not contain consecutive hyphens',
        id="target-port-double-hyphen",
    ),
    pytest.param(
        manifest(ports=[{"port": 80, "targetPort": "web-"}]),
        'spec.ports[0].targetPort: Invalid value: "web-": must not begin or end with a hyphen',
        id="target-port-trailing-hyphen",
    ),
    pytest.param(
        manifest(ports=[{"port": 80, "targetPort": 70000}]),
        f"spec.ports[0].targetPort: Invalid value: 70000: {PORT_RANGE}",
        id="target-port-number-range",
    ),
    pytest.param(
        manifest(type="Headless", ports=web()),
        'spec.type: Unsupported value: "Headless": supported values: "ClusterIP", "ExternalName", '
        '"LoadBalancer", "NodePort"',
        id="type-unsupported",
    ),
    pytest.param(
        manifest(type="NodePort", clusterIP="None", ports=web()),
        "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
        id="headless-nodeport",
    ),
    pytest.param(
        manifest(type="LoadBalancer", clusterIP="None", ports=web()),
        "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services",
        id="headless-loadbalancer",
    ),
    pytest.param(
        manifest(
            type="NodePort",
            ports=[
                {"name": "a", "port": 80, "nodePort": 30100},
                {"name": "b", "port": 81, "nodePort": 30100},
            ],
        ),
        "spec.ports[1].nodePort: Duplicate value: 30100",
        id="duplicate-nodeport",
    ),
    pytest.param(
        manifest(type="ExternalName"),
        "spec.externalName: Required value",
        id="externalname-required",
    ),
    pytest.param(
        manifest(type="ExternalName", externalName="Bad_Host"),
        f'spec.externalName: Invalid value: "Bad_Host": {DNS1123_SUBDOMAIN}',
        id="externalname-subdomain",
    ),
    pytest.param(
        manifest(type="ExternalName", externalName="db.example.com", clusterIP="10.96.0.50"),
        "spec.clusterIPs: Forbidden: may not be set for ExternalName services",
        id="externalname-clusterip",
    ),
    pytest.param(
        manifest(ports=web(), sessionAffinity="Sticky"),
        'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
        id="session-affinity-unsupported",
    ),
    pytest.param(
        manifest(
            ports=web(), sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 0}}
        ),
        "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: "
        "must be greater than 0 and less than 86400",
        id="session-affinity-timeout-zero",
    ),
    pytest.param(
        manifest(type="NodePort", ports=web(), externalTrafficPolicy="Global"),
        'spec.externalTrafficPolicy: Unsupported value: "Global": supported values: "Cluster", "Local"',
        id="external-traffic-policy-unsupported",
    ),
    pytest.param(
        manifest(ports=web(), internalTrafficPolicy="Node"),
        'spec.internalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"',
        id="internal-traffic-policy-unsupported",
    ),
    pytest.param(
        manifest(ports=web(), loadBalancerSourceRanges=["10.0.0.0/8"]),
        "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
        id="source-ranges-not-lb",
    ),
    pytest.param(
        manifest(type="LoadBalancer", ports=web(), loadBalancerSourceRanges=["10.0.0.0/33"]),
        'spec.LoadBalancerSourceRanges[0]: Invalid value: "10.0.0.0/33": '
        "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
        id="source-ranges-cidr",
    ),
    pytest.param(
        manifest(type="NodePort", ports=web(), allocateLoadBalancerNodePorts=False),
        "spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'",
        id="allocate-lb-node-ports-not-lb",
    ),
    pytest.param(
        manifest(type="NodePort", ports=web(), healthCheckNodePort=30500),
        "spec.healthCheckNodePort: Invalid value: 30500: may only be set when `type` is 'LoadBalancer' "
        "and `externalTrafficPolicy` is 'Local'",
        id="health-check-not-lb-local",
    ),
    pytest.param(
        manifest(ports=web(), selector={"app": "kubia!"}),
        f'spec.selector: Invalid value: "kubia!": {LABEL_VALUE}',
        id="selector-label-value",
    ),
    pytest.param(
        {
            **manifest(ports=web()),
            "metadata": {"name": "kubia", "namespace": "default", "labels": {"-app": "x"}},
        },
        f'metadata.labels: Invalid value: "-app": {LABEL_KEY_NAME}',
        id="metadata-label-key",
    ),
    pytest.param(
        manifest(ports=web(), clusterIP="abc"),
        'spec.clusterIPs[0]: Invalid value: "abc": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        id="clusterip-not-an-ip",
    ),
    pytest.param(
        manifest(ports=web(), clusterIP="10.96.0.50", clusterIPs=["10.96.0.51"]),
        'spec.clusterIPs: Invalid value: []string{"10.96.0.51"}: first value must match `clusterIP`',
        id="clusterips-first-must-match",
    ),
    pytest.param(
        manifest(ports=web(), clusterIPs=["10.96.0.51"]),
        'spec.clusterIPs: Invalid value: []string{"10.96.0.51"}: must be empty when `clusterIP` is not specified',
        id="clusterips-without-clusterip",
    ),
    pytest.param(
        manifest(ports=web(), ipFamilyPolicy="RequireDualStack"),
        'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
        id="dual-stack-on-single-stack",
    ),
    pytest.param(
        manifest(ports=web(), trafficDistribution="PreferFar"),
        'spec.trafficDistribution: Unsupported value: "PreferFar": supported values: "PreferClose"',
        id="traffic-distribution",
    ),
]


@pytest.mark.parametrize(("svc", "error"), SINGLE_CAUSE_CASES)
def test_service_single_cause(svc: dict[str, Any], error: str) -> None:
    errors = create_errors(svc)
    name = svc["metadata"]["name"]
    assert [str(e) for e in errors] == [error]
    assert message_of("Service", name, errors) == f'Service "{name}" is invalid: {error}'
    assert kubectl_of("Service", name, errors) == f'The Service "{name}" is invalid: {error}'


# --- several causes: the apiserver brackets them, kubectl bullets them ----------------------------

MULTI_CAUSE_CASES = [
    pytest.param(
        manifest(ports=[{"port": 80}, {"port": 81}]),
        ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"],
        id="case-17",
    ),
    pytest.param(
        # Without a targetPort, port 0 is copied into targetPort, which fails too.
        manifest(ports=[{"port": 0}]),
        [
            f"spec.ports[0].port: Invalid value: 0: {PORT_RANGE}",
            f"spec.ports[0].targetPort: Invalid value: 0: {PORT_RANGE}",
        ],
        id="case-18-defaulted-target-port",
    ),
    pytest.param(
        manifest("Bad_Name", ports=web(protocol="HTTP")),
        [
            f'metadata.name: Invalid value: "Bad_Name": {DNS1035}',
            'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        ],
        id="name-and-protocol",
    ),
]


@pytest.mark.parametrize(("svc", "errors"), MULTI_CAUSE_CASES)
def test_service_multiple_causes(svc: dict[str, Any], errors: list[str]) -> None:
    found = create_errors(svc)
    name = svc["metadata"]["name"]
    assert [str(e) for e in found] == errors
    assert message_of("Service", name, found) == f'Service "{name}" is invalid: [{", ".join(errors)}]'
    expected = "\n".join([f'The Service "{name}" is invalid: ', *(f"* {e}" for e in errors)])
    assert kubectl_of("Service", name, found) == expected


VALID_SERVICES = [
    pytest.param(
        manifest(ports=[{"name": "dns", "port": 53}, {"name": "dns-udp", "port": 53, "protocol": "UDP"}]),
        id="case-22-tcp-udp",
    ),
    pytest.param(manifest("1kubia", ports=web()), id="case-15-relaxed"),
    pytest.param(manifest(clusterIP="None", selector={"app": "kubia"}), id="headless-without-ports"),
    pytest.param(
        manifest(type="ExternalName", externalName="db.example.com."), id="externalname-trailing-dot"
    ),
    pytest.param(manifest(ports=web(), sessionAffinity="ClientIP"), id="case-24-defaulted-timeout"),
    pytest.param(
        manifest(
            type="NodePort",
            ports=[
                {"name": "a", "port": 80, "nodePort": 30200},
                {"name": "b", "port": 81, "protocol": "UDP", "nodePort": 30200},
            ],
        ),
        id="case-11-validation-passes",
    ),
    pytest.param(
        manifest(type="LoadBalancer", ports=web(), allocateLoadBalancerNodePorts=False), id="case-12"
    ),
    pytest.param(manifest(type="LoadBalancer", ports=web(), externalTrafficPolicy="Local"), id="case-13"),
    pytest.param(
        manifest(ports=web(), sessionAffinityConfig={"clientIP": {"timeoutSeconds": 5}}),
        id="none-affinity-config-dropped",
    ),
]


@pytest.mark.parametrize("svc", VALID_SERVICES)
def test_valid_services(svc: dict[str, Any]) -> None:
    assert create_errors(svc, relaxed=svc["metadata"]["name"][0].isdigit()) == []


def test_session_affinity_config_forbidden_with_none_when_not_defaulted() -> None:
    svc = default_service(manifest(ports=web()))
    svc["spec"]["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 5}}
    errors = validate_service(svc, settings=SETTINGS)
    assert [str(e) for e in errors] == [
        "spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None"
    ]


def test_headless_selectorless_may_list_both_families() -> None:
    svc = default_service(manifest(clusterIP="None"))
    assert svc["spec"]["ipFamilyPolicy"] == "RequireDualStack"
    assert svc["spec"]["ipFamilies"] == ["IPv4", "IPv6"]
    assert validate_service(svc, settings=SETTINGS) == []


# --- updates --------------------------------------------------------------------------------------


def update_errors(new: dict[str, Any], old: dict[str, Any]) -> list[FieldError]:
    return validate("Service", prepare_service_update(new, old), old=old, settings=SETTINGS)


def test_case_23_cluster_ip_is_immutable() -> None:
    old = stored(manifest(ports=web()))
    errors = update_errors(manifest(ports=web(), clusterIP="10.96.99.99"), old)
    assert kubectl_of("Service", "kubia", errors) == (
        'The Service "kubia" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.99.99"}: may not change once set'
    )


def test_resubmitting_the_manifest_keeps_allocated_values() -> None:
    old = stored(manifest(type="NodePort", ports=web()))
    old["spec"]["ports"][0]["nodePort"] = 31000
    prepared = prepare_service_update(manifest(type="NodePort", ports=web()), old)
    assert prepared["spec"]["clusterIPs"] == ["10.96.12.34"]
    assert prepared["spec"]["ports"][0]["nodePort"] == 31000
    assert validate("Service", prepared, old=old, settings=SETTINGS) == []


def test_case_9_switch_to_cluster_ip_wipes_unchanged_node_ports() -> None:
    old = stored(manifest("kubia-nodeport", type="NodePort", ports=web(nodePort=30123)))
    applied = manifest(
        "kubia-nodeport", type="ClusterIP", ports=web(nodePort=30123), externalTrafficPolicy="Cluster"
    )
    prepared = prepare_service_update(applied, old)
    assert "nodePort" not in prepared["spec"]["ports"][0]
    assert "externalTrafficPolicy" not in prepared["spec"]
    assert validate("Service", prepared, old=old, settings=SETTINGS) == []


def test_switch_to_cluster_ip_with_a_new_node_port_is_forbidden() -> None:
    old = stored(manifest(type="NodePort", ports=web(nodePort=30123)))
    errors = update_errors(manifest(type="ClusterIP", ports=web(nodePort=30124)), old)
    assert [str(e) for e in errors] == [
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
    ]


def test_switch_to_external_name_drops_cluster_ip_fields() -> None:
    old = stored(manifest(ports=web()))
    applied = manifest(
        type="ExternalName", externalName="db.example.com", clusterIP="10.96.12.34", ports=web()
    )
    prepared = prepare_service_update(applied, old)
    assert not {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"} & prepared["spec"].keys()
    assert validate("Service", prepared, old=old, settings=SETTINGS) == []


def test_external_name_to_cluster_ip_is_exempt_from_immutability() -> None:
    old = stored(manifest(type="ExternalName", externalName="db.example.com"))
    assert update_errors(manifest(ports=web(), clusterIP="10.96.0.77"), old) == []


def test_primary_cluster_ip_can_not_be_unset() -> None:
    old = stored(manifest(ports=web()))
    new = default_service(manifest(ports=web()))  # validated without the strategy that would re-fill it
    errors = validate_service_update(new, old, settings=SETTINGS)
    assert (
        str(errors[0])
        == "spec.clusterIPs[0]: Invalid value: []string(nil): primary clusterIP can not be unset"
    )


def test_health_check_node_port_is_immutable() -> None:
    old = stored(manifest(type="LoadBalancer", ports=web(nodePort=30001), externalTrafficPolicy="Local"))
    old["spec"]["healthCheckNodePort"] = 30500
    errors = update_errors(
        manifest(
            type="LoadBalancer",
            ports=web(nodePort=30001),
            externalTrafficPolicy="Local",
            healthCheckNodePort=30501,
        ),
        old,
    )
    assert [str(e) for e in errors] == ["spec.healthCheckNodePort: Forbidden: field is immutable"]


def test_ip_families_may_not_change() -> None:
    old = stored(manifest(ports=web()))
    errors = update_errors(manifest(ports=web(), ipFamilies=["IPv6"]), old)
    assert str(errors[0]) == 'spec.ipFamilies[0]: Invalid value: []string{"IPv6"}: may not change once set'


def test_update_keeps_status_and_clears_lb_status_on_type_change() -> None:
    old = stored(manifest(type="LoadBalancer", ports=web(nodePort=30001)))
    old["status"] = {"loadBalancer": {"ingress": [{"ip": "192.168.1.240", "ipMode": "VIP"}]}}
    assert prepare_service_update(manifest(type="LoadBalancer", ports=web()), old)["status"] == old["status"]
    assert prepare_service_update(manifest(type="NodePort", ports=web()), old)["status"] == {
        "loadBalancer": {}
    }


def test_name_is_immutable() -> None:
    old = stored(manifest(ports=web()))
    errors = update_errors(manifest("other", ports=web()), old)
    assert str(errors[0]) == 'metadata.name: Invalid value: "other": field is immutable'


# --- names per kind -------------------------------------------------------------------------------

NAME_CASES = [
    pytest.param(
        "Service", "web.v1", f'metadata.name: Invalid value: "web.v1": {DNS1035}', id="service-dns1035"
    ),
    pytest.param(
        "Namespace",
        "team.a",
        'metadata.name: Invalid value: "team.a": must not contain dots',
        id="namespace-dots",
    ),
    pytest.param(
        "Namespace", "Team", f'metadata.name: Invalid value: "Team": {DNS1123_LABEL}', id="namespace-label"
    ),
    pytest.param(
        "Pod", "Kubia_1", f'metadata.name: Invalid value: "Kubia_1": {DNS1123_SUBDOMAIN}', id="pod-subdomain"
    ),
    pytest.param(
        "Node", "", "metadata.name: Required value: name or generateName is required", id="name-required"
    ),
]


@pytest.mark.parametrize(("kind", "name", "error"), NAME_CASES)
def test_validate_name(kind: str, name: str, error: str) -> None:
    assert [str(e) for e in validate_name(kind, name)] == [error]


def test_subdomain_names_accept_dots_and_generate_name_prefixes() -> None:
    assert validate_name("Pod", "kubia.v1") == []
    assert validate_name("Service", "", generate_name="kubia-") == [
        FieldError("metadata.name", "Required value", "", "name or generateName is required")
    ]


# --- other kinds ----------------------------------------------------------------------------------


def pod(containers: list[dict[str, Any]] | None = None, **meta: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "kubia", "namespace": "default", **meta},
        "spec": {"containers": containers or []},
    }


def deployment(selector: Any, labels: dict[str, str] | None, replicas: int = 3) -> dict[str, Any]:
    template: dict[str, Any] = {"spec": {"containers": [{"name": "kubia", "image": "luksa/kubia"}]}}
    if labels is not None:
        template["metadata"] = {"labels": labels}
    spec: dict[str, Any] = {"replicas": replicas, "template": template}
    if selector is not None:
        spec["selector"] = selector
    return {"metadata": {"name": "kubia", "namespace": "default"}, "spec": spec}


OTHER_KIND_CASES = [
    pytest.param(
        "Pod", default_pod(pod()), ["spec.containers: Required value"], id="pod-containers-required"
    ),
    pytest.param(
        "Pod",
        default_pod(pod([{"image": "luksa/kubia"}])),
        ["spec.containers[0].name: Required value"],
        id="pod-container-name-required",
    ),
    pytest.param(
        "Pod",
        default_pod(pod([{"name": "Kubia", "image": "luksa/kubia"}])),
        [f'spec.containers[0].name: Invalid value: "Kubia": {DNS1123_LABEL}'],
        id="pod-container-name-label",
    ),
    pytest.param(
        "Pod",
        default_pod(pod([{"name": "kubia", "image": "luksa/kubia", "ports": [{"containerPort": 70000}]}])),
        [f"spec.containers[0].ports[0].containerPort: Invalid value: 70000: {PORT_RANGE}"],
        id="pod-container-port-range",
    ),
    pytest.param(
        "Pod",
        default_pod(
            pod(
                [
                    {
                        "name": "kubia",
                        "image": "luksa/kubia",
                        "ports": [{"name": "http_web", "containerPort": 80}],
                    }
                ]
            )
        ),
        [
            'spec.containers[0].ports[0].name: Invalid value: "http_web": '
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
        ],
        id="pod-port-name-iana",
    ),
    pytest.param(
        "Pod",
        default_pod(
            pod(
                [
                    {
                        "name": "kubia",
                        "image": "luksa/kubia",
                        "ports": [
                            {"name": "http", "containerPort": 80},
                            {"name": "http", "containerPort": 81},
                        ],
                    }
                ]
            )
        ),
        ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
        id="pod-port-name-duplicate",
    ),
    pytest.param(
        "Pod",
        default_pod(pod([{"name": "kubia", "image": "luksa/kubia"}], labels={"app": "kubia!"})),
        [f'metadata.labels: Invalid value: "kubia!": {LABEL_VALUE}'],
        id="pod-labels",
    ),
    pytest.param(
        "Deployment",
        default_deployment(deployment(None, {"app": "kubia"})),
        [
            "spec.selector: Required value",
            # a missing selector selects nothing, so the template cannot match it either
            'spec.template.metadata.labels: Invalid value: map[string]string{"app":"kubia"}: '
            "`selector` does not match template `labels`",
        ],
        id="deployment-selector-required",
    ),
    pytest.param(
        "Deployment",
        default_deployment(deployment({"matchLabels": {"app": "kubia"}}, {"app": "x"})),
        [
            'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'
        ],
        id="deployment-selector-mismatch",
    ),
    pytest.param(
        "Deployment",
        default_deployment(deployment({"matchLabels": {"app": "kubia"}}, {"app": "kubia"}, replicas=-1)),
        ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
        id="deployment-replicas-negative",
    ),
    pytest.param(
        "ReplicaSet",
        default_replicaset(deployment({"matchLabels": {"app": "kubia"}}, None)),
        [
            "spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`"
        ],
        id="replicaset-template-without-labels",
    ),
    pytest.param(
        "ReplicaSet",
        default_replicaset(deployment({}, {"app": "kubia"})),
        [
            "spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{},"
            "MatchExpressions:[]LabelSelectorRequirement{},}: empty selector is invalid for deployment"
        ],
        id="replicaset-empty-selector",
    ),
    pytest.param(
        "Endpoints",
        {
            "metadata": {"name": "kubia", "namespace": "default"},
            "subsets": [{"addresses": [{"ip": "10.1.1"}], "ports": [{"port": 8080, "protocol": "TCP"}]}],
        },
        [
            'subsets[0].addresses[0].ip: Invalid value: "10.1.1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
            'subsets[0].addresses[0].ip: Invalid value: "10.1.1": must be a valid IP address',
        ],
        id="endpoints-bad-ip",
    ),
    pytest.param(
        "Endpoints",
        {
            "metadata": {"name": "kubia", "namespace": "default"},
            "subsets": [{"addresses": [{"ip": "127.0.0.1"}], "ports": [{"port": 8080, "protocol": "TCP"}]}],
        },
        [
            'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'
        ],
        id="endpoints-loopback",
    ),
    pytest.param(
        "Namespace",
        {"metadata": {"name": "team.a"}},
        ['metadata.name: Invalid value: "team.a": must not contain dots'],
        id="namespace",
    ),
    pytest.param(
        "Node",
        {"metadata": {"name": "node-1"}, "spec": {"podCIDR": "10.244.1.0/33"}},
        [
            'spec.podCIDRs[0]: Invalid value: "10.244.1.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'
        ],
        id="node-pod-cidr",
    ),
]


@pytest.mark.parametrize(("kind", "obj", "errors"), OTHER_KIND_CASES)
def test_other_kinds(kind: str, obj: dict[str, Any], errors: list[str]) -> None:
    assert [str(e) for e in validate(kind, obj, settings=SETTINGS)] == errors


def test_deployment_status_message_is_group_qualified() -> None:
    manifest = deployment({"matchLabels": {"app": "kubia"}}, {"app": "kubia"}, replicas=-1)
    errors = validate("Deployment", default_deployment(manifest), settings=SETTINGS)
    status = invalid_status("Deployment", "apps", "kubia", errors)
    error = "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
    assert status["message"] == f'Deployment.apps "kubia" is invalid: {error}'
    assert status["details"] == {
        "name": "kubia",
        "group": "apps",
        "kind": "Deployment",
        "causes": [
            {
                "reason": "FieldValueInvalid",
                "message": "Invalid value: -1: must be greater than or equal to 0",
                "field": "spec.replicas",
            }
        ],
    }
    assert kubectl_error_text(status) == f'The Deployment "kubia" is invalid: {error}'


def test_deployment_selector_is_immutable() -> None:
    old = default_deployment(deployment({"matchLabels": {"app": "kubia"}}, {"app": "kubia", "v": "2"}))
    new = default_deployment(
        deployment({"matchLabels": {"app": "kubia", "v": "2"}}, {"app": "kubia", "v": "2"})
    )
    errors = validate("Deployment", new, old=old, settings=SETTINGS)
    assert [str(e) for e in errors] == [
        "spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{app: kubia,v: 2,},"
        "MatchExpressions:[]LabelSelectorRequirement{},}: field is immutable"
    ]


def test_valid_workloads() -> None:
    good = deployment({"matchLabels": {"app": "kubia"}}, {"app": "kubia"})
    assert validate("Deployment", default_deployment(good), settings=SETTINGS) == []
    assert validate("ReplicaSet", default_replicaset(good), settings=SETTINGS) == []
    assert (
        validate("Pod", default_pod(pod([{"name": "kubia", "image": "luksa/kubia"}])), settings=SETTINGS)
        == []
    )


# --- Status objects and kubectl -------------------------------------------------------------------


def test_invalid_status_shape() -> None:
    errors = create_errors(manifest(ports=web(protocol="HTTP")))
    assert invalid_status("Service", "", "kubia", errors) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'Service "kubia" is invalid: spec.ports[0].protocol: Unsupported value: "HTTP": '
        'supported values: "SCTP", "TCP", "UDP"',
        "reason": "Invalid",
        "details": {
            "name": "kubia",
            "kind": "Service",
            "causes": [
                {
                    "reason": "FieldValueNotSupported",
                    "message": 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
                    "field": "spec.ports[0].protocol",
                }
            ],
        },
        "code": 422,
    }


def test_repeated_causes_are_shown_once() -> None:
    twice = [FieldError("metadata.labels", "Invalid value", "-a", "bad")] * 2
    status = invalid_status("Service", "", "kubia", twice)
    assert status["message"] == 'Service "kubia" is invalid: metadata.labels: Invalid value: "-a": bad'
    assert len(status["details"]["causes"]) == 2
    assert (
        kubectl_error_text(status)
        == 'The Service "kubia" is invalid: metadata.labels: Invalid value: "-a": bad'
    )


STATUS_CASES = [
    pytest.param(
        status_not_found("services", "kubia"),
        404,
        'Error from server (NotFound): services "kubia" not found',
        id="not-found",
    ),
    pytest.param(
        status_not_found("deployments", "kubia", group="apps"),
        404,
        'Error from server (NotFound): deployments.apps "kubia" not found',
        id="not-found-group",
    ),
    pytest.param(
        status_already_exists("services", "kubia"),
        409,
        'Error from server (AlreadyExists): services "kubia" already exists',
        id="already-exists",
    ),
    pytest.param(
        status_conflict("services", "kubia"),
        409,
        'Error from server (Conflict): Operation cannot be fulfilled on services "kubia": the object has been '
        "modified; please apply your changes to the latest version and try again",
        id="conflict",
    ),
    pytest.param(
        status_conflict("deployments", "kubia", "apps"),
        409,
        'Error from server (Conflict): Operation cannot be fulfilled on deployments.apps "kubia": the object '
        "has been modified; please apply your changes to the latest version and try again",
        id="conflict-group",
    ),
    pytest.param(
        status_bad_request("the server rejected our request"),
        400,
        "Error from server (BadRequest): the server rejected our request",
        id="bad-request",
    ),
    pytest.param(
        status_internal_error("failed to allocate a nodePort: range is full"),
        500,
        "Error from server (InternalError): Internal error occurred: failed to allocate a nodePort: range is full",
        id="internal-error",
    ),
    pytest.param(
        status_forbidden(
            "services",
            "kubia",
            "unable to create new content in namespace demo because it is being terminated",
        ),
        403,
        'Error from server (Forbidden): services "kubia" is forbidden: unable to create new content in namespace '
        "demo because it is being terminated",
        id="forbidden",
    ),
]


@pytest.mark.parametrize(("status", "code", "text"), STATUS_CASES)
def test_other_statuses(status: dict[str, Any], code: int, text: str) -> None:
    assert status["code"] == code
    assert status["status"] == "Failure"
    assert kubectl_error_text(status) == text


def test_kubectl_names_the_manifest_for_non_invalid_errors() -> None:
    text = kubectl_error_text(status_already_exists("services", "kubia"), source="kubia-svc.yaml")
    assert (
        text
        == 'Error from server (AlreadyExists): error when creating "kubia-svc.yaml": services "kubia" already exists'
    )


# --- Go rendering ---------------------------------------------------------------------------------

GO_REPR_CASES = [
    pytest.param(30123, "30123", id="int"),
    pytest.param("HTTP", '"HTTP"', id="string"),
    pytest.param('a"b\\c\n', '"a\\"b\\\\c\\n"', id="string-escapes"),
    pytest.param("\x01é", '"\\x01é"', id="control-and-unicode"),
    pytest.param(["10.96.0.1"], '[]string{"10.96.0.1"}', id="string-slice"),
    pytest.param(["a", "b"], '[]string{"a", "b"}', id="string-slice-two"),
    pytest.param({"b": "2", "a": "1"}, 'map[string]string{"a":"1", "b":"2"}', id="map-sorted"),
    pytest.param(None, "null", id="nil"),
    pytest.param(True, "true", id="bool"),
    pytest.param(GoRaw("[]string(nil)"), "[]string(nil)", id="raw"),
]


@pytest.mark.parametrize(("value", "text"), GO_REPR_CASES)
def test_go_repr(value: Any, text: str) -> None:
    assert go_repr(value) == text


def test_field_error_rendering_omits_values_where_go_does() -> None:
    assert str(FieldError("spec.ports", "Required value", "")) == "spec.ports: Required value"
    assert str(FieldError("spec.x", "Forbidden", "ignored", "why")) == "spec.x: Forbidden: why"
    assert str(FieldError("spec.x", "Invalid value", 7)) == "spec.x: Invalid value: 7"
    assert FieldError("spec.x", "Duplicate value", 1).reason == "FieldValueDuplicate"
    assert go_quote("tab\there") == '"tab\\there"'
