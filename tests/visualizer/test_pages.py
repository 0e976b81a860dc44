"""Pages: landing, creating a sandbox, the owner's page, the watch page, the kubeconfig."""

from __future__ import annotations

import re
import uuid

import pytest
import yaml
from django.conf import settings
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import Client
from django.urls import reverse

from cluster.models import Cluster
from visualizer.access import MAX_OWNED, claim, owned_cluster_ids


def page(cluster: Cluster) -> str:
    return reverse("sandbox", kwargs={"cluster_id": cluster.pk})


def kubeconfig_url(cluster: Cluster) -> str:
    return reverse("sandbox-kubeconfig", kwargs={"cluster_id": cluster.pk})


def test_landing(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert "visualizer/landing.html" in [t.name for t in response.templates]
    assert settings.CSRF_COOKIE_NAME in response.cookies  # its forms post to /clusters/new/


@pytest.mark.django_db
def test_new_sandbox_is_owned_by_the_session_and_opens(client: Client) -> None:
    response = client.post("/clusters/new/", {"preset": "empty"})

    cluster = Cluster.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/clusters/{cluster.pk}/"
    assert owned_cluster_ids(client.session) == [str(cluster.pk)]
    assert cluster.owner  # a random visitor label, kept for quotas
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["scale", "nope", ""])
def test_only_page_presets_can_be_created(client: Client, preset: str) -> None:
    response = client.post("/clusters/new/", {"preset": preset})

    assert response.status_code == 400
    assert not Cluster.objects.exists()


def test_new_is_post_only(client: Client) -> None:
    assert client.get("/clusters/new/").status_code == 405


def test_owner_page_context(kubia: Cluster, owner_client: Client) -> None:
    response = owner_client.get(page(kubia))

    assert response.status_code == 200
    context = response.context
    assert context["role"] == "owner"
    assert context["ws_url"] == f"/ws/clusters/{kubia.pk}/"
    assert context["api_base"] == f"/api/clusters/{kubia.pk}/"
    info = context["cluster"]
    assert (info.id, info.name) == (str(kubia.pk), kubia.name)
    assert info.watch_url == f"http://testserver/watch/{kubia.watch_token}/"
    assert info.kubeconfig_url == f"/clusters/{kubia.pk}/kubeconfig/"
    forms = context["forms"]
    assert set(forms) == {"service", "workload", "scale", "node", "settings"}
    assert forms["service"].action == f"/clusters/{kubia.pk}/services/new/"
    assert forms["settings"].action == f"/clusters/{kubia.pk}/settings/"
    assert all(str(form.title) for form in forms.values())
    assert forms["settings"]["node_port_range"].value() == "30000-32767"
    assert settings.CSRF_COOKIE_NAME in response.cookies  # the page's scripts post with it


def test_titles_are_translated(kubia: Cluster, owner_client: Client) -> None:
    response = owner_client.get(page(kubia), headers={"Accept-Language": "ko"})

    assert str(response.context["forms"]["service"].title) == "서비스 만들기"


def test_token_link_claims_the_sandbox_and_drops_the_token_from_the_url(kubia: Cluster) -> None:
    client = Client()

    response = client.get(page(kubia), {"token": kubia.access_token})

    assert response.status_code == 302
    assert response["Location"] == page(kubia)
    assert owned_cluster_ids(client.session) == [str(kubia.pk)]
    assert client.get(page(kubia)).status_code == 200


def test_wrong_token_is_404(kubia: Cluster, other: Cluster) -> None:
    client = Client()

    assert client.get(page(kubia), {"token": other.access_token}).status_code == 404
    assert owned_cluster_ids(client.session) == []


def test_bearer_token_opens_the_page(kubia: Cluster) -> None:
    assert Client().get(page(kubia), headers={"Authorization": f"Bearer {kubia.access_token}"}).status_code == 200


def test_stranger_gets_404_everywhere(kubia: Cluster, stranger_client: Client) -> None:
    assert stranger_client.get(page(kubia)).status_code == 404
    assert stranger_client.get(kubeconfig_url(kubia)).status_code == 404


def test_viewer_cannot_open_the_owner_page(kubia: Cluster, viewer_client: Client) -> None:
    assert viewer_client.get(page(kubia)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", [f"/clusters/{uuid.uuid4()}/", "/clusters/not-a-uuid/", "/watch/guess/"])
def test_unknown_sandboxes_are_404(client: Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_watch_page(kubia: Cluster, viewer_client: Client) -> None:
    response = viewer_client.get(viewer_client.watch_url)

    assert response.status_code == 200
    assert response.context["role"] == "viewer"
    assert response.context["ws_url"] == f"/ws/watch/{kubia.watch_token}/"
    assert response.context["forms"] == {}
    assert response.context["cluster"].kubeconfig_url == ""
    assert owned_cluster_ids(viewer_client.session) == []


def test_kubeconfig_download(kubia: Cluster, owner_client: Client) -> None:
    response = owner_client.get(kubeconfig_url(kubia))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{kubia.name}.kubeconfig"'
    config = yaml.safe_load(response.content)
    assert config["clusters"][0]["cluster"]["server"].endswith(f"@testserver/k8s/{kubia.pk}")
    assert config["users"][0]["user"]["token"] == kubia.access_token
    assert response["Cache-Control"] == "no-store"


def test_session_keeps_only_the_most_recent_sandboxes() -> None:
    session = SessionStore()
    clusters = [Cluster() for _ in range(MAX_OWNED + 1)]

    for cluster in clusters:
        claim(session, cluster)
    claim(session, clusters[1])  # claiming again moves it to the end

    ids = owned_cluster_ids(session)
    assert len(ids) == MAX_OWNED
    assert str(clusters[0].pk) not in ids
    assert ids[-1] == str(clusters[1].pk)


def test_page_forms_have_unique_element_ids(kubia: Cluster, owner_client: Client) -> None:
    html = owner_client.get(page(kubia)).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
