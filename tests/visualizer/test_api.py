"""The JSON API: snapshot and traces, for the sandbox's owner (session + CSRF, or Bearer token)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

from cluster.models import Cluster, Trace
from cluster.selectors import object_get, object_list


def snapshot_url(cluster: Cluster) -> str:
    return reverse("api-sandbox", kwargs={"cluster_id": cluster.pk})


def traces_url(cluster: Cluster) -> str:
    return reverse("api-traces", kwargs={"cluster_id": cluster.pk})


def bearer(cluster: Cluster) -> dict[str, str]:
    return {"Authorization": f"Bearer {cluster.access_token}"}


def lb_address(cluster: Cluster) -> str:
    svc = object_get(cluster=cluster, kind="Service", namespace="default", name="kubia-loadbalancer")
    return svc["status"]["loadBalancer"]["ingress"][0]["ip"]


def a_pod(cluster: Cluster) -> str:
    pod = object_list(cluster=cluster, kind="Pod", namespace="default")[0]
    return f"pod/default/{pod['metadata']['name']}"


# --- snapshot -------------------------------------------------------------------------------------


def test_owner_session_reads_the_snapshot(kubia: Cluster, owner_client: Client) -> None:
    response = owner_client.get(snapshot_url(kubia))

    assert response.status_code == 200
    body = response.json()
    kubia.refresh_from_db()
    assert (body["type"], body["seq"], body["cluster"]["id"]) == ("snapshot", kubia.resource_version, str(kubia.pk))
    assert body["cluster"]["settings"]["nodePortRange"] == "30000-32767"
    assert len(body["objects"]["Pod"]) == 3
    assert {s["metadata"]["name"] for s in body["objects"]["Service"]} >= {"kubia", "kubia-nodeport"}


def test_bearer_token_reads_the_snapshot(kubia) -> None:
    assert Client().get(snapshot_url(kubia), headers=bearer(kubia)).status_code == 200


def test_anonymous_is_401(kubia) -> None:
    response = Client().get(snapshot_url(kubia))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "detail" in response.json()


def test_unknown_token_is_401(kubia) -> None:
    assert Client().get(snapshot_url(kubia), headers={"Authorization": "Bearer nope"}).status_code == 401


def test_stranger_session_is_403(kubia, stranger_client) -> None:
    assert stranger_client.get(snapshot_url(kubia)).status_code == 403


def test_other_sandboxs_token_is_refused(kubia, other) -> None:
    assert Client().get(snapshot_url(kubia), headers=bearer(other)).status_code == 403


def test_the_answer_does_not_tell_whether_an_id_exists(kubia, stranger_client) -> None:
    missing = reverse("api-sandbox", kwargs={"cluster_id": "00000000-0000-4000-8000-000000000000"})

    assert stranger_client.get(missing).status_code == stranger_client.get(snapshot_url(kubia)).status_code


# --- traces ---------------------------------------------------------------------------------------


def test_traces_with_bearer_token_need_no_csrf(kubia) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(traces_url(kubia), {"source": "external", "destination": f"{lb_address(kubia)}:80",
                                               "count": 3}, content_type="application/json", headers=bearer(kubia))

    assert response.status_code == 200, response.content
    traces = response.json()["traces"]
    assert len(traces) == 3
    assert {t["outcome"] for t in traces} == {"delivered"}
    assert all(t["hops"] and t["endpoint"]["port"] == 8080 for t in traces)
    assert Trace.objects.filter(cluster=kubia).count() == 3


def test_traces_with_session_need_the_csrf_token(kubia) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("sandbox", kwargs={"cluster_id": kubia.pk}), {"token": kubia.access_token})
    secret = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    payload = {"source": a_pod(kubia), "destination": "kubia.default.svc.cluster.local:80"}

    refused = client.post(traces_url(kubia), payload, content_type="application/json")
    accepted = client.post(traces_url(kubia), payload, content_type="application/json",
                           headers={"X-CSRFToken": secret})

    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF Failed")
    assert accepted.status_code == 200
    [trace] = accepted.json()["traces"]
    assert trace["outcome"] == "delivered"


@pytest.mark.parametrize(("payload", "detail"), [
    ({"source": "external", "destination": "10.0.0.11:30123", "count": 0},
     "count: Ensure this value is greater than or equal to 1."),
    ({"source": "external", "destination": "10.0.0.11:30123", "count": 21},
     "count: Ensure this value is less than or equal to 20."),
    ({"destination": "10.0.0.11:30123"}, "source: This field is required."),
    ({"source": "node/nope", "destination": "10.0.0.11:30123"},
     'source "node/nope" is not "external", "node/<name>" or "pod/<namespace>/<name>" of this sandbox'),
])
def test_bad_trace_input_is_400_with_detail(kubia, owner_client, payload, detail) -> None:
    response = owner_client.post(traces_url(kubia), payload, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": detail}


def test_bad_destination_is_400(kubia, owner_client) -> None:
    response = owner_client.post(traces_url(kubia), {"source": "external", "destination": "no-port"},
                                 content_type="application/json")

    assert response.status_code == 400
    assert "destination" in response.json()["detail"]


def test_stranger_cannot_trace(kubia, stranger_client) -> None:
    response = stranger_client.post(traces_url(kubia), {"source": "external", "destination": "10.0.0.11:30123"},
                                    content_type="application/json")

    assert response.status_code == 403
    assert not Trace.objects.filter(cluster=kubia).exists()


# --- schema ---------------------------------------------------------------------------------------


def test_openapi_schema_generates_without_warnings(tmp_path) -> None:
    out = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    text = out.read_text()
    assert "/api/clusters/{cluster_id}/traces/" in text
    assert "sandboxToken" in text


def test_schema_endpoint(client) -> None:
    response = client.get(reverse("api-schema"), {"format": "json"})

    assert response.status_code == 200
    assert "openapi" in response.json()
