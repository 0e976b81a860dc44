"""The lessons' public contract: GET /api/lessons/, GET /api/clusters/<id>/lesson/, POST …/solve/,
the pages (/lessons/, one per lesson, completion), and a lesson file with a mistake refused at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from cluster.services.lessons import lesson_catalogue, lesson_start

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def bearer(cluster) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {cluster.access_token}"}


def test_the_catalogue_lists_lessons_and_scenarios():
    body = Client().get("/api/lessons/").json()
    assert [e["id"] for e in body] == list(lesson_catalogue())
    assert set(body[0]) == {"id", "kind", "title", "summary", "steps"}
    assert {e["kind"] for e in body} == {"lesson", "scenario"}
    nodeport = next(e for e in body if e["id"] == "nodeport")
    assert nodeport["title"].startswith("NodePort") and nodeport["steps"] == 5


def test_titles_in_korean_with_accept_language():
    body = Client().get("/api/lessons/", HTTP_ACCEPT_LANGUAGE="ko").json()
    nodeport = next(e for e in body if e["id"] == "nodeport")
    assert nodeport["title"] == "노드포트: 모든 노드에 열리는 하나의 포트"


def test_progress_and_solve_with_the_bearer_token():
    cluster = lesson_start(lesson_id="nodeport", seed=1)
    url = reverse("api-lesson", kwargs={"cluster_id": cluster.pk})
    body = Client().get(url, **bearer(cluster)).json()
    assert body["id"] == "nodeport" and body["done"] is False
    assert [s["done"] for s in body["steps"]] == [False] * 5
    assert set(body["steps"][0]) >= {"id", "title", "done"}
    solved = Client().post(reverse("api-lesson-solve", kwargs={"cluster_id": cluster.pk}), **bearer(cluster)).json()
    assert solved["steps"][0]["done"] is True and solved["current"] == "empty-node"
    assert solved["steps"][0]["why"]  # the explanation comes once the step is done


def test_a_prediction_answer_is_only_sent_once_answered():
    cluster = lesson_start(lesson_id="endpointslices", seed=1)
    url = reverse("api-lesson", kwargs={"cluster_id": cluster.pk})
    predict = Client().get(url, **bearer(cluster)).json()["steps"][0]["predict"]
    assert predict["answer"] is None and predict["explain"] is None and len(predict["choices"]) == 4
    observe = reverse("api-lesson-observe", kwargs={"cluster_id": cluster.pk})
    body = Client().post(observe, {"what": "predict", "step": "split", "choice": 1}, content_type="application/json",
                         **bearer(cluster)).json()
    assert body["steps"][0]["predict"]["answer"] == 2 and body["steps"][0]["predict"]["choice"] == 1


def test_strangers_and_free_sandboxes(kubia, other):
    cluster = lesson_start(lesson_id="nodeport", seed=1)
    url = reverse("api-lesson", kwargs={"cluster_id": cluster.pk})
    assert Client().get(url).status_code == 401
    assert Client().get(url, **bearer(other)).status_code == 403
    free = reverse("api-lesson", kwargs={"cluster_id": kubia.pk})
    assert Client().get(free, **bearer(kubia)).status_code == 404


def test_bad_observations_are_refused_and_change_nothing():
    cluster = lesson_start(lesson_id="nodeport", seed=1)
    observe = reverse("api-lesson-observe", kwargs={"cluster_id": cluster.pk})
    for body in ({"what": "refused", "text": "provided port is not in the valid range"}, {"what": "<script>"}, {}):
        response = Client().post(observe, body, content_type="application/json", **bearer(cluster))
        assert response.status_code == 400, body
    assert cluster.lesson_progress.observations == []


def test_pages_start_resume_and_complete():
    client = Client()
    assert client.get("/lessons/").status_code == 200
    assert client.get("/lessons/no-such-lesson/").status_code == 404
    assert client.post("/lessons/no-such-lesson/start/").status_code == 404
    intro = client.get("/lessons/nodeport/")
    assert intro.status_code == 200 and b"/lessons/nodeport/start/" in intro.content
    started = client.post("/lessons/nodeport/start/")
    assert started.status_code == 302 and started["Location"] == "/lessons/nodeport/"
    page = client.get("/lessons/nodeport/")
    assert b'id="lesson"' in page.content and b"lesson.js" in page.content
    assert client.get("/lessons/nodeport/complete/").status_code == 302  # not finished yet
    cluster_id = page.content.decode().split('data-cluster-id="')[1].split('"')[0]
    for _ in range(5):
        client.post(reverse("api-lesson-solve", kwargs={"cluster_id": cluster_id}))
    done = client.get("/lessons/nodeport/complete/")
    assert done.status_code == 200 and b"/lessons/path/" in done.content  # the next lesson
    catalogue = client.get("/lessons/").content.decode()
    assert 'data-lesson="nodeport"' in catalogue


def test_the_landing_page_links_the_lessons():
    assert b'href="/lessons/"' in Client().get("/").content


def test_createcluster_with_a_lesson(capsys):
    from django.core.management import call_command

    call_command("createcluster", "students-nodeport", "--lesson", "nodeport", "--seed", "3")
    out = capsys.readouterr().out
    assert "/clusters/" in out and "?token=" in out


def _manage(tmp_path: Path, files: dict[str, str]) -> subprocess.CompletedProcess:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    env = {**os.environ, "LESSON_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_a_lesson_file_with_a_mistake_is_refused_at_start_up(tmp_path):
    good = (ROOT / "cluster/lessons/nodeport.yaml").read_text(encoding="utf-8")
    result = _manage(tmp_path, {"nodeport.yaml": good.replace("nodePort: 30123, port: 80", "nodeport: 30123, port: 80")})
    assert result.returncode != 0
    assert 'nodeport.yaml: steps[0].check[0].service: unknown parameter "nodeport"' in result.stderr
    assert _manage(tmp_path, {"nodeport.yaml": good}).returncode == 0
