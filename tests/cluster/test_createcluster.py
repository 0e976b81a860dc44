"""`manage.py createcluster`: the sandbox, and its owner link printed last, alone on its line."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from cluster.models import Cluster, Event
from visualizer.access import owned_cluster_ids

LINK = re.compile(r"^http://127\.0\.0\.1:8000/clusters/(?P<id>[0-9a-f-]{36})/\?token=(?P<token>\S+)$")


def create(capsys, *args: str) -> list[str]:
    call_command("createcluster", *args)
    return capsys.readouterr().out.splitlines()


@pytest.mark.django_db
def test_the_owner_link_comes_last_and_opens_the_sandbox_as_its_owner(capsys):
    lines = create(capsys, "demo", "--seed", "1")

    cluster = Cluster.objects.get(name="demo")
    assert lines[0] == "Sandbox demo (kubia) is ready."
    assert lines[1] == f"  Watch link:   http://127.0.0.1:8000/watch/{cluster.watch_token}/  (read-only, for a class)"
    assert lines[2] == f"  Access token: {cluster.access_token}  (for kubectl and the API)"
    assert lines[3] == "Open this link once the server runs; it makes your browser the sandbox's owner:"
    link = LINK.match(lines[-1])
    assert link and (link["id"], link["token"]) == (str(cluster.pk), cluster.access_token)
    assert cluster.preset == "kubia"

    browser = Client()
    opened = browser.get(lines[-1].removeprefix("http://127.0.0.1:8000"))
    assert (opened.status_code, opened["Location"]) == (302, f"/clusters/{cluster.pk}/")  # the token leaves the URL
    assert owned_cluster_ids(browser.session) == [str(cluster.pk)]
    assert browser.get(opened["Location"]).status_code == 200


@pytest.mark.django_db
def test_replace_makes_the_demo_afresh_with_a_new_link(capsys):
    first = create(capsys, "demo")[-1]
    with pytest.raises(CommandError, match='a sandbox named "demo" already exists'):
        call_command("createcluster", "demo")
    second = create(capsys, "demo", "--replace", "--preset", "empty", "--base-url", "http://example.test:9000/")
    assert second[0] == "Sandbox demo (empty) is ready."
    assert second[-1].startswith("http://example.test:9000/clusters/") and second[-1] != first
    assert Cluster.objects.get().preset == "empty"


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "text"), [
    ("en", "Open the link it printed last: it opens that sandbox in this browser, as its owner."),
    ("ko", "마지막에 출력된 링크를 여세요."),
])
def test_the_landing_page_points_to_that_link(language, text):
    page = Client(headers={"accept-language": language}).get("/").content.decode()
    assert text in page


@pytest.mark.django_db
def test_the_scale_preset_at_a_given_size_is_made_one_write_per_batch(capsys):
    from cluster.selectors import object_list

    lines = create(capsys, "big", "--preset", "scale", "--nodes", "15", "--pods", "1500", "--seed", "3")
    assert lines[0] == "Sandbox big (scale, 15 nodes, 1500 pods) is ready."
    cluster = Cluster.objects.get(name="big")
    assert len(object_list(cluster=cluster, kind="Node")) == 15
    pods = object_list(cluster=cluster, kind="Pod")
    assert len(pods) == 1500 and all(p["status"]["phase"] == "Running" for p in pods)
    assert len({p["status"]["podIP"] for p in pods}) == 1500
    slices = [s for s in object_list(cluster=cluster, kind="EndpointSlice")
              if s["metadata"]["labels"].get("kubernetes.io/service-name", "").startswith("app-")]
    assert sorted(len(s["endpoints"]) for s in slices) == [100] * 15
    writes = Event.objects.filter(cluster=cluster).values_list("seq", flat=True)
    assert len(set(writes)) == len(writes)


@pytest.mark.django_db
def test_a_size_past_the_sandbox_limits_is_refused_with_the_setting_to_change(capsys):
    with pytest.raises(CommandError, match="SANDBOX_MAX_NODES"):
        call_command("createcluster", "huge", "--preset", "scale", "--nodes", "4000", "--pods", "10")
    with pytest.raises(CommandError, match="--preset scale"):
        call_command("createcluster", "odd", "--nodes", "3")
    assert not Cluster.objects.filter(name__in=["huge", "odd"]).exists()
