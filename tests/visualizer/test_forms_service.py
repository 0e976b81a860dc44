"""The Service form: types parsed here, everything else judged by the cluster's write path."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cluster.models import Cluster, NodePortAllocation
from cluster.selectors import object_get
from visualizer.forms import ServiceForm

RANGE_ERROR = ("spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. "
               "The range of valid ports is 30000-32767")


def create_url(cluster: Cluster) -> str:
    return reverse("service-create", kwargs={"cluster_id": cluster.pk})


def edit_url(cluster: Cluster, name: str) -> str:
    return reverse("service-edit", kwargs={"cluster_id": cluster.pk, "namespace": "default", "name": name})


def service(cluster: Cluster, name: str) -> dict | None:
    return object_get(cluster=cluster, kind="Service", namespace="default", name=name)


def rv(cluster: Cluster) -> int:
    cluster.refresh_from_db()
    return cluster.resource_version


def nodeport_data(name: str = "web-nodeport", node_port: int | str = "", **extra: str) -> dict:
    return {"name": name, "namespace": "default", "type": "NodePort", "selector": "app=kubia",
            "ports-0-protocol": "TCP", "ports-0-port": "80", "ports-0-target_port": "8080",
            "ports-0-node_port": str(node_port), **extra}


@pytest.fixture
def empty(db) -> Cluster:
    from cluster.services.sandboxes import cluster_create

    return cluster_create(preset="empty", seed=3)


def test_nodeport_with_chosen_port_is_created(empty: Cluster, client_for) -> None:
    response = client_for(empty).post(create_url(empty), nodeport_data("kubia-nodeport", 30123))

    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": "service/kubia-nodeport created"}
    assert service(empty, "kubia-nodeport")["spec"]["ports"][0]["nodePort"] == 30123


def test_empty_node_port_is_allocated(kubia: Cluster, owner_client: Client) -> None:
    response = owner_client.post(create_url(kubia), nodeport_data())

    assert response.json()["ok"] is True
    assert 30000 <= service(kubia, "web-nodeport")["spec"]["ports"][0]["nodePort"] <= 32767


def test_out_of_range_node_port_shows_apiserver_message_and_changes_nothing(kubia, owner_client) -> None:
    before = rv(kubia)

    response = owner_client.post(create_url(kubia), nodeport_data(node_port=80))

    assert response.status_code == 400
    assert response.json() == {"ok": False, "errors": {"ports-0-node_port": [RANGE_ERROR]}, "non_field_errors": []}
    assert rv(kubia) == before
    assert service(kubia, "web-nodeport") is None


def test_node_port_taken_by_another_service(kubia, owner_client) -> None:
    response = owner_client.post(create_url(kubia), nodeport_data("kubia-nodeport2", 30123))

    assert response.json()["errors"] == {
        "ports-0-node_port": ["spec.ports[0].nodePort: Invalid value: 30123: provided port is already allocated"]}


def test_two_unnamed_ports_get_both_name_errors_on_their_rows(kubia, owner_client) -> None:
    data = nodeport_data(**{"ports-2-port": "443", "ports-2-target_port": "8443", "ports-2-protocol": "TCP"})

    response = owner_client.post(create_url(kubia), data)

    # Row 1 was left empty: spec.ports[1] is row 2.
    assert response.json()["errors"] == {
        "ports-0-name": ["spec.ports[0].name: Required value"],
        "ports-2-name": ["spec.ports[1].name: Required value"],
    }


def test_unsupported_protocol_is_the_apiserver_message(kubia, owner_client) -> None:
    response = owner_client.post(create_url(kubia), nodeport_data(**{"ports-0-protocol": "HTTP"}))

    assert response.json()["errors"]["ports-0-protocol"] == [
        'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']


def test_invalid_name_goes_to_the_name_field(kubia, owner_client) -> None:
    response = owner_client.post(create_url(kubia), nodeport_data("My_Svc"))

    [message] = response.json()["errors"]["name"]
    assert message.startswith('metadata.name: Invalid value: "My_Svc": a DNS-1035 label must consist of')


def test_existing_name_is_reported_at_the_name(kubia, owner_client) -> None:
    response = owner_client.post(create_url(kubia), nodeport_data("kubia"))

    assert response.json()["errors"] == {"name": ['services "kubia" already exists']}


def test_malformed_selector_is_a_form_error(kubia, owner_client) -> None:
    before = rv(kubia)

    response = owner_client.post(create_url(kubia), nodeport_data(selector="app"))

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["selector"]
    assert rv(kubia) == before


def test_client_ip_affinity_and_traffic_policy(kubia, owner_client) -> None:
    data = nodeport_data(session_affinity="ClientIP", session_affinity_timeout="600",
                         external_traffic_policy="Local")

    assert owner_client.post(create_url(kubia), data).json()["ok"] is True
    spec = service(kubia, "web-nodeport")["spec"]
    assert spec["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 600}}
    assert spec["externalTrafficPolicy"] == "Local"


def test_affinity_timeout_error_goes_to_the_timeout_field(kubia, owner_client) -> None:
    data = nodeport_data(session_affinity="ClientIP", session_affinity_timeout="86401")

    errors = owner_client.post(create_url(kubia), data).json()["errors"]

    assert list(errors) == ["session_affinity_timeout"]
    assert errors["session_affinity_timeout"][0].startswith(
        "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401")


def test_load_balancer_gets_node_port_and_address_from_the_pool(kubia, owner_client) -> None:
    data = nodeport_data("web-lb", type="LoadBalancer")

    assert owner_client.post(create_url(kubia), data).json() == {"ok": True, "message": "service/web-lb created"}
    svc = service(kubia, "web-lb")
    assert svc["spec"]["ports"][0]["nodePort"]
    [ingress] = svc["status"]["loadBalancer"]["ingress"]
    assert ingress["ip"] == "130.211.53.174"  # kubia-loadbalancer has .173


def test_edit_form_is_prefilled_from_the_stored_service(kubia, owner_client) -> None:
    response = owner_client.get(edit_url(kubia, "kubia-nodeport"))

    body = response.json()
    assert body["action"] == edit_url(kubia, "kubia-nodeport")
    initial = body["initial"]
    assert (initial["name"], initial["type"], initial["selector"]) == ("kubia-nodeport", "NodePort", "app=kubia")
    assert (initial["ports-0-port"], initial["ports-0-target_port"], initial["ports-0-node_port"]) == (80, 8080, 30123)


def test_editing_type_to_cluster_ip_frees_the_node_port(kubia, owner_client) -> None:
    initial = owner_client.get(edit_url(kubia, "kubia-nodeport")).json()["initial"]
    data = {key: "" if value is None else str(value) for key, value in initial.items()}
    data["type"] = "ClusterIP"

    response = owner_client.post(edit_url(kubia, "kubia-nodeport"), data)

    assert response.json() == {"ok": True, "message": "service/kubia-nodeport edited"}
    assert "nodePort" not in service(kubia, "kubia-nodeport")["spec"]["ports"][0]
    assert not NodePortAllocation.objects.filter(cluster=kubia, port=30123).exists()
    again = owner_client.post(create_url(kubia), nodeport_data("kubia-nodeport2", 30123))
    assert again.json()["ok"] is True


def test_edit_keeps_immutable_rules(kubia, owner_client) -> None:
    """A ClusterIP service cannot keep a nodePort: the update path says so, nothing changes."""
    before = rv(kubia)
    data = nodeport_data("kubia", 30999, type="ClusterIP")

    response = owner_client.post(edit_url(kubia, "kubia"), data)

    assert response.json()["errors"] == {
        "ports-0-node_port": ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]}
    assert rv(kubia) == before


def test_edit_without_changes_says_unchanged(kubia, owner_client) -> None:
    initial = owner_client.get(edit_url(kubia, "kubia")).json()["initial"]
    data = {key: "" if value is None else str(value) for key, value in initial.items()}

    assert owner_client.post(edit_url(kubia, "kubia"), data).json()["message"] == "service/kubia unchanged"


def test_edit_of_a_missing_service_is_404(kubia, owner_client) -> None:
    response = owner_client.get(edit_url(kubia, "nope"))

    assert response.status_code == 404
    assert response.json()["non_field_errors"] == ['services "nope" not found']


def test_form_exposes_port_rows_for_templates() -> None:
    form = ServiceForm(action="/x/")

    assert [row.index for row in form.port_rows] == [0, 1, 2, 3]
    assert form.port_rows[1].node_port.html_name == "ports-1-node_port"
    assert form.action == "/x/"


def test_edit_keeps_port_fields_the_form_does_not_show(kubia, owner_client) -> None:
    from cluster.services.objects import object_update

    def add_app_protocol(svc: dict) -> dict:
        svc["spec"]["ports"][0]["appProtocol"] = "http"
        return svc

    object_update(cluster=kubia, kind="Service", namespace="default", name="kubia", mutate=add_app_protocol)
    body = owner_client.get(edit_url(kubia, "kubia")).json()
    data = {key: "" if value is None else str(value) for key, value in body["initial"].items()}
    data["ports-0-target_port"] = "http"

    assert owner_client.post(edit_url(kubia, "kubia"), data).json()["ok"] is True
    port = service(kubia, "kubia")["spec"]["ports"][0]
    assert (port["targetPort"], port["appProtocol"]) == ("http", "http")
    assert body["port_rows"] == 4


def test_missing_namespace_is_reported_at_the_namespace(kubia, owner_client) -> None:
    response = owner_client.post(create_url(kubia), nodeport_data(namespace="nope"))

    assert response.json()["errors"] == {"namespace": ['namespaces "nope" not found']}
