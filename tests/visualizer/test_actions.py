"""Per-object actions on the sandbox page: owner only, CSRF-checked, one write each."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

from cluster.models import Cluster
from cluster.selectors import object_get, object_list
from visualizer.actions import sandbox_actions


def kubia_pods(cluster: Cluster) -> list[dict]:
    return [p for p in object_list(cluster=cluster, kind="Pod", namespace="default")
            if p["metadata"].get("labels", {}).get("app") == "kubia"]


def first_pod(cluster: Cluster) -> str:
    return kubia_pods(cluster)[0]["metadata"]["name"]


def slice_conditions(cluster: Cluster, service: str, pod: str) -> dict:
    for eps in object_list(cluster=cluster, kind="EndpointSlice", namespace="default"):
        if eps["metadata"].get("labels", {}).get("kubernetes.io/service-name") != service:
            continue
        for endpoint in eps.get("endpoints") or []:
            if (endpoint.get("targetRef") or {}).get("name") == pod:
                return endpoint["conditions"]
    raise AssertionError(f"{pod} is in no EndpointSlice of {service}")


def action(cluster: Cluster, key: str, name: str, namespace: str = "default") -> str:
    return sandbox_actions(cluster)[key].format(namespace=namespace, name=name)


def rv(cluster: Cluster) -> int:
    cluster.refresh_from_db()
    return cluster.resource_version


def test_readiness_flip_changes_the_endpointslice_conditions(kubia: Cluster, owner_client: Client) -> None:
    pod = first_pod(kubia)

    response = owner_client.post(action(kubia, "podReadiness", pod), {"ready": "false"})

    assert response.json() == {"ok": True, "message": f"pod/{pod} marked not Ready"}
    assert slice_conditions(kubia, "kubia", pod)["ready"] is False

    owner_client.post(action(kubia, "podReadiness", pod), {"ready": "true"})
    assert slice_conditions(kubia, "kubia", pod)["ready"] is True


def test_readiness_without_a_value_flips_it(kubia, owner_client) -> None:
    pod = first_pod(kubia)

    assert owner_client.post(action(kubia, "podReadiness", pod)).json()["message"] == f"pod/{pod} marked not Ready"
    assert owner_client.post(action(kubia, "podReadiness", pod)).json()["message"] == f"pod/{pod} marked Ready"


def test_readiness_needs_true_or_false(kubia, owner_client) -> None:
    response = owner_client.post(action(kubia, "podReadiness", first_pod(kubia)), {"ready": "maybe"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["ready"]


def test_delete_pod(kubia, owner_client) -> None:
    pod = first_pod(kubia)

    response = owner_client.post(action(kubia, "podDelete", pod))

    assert response.json() == {"ok": True, "message": f'pod "{pod}" deleted'}
    assert object_get(cluster=kubia, kind="Pod", namespace="default", name=pod) is None
    assert len(kubia_pods(kubia)) == 3  # the ReplicaSet made a replacement


def test_graceful_delete_leaves_the_pod_terminating(kubia, owner_client) -> None:
    pod = first_pod(kubia)

    owner_client.post(action(kubia, "podDelete", pod), {"graceful": "true"})

    assert object_get(cluster=kubia, kind="Pod", namespace="default", name=pod)["metadata"]["deletionTimestamp"]
    assert slice_conditions(kubia, "kubia", pod)["terminating"] is True


def test_delete_service(kubia, owner_client) -> None:
    response = owner_client.post(action(kubia, "serviceDelete", "kubia-loadbalancer"))

    assert response.json() == {"ok": True, "message": 'service "kubia-loadbalancer" deleted'}
    assert object_get(cluster=kubia, kind="Service", namespace="default", name="kubia-loadbalancer") is None


def test_missing_pod_is_the_apiserver_message(kubia, owner_client) -> None:
    response = owner_client.post(action(kubia, "podDelete", "nope"))

    assert response.status_code == 400
    assert response.json() == {"ok": False, "errors": {}, "non_field_errors": ['pods "nope" not found']}


def test_actions_are_post_only(kubia, owner_client) -> None:
    assert owner_client.get(action(kubia, "podDelete", first_pod(kubia))).status_code == 405


def test_sandbox_actions_are_url_templates(kubia) -> None:
    actions = sandbox_actions(kubia)

    assert set(actions) == {"podReadiness", "podDelete", "serviceDelete", "serviceEdit", "workloadDelete",
                            "workloadScale", "nodeDelete"}
    assert actions["podReadiness"] == f"/clusters/{kubia.pk}/pods/{{namespace}}/{{name}}/readiness/"
    assert actions["nodeDelete"] == f"/clusters/{kubia.pk}/nodes/{{name}}/delete/"


# --- who may act ----------------------------------------------------------------------------------

STRANGER_ACTIONS = [
    ("podReadiness", {"ready": "false"}),
    ("podDelete", {}),
    ("serviceDelete", {}),
    ("serviceEdit", {"type": "ClusterIP", "ports-0-port": "80"}),
    ("workloadDelete", {}),
    ("workloadScale", {"replicas": "0"}),
    ("nodeDelete", {}),
]


def target(cluster: Cluster, key: str) -> str:
    names = {"podReadiness": first_pod(cluster), "podDelete": first_pod(cluster), "serviceDelete": "kubia",
             "serviceEdit": "kubia", "workloadDelete": "kubia", "workloadScale": "kubia", "nodeDelete": "node-1"}
    return action(cluster, key, names[key])


@pytest.mark.parametrize(("key", "data"), STRANGER_ACTIONS)
def test_strangers_get_404_and_nothing_changes(kubia, stranger_client, key, data) -> None:
    before = rv(kubia)

    response = stranger_client.post(target(kubia, key), data)

    assert response.status_code == 404
    assert response.json()["ok"] is False
    assert rv(kubia) == before


@pytest.mark.parametrize("path", ["services/new/", "workloads/new/", "scale/", "nodes/new/", "settings/"])
def test_strangers_cannot_post_the_page_forms(kubia, stranger_client, path) -> None:
    before = rv(kubia)

    response = stranger_client.post(f"/clusters/{kubia.pk}/{path}", {"name": "x"})

    assert response.status_code == 404
    assert rv(kubia) == before


def test_viewer_cannot_act(kubia, viewer_client) -> None:
    assert viewer_client.post(target(kubia, "podDelete")).status_code == 404


def test_session_post_needs_the_csrf_token(kubia) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("sandbox", kwargs={"cluster_id": kubia.pk}), {"token": kubia.access_token})
    secret = get_random_string(32)  # what the sandbox page's CSRF cookie holds
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    url = target(kubia, "podReadiness")

    refused = client.post(url, {"ready": "false"})
    accepted = client.post(url, {"ready": "false"}, headers={"X-CSRFToken": secret})

    assert refused.status_code == 403
    assert refused.json()["non_field_errors"][0].startswith("CSRF Failed")
    assert accepted.json()["ok"] is True


def test_bearer_token_acts_without_csrf(kubia) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(target(kubia, "podReadiness"), {"ready": "false"},
                           headers={"Authorization": f"Bearer {kubia.access_token}"})

    assert response.json()["ok"] is True


def test_another_sandboxs_token_is_refused(kubia, other) -> None:
    before = rv(kubia)

    response = Client().post(target(kubia, "podDelete"), headers={"Authorization": f"Bearer {other.access_token}"})

    assert response.status_code == 404
    assert rv(kubia) == before
