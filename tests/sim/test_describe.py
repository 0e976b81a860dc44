"""kubectl describe: field order, values and the tabwriter alignment of describe.go."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cluster.sim.printers.describe import format_endpoint_slices
from cluster.sim.printers.tables import describe

NOW = datetime(2026, 11, 28, 10, 0, 0, tzinfo=UTC)


def ago(seconds: float) -> str:
    return (NOW - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def text(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def service(name: str, svc_type: str, cluster_ip: str, port: dict, **spec: Any) -> dict:
    body = {
        "type": svc_type,
        "selector": {"app": "kubia"},
        "ipFamilyPolicy": "SingleStack",
        "ipFamilies": ["IPv4"],
        "clusterIP": cluster_ip,
        "clusterIPs": [cluster_ip],
        "ports": [{"protocol": "TCP", "targetPort": 8080, **port}],
        "sessionAffinity": "None",
        "internalTrafficPolicy": "Cluster",
        **spec,
    }
    return {
        "kind": "Service",
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": f"uid-{name}",
            "creationTimestamp": ago(60),
        },
        "spec": body,
    }


def endpoint(ip: str, *, ready: bool | None = True, pod: str = "", node: str | None = None, zone: str | None = None) -> dict:  # fmt: skip
    ep: dict[str, Any] = {"addresses": [ip], "conditions": {} if ready is None else {"ready": ready}}
    if pod:
        ep["targetRef"] = {"kind": "Pod", "name": pod, "namespace": "default"}
    if node:
        ep["nodeName"] = node
    if zone:
        ep["zone"] = zone
    return ep


def endpoint_slice(name: str, service_name: str, endpoints: list[dict], ports: list[dict]) -> dict:
    return {
        "kind": "EndpointSlice",
        "metadata": {
            "name": name,
            "namespace": "default",
            "labels": {"kubernetes.io/service-name": service_name},
        },
        "addressType": "IPv4",
        "ports": ports,
        "endpoints": endpoints,
    }


def event(name: str, involved: dict, reason: str, message: str, *, first: float, last: float, count: int = 1,
          component: str = "", kind: str = "Normal") -> dict:  # fmt: skip
    return {
        "kind": "Event",
        "metadata": {"name": name, "namespace": "default"},
        "involvedObject": {"namespace": "default", **involved},
        "type": kind,
        "reason": reason,
        "message": message,
        "source": {"component": component},
        "firstTimestamp": ago(first),
        "lastTimestamp": ago(last),
        "count": count,
    }


# --- Services -----------------------------------------------------------------------------------


def test_describe_nodeport_service_reference_example() -> None:
    """§9.5's example, byte for byte."""
    svc = service("kubia-nodeport", "NodePort", "10.96.183.9", {"port": 80, "nodePort": 30123},
                  externalTrafficPolicy="Cluster")  # fmt: skip
    ready = [endpoint(ip) for ip in ("10.244.1.5", "10.244.2.7", "10.244.2.9")]
    slices = [endpoint_slice("kubia-nodeport-x7k2p", "kubia-nodeport", ready, [{"name": "", "port": 8080, "protocol": "TCP"}])]  # fmt: skip
    assert describe("Service", svc, related={"endpointslices": slices, "events": []}, now=NOW) == text(
        "Name:                     kubia-nodeport",
        "Namespace:                default",
        "Labels:                   <none>",
        "Annotations:              <none>",
        "Selector:                 app=kubia",
        "Type:                     NodePort",
        "IP Family Policy:         SingleStack",
        "IP Families:              IPv4",
        "IP:                       10.96.183.9",
        "IPs:                      10.96.183.9",
        "Port:                     <unset>  80/TCP",
        "TargetPort:               8080/TCP",
        "NodePort:                 <unset>  30123/TCP",
        "Endpoints:                10.244.1.5:8080,10.244.2.7:8080,10.244.2.9:8080",
        "Session Affinity:         None",
        "External Traffic Policy:  Cluster",
        "Internal Traffic Policy:  Cluster",
        "Events:                   <none>",
    )


def test_describe_load_balancer_with_local_policy_and_events() -> None:
    """Case 13: HealthCheck NodePort; LoadBalancer Ingress with ipMode; not-ready endpoints left out."""
    svc = service("kubia-loadbalancer", "LoadBalancer", "10.96.20.230", {"port": 80, "nodePort": 32143},
                  externalTrafficPolicy="Local", healthCheckNodePort=31234)  # fmt: skip
    svc["metadata"]["labels"] = {"app": "kubia"}
    svc["status"] = {"loadBalancer": {"ingress": [{"ip": "192.168.1.240", "ipMode": "VIP"}]}}
    eps = [endpoint("10.244.1.5"), endpoint("10.244.2.7"), endpoint("10.244.2.9", ready=False)]
    slices = [
        endpoint_slice("kubia-loadbalancer-4fz8q", "kubia-loadbalancer", eps, [{"name": "", "port": 8080}])
    ]
    involved = {"kind": "Service", "name": "kubia-loadbalancer", "uid": "uid-kubia-loadbalancer"}
    events = [
        event("e2", involved, "nodeAssigned", 'announcing from node "node-1" with protocol "layer2"',
              first=44, last=30, count=2, component="metallb-speaker"),
        event("e1", involved, "IPAllocated", 'Assigned IP ["192.168.1.240"]', first=45, last=45,
              component="metallb-controller"),
        event("other", {"kind": "Service", "name": "kubia"}, "Ignored", "not about this service", first=1, last=1),
    ]  # fmt: skip
    assert describe("Service", svc, related={"endpointslices": slices, "events": events}, now=NOW) == text(
        "Name:                     kubia-loadbalancer",
        "Namespace:                default",
        "Labels:                   app=kubia",
        "Annotations:              <none>",
        "Selector:                 app=kubia",
        "Type:                     LoadBalancer",
        "IP Family Policy:         SingleStack",
        "IP Families:              IPv4",
        "IP:                       10.96.20.230",
        "IPs:                      10.96.20.230",
        "LoadBalancer Ingress:     192.168.1.240 (VIP)",
        "Port:                     <unset>  80/TCP",
        "TargetPort:               8080/TCP",
        "NodePort:                 <unset>  32143/TCP",
        "Endpoints:                10.244.1.5:8080,10.244.2.7:8080",
        "Session Affinity:         None",
        "External Traffic Policy:  Local",
        "Internal Traffic Policy:  Cluster",
        "HealthCheck NodePort:     31234",
        "Events:",
        "  Type    Reason        Age                From                Message",
        "  ----    ------        ----               ----                -------",
        '  Normal  IPAllocated   45s                metallb-controller  Assigned IP ["192.168.1.240"]',
        '  Normal  nodeAssigned  30s (x2 over 44s)  metallb-speaker     announcing from node "node-1" with protocol "layer2"',
    )


def test_describe_external_name_service_keeps_the_blank_ip_padding() -> None:
    svc = service("external-service", "ExternalName", "", {"port": 80, "targetPort": 80},
                  externalName="api.somecompany.com")  # fmt: skip
    for field in ("selector", "ipFamilyPolicy", "ipFamilies", "clusterIPs", "internalTrafficPolicy"):
        del svc["spec"][field]
    assert describe("Service", svc, related={}, now=NOW) == text(
        "Name:              external-service",
        "Namespace:         default",
        "Labels:            <none>",
        "Annotations:       <none>",
        "Selector:          <none>",
        "Type:              ExternalName",
        "IP Families:       <none>",
        "IP:                ",
        "IPs:               <none>",
        "External Name:     api.somecompany.com",
        "Port:              <unset>  80/TCP",
        "TargetPort:        80/TCP",
        "Endpoints:         <none>",
        "Session Affinity:  None",
        "Events:            <none>",
    )


def test_describe_named_ports_picks_endpoints_per_port_name() -> None:
    svc = service("kubia", "ClusterIP", "10.96.47.112", {"name": "http", "port": 80, "targetPort": "http"})
    svc["spec"]["ports"].append({"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP"})
    ports = [
        {"name": "http", "port": 8080, "protocol": "TCP"},
        {"name": "https", "port": 8443, "protocol": "TCP"},
    ]
    eps = [endpoint("10.244.1.5"), endpoint("10.244.2.7"), endpoint("10.244.2.9", ready=False)]
    other = endpoint_slice("other-abcde", "other", [endpoint("10.0.0.1")], ports)  # another service's slice
    out = describe("Service", svc, related={"endpointslices": [endpoint_slice("kubia-abcde", "kubia", eps, ports), other]}, now=NOW)  # fmt: skip
    assert "\n".join(out.splitlines()[10:16]) == "\n".join(
        [
            "Port:                     http  80/TCP",
            "TargetPort:               http/TCP",
            "Endpoints:                10.244.1.5:8080,10.244.2.7:8080",
            "Port:                     https  443/TCP",
            "TargetPort:               https/TCP",
            "Endpoints:                10.244.1.5:8443,10.244.2.7:8443",
        ]
    )


def test_endpoints_line_variants() -> None:
    http = [{"name": "", "port": 8080}]
    five = [endpoint(f"10.244.{i}.5") for i in range(1, 6)]
    assert format_endpoint_slices([], {""}) == "<none>"  # no slices at all
    not_ready = [endpoint_slice("s", "kubia", [endpoint("10.244.1.5", ready=False)], http)]
    assert format_endpoint_slices(not_ready, {""}) == ""  # slices, but nothing ready
    assert format_endpoint_slices([endpoint_slice("s", "kubia", five, http)], {""}) == (
        "10.244.1.5:8080,10.244.2.5:8080,10.244.3.5:8080 + 2 more..."
    )
    unknown = [endpoint_slice("s", "kubia", [endpoint("10.244.1.5", ready=None)], http)]
    assert format_endpoint_slices(unknown, {""}) == "10.244.1.5:8080"  # nil ready counts as ready
    headless = [endpoint_slice("s", "kubia", [endpoint("10.244.1.5"), endpoint("10.244.2.7")], [])]
    assert format_endpoint_slices(headless, {""}) == "10.244.1.5,10.244.2.7"
    # kubectl decides "more" before the readiness check: 3 ready then a not-ready one.
    quirk = [endpoint(f"10.244.{i}.5") for i in range(1, 4)] + [endpoint("10.244.9.9", ready=False)]
    assert format_endpoint_slices([endpoint_slice("s", "kubia", quirk, http)], {""}) == (
        "10.244.1.5:8080,10.244.2.5:8080,10.244.3.5:8080 + 0 more..."
    )


def test_long_and_multiline_annotations() -> None:
    svc = service("kubia", "ClusterIP", "10.96.47.112", {"port": 80})
    svc["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": '{"apiVersion":"v1"}\n',
        "example.com/long": "x" * 150,
        "example.com/note": "hello",
    }
    lines = describe("Service", svc, related={}, now=NOW).splitlines()
    assert lines[3:6] == [
        "Annotations:              example.com/long:",
        "                            " + "x" * 138 + "...",
        "                          example.com/note: hello",
    ]


# --- Endpoints and EndpointSlices ---------------------------------------------------------------


def test_describe_endpointslice() -> None:
    eps = endpoint_slice(
        "kubia-7vzhx",
        "kubia",
        [endpoint("10.244.1.5", pod="kubia-abcde", node="node-1"),
         endpoint("10.244.2.9", ready=False, pod="kubia-fghij", node="node-2", zone="zone-b")],
        [{"name": "", "port": 8080, "protocol": "TCP"}],
    )  # fmt: skip
    eps["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io"
    eps["metadata"]["annotations"] = {
        "endpoints.kubernetes.io/last-change-trigger-time": "2026-11-28T09:57:00Z"
    }
    assert describe("EndpointSlice", eps, related={}, now=NOW) == text(
        "Name:         kubia-7vzhx",
        "Namespace:    default",
        "Labels:       endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io",
        "              kubernetes.io/service-name=kubia",
        "Annotations:  endpoints.kubernetes.io/last-change-trigger-time: 2026-11-28T09:57:00Z",
        "AddressType:  IPv4",
        "Ports:",
        "  Name     Port  Protocol",
        "  ----     ----  --------",
        "  <unset>  8080  TCP",
        "Endpoints:",
        "  - Addresses:  10.244.1.5",
        "    Conditions:",
        "      Ready:    true",
        "    Hostname:   <unset>",
        "    TargetRef:  Pod/kubia-abcde",
        "    NodeName:   node-1",
        "    Zone:       <unset>",
        "  - Addresses:  10.244.2.9",
        "    Conditions:",
        "      Ready:    false",
        "    Hostname:   <unset>",
        "    TargetRef:  Pod/kubia-fghij",
        "    NodeName:   node-2",
        "    Zone:       zone-b",
        "Events:         <none>",
    )


def test_describe_placeholder_endpointslice() -> None:
    """Case 27: no matching pods leaves a slice without ports or endpoints."""
    eps = endpoint_slice("kubia-x2pqt", "kubia", [], [])
    assert describe("EndpointSlice", eps, related={}, now=NOW) == text(
        "Name:         kubia-x2pqt",
        "Namespace:    default",
        "Labels:       kubernetes.io/service-name=kubia",
        "Annotations:  <none>",
        "AddressType:  IPv4",
        "Ports: <unset>",
        "Endpoints: <none>",
        "Events:  <none>",
    )


def test_describe_endpoints() -> None:
    ep = {
        "kind": "Endpoints",
        "metadata": {"name": "external-service", "namespace": "default"},
        "subsets": [
            {
                "addresses": [{"ip": "11.11.11.11"}, {"ip": "22.22.22.22"}],
                "ports": [{"port": 80, "protocol": "TCP"}],
            },
            {"notReadyAddresses": [{"ip": "10.244.3.3"}]},
        ],
    }
    assert describe("Endpoints", ep, related={}, now=NOW) == text(
        "Name:         external-service",
        "Namespace:    default",
        "Labels:       <none>",
        "Annotations:  <none>",
        "Subsets:",
        "  Addresses:          11.11.11.11,22.22.22.22",
        "  NotReadyAddresses:  <none>",
        "  Ports:",
        "    Name     Port  Protocol",
        "    ----     ----  --------",
        "    <unset>  80    TCP",
        "",
        "  Addresses:          <none>",
        "  NotReadyAddresses:  10.244.3.3",
        "",
        "Events:  <none>",
    )


# --- Workloads ----------------------------------------------------------------------------------

TEMPLATE = {
    "metadata": {"labels": {"app": "kubia"}},
    "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia", "ports": [{"containerPort": 8080, "protocol": "TCP"}]}]},
}  # fmt: skip


def owned_by(kind: str, name: str) -> list[dict]:
    return [{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": f"uid-{name}", "controller": True}]


def replica_set(name: str, replicas: int, template: dict) -> dict:
    labels = {**template["metadata"]["labels"], "pod-template-hash": name.rsplit("-", 1)[1]}
    return {
        "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", "creationTimestamp": ago(3600),
                     "labels": labels, "ownerReferences": owned_by("Deployment", "kubia")},
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": template["spec"]}},
        "status": {"replicas": replicas, "readyReplicas": replicas},
    }  # fmt: skip


def kubia_pod(name: str, phase: str = "Running", owner: str = "kubia-7d5b8c") -> dict:
    return {
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", "creationTimestamp": ago(3600),
                     "labels": {"app": "kubia", "pod-template-hash": "7d5b8c"},
                     "ownerReferences": owned_by("ReplicaSet", owner)},
        "spec": {"nodeName": "node-1", "serviceAccountName": "default", "priority": 0,
                 "containers": copy.deepcopy(TEMPLATE["spec"]["containers"]),
                 "tolerations": [
                     {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                     {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                 ]},
        "status": {
            "phase": phase, "hostIP": "192.168.49.2", "podIP": "10.244.1.5", "podIPs": [{"ip": "10.244.1.5"}],
            "startTime": "2026-11-28T09:00:00Z",
            "conditions": [{"type": t, "status": "True"} for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
            "containerStatuses": [{"name": "kubia", "ready": True, "restartCount": 0, "image": "luksa/kubia",
                                   "imageID": "docker.io/luksa/kubia@sha256:abc", "containerID": "containerd://123",
                                   "state": {"running": {"startedAt": "2026-11-28T09:00:05Z"}}}],
        },
    }  # fmt: skip


def test_describe_pod() -> None:
    assert describe("Pod", kubia_pod("kubia-7d5b8c-abcde"), related={"events": []}, now=NOW) == text(
        "Name:             kubia-7d5b8c-abcde",
        "Namespace:        default",
        "Priority:         0",
        "Service Account:  default",
        "Node:             node-1/192.168.49.2",
        "Start Time:       Sat, 28 Nov 2026 09:00:00 +0000",
        "Labels:           app=kubia",
        "                  pod-template-hash=7d5b8c",
        "Annotations:      <none>",
        "Status:           Running",
        "IP:               10.244.1.5",
        "IPs:",
        "  IP:           10.244.1.5",
        "Controlled By:  ReplicaSet/kubia-7d5b8c",
        "Containers:",
        "  kubia:",
        "    Container ID:   containerd://123",
        "    Image:          luksa/kubia",
        "    Image ID:       docker.io/luksa/kubia@sha256:abc",
        "    Port:           8080/TCP",
        "    Host Port:      0/TCP",
        "    State:          Running",
        "      Started:      Sat, 28 Nov 2026 09:00:05 +0000",
        "    Ready:          True",
        "    Restart Count:  0",
        "    Environment:    <none>",
        "    Mounts:         <none>",
        "Conditions:",
        "  Type              Status",
        "  Initialized       True ",
        "  Ready             True ",
        "  ContainersReady   True ",
        "  PodScheduled      True ",
        "Volumes:            <none>",
        "QoS Class:          BestEffort",
        "Node-Selectors:     <none>",
        "Tolerations:        node.kubernetes.io/not-ready:NoExecute op=Exists for 300s",
        "                    node.kubernetes.io/unreachable:NoExecute op=Exists for 300s",
        "Events:             <none>",
    )


def test_describe_terminating_pod_with_probe_env_and_resources() -> None:
    p = kubia_pod("kubia-7d5b8c-abcde")
    p["metadata"] |= {"deletionTimestamp": ago(10), "deletionGracePeriodSeconds": 30}
    container = p["spec"]["containers"][0] = {
        **TEMPLATE["spec"]["containers"][0],
        "readinessProbe": {"exec": {"command": ["ls", "/var/ready"]}},
        "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "resources": {"requests": {"cpu": "0.1", "memory": "128Mi"}},
    }
    assert container["name"] == "kubia"
    lines = describe("Pod", p, related={}, now=NOW).splitlines()
    assert lines[9:11] == [
        "Status:                    Terminating (lasts 10s)",
        "Termination Grace Period:  30s",
    ]
    assert lines[26:34] == [
        "    Requests:",
        "      cpu:      100m",
        "      memory:   128Mi",
        "    Readiness:  exec [ls /var/ready] delay=0s timeout=1s period=10s #success=1 #failure=3",
        "    Environment:",
        "      POD_NAME:  kubia-7d5b8c-abcde (v1:metadata.name)",
        "    Mounts:      <none>",
        "Conditions:",
    ]
    assert "QoS Class:          Burstable" in lines


def deployment() -> dict:
    return {
        "kind": "Deployment",
        "metadata": {"name": "kubia", "namespace": "default", "uid": "uid-kubia", "creationTimestamp": "2026-11-28T09:00:00Z",
                     "labels": {"app": "kubia"}, "annotations": {"deployment.kubernetes.io/revision": "2"}},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "kubia"}}, "template": TEMPLATE,
                 "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 1}}},
        "status": {"replicas": 4, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3, "unavailableReplicas": 1,
                   "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                                  {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]},
    }  # fmt: skip


def test_describe_deployment() -> None:
    old_template = {"metadata": {"labels": {"app": "kubia"}},
                    "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia:v1"}]}}  # fmt: skip
    related = {
        "replicasets": [
            replica_set("kubia-7d5b8c", 3, TEMPLATE),
            replica_set("kubia-6c4f9a", 1, old_template),
        ]
    }
    assert describe("Deployment", deployment(), related=related, now=NOW) == text(
        "Name:                   kubia",
        "Namespace:              default",
        "CreationTimestamp:      Sat, 28 Nov 2026 09:00:00 +0000",
        "Labels:                 app=kubia",
        "Annotations:            deployment.kubernetes.io/revision: 2",
        "Selector:               app=kubia",
        "Replicas:               3 desired | 3 updated | 4 total | 3 available | 1 unavailable",
        "StrategyType:           RollingUpdate",
        "MinReadySeconds:        0",
        "RollingUpdateStrategy:  25% max unavailable, 1 max surge",
        "Pod Template:",
        "  Labels:  app=kubia",
        "  Containers:",
        "   kubia:",
        "    Image:         luksa/kubia",
        "    Port:          8080/TCP",
        "    Host Port:     0/TCP",
        "    Environment:   <none>",
        "    Mounts:        <none>",
        "  Volumes:         <none>",
        "  Node-Selectors:  <none>",
        "  Tolerations:     <none>",
        "Conditions:",
        "  Type           Status  Reason",
        "  ----           ------  ------",
        "  Available      True    MinimumReplicasAvailable",
        "  Progressing    True    NewReplicaSetAvailable",
        "OldReplicaSets:  kubia-6c4f9a (1/1 replicas created)",
        "NewReplicaSet:   kubia-7d5b8c (3/3 replicas created)",
        "Events:          <none>",
    )


def test_describe_replicaset_counts_only_its_own_pods() -> None:
    pods = [
        kubia_pod("a"),
        kubia_pod("b"),
        kubia_pod("c", phase="Pending"),
        kubia_pod("d", owner="someone-else"),
    ]
    out = describe("ReplicaSet", replica_set("kubia-7d5b8c", 3, TEMPLATE), related={"pods": pods}, now=NOW)
    assert out.splitlines()[:10] == [
        "Name:           kubia-7d5b8c",
        "Namespace:      default",
        "Selector:       app=kubia,pod-template-hash=7d5b8c",
        "Labels:         app=kubia",
        "                pod-template-hash=7d5b8c",
        "Annotations:    <none>",
        "Controlled By:  Deployment/kubia",
        "Replicas:       3 current / 3 desired",
        "Pods Status:    2 Running / 1 Waiting / 0 Succeeded / 0 Failed",
        "Pod Template:",
    ]


# --- Nodes --------------------------------------------------------------------------------------


def test_describe_node_resources_and_pods() -> None:
    node = {
        "kind": "Node",
        "metadata": {"name": "node-1", "creationTimestamp": "2026-11-20T09:00:00Z",
                     "labels": {"kubernetes.io/hostname": "node-1"}},
        "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"],
                 "taints": [{"key": "dedicated", "value": "web", "effect": "NoSchedule"}]},
        "status": {
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "ready",
                            "lastHeartbeatTime": "2026-11-28T09:59:00Z", "lastTransitionTime": "2026-11-20T09:00:30Z"}],
            "addresses": [{"type": "InternalIP", "address": "192.168.49.3"}, {"type": "Hostname", "address": "node-1"}],
            "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
            "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
            "nodeInfo": {"kubeletVersion": "v1.31.0", "kernelVersion": "6.5.0", "osImage": "Ubuntu 22.04.4 LTS",
                         "operatingSystem": "linux", "architecture": "amd64", "containerRuntimeVersion": "containerd://1.7.13"},
        },
    }  # fmt: skip
    busy = kubia_pod("kubia-a")
    busy["spec"]["containers"] = [{"name": "kubia", "image": "luksa/kubia",
                                   "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                                 "limits": {"cpu": "200m", "memory": "256Mi"}}}]  # fmt: skip
    done = kubia_pod("finished", phase="Succeeded")
    elsewhere = kubia_pod("elsewhere")
    elsewhere["spec"]["nodeName"] = "node-2"
    lines = describe("Node", node, related={"pods": [busy, done, elsewhere]}, now=NOW).splitlines()
    assert lines[:8] == [
        "Name:               node-1",
        "Roles:              <none>",
        "Labels:             kubernetes.io/hostname=node-1",
        "Annotations:        <none>",
        "CreationTimestamp:  Fri, 20 Nov 2026 09:00:00 +0000",
        "Taints:             dedicated=web:NoSchedule",
        "Unschedulable:      false",
        "Conditions:",
    ]
    assert lines[-12:] == [
        "Non-terminated Pods:          (1 in total)",
        "  Namespace                   Name       CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age",
        "  ---------                   ----       ------------  ----------  ---------------  -------------  ---",
        "  default                     kubia-a    100m (2%)     200m (5%)   128Mi (1%)       256Mi (3%)     60m",
        "Allocated resources:",
        "  (Total limits may be over 100 percent, i.e., overcommitted.)",
        "  Resource           Requests    Limits",
        "  --------           --------    ------",
        "  cpu                100m (2%)   200m (5%)",
        "  memory             128Mi (1%)  256Mi (3%)",
        "  ephemeral-storage  0 (0%)      0 (0%)",
        "Events:              <none>",
    ]


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="ConfigMap"):
        describe("ConfigMap", {}, related={}, now=NOW)
