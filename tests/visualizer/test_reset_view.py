"""The Settings panel's "Reset sandbox": owner only, confirmed, back to the preset's start."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from cluster.models import Cluster
from cluster.selectors import object_get, object_list
from cluster.services.lessons import lesson_catalogue, lesson_start
from cluster.services.objects import object_delete
from visualizer.access import claim


def reset_url(cluster: Cluster) -> str:
    return reverse("sandbox-reset", kwargs={"cluster_id": cluster.pk})


def page(cluster: Cluster) -> str:
    return reverse("sandbox", kwargs={"cluster_id": cluster.pk})


def kubia_service(cluster: Cluster):
    return object_get(cluster=cluster, kind="Service", namespace="default", name="kubia")


def test_the_settings_panel_offers_the_reset_with_a_confirmation(kubia, owner_client):
    html = owner_client.get(page(kubia)).content.decode()
    panel = html[html.index('id="panel-settings"'):]
    form = panel[panel.index('<form method="post" action="' + reset_url(kubia)):]
    form = form[:form.index("</form>")]
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="checkbox" name="confirm" value="yes" required>' in form
    assert "Reset sandbox" in form


def test_viewers_and_lessons_have_no_reset(kubia, viewer_client, client_for, db):
    assert "sandbox-reset" not in viewer_client.get(viewer_client.watch_url).content.decode()
    assert reset_url(kubia) not in viewer_client.get(viewer_client.watch_url).content.decode()
    lesson_id = next(iter(lesson_catalogue()))
    lesson = lesson_start(lesson_id=lesson_id, seed=1)
    assert reset_url(lesson) not in client_for(lesson).get(page(lesson)).content.decode()


def test_reset_puts_the_start_back_and_returns_to_the_page(kubia, owner_client):
    object_delete(cluster=kubia, kind="Service", namespace="default", name="kubia")

    response = owner_client.post(reset_url(kubia), {"confirm": "yes"})

    assert (response.status_code, response["Location"]) == (302, page(kubia))
    assert kubia_service(kubia) is not None
    assert len(object_list(cluster=kubia, kind="Pod")) == 3


def test_without_the_ticked_box_nothing_happens(kubia, owner_client):
    object_delete(cluster=kubia, kind="Service", namespace="default", name="kubia")

    response = owner_client.post(reset_url(kubia), {})

    assert response.status_code == 400
    assert response.content.decode() == "Tick the box to confirm the reset."
    assert kubia_service(kubia) is None


def test_only_the_owner_can_reset(kubia, viewer_client, stranger_client):
    object_delete(cluster=kubia, kind="Service", namespace="default", name="kubia")
    for client in (viewer_client, stranger_client, Client()):
        assert client.post(reset_url(kubia), {"confirm": "yes"}).status_code == 404
    assert kubia_service(kubia) is None
    assert owner_client_get_is_refused(kubia)


def owner_client_get_is_refused(kubia: Cluster) -> bool:
    client = Client()
    session = client.session
    claim(session, kubia)
    session.save()
    return client.get(reset_url(kubia)).status_code == 405


def test_reset_checks_csrf(kubia):
    client = Client(enforce_csrf_checks=True)
    assert client.get(page(kubia), {"token": kubia.access_token}).status_code == 302
    assert client.post(reset_url(kubia), {"confirm": "yes"}).status_code == 403
    client.get(page(kubia))
    token = client.cookies["csrftoken"].value
    response = client.post(reset_url(kubia), {"confirm": "yes", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_a_sandbox_without_a_known_preset_shows_no_reset(kubia, owner_client):
    Cluster.objects.filter(pk=kubia.pk).update(preset="")
    assert reset_url(kubia) not in owner_client.get(page(kubia)).content.decode()
    response = owner_client.post(reset_url(kubia), {"confirm": "yes"})
    assert response.status_code == 400
    assert "cannot be reset" in response.content.decode()
