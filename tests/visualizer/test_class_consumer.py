"""The class websockets against the in-memory layer, through `visualizer.asgi.application` itself
(origin check, session, routing) with WebsocketCommunicator. Changes go through the class and
cluster services in a worker thread, as the API views make them."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from cluster import snapshots
from cluster.models import Class, ClassStudent, Cluster
from cluster.selectors import object_list
from cluster.services import classes as services
from cluster.services.classes import class_create, class_group
from cluster.services.traces import trace_create
from tests.visualizer.test_consumer import communicator, receive
from visualizer import class_consumers, fanout
from visualizer.class_consumers import ClassSocket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def relays(monkeypatch):
    """Fresh layer and relay registries per test (each test runs its own event loop)."""
    channel_layers.backends.pop("default", None)
    class_relays, sandbox_relays = class_consumers.GroupRelays(), fanout.Relays()
    monkeypatch.setattr(ClassSocket, "relays", class_relays)
    monkeypatch.setattr(ClassSocket, "sandbox_relays", sandbox_relays)
    snapshots._packed.clear()
    yield class_relays, sandbox_relays
    await class_relays.close()
    await sandbox_relays.close()
    channel_layers.backends.pop("default", None)


@pytest.fixture
async def klass() -> Class:
    return await database_sync_to_async(class_create)(seed=1)


def student_path(klass: Class, query: str) -> str:
    return f"/ws/classes/{klass.code}/?{query}"


async def join(klass: Class, name: str = "Ana", query: str = "") -> tuple[WebsocketCommunicator, dict, dict, dict]:
    """A student's socket: (socket, hello, class state, snapshot)."""
    ws = communicator(student_path(klass, query or f"name={name}"))
    connected, code = await ws.connect(timeout=5)
    assert connected, code
    return ws, await receive(ws), await receive(ws), await receive(ws)


@database_sync_to_async
def seven_hops(klass: Class) -> dict:
    pod = object_list(cluster=klass.sandbox, kind="Pod", namespace="default")[0]["metadata"]["name"]
    for seed in range(40):
        trace = trace_create(cluster=klass.sandbox, source=f"pod/default/{pod}", destination="10.0.0.11:30123",
                             seed=seed)[0]
        if len(trace["hops"]) == 7:
            return trace
    raise AssertionError("no 7-hop trace")


def call(fn, **kwargs):
    return database_sync_to_async(fn)(**kwargs)


async def refused(path: str) -> tuple[dict, int]:
    ws = communicator(path)
    connected, _ = await ws.connect(timeout=5)
    assert connected  # accepted, to say why
    error = await receive(ws)
    closed = await ws.receive_output(timeout=5)
    assert closed["type"] == "websocket.close"
    return error, closed["code"]


# --- joining --------------------------------------------------------------------------------------------


async def test_a_student_gets_hello_then_the_class_then_the_sandbox(klass) -> None:
    ws, hello, state, snapshot = await join(klass, "Ana")

    assert hello["type"] == "hello" and hello["role"] == "student"
    assert hello["student"]["name"] == "Ana" and hello["student"]["token"]
    assert hello["cluster"]["id"] == str(klass.sandbox_id)
    assert state["type"] == "class" and state["seq"] == 0 and state["follow"] is True
    assert snapshot["type"] == "snapshot" and snapshot["cluster"]["id"] == str(klass.sandbox_id)
    assert "actions" not in snapshot  # read-only: no action URLs
    student = await database_sync_to_async(ClassStudent.objects.get)(klass=klass)
    assert student.present(timezone.now()) and student.sockets == 1
    await ws.disconnect()
    student = await database_sync_to_async(ClassStudent.objects.get)(klass=klass)
    assert not student.present(timezone.now()) and student.sockets == 0


async def test_traces_and_steps_reach_every_student_in_order(klass) -> None:
    students = [await join(klass, f"s{i}") for i in range(3)]
    trace = await seven_hops(klass)
    for hop in range(7):
        await call(services.class_step, klass=klass, trace=trace["id"], hop=hop)

    for ws, *_ in students:
        first = await receive(ws)
        assert first["type"] == "trace" and first["trace"]["id"] == trace["id"]
        steps = [await receive(ws) for _ in range(7)]
        assert [(m["type"], m["trace"], m["hop"]) for m in steps] == [("step", trace["id"], h) for h in range(7)]
        assert [m["seq"] for m in [first, *steps]] == list(range(first["seq"], first["seq"] + 8))
        assert await ws.receive_nothing(timeout=0.1)  # the sandbox relay's copy of the trace is not repeated
        await ws.disconnect()


async def test_one_relay_per_class_and_process(klass, relays) -> None:
    class_relays, sandbox_relays = relays
    sockets = [(await join(klass, f"s{i}"))[0] for i in range(4)]
    assert class_relays.viewers(class_group(klass.code)) == 4
    assert sandbox_relays.viewers(str(klass.sandbox_id)) == 4
    for ws in sockets:
        await ws.disconnect()
    assert class_relays.relay(class_group(klass.code)) is None


async def test_a_student_resumes_with_exactly_what_was_missed(klass) -> None:
    ws, hello, _state, _ = await join(klass, "Ana")
    trace = await seven_hops(klass)
    await call(services.class_step, klass=klass, trace=trace["id"], hop=0)
    held = [await receive(ws), await receive(ws)]
    await ws.disconnect()

    for hop in (1, 2, 3):
        await call(services.class_step, klass=klass, trace=trace["id"], hop=hop)
    token, since = hello["student"]["token"], held[-1]["seq"]
    again = communicator(student_path(klass, f"student={token}&since={since}&sandbox=0"))
    assert (await again.connect(timeout=5))[0]
    assert (await receive(again))["type"] == "hello"
    missed = [await receive(again) for _ in range(3)]
    assert [(m["seq"], m["hop"]) for m in missed] == [(since + 1, 1), (since + 2, 2), (since + 3, 3)]
    assert await again.receive_nothing(timeout=0.2)  # no state, no snapshot (sandbox=0), no repeats

    await again.send_json_to({"type": "class_resume", "since": since + 1})
    assert [(await receive(again))["hop"] for _ in range(2)] == [2, 3]
    await again.disconnect()
    assert await database_sync_to_async(ClassStudent.objects.filter(klass=klass).count)() == 1


async def test_a_student_far_behind_gets_the_whole_state(klass) -> None:
    ws, hello, *_ = await join(klass, "Ana")
    await ws.disconnect()
    again = communicator(student_path(klass, f"student={hello['student']['token']}&since=99&sandbox=0"))
    assert (await again.connect(timeout=5))[0]
    assert (await receive(again))["type"] == "hello"
    assert (await receive(again))["type"] == "class"
    await again.disconnect()


# --- questions ------------------------------------------------------------------------------------------


async def test_questions_answers_and_the_reveal(klass) -> None:
    ana, *_ = await join(klass, "Ana")
    teacher = communicator(f"/ws/classes/{klass.code}/teacher/?token={klass.teacher_token}")
    assert (await teacher.connect(timeout=5))[0]
    assert (await receive(teacher))["role"] == "teacher"
    assert (await receive(teacher))["type"] == "class"
    roster = await receive(teacher)
    assert roster["type"] == "roster" and [s["name"] for s in roster["students"]] == ["Ana"]
    trace = await seven_hops(klass)
    await call(services.class_step, klass=klass, trace=trace["id"], hop=2)
    question = await call(services.class_ask, klass=klass)

    assert (await receive(ana))["type"] == "trace"
    assert (await receive(ana))["type"] == "step"
    asked = await receive(ana)
    assert asked["type"] == "question" and "answer" not in asked["question"]
    assert "answer" not in json.dumps(asked)

    await ana.send_json_to({"type": "answer", "question": question["id"], "choice": question["answer"]})
    assert await receive(ana) == {"type": "answered", "question": question["id"], "choice": question["answer"]}
    await ana.send_json_to({"type": "answer", "question": question["id"], "choice": 0})
    again = await receive(ana)
    assert again["type"] == "error" and again["code"] == "answered"

    seen = []
    while not any(m["type"] == "answer" for m in seen):
        seen.append(await receive(teacher))
    answer = next(m for m in seen if m["type"] == "answer")
    assert answer["choice"] == question["answer"]

    await call(services.class_reveal, klass=klass, question=question["id"])
    reveal = await receive(ana)
    assert reveal["type"] == "reveal" and reveal["answer"] == question["answer"]
    assert sum(reveal["counts"]) == 1
    await ana.disconnect()
    await teacher.disconnect()


# --- what a student may not do ---------------------------------------------------------------------------


async def test_a_students_socket_never_writes_to_the_sandbox(klass) -> None:
    ws, hello, *_ = await join(klass, "Ana")
    before = await database_sync_to_async(lambda: Cluster.objects.get(pk=klass.sandbox_id).resource_version)()
    for message in ({"type": "step", "trace": 1, "hop": 0}, {"type": "trace", "source": "external"},
                    {"type": "apply", "yaml": "kind: Service"}, {"type": "follow", "follow": False},
                    {"type": "end"}, {"type": "resume"}, [1, 2], "x" * 5000):
        await ws.send_to(text_data=json.dumps(message) if not isinstance(message, str) else message)
        reply = await receive(ws)
        assert reply["type"] == "error", reply
    after = await database_sync_to_async(lambda: Cluster.objects.get(pk=klass.sandbox_id).resource_version)()
    fresh = await database_sync_to_async(Class.objects.get)(pk=klass.pk)
    assert after == before and fresh.seq == 0 and fresh.follow and fresh.ended_at is None
    assert klass.teacher_token not in json.dumps(hello)
    await ws.disconnect()


async def test_the_teacher_token_never_reaches_a_student(klass) -> None:
    ws, *first = await join(klass, "Ana")
    trace = await seven_hops(klass)
    await call(services.class_step, klass=klass, trace=trace["id"], hop=1)
    await call(services.class_follow, klass=klass, follow=False)
    await call(services.class_follow, klass=klass, follow=True)
    seen = [*first, *[await receive(ws) for _ in range(4)]]
    assert klass.teacher_token not in json.dumps(seen)
    await ws.disconnect()


async def test_a_wrong_code_is_refused_with_a_reason(klass) -> None:
    error, code = await refused("/ws/classes/ZZZZZZ/?name=Ana")
    assert error["code"] == "not_found" and "No class has the code" in error["message"]
    assert code == class_consumers.CLOSE_NOT_FOUND


async def test_a_full_class_is_refused_with_a_reason(klass) -> None:
    await database_sync_to_async(ClassStudent.objects.bulk_create)(
        [ClassStudent(klass=klass, name=f"s{i}") for i in range(200)])
    error, code = await refused(student_path(klass, "name=late"))
    assert error["code"] == "full" and "200" in error["message"]
    assert code == class_consumers.CLOSE_REFUSED


@pytest.mark.parametrize("query", ["", "name=", "name=%20%20", f"name={'x' * 41}", "student=nope"])
async def test_a_student_needs_a_name_or_their_token(klass, query) -> None:
    error, code = await refused(student_path(klass, query))
    assert error["type"] == "error" and code in (class_consumers.CLOSE_BAD_REQUEST, class_consumers.CLOSE_FORBIDDEN)


async def test_the_teacher_socket_wants_the_teacher(klass) -> None:
    for path in (f"/ws/classes/{klass.code}/teacher/", f"/ws/classes/{klass.code}/teacher/?token=nope"):
        error, code = await refused(path)
        assert error["code"] == "forbidden" and code == class_consumers.CLOSE_FORBIDDEN


async def test_the_join_pages_session_identifies_the_student(klass) -> None:
    browser = Client()

    def join_page() -> None:
        assert browser.post(f"/join/{klass.code}/", {"name": "Bo"}).status_code == 302

    await database_sync_to_async(join_page)()
    ws = communicator(f"/ws/classes/{klass.code}/", client=browser)
    assert (await ws.connect(timeout=5))[0]
    hello = await receive(ws)
    assert hello["student"]["name"] == "Bo"
    await ws.disconnect()


# --- spotlight ------------------------------------------------------------------------------------------


async def test_spotlight_shows_a_students_copy_on_every_screen(klass) -> None:
    ana, ana_hello, *_ = await join(klass, "Ana")
    bo, *_ = await join(klass, "Bo")
    await call(services.class_follow, klass=klass, follow=False)
    student = await database_sync_to_async(ClassStudent.objects.get)(pk=ana_hello["student"]["id"])
    copy = await call(services.class_student_copy, student=student)
    await call(services.class_spotlight, klass=klass, student=student.pk)

    for ws in (ana, bo):
        assert (await receive(ws))["type"] == "follow"
        spot = await receive(ws)
        assert spot["type"] == "spotlight" and spot["spotlight"]["cluster"] == str(copy.pk)
        snapshot = await receive(ws)
        assert snapshot["type"] == "snapshot" and snapshot["cluster"]["id"] == str(copy.pk)
    traces = await database_sync_to_async(trace_create)(cluster=copy, source="external",
                                                        destination="10.0.0.11:30123", seed=1)
    for ws in (ana, bo):
        got = await receive(ws)
        assert got["type"] == "trace" and got["trace"]["id"] == traces[0]["id"] and "seq" not in got

    await call(services.class_spotlight, klass=klass, student=None)
    for ws in (ana, bo):
        assert (await receive(ws))["spotlight"] is None
        assert (await receive(ws))["cluster"]["id"] == str(klass.sandbox_id)

    # Releasing control ends a spotlight too: the screens go back to the class sandbox.
    await call(services.class_spotlight, klass=klass, student=student.pk)
    await call(services.class_follow, klass=klass, follow=False)
    for ws in (ana, bo):
        assert (await receive(ws))["type"] == "spotlight"
        got = await receive(ws)
        if got["type"] == "snapshot":  # the copy's snapshot, when it was ready before the release came
            assert got["cluster"]["id"] == str(copy.pk)
            got = await receive(ws)
        assert got["type"] == "follow"  # else the copy's snapshot is dropped: the screen has moved on
        back = await receive(ws)
        assert back["type"] == "snapshot" and back["cluster"]["id"] == str(klass.sandbox_id)
        await ws.disconnect()
