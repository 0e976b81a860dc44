"""kubectl get: the apiserver's Table cells and kubectl's text rendering of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cluster.sim.printers.cells import service_external_ip
from cluster.sim.printers.format import tabwrite
from cluster.sim.printers.tables import (
    age,
    human_duration,
    kind_prefix_for,
    no_resources_message,
    render_table,
    table,
)

NOW = datetime(2026, 11, 28, 10, 0, 0, tzinfo=UTC)


def ago(seconds: float) -> str:
    return (NOW - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(name: str, age_seconds: float = 60, namespace: str | None = "default", **extra: Any) -> dict:
    m = {
        "name": name,
        "uid": f"uid-{name}",
        "resourceVersion": "7",
        "creationTimestamp": ago(age_seconds),
        **extra,
    }
    if namespace is not None:
        m["namespace"] = namespace
    return m


def service(name: str, svc_type: str = "ClusterIP", cluster_ip: str | None = "10.96.0.10", *, age_s: float = 60,
            ports: list[dict] | None = None, selector: dict | None = None, ingress: list[dict] | None = None,
            **spec: Any) -> dict:  # fmt: skip
    body = {
        "type": svc_type,
        "ports": ports if ports is not None else [{"port": 80, "protocol": "TCP"}],
        **spec,
    }
    if cluster_ip is not None:
        body |= {"clusterIP": cluster_ip, "clusterIPs": [cluster_ip]}
    if selector:
        body["selector"] = selector
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": meta(name, age_s), "spec": body}
    if ingress is not None:
        obj["status"] = {"loadBalancer": {"ingress": ingress}}
    return obj


def endpoints(name: str, subsets: list[dict]) -> dict:
    return {"apiVersion": "v1", "kind": "Endpoints", "metadata": meta(name), "subsets": subsets}


def subset(ips: list[str], ports: list[int] | None = None, not_ready: list[str] | None = None) -> dict:
    body: dict[str, Any] = {"addresses": [{"ip": ip} for ip in ips]}
    if not_ready:
        body["notReadyAddresses"] = [{"ip": ip} for ip in not_ready]
    if ports is not None:
        body["ports"] = [{"port": p, "protocol": "TCP"} for p in ports]
    return body


def endpoint_slice(name: str, ips: list[str], ports: list[dict], age_s: float = 180) -> dict:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": meta(name, age_s),
        "addressType": "IPv4",
        "ports": ports,
        "endpoints": [{"addresses": [ip], "conditions": {"ready": True}} for ip in ips],
    }


def pod(name: str, *, phase: str = "Running", ready: bool = True, age_s: float = 300, ip: str = "10.244.1.5",
        node: str = "node-1", labels: dict | None = None, state: dict | None = None, restarts: int = 0,
        last_finished: str | None = None, namespace: str = "default", **meta_extra: Any) -> dict:  # fmt: skip
    status = {"name": "kubia", "ready": ready, "restartCount": restarts, "state": state or {"running": {}}}
    if last_finished:
        status["lastState"] = {"terminated": {"exitCode": 1, "finishedAt": last_finished}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta(name, age_s, namespace, labels=labels or {"app": "kubia"}, **meta_extra),
        "spec": {"nodeName": node, "containers": [{"name": "kubia", "image": "luksa/kubia"}]},
        "status": {
            "phase": phase,
            "podIP": ip,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": [status],
        },
    }


def text(*lines: str) -> str:
    return "\n".join(lines) + "\n"


# --- HumanDuration and AGE ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0s"),
        (-0.5, "0s"),
        (-1.9, "0s"),  # int(-1.9) == -1: still "almost now"
        (-2, "<invalid>"),
        (59, "59s"),
        (90, "90s"),
        (119.9, "119s"),
        (120, "2m"),
        (312, "5m12s"),
        (599, "9m59s"),
        (600, "10m"),
        (45 * 60, "45m"),
        (179 * 60 + 59, "179m"),
        (3 * 3600, "3h"),
        (3 * 3600 + 15 * 60 + 30, "3h15m"),
        (8 * 3600 - 1, "7h59m"),
        (8 * 3600, "8h"),
        (47 * 3600 + 59 * 60, "47h"),
        (48 * 3600, "2d"),
        (2 * 86400 + 5 * 3600, "2d5h"),
        (8 * 86400 - 1, "7d23h"),
        (8 * 86400, "8d"),
        (729 * 86400, "729d"),
        (730 * 86400, "2y"),
        (3 * 365 * 86400 + 10 * 86400, "3y10d"),
        (8 * 365 * 86400 - 86400, "7y364d"),
        (8 * 365 * 86400, "8y"),
        (20 * 365 * 86400 + 100 * 86400, "20y"),
    ],
)
def test_human_duration_bands(seconds: float, expected: str) -> None:
    assert human_duration(seconds) == expected


def test_age_from_timestamps() -> None:
    assert age("2026-11-28T09:54:48Z", NOW) == "5m12s"
    assert age("2026-11-28T10:00:01Z", NOW) == "0s"  # 1s in the future
    assert age("2026-11-28T10:00:02Z", NOW) == "<invalid>"
    assert age("", NOW) == "<unknown>"
    assert age("2026-11-25T10:00:00Z", NOW.replace(tzinfo=None)) == "3d"  # naive now is UTC


# --- Table shape --------------------------------------------------------------------------------


REAL_COLUMNS = {
    "Service": ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector*"],
    "Pod": ["Name", "Ready", "Status", "Restarts", "Age", "IP*", "Node*", "Nominated Node*", "Readiness Gates*"],
    "Endpoints": ["Name", "Endpoints", "Age"],
    "EndpointSlice": ["Name", "AddressType", "Ports", "Endpoints", "Age"],
    "Deployment": ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers*", "Images*", "Selector*"],
    "ReplicaSet": ["Name", "Desired", "Current", "Ready", "Age", "Containers*", "Images*", "Selector*"],
    "Node": ["Name", "Status", "Roles", "Age", "Version", "Internal-IP*", "External-IP*", "OS-Image*",
             "Kernel-Version*", "Container-Runtime*"],
    "Namespace": ["Name", "Status", "Age"],
    "Event": ["Last Seen", "Type", "Reason", "Object", "Subobject*", "Source*", "Message", "First Seen*",
              "Count*", "Name*"],
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(REAL_COLUMNS))
def test_column_sets_match_printers_go(kind: str) -> None:
    columns = table(kind, [], now=NOW)["columnDefinitions"]
    assert [c["name"] + ("*" if c["priority"] else "") for c in columns] == REAL_COLUMNS[kind]
    assert all(set(c) == {"name", "type", "format", "description", "priority"} for c in columns)


def test_table_is_a_meta_v1_table_with_partial_object_metadata() -> None:
    svc = service("kubia", selector={"app": "kubia"})
    svc["metadata"]["labels"] = {"app": "kubia"}
    result = table("Service", [svc], now=NOW)
    assert (result["kind"], result["apiVersion"], result["metadata"]) == ("Table", "meta.k8s.io/v1", {})
    assert result["columnDefinitions"][0]["format"] == "name"
    (row,) = result["rows"]
    assert row["cells"] == ["kubia", "ClusterIP", "10.96.0.10", "<none>", "80/TCP", "60s", "app=kubia"]
    assert row["object"] == {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": svc["metadata"],
    }
    assert row["object"]["metadata"] is not svc["metadata"]


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="ConfigMap"):
        table("ConfigMap", [], now=NOW)


# --- Services (§9.2) ----------------------------------------------------------------------------

CHAPTER_5_SERVICES = [
    service("kubernetes", cluster_ip="10.96.0.1", ports=[{"port": 443, "protocol": "TCP"}], age_s=3 * 86400),
    service("kubia", cluster_ip="10.96.47.112", age_s=312),
    service("kubia-nodeport", "NodePort", "10.96.183.9", age_s=120,
            ports=[{"port": 80, "protocol": "TCP", "nodePort": 30123}]),
    service("kubia-loadbalancer", "LoadBalancer", "10.96.20.230", age_s=45, ingress=[],
            ports=[{"port": 80, "protocol": "TCP", "nodePort": 32143}]),
    service("kubia-headless", cluster_ip="None", age_s=10),
    service("external-service", "ExternalName", None, age_s=3, externalName="api.somecompany.com"),
]  # fmt: skip


def test_get_svc_chapter_5_example() -> None:
    # §9.2's example, with the CLUSTER-IP column as tabwriter pads it (widest cell + 3).
    assert render_table(table("Service", CHAPTER_5_SERVICES, now=NOW)) == text(
        "NAME                 TYPE           CLUSTER-IP     EXTERNAL-IP           PORT(S)        AGE",
        "kubernetes           ClusterIP      10.96.0.1      <none>                443/TCP        3d",
        "kubia                ClusterIP      10.96.47.112   <none>                80/TCP         5m12s",
        "kubia-nodeport       NodePort       10.96.183.9    <none>                80:30123/TCP   2m",
        "kubia-loadbalancer   LoadBalancer   10.96.20.230   <pending>             80:32143/TCP   45s",
        "kubia-headless       ClusterIP      None           <none>                80/TCP         10s",
        "external-service     ExternalName   <none>         api.somecompany.com   80/TCP         3s",
    )


def test_get_svc_wide_adds_selector_last_column_unpadded() -> None:
    svcs = [
        service("kubia", selector={"app": "kubia", "tier": "web"}),
        service("plain", cluster_ip="10.96.0.11"),
    ]
    assert render_table(table("Service", svcs, now=NOW), wide=True) == text(
        "NAME    TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE   SELECTOR",
        "kubia   ClusterIP   10.96.0.10   <none>        80/TCP    60s   app=kubia,tier=web",
        "plain   ClusterIP   10.96.0.11   <none>        80/TCP    60s   <none>",
    )


@pytest.mark.parametrize(
    ("svc", "external_ip", "ports"),
    [
        # case 42: MetalLB assigns an address
        (service("lb", "LoadBalancer", ingress=[{"ip": "192.168.1.240"}],
                 ports=[{"port": 80, "protocol": "TCP", "nodePort": 31000}]), "192.168.1.240", "80:31000/TCP"),
        # case 12: allocateLoadBalancerNodePorts: false
        (service("lb", "LoadBalancer", ingress=[], allocateLoadBalancerNodePorts=False), "<pending>", "80/TCP"),
        # ingress de-duplicated and sorted, hostnames when no IP, then externalIPs
        (service("lb", "LoadBalancer", externalIPs=["1.2.3.4"],
                 ingress=[{"ip": "10.0.0.9"}, {"hostname": "a.example"}, {"ip": "10.0.0.9"}]),
         "10.0.0.9,a.example,1.2.3.4", "80/TCP"),
        (service("ext", externalIPs=["1.1.1.1", "2.2.2.2"]), "1.1.1.1,2.2.2.2", "80/TCP"),
        (service("np", "NodePort", externalIPs=["1.1.1.1"], ports=[
            {"port": 80, "protocol": "TCP", "nodePort": 31582}, {"port": 443, "protocol": "TCP", "nodePort": 30427},
        ]), "1.1.1.1", "80:31582/TCP,443:30427/TCP"),
        (service("dns", ports=[{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]), "<none>",
         "53/UDP,53/TCP"),
        (service("noports", ports=[]), "<none>", "<none>"),
    ],
)  # fmt: skip
def test_service_cells(svc: dict, external_ip: str, ports: str) -> None:
    cells = table("Service", [svc], now=NOW)["rows"][0]["cells"]
    assert (cells[3], cells[4]) == (external_ip, ports)


def test_long_load_balancer_address_is_cut_only_by_the_non_wide_printer() -> None:
    svc = service("lb", "LoadBalancer", ingress=[{"hostname": "a1b2c3d4e5f6.elb.amazonaws.com"}])
    # printers.go cuts at 16 bytes when asked without Wide ...
    assert service_external_ip(svc, wide=False) == "a1b2c3d4e5f6." + "..."
    # ... but the apiserver always asks with Wide, and kubectl never cuts cells.
    tbl = table("Service", [svc], now=NOW)
    assert tbl["rows"][0]["cells"][3] == "a1b2c3d4e5f6.elb.amazonaws.com"
    assert "a1b2c3d4e5f6.elb.amazonaws.com" in render_table(tbl)


def test_cluster_ip_falls_back_to_the_singular_field() -> None:
    svc = service("old")
    del svc["spec"]["clusterIPs"]
    assert table("Service", [svc], now=NOW)["rows"][0]["cells"][2] == "10.96.0.10"


# --- Endpoints (§9.3) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subsets", "expected"),
    [
        # case 43: five ready addresses
        ([subset([f"10.244.{i}.5" for i in range(1, 6)], [8080])],
         "10.244.1.5:8080,10.244.2.5:8080,10.244.3.5:8080 + 2 more..."),
        ([subset(["10.244.1.5", "10.244.2.7", "10.244.2.9"], [8080])],
         "10.244.1.5:8080,10.244.2.7:8080,10.244.2.9:8080"),
        ([], "<none>"),  # case 27: no matching pods
        ([subset([], [8080], not_ready=["10.244.1.5"])], ""),  # only not-ready addresses: an empty cell
        ([subset(["10.244.1.5", "10.244.2.7"], [8080], not_ready=["10.244.3.3"])],
         "10.244.1.5:8080,10.244.2.7:8080"),
        ([subset(["11.11.11.11", "22.22.22.22"])], "11.11.11.11,22.22.22.22"),  # headless, no ports
        ([subset(["10.0.0.1", "10.0.0.2"], [80, 443])], "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more..."),
        ([subset(["10.0.0.1", "10.0.0.2"], [8080]), subset(["10.0.0.3"], [9090])],
         "10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:9090"),  # case 32: two subsets
        ([subset(["fd00::1"], [80])], "[fd00::1]:80"),
    ],
)  # fmt: skip
def test_endpoints_cell(subsets: list[dict], expected: str) -> None:
    assert table("Endpoints", [endpoints("kubia", subsets)], now=NOW)["rows"][0]["cells"][1] == expected


def test_get_endpoints_renders_an_empty_cell_as_padding() -> None:
    eps = [
        endpoints("kubia", [subset([f"10.244.{i}.5" for i in range(1, 6)], [8080])]),
        endpoints("notready", [subset([], [8080], not_ready=["10.244.1.9"])]),
        endpoints("empty", []),
    ]
    assert render_table(table("Endpoints", eps, now=NOW)) == text(
        "NAME       ENDPOINTS                                                     AGE",
        "kubia      10.244.1.5:8080,10.244.2.5:8080,10.244.3.5:8080 + 2 more...   60s",
        "notready                                                                 60s",
        "empty      <none>                                                        60s",
    )


# --- EndpointSlices (§9.4) ----------------------------------------------------------------------


def test_get_endpointslices_example_and_placeholder() -> None:
    ips = ["10.244.1.5", "10.244.2.7", "10.244.2.9"] + [f"10.244.3.{i}" for i in range(97)]
    full = endpoint_slice("kubia-7vzhx", ips, [{"name": "", "port": 8080, "protocol": "TCP"}])
    placeholder = endpoint_slice("kubia-x2pqt", [], [], age_s=4)
    assert render_table(table("EndpointSlice", [full, placeholder], now=NOW)) == text(
        "NAME          ADDRESSTYPE   PORTS     ENDPOINTS                                       AGE",
        "kubia-7vzhx   IPv4          8080      10.244.1.5,10.244.2.7,10.244.2.9 + 97 more...   3m",
        "kubia-x2pqt   IPv4          <unset>   <unset>                                         4s",
    )


@pytest.mark.parametrize(
    ("ports", "expected"),
    [
        ([{"name": "http", "port": 8080}, {"name": "https", "port": 8443}], "8080,8443"),
        ([{"name": "http"}], "http"),  # no number: the name
        ([{}], "*"),  # neither
        ([{"port": p} for p in (1, 2, 3, 4, 5)], "1,2,3 + 2 more..."),
        ([], "<unset>"),
    ],
)
def test_endpointslice_ports_cell(ports: list[dict], expected: str) -> None:
    eps = endpoint_slice("s", ["10.0.0.1"], ports)
    assert table("EndpointSlice", [eps], now=NOW)["rows"][0]["cells"][2] == expected


def test_endpointslice_endpoints_ignore_readiness() -> None:
    eps = endpoint_slice("s", ["10.0.0.1", "10.0.0.2", "10.0.0.3"], [{"port": 80}])
    eps["endpoints"][2]["conditions"] = {"ready": False, "serving": True, "terminating": True}
    assert table("EndpointSlice", [eps], now=NOW)["rows"][0]["cells"][3] == "10.0.0.1,10.0.0.2,10.0.0.3"


# --- Pods ---------------------------------------------------------------------------------------


def test_get_pods_wide() -> None:
    pods = [
        pod("kubia-7d5b8c-abcde", age_s=3600),
        pod("kubia-7d5b8c-fghij", ready=False, ip="10.244.2.7", node="node-2", age_s=90),
        pod("kubia-pending", phase="Pending", ready=False, ip="", node="", age_s=5, state={"waiting": {}}),
    ]
    pods[2]["status"]["containerStatuses"] = []
    assert render_table(table("Pod", pods, now=NOW), wide=True) == text(
        "NAME                 READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES",
        "kubia-7d5b8c-abcde   1/1     Running   0          60m   10.244.1.5   node-1   <none>           <none>",
        "kubia-7d5b8c-fghij   0/1     Running   0          90s   10.244.2.7   node-2   <none>           <none>",
        "kubia-pending        0/1     Pending   0          5s    <none>       <none>   <none>           <none>",
    )


def test_get_pods_hides_wide_columns() -> None:
    assert render_table(table("Pod", [pod("kubia-1")], now=NOW)) == text(
        "NAME      READY   STATUS    RESTARTS   AGE",
        "kubia-1   1/1     Running   0          5m",
    )


@pytest.mark.parametrize(
    ("build", "ready", "status", "restarts"),
    [
        (lambda: pod("p", deletionTimestamp=ago(1)), "1/1", "Terminating", "0"),
        (lambda: pod("p", phase="Succeeded", ready=False, deletionTimestamp=ago(1),
                     state={"terminated": {"exitCode": 0, "reason": "Completed"}}), "0/1", "Completed", "0"),
        (lambda: pod("p", ready=False, restarts=3, last_finished=ago(120),
                     state={"waiting": {"reason": "CrashLoopBackOff"}}), "0/1", "CrashLoopBackOff", "3 (2m ago)"),
        (lambda: pod("p", ready=False, state={"waiting": {"reason": "ContainerCreating"}}), "0/1",
         "ContainerCreating", "0"),
        (lambda: pod("p", ready=False, state={"terminated": {"exitCode": 137, "signal": 9}}), "0/1", "Signal:9", "0"),
        (lambda: pod("p", ready=False, state={"terminated": {"exitCode": 2}}), "0/1", "ExitCode:2", "0"),
    ],
)  # fmt: skip
def test_pod_status_cells(build: Any, ready: str, status: str, restarts: str) -> None:
    cells = table("Pod", [build()], now=NOW)["rows"][0]["cells"]
    assert cells[1:4] == [ready, status, restarts]


def test_pod_init_container_status() -> None:
    p = pod("p", phase="Pending", ready=False, state={"waiting": {"reason": "PodInitializing"}})
    p["spec"]["initContainers"] = [{"name": "setup", "image": "busybox"}]
    p["status"]["initContainerStatuses"] = [{"name": "setup", "state": {"running": {}}, "restartCount": 0}]
    assert table("Pod", [p], now=NOW)["rows"][0]["cells"][1:3] == ["0/1", "Init:0/1"]
    p["status"]["initContainerStatuses"][0]["state"] = {"waiting": {"reason": "ImagePullBackOff"}}
    assert table("Pod", [p], now=NOW)["rows"][0]["cells"][2] == "Init:ImagePullBackOff"


def test_completed_pods_carry_a_row_condition() -> None:
    done = pod(
        "job", phase="Succeeded", ready=False, state={"terminated": {"exitCode": 0, "reason": "Completed"}}
    )
    (row,) = table("Pod", [done], now=NOW)["rows"]
    assert row["conditions"] == [
        {
            "type": "Completed",
            "status": "True",
            "reason": "Succeeded",
            "message": "The pod has completed successfully.",
        }
    ]
    assert "conditions" not in table("Pod", [pod("run")], now=NOW)["rows"][0]


def test_readiness_gates_cell() -> None:
    p = pod("p")
    p["spec"]["readinessGates"] = [{"conditionType": "example.com/lb"}, {"conditionType": "example.com/x"}]
    p["status"]["conditions"].append({"type": "example.com/lb", "status": "True"})
    assert table("Pod", [p], now=NOW)["rows"][0]["cells"][8] == "1/2"


# --- Decorations: -A, --show-labels, --no-headers, kind prefixes --------------------------------


def test_all_namespaces_and_show_labels() -> None:
    pods = [
        pod("kubia-1", labels={"app": "kubia", "tier": "web"}),
        pod("coredns-1", namespace="kube-system", labels={"k8s-app": "kube-dns"}),
        pod("bare", labels={}),
    ]
    pods[2]["metadata"]["labels"] = {}
    assert render_table(table("Pod", pods, now=NOW), with_namespace=True, show_labels=True) == text(
        "NAMESPACE     NAME        READY   STATUS    RESTARTS   AGE   LABELS",
        "default       kubia-1     1/1     Running   0          5m    app=kubia,tier=web",
        "kube-system   coredns-1   1/1     Running   0          5m    k8s-app=kube-dns",
        "default       bare        1/1     Running   0          5m    <none>",
    )


def test_no_headers_and_kind_prefix() -> None:
    tbl = table("Service", CHAPTER_5_SERVICES[:2], now=NOW)
    assert render_table(tbl, no_headers=True, kind_prefix=kind_prefix_for("Service")) == text(
        "service/kubernetes   ClusterIP   10.96.0.1      <none>   443/TCP   3d",
        "service/kubia        ClusterIP   10.96.47.112   <none>   80/TCP    5m12s",
    )
    assert kind_prefix_for("Deployment") == "deployment.apps/"
    assert kind_prefix_for("ReplicaSet") == "replicaset.apps/"


def test_empty_list_prints_nothing_and_kubectl_says_no_resources() -> None:
    assert render_table(table("Service", [], now=NOW), wide=True) == ""
    assert no_resources_message("default") == "No resources found in default namespace."
    assert no_resources_message(None) == "No resources found"


# --- Workloads, nodes, namespaces, events -------------------------------------------------------


def deployment(name: str, replicas: int, ready: int, *, age_s: float = 600) -> dict:
    template = {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": f"luksa/{name}"}, {"name": "sidecar", "image": "envoy"}]}}  # fmt: skip
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(name, age_s),
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "template": template},
        "status": {
            "replicas": replicas,
            "readyReplicas": ready,
            "updatedReplicas": replicas,
            "availableReplicas": ready,
        },
    }


def test_get_deployments_and_replicasets_wide() -> None:
    dep = deployment("kubia", 3, 2)
    assert render_table(table("Deployment", [dep], now=NOW), wide=True) == text(
        "NAME    READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS      IMAGES              SELECTOR",
        "kubia   2/3     3            2           10m   kubia,sidecar   luksa/kubia,envoy   app=kubia",
    )
    rs = {**dep, "kind": "ReplicaSet", "metadata": meta("kubia-7d5b8c", 600)}
    rs["spec"] = {**dep["spec"], "selector": {"matchLabels": {"app": "kubia"},
                  "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "api"]}]}}  # fmt: skip
    assert render_table(table("ReplicaSet", [rs], now=NOW), wide=True) == text(
        "NAME           DESIRED   CURRENT   READY   AGE   CONTAINERS      IMAGES              SELECTOR",
        "kubia-7d5b8c   3         3         2       10m   kubia,sidecar   luksa/kubia,envoy   app=kubia,tier in (api,web)",
    )
    assert table("ReplicaSet", [rs], now=NOW)["rows"][0]["cells"][1:4] == [3, 3, 2]


def test_get_nodes_and_namespaces() -> None:
    def node(name: str, ready: str, labels: dict, **spec: Any) -> dict:
        return {
            "kind": "Node",
            "metadata": meta(name, 8 * 86400, namespace=None, labels=labels),
            "spec": spec,
            "status": {
                "conditions": [{"type": "Ready", "status": ready}],
                "addresses": [{"type": "InternalIP", "address": "192.168.49.2"}],
                "nodeInfo": {
                    "kubeletVersion": "v1.31.0",
                    "osImage": "Ubuntu 22.04.4 LTS",
                    "kernelVersion": "6.5.0",
                    "containerRuntimeVersion": "containerd://1.7.13",
                },
            },
        }

    nodes = [
        node("cp", "True", {"node-role.kubernetes.io/control-plane": ""}),
        node("w1", "False", {"kubernetes.io/role": "worker"}, unschedulable=True),
    ]
    assert render_table(table("Node", nodes, now=NOW), wide=True) == text(
        "NAME   STATUS                        ROLES           AGE   VERSION   INTERNAL-IP    EXTERNAL-IP   OS-IMAGE             KERNEL-VERSION   CONTAINER-RUNTIME",
        "cp     Ready                         control-plane   8d    v1.31.0   192.168.49.2   <none>        Ubuntu 22.04.4 LTS   6.5.0            containerd://1.7.13",
        "w1     NotReady,SchedulingDisabled   worker          8d    v1.31.0   192.168.49.2   <none>        Ubuntu 22.04.4 LTS   6.5.0            containerd://1.7.13",
    )
    namespaces = [{"kind": "Namespace", "metadata": meta("default", 8 * 86400, namespace=None),
                   "status": {"phase": "Active"}}]  # fmt: skip
    assert render_table(table("Namespace", namespaces, now=NOW)) == text(
        "NAME      STATUS   AGE",
        "default   Active   8d",
    )


def test_get_events_cuts_multiline_messages() -> None:
    event = {
        "kind": "Event",
        "metadata": meta("kubia.1", 120),
        "involvedObject": {"kind": "Service", "name": "kubia", "namespace": "default"},
        "type": "Normal",
        "reason": "EnsuringLoadBalancer",
        "message": "Ensuring load balancer\nsecond line",
        "source": {"component": "service-controller"},
        "firstTimestamp": ago(300),
        "lastTimestamp": ago(120),
        "count": 2,
    }
    tbl = table("Event", [event], now=NOW)
    assert tbl["rows"][0]["cells"] == [
        "2m", "Normal", "EnsuringLoadBalancer", "service/kubia", "", "service-controller",
        "Ensuring load balancer\nsecond line", "5m", 2, "kubia.1",
    ]  # fmt: skip
    assert render_table(tbl) == text(
        "LAST SEEN   TYPE     REASON                 OBJECT          MESSAGE",
        "2m          Normal   EnsuringLoadBalancer   service/kubia   Ensuring load balancer...",
    )


# --- The tabwriter itself -----------------------------------------------------------------------


def test_tabwriter_minwidth_and_unpadded_last_cell() -> None:
    assert tabwrite("A\tB\tC\nx\tyy\tz", minwidth=6, padding=3) == "A     B     C\nx     yy    z"
    # a line without a cell in a column ends that column's block
    assert tabwrite("a\tb\nlonger-line\naaaa\tc", minwidth=0, padding=2) == "a  b\nlonger-line\naaaa  c"
