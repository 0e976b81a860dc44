"""`kubectl apply` of Kubernetes in Action's chapter-5 manifests, and what `get` and `describe` show."""

from __future__ import annotations

import re

from tests.kubeclients.conftest import MANIFESTS, Kubectl, rows

AGE = re.compile(r"^\d+s$")


def apply(kubectl: Kubectl, *names: str, server_side: bool = False) -> str:
    args = ["apply", *(["--server-side"] if server_side else [])]
    for name in names:
        args += ["-f", str(MANIFESTS / name)]
    return kubectl.out(*args)


def services(kubectl: Kubectl) -> dict[str, dict]:
    return {s["metadata"]["name"]: s for s in kubectl.json("get", "svc")["items"]}


def pod_ips(kubectl: Kubectl, selector: str = "app=kubia") -> set[str]:
    return {p["status"]["podIP"] for p in kubectl.json("get", "pods", "-l", selector)["items"]}


def book_services(kubectl: Kubectl) -> None:
    assert apply(kubectl, "kubia-replicaset.yaml") == "replicaset.apps/kubia created\n"
    assert apply(kubectl, "kubia-svc.yaml") == "service/kubia created\n"
    assert apply(kubectl, "kubia-svc-nodeport.yaml") == "service/kubia-nodeport created\n"
    assert apply(kubectl, "kubia-svc-loadbalancer.yaml") == "service/kubia-loadbalancer created\n"


def test_get_svc_columns_and_cells(kubectl: Kubectl):
    book_services(kubectl)
    svc = services(kubectl)
    lb = svc["kubia-loadbalancer"]
    table = rows(kubectl.out("get", "svc"))
    assert table[0] == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert [r[:5] for r in table[1:]] == [
        ["kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP"],
        ["kubia", "ClusterIP", svc["kubia"]["spec"]["clusterIP"], "<none>", "80/TCP"],
        [
            "kubia-loadbalancer",
            "LoadBalancer",
            lb["spec"]["clusterIP"],
            lb["status"]["loadBalancer"]["ingress"][0]["ip"],
            f"80:{lb['spec']['ports'][0]['nodePort']}/TCP",
        ],
        ["kubia-nodeport", "NodePort", svc["kubia-nodeport"]["spec"]["clusterIP"], "<none>", "80:30123/TCP"],
    ]
    assert all(AGE.match(r[5]) for r in table[1:])


def test_get_svc_wide_all_namespaces_and_labels(kubectl: Kubectl):
    book_services(kubectl)
    wide = rows(kubectl.out("get", "svc", "-o", "wide"))
    assert wide[0] == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"]
    assert {r[0]: r[6] for r in wide[1:]} == {
        "kubernetes": "<none>",
        "kubia": "app=kubia",
        "kubia-loadbalancer": "app=kubia",
        "kubia-nodeport": "app=kubia",
    }
    everywhere = rows(kubectl.out("get", "svc", "-A"))
    assert everywhere[0][:2] == ["NAMESPACE", "NAME"]
    assert {(r[0], r[1]) for r in everywhere[1:]} == {
        ("default", n) for n in ("kubernetes", "kubia", "kubia-loadbalancer", "kubia-nodeport")
    }
    labelled = rows(kubectl.out("get", "svc", "--show-labels"))
    assert labelled[0][-1] == "LABELS"
    assert {r[0]: r[-1] for r in labelled[1:]}["kubernetes"] == "component=apiserver,provider=kubernetes"
    assert {r[0]: r[-1] for r in labelled[1:]}["kubia"] == "<none>"


def test_get_endpoints_endpointslices_and_pods(kubectl: Kubectl):
    book_services(kubectl)
    ips = pod_ips(kubectl)
    assert len(ips) == 3
    endpoints = {r[0]: r for r in rows(kubectl.out("get", "ep"))}
    assert endpoints["NAME"] == ["NAME", "ENDPOINTS", "AGE"]
    assert set(endpoints["kubia"][1].split(",")) == {f"{ip}:8080" for ip in ips}
    assert endpoints["kubernetes"][1] == "10.0.0.2:6443"
    slices = rows(kubectl.out("get", "endpointslices"))
    assert slices[0] == ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]
    kubia_slice = next(r for r in slices if re.fullmatch(r"kubia-[a-z0-9]{5}", r[0]))
    assert kubia_slice[1:3] == ["IPv4", "8080"]
    assert set(kubia_slice[3].split(",")) == ips
    pods = rows(kubectl.out("get", "pods", "-o", "wide"))
    assert pods[0] == [
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
        "NOMINATED",
        "NODE",
        "READINESS",
        "GATES",
    ]
    assert {r[5] for r in pods[1:]} == ips
    for row in pods[1:]:
        assert re.fullmatch(r"kubia-[a-z0-9]{5}", row[0])
        assert row[1:4] == ["1/1", "Running", "0"]
        assert row[6].startswith("node-") and row[7:] == ["<none>", "<none>"]


def test_describe_svc_prints_the_reference_fields_in_order(kubectl: Kubectl):
    book_services(kubectl)
    ip = services(kubectl)["kubia-nodeport"]["spec"]["clusterIP"]
    text = kubectl.out("describe", "svc", "kubia-nodeport")
    fields = [(key, value.strip()) for key, _, value in (line.partition(":") for line in text.splitlines())]
    assert [k for k, _ in fields] == [
        "Name",
        "Namespace",
        "Labels",
        "Annotations",
        "Selector",
        "Type",
        "IP Family Policy",
        "IP Families",
        "IP",
        "IPs",
        "Port",
        "TargetPort",
        "NodePort",
        "Endpoints",
        "Session Affinity",
        "External Traffic Policy",
        "Internal Traffic Policy",
        "Events",
    ]
    values = dict(fields)
    assert values["Name"] == "kubia-nodeport"
    assert values["Annotations"] == "<none>"  # kubectl hides last-applied-configuration
    assert values["Selector"] == "app=kubia"
    assert values["IP"] == values["IPs"] == ip
    assert values["Port"] == "<unset>  80/TCP"
    assert values["TargetPort"] == "8080/TCP"
    assert values["NodePort"] == "<unset>  30123/TCP"
    assert set(values["Endpoints"].split(",")) == {f"{p}:8080" for p in pod_ips(kubectl)}
    assert values["Session Affinity"] == "None"
    assert values["External Traffic Policy"] == values["Internal Traffic Policy"] == "Cluster"
    assert values["Events"] == "<none>"


def test_reapply_after_editing_patches_the_live_object(kubectl: Kubectl):
    assert apply(kubectl, "kubia-svc.yaml") == "service/kubia created\n"
    cluster_ip = services(kubectl)["kubia"]["spec"]["clusterIP"]

    assert apply(kubectl, "kubia-svc-named-ports.yaml") == "service/kubia configured\n"
    kubia = services(kubectl)["kubia"]
    assert [(p["name"], p["port"], p["targetPort"]) for p in kubia["spec"]["ports"]] == [
        ("http", 80, 8080),
        ("https", 443, 8443),
    ]
    assert rows(kubectl.out("get", "svc", "kubia"))[1][4] == "80/TCP,443/TCP"

    assert apply(kubectl, "kubia-svc.yaml") == "service/kubia configured\n"
    kubia = services(kubectl)["kubia"]
    assert kubia["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 8080}]

    assert apply(kubectl, "kubia-svc-client-ip-session-affinity.yaml") == "service/kubia configured\n"
    kubia = services(kubectl)["kubia"]
    assert kubia["spec"]["sessionAffinity"] == "ClientIP"
    assert kubia["spec"]["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    assert kubia["spec"]["clusterIP"] == cluster_ip
    assert apply(kubectl, "kubia-svc-client-ip-session-affinity.yaml") == "service/kubia unchanged\n"


def test_apply_server_side_creates_then_updates(kubectl: Kubectl, tmp_path):
    assert (
        apply(kubectl, "kubia-svc-nodeport.yaml", server_side=True)
        == "service/kubia-nodeport serverside-applied\n"
    )
    created = services(kubectl)["kubia-nodeport"]
    assert created["spec"]["ports"][0]["nodePort"] == 30123
    edited = tmp_path / "nodeport.yaml"
    edited.write_text(
        (MANIFESTS / "kubia-svc-nodeport.yaml")
        .read_text()
        .replace("  type: NodePort", "  type: NodePort\n  externalTrafficPolicy: Local")
    )
    assert (
        kubectl.out("apply", "--server-side", "-f", str(edited))
        == "service/kubia-nodeport serverside-applied\n"
    )
    updated = services(kubectl)["kubia-nodeport"]
    assert updated["spec"]["externalTrafficPolicy"] == "Local"
    assert updated["spec"]["clusterIP"] == created["spec"]["clusterIP"]
    assert updated["metadata"]["uid"] == created["metadata"]["uid"]


def test_apply_server_side_over_a_client_side_apply(kubectl: Kubectl):
    apply(kubectl, "kubia-svc.yaml")
    assert apply(kubectl, "kubia-svc-client-ip-session-affinity.yaml", server_side=True) == (
        "service/kubia serverside-applied\n"
    )
    assert services(kubectl)["kubia"]["spec"]["sessionAffinity"] == "ClientIP"


def test_apply_a_deployment_and_a_replicaset(kubectl: Kubectl):
    assert apply(kubectl, "kubia-deployment.yaml") == "deployment.apps/kubia created\n"
    deployment = rows(kubectl.out("get", "deploy", "-o", "wide"))
    assert deployment[0] == [
        "NAME",
        "READY",
        "UP-TO-DATE",
        "AVAILABLE",
        "AGE",
        "CONTAINERS",
        "IMAGES",
        "SELECTOR",
    ]
    assert deployment[1][:4] == ["kubia", "3/3", "3", "3"]
    assert deployment[1][5:] == ["nodejs", "luksa/kubia:v1", "app=kubia"]
    replicasets = rows(kubectl.out("get", "rs"))
    assert replicasets[0] == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert re.fullmatch(r"kubia-[a-z0-9]+", replicasets[1][0]) and replicasets[1][1:4] == ["3", "3", "3"]
    assert len(pod_ips(kubectl)) == 3
