"""Defaulting: what the apiserver stores for fields the user left out."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cluster.sim.api.defaults import (
    apply_service_api_defaults,
    default_deployment,
    default_endpoints,
    default_namespace,
    default_node,
    default_pod,
    default_replicaset,
    default_service,
    normalize_cluster_ips,
)
from cluster.sim.objects import ClusterSettings


def svc(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kubia", "namespace": "default"},
        "spec": spec,
    }


def test_cluster_ip_service_defaults() -> None:
    out = default_service(svc(selector={"app": "kubia"}, ports=[{"port": 80, "targetPort": 8080}]))
    assert out["spec"] == {
        "selector": {"app": "kubia"},
        "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}],
        "sessionAffinity": "None",
        "type": "ClusterIP",
        "internalTrafficPolicy": "Cluster",
        "ipFamilyPolicy": "SingleStack",
        "ipFamilies": ["IPv4"],
    }
    assert out["status"] == {"loadBalancer": {}}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        pytest.param(
            "NodePort",
            {"externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster"},
            id="nodeport",
        ),
        pytest.param(
            "LoadBalancer",
            {
                "externalTrafficPolicy": "Cluster",
                "internalTrafficPolicy": "Cluster",
                "allocateLoadBalancerNodePorts": True,
            },
            id="loadbalancer",
        ),
    ],
)
def test_external_types_get_traffic_policies(kind: str, expected: dict[str, Any]) -> None:
    spec = default_service(svc(type=kind, ports=[{"port": 80}]))["spec"]
    assert {k: spec[k] for k in expected} == expected
    if kind == "NodePort":
        assert "allocateLoadBalancerNodePorts" not in spec


def test_external_name_gets_no_ip_fields() -> None:
    spec = default_service(svc(type="ExternalName", externalName="db.example.com"))["spec"]
    assert spec == {"type": "ExternalName", "externalName": "db.example.com", "sessionAffinity": "None"}


def test_cluster_ip_with_external_ips_is_externally_accessible() -> None:
    spec = default_service(svc(ports=[{"port": 80}], externalIPs=["192.168.1.50"]))["spec"]
    assert spec["externalTrafficPolicy"] == "Cluster"


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        pytest.param({"port": 80}, {"port": 80, "protocol": "TCP", "targetPort": 80}, id="target-from-port"),
        pytest.param(
            {"port": 80, "targetPort": 0}, {"port": 80, "protocol": "TCP", "targetPort": 80}, id="zero-target"
        ),
        pytest.param(
            {"port": 80, "targetPort": ""},
            {"port": 80, "protocol": "TCP", "targetPort": 80},
            id="empty-target",
        ),
        pytest.param(
            {"port": 80, "targetPort": "http"},
            {"port": 80, "protocol": "TCP", "targetPort": "http"},
            id="named-target",
        ),
        pytest.param(
            {"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "UDP", "targetPort": 53}, id="udp-kept"
        ),
    ],
)
def test_port_defaults(port: dict[str, Any], expected: dict[str, Any]) -> None:
    assert default_service(svc(ports=[port]))["spec"]["ports"] == [expected]


def test_case_24_client_ip_gets_the_default_timeout() -> None:
    spec = default_service(svc(ports=[{"port": 80}], sessionAffinity="ClientIP"))["spec"]
    assert spec["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    given = svc(
        ports=[{"port": 80}],
        sessionAffinity="ClientIP",
        sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}},
    )
    assert default_service(given)["spec"]["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 60}}


def test_session_affinity_none_drops_a_config() -> None:
    spec = default_service(
        svc(ports=[{"port": 80}], sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}})
    )["spec"]
    assert "sessionAffinityConfig" not in spec


def test_cluster_ip_is_copied_into_cluster_ips() -> None:
    spec = default_service(svc(ports=[{"port": 80}], clusterIP="10.96.0.50"))["spec"]
    assert spec["clusterIPs"] == ["10.96.0.50"]
    headless = default_service(svc(clusterIP="None", selector={"app": "kubia"}))["spec"]
    assert (headless["clusterIPs"], headless["ipFamilyPolicy"], headless["ipFamilies"]) == (
        ["None"],
        "SingleStack",
        ["IPv4"],
    )


def test_headless_selectorless_defaults_to_require_dual_stack() -> None:
    spec = default_service(svc(clusterIP="None"))["spec"]
    assert (spec["ipFamilyPolicy"], spec["ipFamilies"]) == ("RequireDualStack", ["IPv4", "IPv6"])


def test_ipv6_cluster_defaults_to_ipv6() -> None:
    out = default_service(
        svc(ports=[{"port": 80}]), settings=ClusterSettings(service_cidr="fd00:10:96::/112")
    )
    assert out["spec"]["ipFamilies"] == ["IPv6"]


def test_status_is_filled_in_and_lb_ingress_gets_ip_mode() -> None:
    manifest = svc(type="LoadBalancer", ports=[{"port": 80}])
    assert default_service(manifest)["status"] == {"loadBalancer": {}}
    manifest["status"] = {"loadBalancer": {"ingress": [{"ip": "192.168.1.240"}]}}
    assert default_service(manifest)["status"]["loadBalancer"]["ingress"] == [
        {"ip": "192.168.1.240", "ipMode": "VIP"}
    ]
    assert apply_service_api_defaults(manifest)["status"] == default_service(manifest)["status"]


def test_defaults_never_overwrite_server_state_on_update() -> None:
    ns = default_namespace({"metadata": {"name": "demo"}, "status": {"phase": "Terminating"}})
    assert ns["status"] == {"phase": "Terminating"}
    deploy = default_deployment({**workload(), "status": {"replicas": 3}})
    deploy["metadata"]["generation"] = 4
    assert default_deployment(deploy)["metadata"]["generation"] == 4
    assert default_deployment(deploy)["status"] == {"replicas": 3}


def test_defaulting_is_pure_and_idempotent() -> None:
    manifest = svc(type="NodePort", ports=[{"port": 80}], sessionAffinity="ClientIP")
    before = copy.deepcopy(manifest)
    once = default_service(manifest)
    assert manifest == before
    assert default_service(once) == once


@pytest.mark.parametrize(
    ("new", "old", "expected"),
    [
        pytest.param(
            {"clusterIP": "10.96.0.5"},
            {"clusterIP": "10.96.0.5", "clusterIPs": ["10.96.0.5"]},
            ["10.96.0.5"],
            id="old-client-patch",
        ),
        pytest.param(
            {"clusterIP": "10.96.0.6", "clusterIPs": ["10.96.0.5"]},
            {"clusterIP": "10.96.0.5", "clusterIPs": ["10.96.0.5"]},
            ["10.96.0.6"],
            id="singular-change-propagates",
        ),
        pytest.param(
            {"clusterIP": "", "clusterIPs": ["10.96.0.5"]},
            {"clusterIP": "10.96.0.5", "clusterIPs": ["10.96.0.5"]},
            None,
            id="clear-both",
        ),
    ],
)
def test_normalize_cluster_ips_on_update(
    new: dict[str, Any], old: dict[str, Any], expected: list[str] | None
) -> None:
    normalize_cluster_ips(new, old)
    assert new.get("clusterIPs") == expected


# --- Pods and workloads ---------------------------------------------------------------------------

KUBIA_POD = {
    "metadata": {"name": "kubia", "namespace": "default", "labels": {"app": "kubia"}},
    "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia", "ports": [{"containerPort": 8080}]}]},
}
DEFAULTED_CONTAINER = {
    "name": "kubia",
    "image": "luksa/kubia",
    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
    "imagePullPolicy": "Always",
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
}
DEFAULTED_POD_SPEC = {
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "securityContext": {},
    "terminationGracePeriodSeconds": 30,
    "schedulerName": "default-scheduler",
}


def test_pod_defaults() -> None:
    out = default_pod(KUBIA_POD)
    assert out["spec"] == {
        "containers": [DEFAULTED_CONTAINER],
        "enableServiceLinks": True,
        **DEFAULTED_POD_SPEC,
    }
    assert out["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    assert KUBIA_POD["spec"]["containers"][0].get("imagePullPolicy") is None


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        pytest.param("luksa/kubia", "Always", id="untagged"),
        pytest.param("nginx:latest", "Always", id="latest"),
        pytest.param("nginx:1.25", "IfNotPresent", id="tagged"),
        pytest.param("registry:5000/app", "Always", id="registry-port-is-not-a-tag"),
        pytest.param("nginx@sha256:" + "0" * 64, "IfNotPresent", id="digest"),
    ],
)
def test_image_pull_policy(image: str, policy: str) -> None:
    pod = default_pod({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": image}]}})
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_pod_requests_default_to_limits_and_qos() -> None:
    limits = {"cpu": "100m", "memory": "64Mi"}
    pod = default_pod(
        {
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "x:1", "resources": {"limits": limits}}]},
        }
    )
    assert pod["spec"]["containers"][0]["resources"]["requests"] == limits
    assert pod["status"]["qosClass"] == "Guaranteed"


def test_host_network_ports_become_host_ports() -> None:
    spec = {
        "hostNetwork": True,
        "containers": [{"name": "c", "image": "x:1", "ports": [{"containerPort": 9100}]}],
    }
    port = default_pod({"metadata": {"name": "p"}, "spec": spec})["spec"]["containers"][0]["ports"][0]
    assert port == {"containerPort": 9100, "hostPort": 9100, "protocol": "TCP"}


def workload() -> dict[str, Any]:
    return {
        "metadata": {"name": "kubia", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "kubia"}}, "template": copy.deepcopy(KUBIA_POD)},
    }


def test_deployment_defaults() -> None:
    out = default_deployment(workload())
    spec = out["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (10, 600)
    assert spec["template"]["spec"] == {"containers": [DEFAULTED_CONTAINER], **DEFAULTED_POD_SPEC}
    assert out["metadata"]["generation"] == 1


def test_recreate_deployment_gets_no_rolling_update() -> None:
    manifest = workload()
    manifest["spec"]["strategy"] = {"type": "Recreate"}
    assert default_deployment(manifest)["spec"]["strategy"] == {"type": "Recreate"}


def test_replicaset_defaults_do_not_invent_a_selector() -> None:
    manifest = workload()
    del manifest["spec"]["selector"]
    out = default_replicaset(manifest)
    assert out["spec"]["replicas"] == 1
    assert "selector" not in out["spec"]
    assert out["spec"]["template"]["spec"]["restartPolicy"] == "Always"


def test_namespace_defaults() -> None:
    out = default_namespace({"metadata": {"name": "demo"}})
    assert out["metadata"]["labels"] == {"kubernetes.io/metadata.name": "demo"}
    assert out["spec"] == {"finalizers": ["kubernetes"]}
    assert out["status"] == {"phase": "Active"}


def test_node_allocatable_defaults_to_capacity() -> None:
    out = default_node({"metadata": {"name": "node-1"}, "status": {"capacity": {"cpu": "2", "pods": "110"}}})
    assert out["status"]["allocatable"] == {"cpu": "2", "pods": "110"}


def test_endpoints_port_protocol() -> None:
    out = default_endpoints(
        {
            "metadata": {"name": "kubia"},
            "subsets": [{"addresses": [{"ip": "10.244.1.5"}], "ports": [{"port": 8080}]}],
        }
    )
    assert out["subsets"][0]["ports"] == [{"port": 8080, "protocol": "TCP"}]
