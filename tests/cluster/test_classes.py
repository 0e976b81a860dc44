"""Class services against the database: codes, joining, the numbered message log, steps, questions,
copies made through the write path."""

from __future__ import annotations

import pytest

from cluster.models import CLASS_CODE_ALPHABET, Class, ClassMessage, ClassStudent, Cluster
from cluster.selectors import object_list
from cluster.selectors_classes import class_messages_since, class_roster, class_state
from cluster.services import classes
from cluster.services.classes import (
    MAX_STUDENTS,
    ClassError,
    class_answer,
    class_ask,
    class_create,
    class_end,
    class_follow,
    class_get,
    class_join,
    class_playback,
    class_reveal,
    class_select,
    class_spotlight,
    class_step,
    class_student_copy,
    clean_name,
    normalize_code,
)
from cluster.services.traces import trace_create
from cluster.services.workloads import pod_set_ready


@pytest.fixture
def klass(db) -> Class:
    return class_create(seed=1)


def seven_hops(klass: Class) -> dict:
    """A pod's request to the kubia NodePort on node-1's InternalIP: 7 hops."""
    pod = object_list(cluster=klass.sandbox, kind="Pod", namespace="default")[0]["metadata"]["name"]
    return trace_create(cluster=klass.sandbox, source=f"pod/default/{pod}", destination="10.0.0.11:30123",
                        seed=3)[0]


def log(klass: Class) -> list[dict]:
    return list(ClassMessage.objects.filter(klass=klass).order_by("seq").values_list("body", flat=True))


def test_a_class_has_a_readable_code_and_the_sandbox_token(klass: Class) -> None:
    assert len(klass.code) == 6 and set(klass.code) <= set(CLASS_CODE_ALPHABET)
    assert not set(klass.code) & set("01OIL")
    assert klass.teacher_token == klass.sandbox.access_token
    assert klass.follow and klass.seq == 0
    assert class_get(code=klass.code.lower()).pk == klass.pk
    assert class_get(code=f"{klass.code[:3]}-{klass.code[3:]}").pk == klass.pk
    assert class_get(code="NOPE") is None and class_get(code=None) is None


def test_codes_are_unique_even_when_the_first_draw_is_taken(klass: Class, monkeypatch) -> None:
    draws = iter([klass.code, klass.code, "ABC234"])
    monkeypatch.setattr(classes, "_new_code", lambda: next(draws))
    assert class_create(sandbox=klass.sandbox).code == "ABC234"


def test_names_are_plain_text_of_at_most_40_characters() -> None:
    assert clean_name("  Ana \t Kim\n") == "Ana Kim"
    assert clean_name("<b>Bo</b>\u202e") == "<b>Bo</b>"  # kept as text; the bidi override is dropped
    for bad in ("", "   ", None, 3, "x" * 41):
        with pytest.raises(ClassError):
            clean_name(bad)
    assert normalize_code(" abc-234 ") == "ABC234"


def test_join_numbers_a_taken_name_and_refuses_the_201st(klass: Class) -> None:
    assert class_join(klass=klass, name="Ana").name == "Ana"
    assert class_join(klass=klass, name="Ana").name == "Ana 2"
    ClassStudent.objects.bulk_create([ClassStudent(klass=klass, name=f"s{i}") for i in range(MAX_STUDENTS - 2)])
    with pytest.raises(ClassError) as refused:
        class_join(klass=klass, name="late")
    assert refused.value.code == "full" and "200" in refused.value.message


def test_traces_and_steps_are_numbered_messages_in_order(klass: Class) -> None:
    trace = seven_hops(klass)
    assert len(trace["hops"]) == 7
    for hop in range(7):
        class_step(klass=klass, trace=trace["id"], hop=hop)
    messages = log(klass)
    assert [m["seq"] for m in messages] == list(range(1, 9))
    assert messages[0]["type"] == "trace" and messages[0]["trace"]["id"] == trace["id"]
    assert [(m["type"], m["hop"]) for m in messages[1:]] == [("step", h) for h in range(7)]
    klass.refresh_from_db()
    assert klass.state["trace"] == trace["id"] and klass.state["hop"] == 6 and klass.state["paused"]
    assert class_messages_since(klass=klass, since=5) == messages[5:]
    assert class_messages_since(klass=klass, since=8) == []
    assert class_messages_since(klass=klass, since=9) is None


def test_bad_steps_are_refused_and_change_nothing(klass: Class, other: Cluster) -> None:
    trace = seven_hops(klass)
    foreign = trace_create(cluster=other, source="node/node-1", destination="10.0.0.11:22", seed=1)[0]
    for tid, hop in ((trace["id"], 7), (trace["id"], -1), (trace["id"], True), (foreign["id"], 0), ("1", 0)):
        with pytest.raises(ClassError):
            class_step(klass=klass, trace=tid, hop=hop)
    assert [m["type"] for m in log(klass)] == ["trace"]


def test_playback_selection_and_follow(klass: Class) -> None:
    seven_hops(klass)
    assert class_playback(klass=klass, paused=True, speed=2)["speed"] == 2
    with pytest.raises(ClassError):
        class_playback(klass=klass, speed=3)
    assert class_playback(klass=klass, replay=True)["paused"] is False
    assert class_select(klass=klass, selection={"kind": "Service", "key": "default/kubia"})["selection"]["key"]
    with pytest.raises(ClassError):
        class_select(klass=klass, selection={"kind": "Service"})
    assert class_follow(klass=klass, follow=True) is None  # nothing changed, nothing sent
    released = class_follow(klass=klass, follow=False)
    assert released["follow"] is False and released["release"] == 1
    assert class_follow(klass=klass, follow=True)["follow"] is True


def test_a_question_keeps_its_answer_until_the_reveal(klass: Class) -> None:
    trace = seven_hops(klass)
    ana, bo = class_join(klass=klass, name="Ana"), class_join(klass=klass, name="Bo")
    class_step(klass=klass, trace=trace["id"], hop=2)
    question = class_ask(klass=klass)
    assert question["hop"] == 2 and 2 <= len(question["choices"]) <= 4
    sent = log(klass)[-1]
    assert sent["type"] == "question" and "answer" not in sent["question"]
    assert "answer" not in class_state(klass=klass, student=ana)["question"]
    assert class_state(klass=klass, teacher=True)["question"]["answer"] == question["answer"]

    right, wrong = question["answer"], (question["answer"] + 1) % len(question["choices"])
    class_answer(student=ana, question=question["id"], choice=right)
    class_answer(student=bo, question=question["id"], choice=wrong)
    with pytest.raises(ClassError) as twice:
        class_answer(student=ana, question=question["id"], choice=wrong)
    assert twice.value.code == "answered"
    assert class_state(klass=klass, teacher=True)["question"]["counts"][right] == 1

    reveal = class_reveal(klass=klass, question=question["id"])
    assert reveal["answer"] == right and sum(reveal["counts"]) == 2
    assert class_reveal(klass=klass, question=question["id"])["counts"] == reveal["counts"]  # again: not resent
    assert [m["type"] for m in log(klass)].count("reveal") == 1
    assert class_state(klass=klass, student=ana)["question"]["answer"] == right
    with pytest.raises(ClassError):
        class_answer(student=bo, question=question["id"], choice=right)


def test_a_question_from_the_teachers_page(klass: Class) -> None:
    trace = seven_hops(klass)
    question = class_ask(klass=klass, trace=trace["id"], hop=0, prompt="Where next?", choices=["a", "b"], answer=1)
    assert question["kind"] == "custom" and question["answer"] == 1
    for bad in ({"choices": ["a"]}, {"choices": ["a", "a"]}, {"answer": 2}, {"prompt": ""}):
        args = {"prompt": "Where next?", "choices": ["a", "b"], "answer": 1, **bad}
        with pytest.raises(ClassError):
            class_ask(klass=klass, trace=trace["id"], hop=0, **args)
    with pytest.raises(ClassError):
        class_ask(klass=klass, trace=trace["id"], hop=6)  # the last hop has no next one


def test_release_makes_copies_through_the_write_path_and_spotlight_shows_one(klass: Class) -> None:
    ana = class_join(klass=klass, name="Ana")
    with pytest.raises(ClassError):
        class_student_copy(student=ana)  # still following
    with pytest.raises(ClassError):
        class_spotlight(klass=klass, student=ana.pk)
    class_follow(klass=klass, follow=False)
    copy = class_student_copy(student=ana)
    assert class_student_copy(student=ana).pk == copy.pk
    assert copy.pk != klass.sandbox_id and copy.access_token != klass.sandbox.access_token
    for kind in ("Node", "Service", "ReplicaSet", "Pod", "EndpointSlice"):
        assert len(object_list(cluster=copy, kind=kind)) == len(object_list(cluster=klass.sandbox, kind=kind)), kind
    pod = object_list(cluster=copy, kind="Pod", namespace="default")[0]["metadata"]["name"]
    pod_set_ready(cluster=copy, namespace="default", name=pod, ready=False)  # the copy is the student's own

    spot = class_spotlight(klass=klass, student=ana.pk)
    assert spot["spotlight"] == {"id": ana.pk, "name": "Ana", "cluster": str(copy.pk),
                                 "watch": f"/watch/{copy.watch_token}/"} and spot["follow"]
    assert class_roster(klass=klass)["students"][0]["copy"] == str(copy.pk)

    class_end(klass=klass)
    class_end(klass=klass)
    assert [m["type"] for m in log(klass)].count("end") == 1
    with pytest.raises(ClassError):
        class_join(klass=klass, name="late")
    with pytest.raises(ClassError):
        class_step(klass=klass, trace=1, hop=0)
    assert class_student_copy(student=ana).pk == copy.pk  # kept after the end
