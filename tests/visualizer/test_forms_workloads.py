"""Workload, scale, node and settings forms."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from cluster.models import Cluster
from cluster.selectors import object_get, object_list


def url(route: str, cluster: Cluster, **kwargs: str) -> str:
    return reverse(route, kwargs={"cluster_id": cluster.pk, **kwargs})


def pods(cluster: Cluster, app: str) -> list[dict]:
    return [p for p in object_list(cluster=cluster, kind="Pod")
            if (p["metadata"].get("labels") or {}).get("app") == app]


def rv(cluster: Cluster) -> int:
    cluster.refresh_from_db()
    return cluster.resource_version


def workload(name: str = "web", **extra: str) -> dict:
    return {"name": name, "namespace": "default", "replicas": "3", "labels": "app=web",
            "container_port": "8080", "port_name": "http", **extra}


# --- create ---------------------------------------------------------------------------------------


def test_workload_form_creates_a_deployment_and_its_pods(kubia: Cluster, owner_client: Client) -> None:
    response = owner_client.post(url("workload-create", kubia), workload())

    assert response.json() == {"ok": True, "message": "deployment.apps/web created"}
    assert len(pods(kubia, "web")) == 3


def test_workload_name_error_is_at_the_name(kubia, owner_client) -> None:
    before = rv(kubia)

    response = owner_client.post(url("workload-create", kubia), workload("Web_1"))

    assert response.status_code == 400
    assert response.json()["errors"]["name"][0].startswith('metadata.name: Invalid value: "Web_1"')
    assert rv(kubia) == before


def test_workload_negative_replicas_is_the_apiserver_message(kubia, owner_client) -> None:
    response = owner_client.post(url("workload-create", kubia), workload(replicas="-1"))

    assert response.json()["errors"] == {
        "replicas": ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]}


def test_workload_with_an_existing_name(kubia, owner_client) -> None:
    owner_client.post(url("workload-create", kubia), workload())

    response = owner_client.post(url("workload-create", kubia), workload())

    assert response.json()["errors"] == {"name": ['deployments.apps "web" already exists']}


# --- scale ----------------------------------------------------------------------------------------


def test_scale_form_scales_a_standalone_replicaset(kubia, owner_client) -> None:
    response = owner_client.post(url("workload-scale-form", kubia), {"workload": "default/kubia", "replicas": "5"})

    assert response.json() == {"ok": True, "message": "replicaset.apps/kubia scaled"}
    assert len(pods(kubia, "kubia")) == 5


def test_per_object_scale_prefers_the_deployment(kubia, owner_client) -> None:
    owner_client.post(url("workload-create", kubia), workload())

    response = owner_client.post(url("workload-scale", kubia, namespace="default", name="web"), {"replicas": "1"})

    assert response.json() == {"ok": True, "message": "deployment.apps/web scaled"}
    assert len(pods(kubia, "web")) == 1


def test_scale_is_capped_before_the_write(kubia, owner_client) -> None:
    before = rv(kubia)

    response = owner_client.post(url("workload-scale-form", kubia), {"workload": "kubia", "replicas": "2001"})

    assert list(response.json()["errors"]) == ["replicas"]
    assert rv(kubia) == before


def test_scaling_a_missing_workload(kubia, owner_client) -> None:
    response = owner_client.post(url("workload-scale-form", kubia), {"workload": "nope", "replicas": "1"})

    assert response.json()["errors"] == {"workload": ['deployments.apps "nope" not found']}


def test_page_scale_form_lists_workloads(kubia, owner_client) -> None:
    owner_client.post(url("workload-create", kubia), workload())
    from visualizer.views import sandbox_forms

    choices = [value for value, _label in sandbox_forms(kubia)["scale"].fields["workload"].widget.choices]

    # The Deployment's own ReplicaSet is not offered: scaling it would be undone.
    assert choices == ["default/web", "default/kubia"]


# --- delete ---------------------------------------------------------------------------------------


def test_delete_deployment(kubia, owner_client) -> None:
    owner_client.post(url("workload-create", kubia), workload())

    response = owner_client.post(url("workload-delete", kubia, namespace="default", name="web"))

    assert response.json() == {"ok": True, "message": 'deployment.apps "web" deleted'}
    assert object_get(cluster=kubia, kind="Deployment", namespace="default", name="web") is None


def test_delete_replicaset_when_no_deployment_has_the_name(kubia, owner_client) -> None:
    response = owner_client.post(url("workload-delete", kubia, namespace="default", name="kubia"))

    assert response.json() == {"ok": True, "message": 'replicaset.apps "kubia" deleted'}
    assert object_get(cluster=kubia, kind="ReplicaSet", namespace="default", name="kubia") is None


# --- nodes ----------------------------------------------------------------------------------------


def test_add_and_delete_a_node(kubia, owner_client) -> None:
    added = owner_client.post(url("node-create", kubia))
    assert added.json() == {"ok": True, "message": "node/node-4 created"}

    removed = owner_client.post(url("node-delete", kubia, name="node-4"))

    assert removed.json() == {"ok": True, "message": 'node "node-4" deleted'}
    assert object_get(cluster=kubia, kind="Node", namespace="", name="node-4") is None


def test_delete_missing_node(kubia, owner_client) -> None:
    response = owner_client.post(url("node-delete", kubia, name="node-9"))

    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ['nodes "node-9" not found']


# --- settings -------------------------------------------------------------------------------------


def settings_data(**extra: str) -> dict:
    return {"node_port_range": "30000-32767", "max_endpoints_per_slice": "100", "proxy_mode": "iptables",
            "lb_pool": "130.211.53.173-130.211.53.182", **extra}


def test_settings_are_saved(kubia, owner_client) -> None:
    data = settings_data(max_endpoints_per_slice="2", proxy_mode="ipvs", lb_pool="10.1.0.0/28, 192.168.1.5")

    response = owner_client.post(url("sandbox-settings", kubia), data)

    assert response.json() == {"ok": True, "message": "sandbox settings saved"}
    kubia.refresh_from_db()
    assert (kubia.max_endpoints_per_slice, kubia.proxy_mode) == (2, "ipvs")
    assert kubia.lb_pool == ["10.1.0.0/28", "192.168.1.5"]


def test_bad_settings_are_field_errors_and_change_nothing(kubia, owner_client) -> None:
    before = rv(kubia)

    response = owner_client.post(url("sandbox-settings", kubia), settings_data(
        node_port_range="3-2", max_endpoints_per_slice="1001", proxy_mode="userspace"))

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "node_port_range": ['nodePortRange: Invalid value: "3-2": must be a port range like 30000-32767']}
    assert rv(kubia) == before
    kubia.refresh_from_db()
    assert kubia.node_port_min == 30000


def test_unsupported_proxy_mode(kubia, owner_client) -> None:
    response = owner_client.post(url("sandbox-settings", kubia), settings_data(proxy_mode="userspace"))

    assert response.json()["errors"] == {
        "proxy_mode": ["proxyMode: Invalid value: \"userspace\": supported values: 'iptables', 'ipvs', 'nftables'"]}


def test_empty_pool_keeps_load_balancers_pending(kubia, owner_client) -> None:
    owner_client.post(url("sandbox-settings", kubia), settings_data(lb_pool=""))
    owner_client.post(url("service-create", kubia), {
        "name": "web-lb", "type": "LoadBalancer", "selector": "app=kubia", "ports-0-port": "80"})

    kubia.refresh_from_db()
    assert kubia.lb_pool == []
    svc = object_get(cluster=kubia, kind="Service", namespace="default", name="web-lb")
    assert not (svc["status"].get("loadBalancer") or {}).get("ingress")
