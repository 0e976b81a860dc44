"""The official `kubernetes` Python client against a sandbox, configured with host and bearer token."""

from __future__ import annotations

import pytest
from kubernetes import client, watch

from tests.kubeclients.conftest import Sandbox, Server


def api_client(box: Sandbox, token: str | None = None) -> client.ApiClient:
    config = client.Configuration(
        host=box.server,
        api_key={"authorization": token or box.token},
        api_key_prefix={"authorization": "Bearer"},
    )
    return client.ApiClient(config)


@pytest.fixture
def core(kubia: Sandbox) -> client.CoreV1Api:
    return client.CoreV1Api(api_client(kubia))


def service_body(name: str) -> client.V1Service:
    return client.V1Service(
        metadata=client.V1ObjectMeta(name=name, labels={"made-by": "python"}),
        spec=client.V1ServiceSpec(
            selector={"app": "kubia"}, ports=[client.V1ServicePort(port=80, target_port=8080)]
        ),
    )


def test_services_create_list_read_patch_delete(core: client.CoreV1Api):
    created = core.create_namespaced_service("default", service_body("py-svc"))
    assert created.spec.cluster_ip and created.spec.ports[0].protocol == "TCP"
    assert "py-svc" in [s.metadata.name for s in core.list_namespaced_service("default").items]
    assert [
        s.metadata.name for s in core.list_service_for_all_namespaces(label_selector="made-by=python").items
    ] == ["py-svc"]
    assert core.read_namespaced_service("py-svc", "default").spec.selector == {"app": "kubia"}
    patched = core.patch_namespaced_service(
        "py-svc", "default", {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}
    )
    assert [(p.port, p.target_port) for p in patched.spec.ports] == [(80, 9090)]
    deleted = core.delete_namespaced_service("py-svc", "default")
    assert deleted.metadata.name == "py-svc"
    with pytest.raises(client.ApiException) as missing:
        core.read_namespaced_service("py-svc", "default")
    assert missing.value.status == 404


def test_pods_create_list_read_delete(core: client.CoreV1Api):
    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(name="py-pod", labels={"role": "probe"}),
        spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox")]),
    )
    created = core.create_namespaced_pod("default", pod)
    assert created.metadata.uid
    listed = core.list_namespaced_pod("default", label_selector="role=probe").items
    assert [p.metadata.name for p in listed] == ["py-pod"]
    assert core.read_namespaced_pod("py-pod", "default").status.phase == "Running"
    assert core.delete_namespaced_pod("py-pod", "default").metadata.name == "py-pod"
    assert core.list_namespaced_pod("default", label_selector="role=probe").items == []


def test_endpoints_and_endpointslices(kubia: Sandbox, core: client.CoreV1Api):
    pod_ips = {p.status.pod_ip for p in core.list_namespaced_pod("default", label_selector="app=kubia").items}
    endpoints = core.read_namespaced_endpoints("kubia", "default")
    assert {a.ip for a in endpoints.subsets[0].addresses} == pod_ips
    discovery = client.DiscoveryV1Api(api_client(kubia))
    slices = discovery.list_namespaced_endpoint_slice(
        "default", label_selector="kubernetes.io/service-name=kubia"
    )
    assert len(slices.items) == 1
    assert {a for e in slices.items[0].endpoints for a in e.addresses} == pod_ips
    assert slices.items[0].ports[0].port == 8080
    assert len(discovery.list_endpoint_slice_for_all_namespaces().items) >= 4


def test_deployments_list(kubia: Sandbox):
    assert client.AppsV1Api(api_client(kubia)).list_namespaced_deployment("default").items == []


def test_watch_streams_added_events(core: client.CoreV1Api):
    events = list(watch.Watch().stream(core.list_namespaced_service, "default", timeout_seconds=2))
    assert {(e["type"], e["object"].metadata.name) for e in events} >= {
        ("ADDED", "kubia"),
        ("ADDED", "kubia-nodeport"),
        ("ADDED", "kubia-loadbalancer"),
    }


def test_another_sandboxs_token_is_unauthorized(server: Server, kubia: Sandbox):
    other = server.sandbox("empty")
    with pytest.raises(client.ApiException) as refused:
        client.CoreV1Api(api_client(kubia, token=other.token)).list_namespaced_service("default")
    assert refused.value.status == 401
