"""Security of the web edge: the Content-Security-Policy on every page and no inline script in any
template, 503 instead of a crash page while the database is away, and rotating a sandbox's tokens
(the old ones stop working at once, viewers with the old link are disconnected)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.urls import reverse

from cluster.models import Cluster
from tests.visualizer.test_consumer import communicator, opened, owner_path, relays, watch_path  # noqa: F401
from visualizer.security import DatabaseUnavailable

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def csp_of(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.django_db
def test_every_page_has_a_policy_without_inline_scripts(kubia: Cluster, owner_client: Client) -> None:
    pages = [
        (Client(), "/"),
        (Client(), "/lessons/"),
        (owner_client, reverse("sandbox", kwargs={"cluster_id": kubia.pk})),
        (Client(), reverse("sandbox-watch", kwargs={"watch_token": kubia.watch_token})),
        (Client(), "/api/schema/"),
        (Client(), "/no-such-page/"),
    ]
    for client, url in pages:
        response = client.get(url)
        policy = csp_of(response)
        assert policy["script-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in policy["default-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
        assert "ws://testserver" in policy["connect-src"]


def test_no_template_has_inline_script_code_or_event_handler_attributes() -> None:
    found = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", text, re.IGNORECASE):
            if "src=" not in match.group(1):
                found.append(f"{template.name}: inline <script>")
        for match in re.finditer(r"\son[a-z]+\s*=", text, re.IGNORECASE):
            found.append(f"{template.name}: handler {match.group(0).strip()}")
        if "javascript:" in text.lower():
            found.append(f"{template.name}: javascript: URL")
    assert not found, found


def test_a_request_while_the_database_is_away_gets_503_with_retry_after() -> None:
    middleware = DatabaseUnavailable(lambda request: None)
    page = middleware.process_exception(RequestFactory().get("/"), OperationalError("connection refused"))
    api = middleware.process_exception(RequestFactory().get("/api/lessons/"), OperationalError("gone"))
    assert page.status_code == api.status_code == 503
    assert page["Retry-After"] == "2" and b"Retry in a few seconds" in page.content
    assert api["Content-Type"] == "application/json" and b"detail" in api.content
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("a bug")) is None


# --- rotating tokens ------------------------------------------------------------------------------


def rotate_url(cluster: Cluster) -> str:
    return reverse("sandbox-tokens-rotate", kwargs={"cluster_id": cluster.pk})


@pytest.mark.django_db
def test_rotating_replaces_both_tokens_and_the_old_ones_stop_working(kubia: Cluster, owner_client: Client) -> None:
    old_access, old_watch = kubia.access_token, kubia.watch_token
    page = owner_client.get(reverse("sandbox", kwargs={"cluster_id": kubia.pk}))
    assert b'id="rotate-tokens"' in page.content

    response = owner_client.post(rotate_url(kubia))

    assert response.status_code == 302
    kubia.refresh_from_db()
    assert kubia.access_token != old_access and kubia.watch_token != old_watch
    # The owner's browser stays the owner and sees the new link.
    page = owner_client.get(response["Location"])
    assert kubia.watch_token.encode() in page.content and old_watch.encode() not in page.content
    # The old link, the old token (page, API, Kubernetes API) are refused; the new ones work.
    assert Client().get(reverse("sandbox-watch", kwargs={"watch_token": old_watch})).status_code == 404
    assert Client().get(reverse("sandbox-watch", kwargs={"watch_token": kubia.watch_token})).status_code == 200
    sandbox_page = reverse("sandbox", kwargs={"cluster_id": kubia.pk})
    assert Client().get(sandbox_page, {"token": old_access}).status_code == 404
    api = reverse("api-sandbox", kwargs={"cluster_id": kubia.pk})
    assert Client().get(api, headers={"Authorization": f"Bearer {old_access}"}).status_code == 401
    assert Client().get(api, headers={"Authorization": f"Bearer {kubia.access_token}"}).status_code == 200
    kube = f"/k8s/{kubia.pk}/api/v1/namespaces/default/services"
    assert Client().get(kube, headers={"Authorization": f"Bearer {old_access}"}).status_code == 401
    assert Client().get(kube, headers={"Authorization": f"Bearer {kubia.access_token}"}).status_code == 200


@pytest.mark.django_db
def test_only_the_owner_rotates_with_a_csrf_token(kubia: Cluster, viewer_client: Client,
                                                  stranger_client: Client) -> None:
    old = kubia.access_token
    assert viewer_client.post(rotate_url(kubia)).status_code == 404
    assert stranger_client.post(rotate_url(kubia)).status_code == 404
    assert Client().get(rotate_url(kubia)).status_code == 405
    checked = Client(enforce_csrf_checks=True)
    checked.get(reverse("sandbox", kwargs={"cluster_id": kubia.pk}), {"token": old})
    assert checked.post(rotate_url(kubia)).status_code == 403
    kubia.refresh_from_db()
    assert kubia.access_token == old


@pytest.mark.django_db(transaction=True)
async def test_viewers_with_the_old_link_are_disconnected_at_once(kubia: Cluster, owner_client: Client) -> None:
    viewer = communicator(watch_path(kubia))
    by_token = communicator(owner_path(kubia, f"token={kubia.access_token}"))
    by_session = communicator(owner_path(kubia), client=owner_client)
    for ws in (viewer, by_token, by_session):
        await opened(ws)

    from cluster.services.tokens import cluster_tokens_rotate

    await database_sync_to_async(cluster_tokens_rotate)(cluster=kubia)

    assert (await viewer.receive_output(5))["code"] == 4401
    assert (await by_token.receive_output(5))["code"] == 4401
    assert await by_session.receive_nothing(0.3)  # the owner's own page goes on
    await by_session.disconnect()
    again = communicator(watch_path(kubia))
    connected, _code = await again.connect()
    assert not connected
