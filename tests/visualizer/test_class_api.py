"""The class JSON API and pages: the public contract, who may do what, bad input."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from cluster.models import Class, ClassMessage, ClassStudent, Cluster
from cluster.selectors import object_list
from cluster.services.classes import class_join

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, body: dict | None = None, token: str = "", **extra):
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(url, json.dumps(body or {}), content_type="application/json", **extra)


def get(client: Client, url: str, token: str = ""):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}") if token else client.get(url)


@pytest.fixture
def created(client: Client) -> dict:
    response = post(client, "/api/classes/")
    assert response.status_code == 201, response.content
    return response.json()


def seven_hop_trace(client: Client, created: dict) -> dict:
    """A pod's request to the kubia NodePort on node-1: 7 hops when the endpoint kube-proxy picks
    needs no SNAT (8 when it does), so send a batch and take one of 7."""
    sandbox = Cluster.objects.get(pk=created["sandbox"])
    pod = object_list(cluster=sandbox, kind="Pod", namespace="default")[0]["metadata"]["name"]
    response = post(client, f"/api/clusters/{created['sandbox']}/traces/",
                    {"source": f"pod/default/{pod}", "destination": "10.0.0.11:30123", "count": 20},
                    token=created["teacher_token"])
    assert response.status_code == 200, response.content
    return next(t for t in response.json()["traces"] if len(t["hops"]) == 7)


# --- the contract ---------------------------------------------------------------------------------------


def test_create_returns_code_token_join_url_and_sandbox(client: Client, created: dict) -> None:
    assert set(created) >= {"code", "teacher_token", "join_url", "sandbox"}
    assert len(created["code"]) == 6 and not set(created["code"]) & set("01OIL")
    assert created["join_url"] == f"http://testserver/join/{created['code']}/"
    klass = Class.objects.get(code=created["code"])
    assert str(klass.sandbox_id) == created["sandbox"] and klass.follow


def test_the_teacher_gets_students_sandbox_and_follow(client: Client, created: dict) -> None:
    klass = Class.objects.get(code=created["code"])
    class_join(klass=klass, name="Ana")
    response = get(client, f"/api/classes/{created['code']}/", created["teacher_token"])
    assert response.status_code == 200
    body = response.json()
    assert body["sandbox"] == created["sandbox"] and body["follow"] is True
    assert [(s["name"], s["connected"]) for s in body["students"]] == [("Ana", False)]


def test_the_teacher_token_opens_the_class_sandbox(client: Client, created: dict) -> None:
    trace = seven_hop_trace(client, created)
    assert len(trace["hops"]) == 7
    assert get(client, f"/api/clusters/{created['sandbox']}/", created["teacher_token"]).status_code == 200
    page = client.get(f"/clusters/{created['sandbox']}/", {"token": created["teacher_token"]})
    assert page.status_code == 302


def test_steps_move_everyones_cursor(client: Client, created: dict) -> None:
    trace = seven_hop_trace(client, created)
    url = f"/api/classes/{created['code']}/step/"
    sent = Class.objects.get(code=created["code"]).seq
    assert sent == 20  # one numbered message per trace
    for hop in range(7):
        response = post(client, url, {"trace": trace["id"], "hop": hop}, token=created["teacher_token"])
        assert response.status_code == 200
        assert response.json() == {"type": "step", "seq": sent + hop + 1, "trace": trace["id"], "hop": hop}
    assert post(client, url, {"trace": trace["id"], "hop": 7}, token=created["teacher_token"]).status_code == 400
    assert post(client, url, {"trace": 10**9, "hop": 0}, token=created["teacher_token"]).status_code == 400
    assert post(client, url, {"trace": "x", "hop": 0}, token=created["teacher_token"]).status_code == 400


def test_the_whole_lesson_of_a_class(client: Client, created: dict) -> None:
    """Playback, selection, a question and its reveal, release and call back, spotlight, end."""
    code, token = created["code"], created["teacher_token"]
    base = f"/api/classes/{code}/"
    trace = seven_hop_trace(client, created)
    assert post(client, base + "playback/", {"paused": True, "speed": 0.5}, token=token).json()["speed"] == 0.5
    assert post(client, base + "playback/", {"speed": 3}, token=token).status_code == 400
    assert post(client, base + "playback/", {"replay": True}, token=token).json()["replay"] is True
    selection = {"kind": "Service", "key": "default/kubia"}
    assert post(client, base + "selection/", {"selection": selection}, token=token).json()["selection"] == selection
    assert post(client, base + "selection/", {"selection": None}, token=token).json()["selection"] is None

    question = post(client, base + "questions/", {"trace": trace["id"], "hop": 1}, token=token)
    assert question.status_code == 201
    q = question.json()
    assert "answer" in q and q["hop"] == 1
    sent = ClassMessage.objects.filter(klass__code=code).order_by("-seq").first().body
    assert sent["type"] == "question" and "answer" not in sent["question"]
    reveal = post(client, base + f"questions/{q['id']}/reveal/", token=token)
    assert reveal.json()["answer"] == q["answer"]
    assert post(client, base + "questions/999/reveal/", token=token).status_code == 409

    assert post(client, base + "follow/", {"follow": False}, token=token).json()["follow"] is False
    assert get(client, base, token).json()["follow"] is False
    assert post(client, base + "follow/", {"follow": True}, token=token).json()["follow"] is True
    assert post(client, base + "spotlight/", {"student": 12345}, token=token).status_code == 404
    assert post(client, base + "spotlight/", {"student": None}, token=token).json()["spotlight"] is None
    assert post(client, base + "end/", token=token).json() == {"type": "end"}
    assert get(client, base, token).json()["ended"] is True
    assert post(client, base + "step/", {"trace": trace["id"], "hop": 0}, token=token).status_code == 409


def test_a_page_built_question_keeps_its_explanation_for_the_reveal(client: Client, created: dict) -> None:
    code, token = created["code"], created["teacher_token"]
    trace = seven_hop_trace(client, created)
    body = {"trace": trace["id"], "hop": 2, "prompt": "Where next?", "choices": ["10.244.1.2:8080", "10.96.0.1:80", "x"],
            "answer": 0, "detail": {"kind": "rewrite", "hop": 3}, "explain": {"rule": "KUBE-SEP-X", "after": "10.244.1.2:8080"}}
    q = post(client, f"/api/classes/{code}/questions/", body, token=token).json()
    sent = ClassMessage.objects.filter(klass__code=code).order_by("-seq").first().body["question"]
    assert sent["detail"] == {"kind": "rewrite", "hop": 3} and "explain" not in sent and "answer" not in sent
    reveal = post(client, f"/api/classes/{code}/questions/{q['id']}/reveal/", token=token).json()
    assert reveal["explain"]["rule"] == "KUBE-SEP-X"
    too_big = {**body, "detail": {"x": "y" * 9000}}
    assert post(client, f"/api/classes/{code}/questions/", too_big, token=token).status_code == 400


def test_the_schema_documents_the_class_api(client: Client) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/classes/", "/api/classes/{code}/", "/api/classes/{code}/step/",
                 "/api/classes/{code}/questions/{question}/reveal/"):
        assert path in schema["paths"], path
    assert "teacher_token" in json.dumps(schema["components"]["schemas"]["ClassCreated"])


# --- who may do what --------------------------------------------------------------------------------------


def test_a_wrong_code_is_a_clear_404(client: Client, created: dict) -> None:
    for url in ("/api/classes/ZZZZZZ/", "/api/classes/ZZZZZZ/step/", "/api/classes/nope/end/"):
        response = get(client, url, created["teacher_token"]) if url.endswith("Z/") else post(
            client, url, {}, token=created["teacher_token"])
        assert response.status_code == 404
        assert "No class has the code" in response.json()["detail"]
    assert client.get("/join/ZZZZZZ/").status_code == 404


def test_only_the_teacher_may_drive_the_class(client: Client, created: dict, kubia: Cluster) -> None:
    base = f"/api/classes/{created['code']}/"
    assert get(client, base).status_code == 401
    assert get(client, base, kubia.access_token).status_code == 401  # another sandbox's token
    assert post(client, base + "end/", token="wrong").status_code == 401
    student = Client()
    student.post(f"/join/{created['code']}/", {"name": "Ana"})
    assert post(student, base + "end/").status_code == 401
    assert not Class.objects.get(code=created["code"]).ended_at


def test_starting_a_class_with_someone_elses_sandbox_is_refused(client: Client, kubia: Cluster) -> None:
    assert post(client, "/api/classes/", {"sandbox": str(kubia.pk)}).status_code == 404
    mine = post(client, "/api/classes/", {"sandbox": str(kubia.pk)}, token=kubia.access_token)
    assert mine.status_code == 201 and mine.json()["sandbox"] == str(kubia.pk)
    assert post(client, "/api/classes/", {"lesson": "no-such-lesson"}).status_code == 400


# --- pages ------------------------------------------------------------------------------------------------


def test_join_page_then_the_student_page(created: dict) -> None:
    student = Client()
    assert student.get("/join/").status_code == 200
    wrong = student.post("/join/", {"code": "ZZZZZZ", "name": "Ana"})
    assert wrong.status_code == 404 and "No class has this code" in wrong.content.decode()
    joined = student.post("/join/", {"code": created["code"].lower(), "name": "<b>Ana</b>"})
    assert joined.status_code == 302 and joined["Location"] == f"/classes/{created['code']}/learn/"
    page = student.get(joined["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and 'data-class-mode="follow"' in html
    assert "&lt;b&gt;Ana&lt;/b&gt;" in html and "<b>Ana</b>" not in html
    assert created["teacher_token"] not in html
    assert ClassStudent.objects.get(klass__code=created["code"]).name == "<b>Ana</b>"
    assert student.get(f"/join/{created['code']}/")["Location"].endswith("/learn/")  # already in


def test_a_full_class_is_refused_on_the_join_page(created: dict) -> None:
    klass = Class.objects.get(code=created["code"])
    ClassStudent.objects.bulk_create([ClassStudent(klass=klass, name=f"s{i}") for i in range(200)])
    response = Client().post(f"/join/{created['code']}/", {"name": "late"})
    assert response.status_code == 409 and "This class is full" in response.content.decode()


def test_the_teacher_page_from_the_landing_page_and_from_a_sandbox(kubia: Cluster) -> None:
    teacher = Client()
    started = teacher.post(reverse("class-new"))
    assert started.status_code == 302
    page = teacher.get(started["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and 'data-class-role="teacher"' in html and 'data-autostart="false"' in html
    code = started["Location"].split("/")[2]
    assert f"{code[:3]} {code[3:]}" in html
    assert Client().get(started["Location"]).status_code == 404  # not the teacher

    owner = Client()
    owner.get(f"/clusters/{kubia.pk}/", {"token": kubia.access_token})
    from_sandbox = owner.post(reverse("class-new"), {"sandbox": str(kubia.pk)})
    assert Class.objects.get(code=from_sandbox["Location"].split("/")[2]).sandbox_id == kubia.pk
    assert Client().post(reverse("class-new"), {"sandbox": str(kubia.pk)}).status_code == 400

    klass = Class.objects.get(code=code)
    other_browser = Client()
    assert other_browser.get(f"/classes/{code}/teach/", {"token": klass.teacher_token}).status_code == 302
    assert other_browser.get(f"/classes/{code}/teach/").status_code == 200


def test_after_release_the_student_page_is_the_students_own_copy(client: Client, created: dict) -> None:
    student = Client()
    student.post(f"/join/{created['code']}/", {"name": "Ana"})
    post(client, f"/api/classes/{created['code']}/follow/", {"follow": False}, token=created["teacher_token"])
    html = student.get(f"/classes/{created['code']}/learn/").content.decode()
    assert 'data-class-mode="explore"' in html
    copy = ClassStudent.objects.get(klass__code=created["code"]).copy
    assert copy is not None and copy.pk != created["sandbox"]
    assert f"/ws/clusters/{copy.pk}/" in html and created["teacher_token"] not in html
    assert student.get(f"/clusters/{copy.pk}/").status_code == 200  # the student owns the copy
    assert student.get(f"/clusters/{created['sandbox']}/").status_code == 404  # not the teacher's


def test_a_lesson_class_shows_each_students_progress(client: Client) -> None:
    from cluster.services.lessons import lesson_catalogue

    lesson_id = sorted(lesson_catalogue())[0]
    created = post(client, "/api/classes/", {"lesson": lesson_id}).json()
    klass = Class.objects.get(code=created["code"])
    assert klass.lesson == lesson_id and klass.sandbox.lesson == lesson_id
    student = Client()
    student.post(f"/join/{created['code']}/", {"name": "Ana"})
    post(client, f"/api/classes/{created['code']}/follow/", {"follow": False}, token=created["teacher_token"])
    html = student.get(f"/classes/{created['code']}/learn/").content.decode()
    assert 'id="lesson"' in html  # the lesson column, in the student's own copy
    copy = ClassStudent.objects.get(klass=klass).copy
    assert copy.lesson == lesson_id
    roster = get(client, f"/api/classes/{created['code']}/", created["teacher_token"]).json()["students"]
    steps = len(lesson_catalogue()[lesson_id].steps)
    assert roster[0]["progress"] == {"done": 0, "steps": steps}
    teacher_page = Client()
    teacher_page.get(f"/classes/{created['code']}/teach/", {"token": created["teacher_token"]})
    assert 'id="lesson"' in teacher_page.get(f"/classes/{created['code']}/teach/").content.decode()


def test_rotating_the_sandbox_tokens_changes_the_teacher_token(client: Client, created: dict) -> None:
    from cluster.services.tokens import cluster_tokens_rotate

    sandbox = cluster_tokens_rotate(cluster=Cluster.objects.get(pk=created["sandbox"]))
    base = f"/api/classes/{created['code']}/"
    assert get(client, base, created["teacher_token"]).status_code == 401
    assert get(client, base, sandbox.access_token).status_code == 200
