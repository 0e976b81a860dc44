"""Classes: a teacher's sandbox followed live by students who joined with a code.

Every change to a class is one transaction that locks the Class row, changes its state, and, for
what the students' screens show, appends a numbered message (Class.seq, kept in ClassMessage)
that is published after commit to the class's channel-layer group. A screen that reconnects asks
for the messages after the last seq it holds, so nothing is lost or shown twice, across a server
restart too. Roster and answer updates go to the teacher's group alone, and the right answer of a
question stays in the state until the reveal.

Sandboxes change only through the write path: the class sandbox is made by `cluster_create` (or
the lesson's start), a student's copy by re-creating the class sandbox's exported objects in a new
sandbox, object by object, through `writing` and `create_in`.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.utils import timezone

from cluster.events import RELAY_MESSAGE_TYPE, encode
from cluster.models import (
    CLASS_CODE_ALPHABET,
    CLASS_CODE_LENGTH,
    Class,
    ClassMessage,
    ClassStudent,
    Cluster,
    Trace,
    presence_lease,
)
from cluster.publishing import publish
from cluster.services.export import sandbox_export
from cluster.services.objects import create_in
from cluster.services.sandboxes import _bootstrap, cluster_create
from cluster.services.writing import writing
from cluster.sim.lessons.class_questions import QuestionError, next_hop_question
from cluster.sim.objects import Obj

log = logging.getLogger(__name__)

MAX_STUDENTS = 200
MAX_NAME = 40
MAX_PROMPT = 300
MAX_CHOICE = 200
MAX_CHOICES = 6
KEEP_MESSAGES = 2000  # per class; a screen further behind gets the whole state instead
KEEP_QUESTIONS = 50
SPEEDS = (0.25, 0.5, 1, 2, 4)
MAX_EXTRA = 8000


class ClassError(Exception):
    """A class request that cannot be done, in the person's terms. `status` is the HTTP status
    (400 bad input, 403 not allowed, 404 no such class, 409 not now) and `code` a stable word."""

    def __init__(self, message: str, *, status: int = 400, code: str = "invalid") -> None:
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


# --- names of things --------------------------------------------------------------------------------


def class_group(code: str) -> str:
    """The channel-layer group of everyone in the class (students and teacher)."""
    return f"class.{code}"


def teacher_group(code: str) -> str:
    """The group of the teacher's screens alone (roster and answers)."""
    return f"class.{code}.teacher"


def normalize_code(text: Any) -> str:
    """What a person typed, as a code: upper case, without spaces or dashes."""
    if not isinstance(text, str):
        return ""
    return "".join(ch for ch in text.upper() if ch not in " -\t")[:32]


def _new_code() -> str:
    return "".join(secrets.choice(CLASS_CODE_ALPHABET) for _ in range(CLASS_CODE_LENGTH))


def clean_name(text: Any) -> str:
    """A display name: plain text of 1 to 40 characters, whitespace collapsed, no control or
    formatting characters. It is shown as text everywhere, never as markup."""
    if not isinstance(text, str):
        raise ClassError("Type a name.", code="name")
    kept = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace()
                   or not unicodedata.category(ch).startswith("C"))
    name = " ".join(kept.split())
    if not name:
        raise ClassError("Type a name.", code="name")
    if len(name) > MAX_NAME:
        raise ClassError(f"A name has at most {MAX_NAME} characters.", code="name")
    return name


def initial_state() -> dict[str, Any]:
    return {"trace": None, "hop": 0, "paused": False, "speed": 1, "selection": None,
            "question": None, "questions": [], "next_question": 1, "spotlight": None, "release": 0}


# --- publishing -------------------------------------------------------------------------------------


def _relay(text: str, seq: int | None) -> dict[str, Any]:
    """The channel-layer message the per-process relays hand to their sockets (visualizer/fanout.py)."""
    return {"type": RELAY_MESSAGE_TYPE, "text": text, "seq": seq}


def _publish(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    seq = message.get("seq")
    try:
        publish(layer, group, _relay(encode(message), seq if isinstance(seq, int) else None))
    except Exception:  # a screen that misses one resumes from the log; a change must not fail
        log.exception("could not publish to %s", group)


def _to_teacher(klass: Class, message: dict[str, Any]) -> None:
    transaction.on_commit(lambda: _publish(teacher_group(klass.code), message))


@contextmanager
def _changing(klass: Class | int) -> Iterator[Class]:
    """The class locked for one change; its state, seq and flags are saved when the block ends."""
    with transaction.atomic():
        locked = Class.objects.select_for_update().select_related("sandbox").get(
            pk=klass.pk if isinstance(klass, Class) else klass)
        yield locked
        locked.save(update_fields=["state", "seq", "follow", "ended_at"])
    if isinstance(klass, Class):
        klass.state, klass.seq, klass.follow, klass.ended_at = locked.state, locked.seq, locked.follow, locked.ended_at


def _send(locked: Class, body: dict[str, Any]) -> dict[str, Any]:
    """Number a message for every screen of the class, keep it, publish it after commit."""
    locked.seq += 1
    message = {"type": body["type"], "seq": locked.seq, **{k: v for k, v in body.items() if k != "type"}}
    ClassMessage.objects.create(klass=locked, seq=locked.seq, body=message)
    if locked.seq % 100 == 0:
        ClassMessage.objects.filter(klass=locked, seq__lte=locked.seq - KEEP_MESSAGES).delete()
    code = locked.code
    transaction.on_commit(lambda: _publish(class_group(code), message))
    return message


def _open(locked: Class) -> None:
    if locked.ended_at is not None:
        raise ClassError("This class has ended.", status=409, code="ended")


# --- the class --------------------------------------------------------------------------------------


def class_create(*, sandbox: Cluster | None = None, owner: str = "", seed: int | None = None) -> Class:
    """A class on `sandbox`, or on a new kubia demo sandbox (a lesson's: `class_lessons.py`). The
    teacher token is the sandbox's access token, so it opens the sandbox too."""
    if sandbox is None:
        sandbox = cluster_create(preset="kubia", owner=owner, seed=seed)
    for _ in range(20):
        try:
            with transaction.atomic():
                return Class.objects.create(code=_new_code(), teacher_token=sandbox.access_token, sandbox=sandbox,
                                            lesson=sandbox.lesson, state=initial_state())
        except IntegrityError:  # the code is taken: draw again
            continue
    raise ClassError("Could not find a free class code; try again.", status=503, code="busy")


def class_get(*, code: Any) -> Class | None:
    code = normalize_code(code)
    if len(code) != CLASS_CODE_LENGTH:
        return None
    return Class.objects.select_related("sandbox").filter(code=code).first()


def class_end(*, klass: Class) -> None:
    """End the class: students are told, and keep their copies."""
    with _changing(klass) as locked:
        if locked.ended_at is not None:
            return
        locked.ended_at = timezone.now()
        _send(locked, {"type": "end"})


# --- students ---------------------------------------------------------------------------------------


def roster_entry(student: ClassStudent, now: datetime | None = None) -> dict[str, Any]:
    return {"id": student.pk, "name": student.name, "connected": student.present(now or timezone.now()),
            "version": student.version, "copy": str(student.copy_id) if student.copy_id else None,
            "answers": dict(student.answers or {})}


def class_join(*, klass: Class, name: Any) -> ClassStudent:
    """A new student. Refused when the class has ended or already has 200 students. A name already
    taken gets a number (`Ana 2`)."""
    name = clean_name(name)
    with _changing(klass) as locked:
        _open(locked)
        taken = set(ClassStudent.objects.filter(klass=locked).values_list("name", flat=True))
        if len(taken) >= MAX_STUDENTS:
            raise ClassError(f"This class is full: it already has {MAX_STUDENTS} students.", status=409, code="full")
        shown, n = name, 1
        while shown in taken:
            n += 1
            suffix = f" {n}"
            shown = name[: MAX_NAME - len(suffix)] + suffix
        student = ClassStudent.objects.create(klass=locked, name=shown)
        _to_teacher(locked, {"type": "student", "student": roster_entry(student)})
    return student


def class_student_by_token(*, klass: Class, token: Any) -> ClassStudent | None:
    if not isinstance(token, str) or not token or len(token) > 64:
        return None
    student = ClassStudent.objects.filter(klass=klass, token=token).first()
    # The lookup is by an indexed unique column; compare again in constant time all the same.
    if student is None or not secrets.compare_digest(student.token.encode(), token.encode()):
        return None
    return student


def class_student_connected(*, student: ClassStudent, connected: bool) -> None:
    """One of a student's screens opened or closed; the teacher's roster follows when that changes
    whether the student is present. Screens counted before a lapsed lease are gone (their process
    died without closing them), so an opening screen starts the count afresh."""
    now = timezone.now()
    with transaction.atomic():
        fresh = ClassStudent.objects.select_for_update().get(pk=student.pk)
        was = fresh.present(now)
        if connected:
            fresh.sockets = (fresh.sockets if was else 0) + 1
            fresh.seen_at = now
        else:
            fresh.sockets = max(0, fresh.sockets - 1)
        changed = fresh.present(now) != was
        fresh.version += changed
        fresh.save(update_fields=["sockets", "seen_at", "version"])
        if changed:
            klass = Class.objects.only("code").get(pk=fresh.klass_id)
            _to_teacher(klass, {"type": "student", "student": roster_entry(fresh, now)})
    student.sockets, student.seen_at, student.version = fresh.sockets, fresh.seen_at, fresh.version


def class_presence_renew(*, student_ids: list[int]) -> None:
    """Open screens say their students are still there (an UPDATE per 500, nothing sent)."""
    now = timezone.now()
    for start in range(0, len(student_ids), 500):
        ClassStudent.objects.filter(pk__in=student_ids[start:start + 500], sockets__gt=0).update(seen_at=now)


def class_presence_sweep(*, klass: Class) -> int:
    """Students whose screens all stopped renewing (their server process died) leave the roster's
    present ones: the teacher's screen is told. Returns how many."""
    now = timezone.now()
    lapsed = 0
    with transaction.atomic():
        for student in ClassStudent.objects.select_for_update().filter(
                klass=klass, sockets__gt=0, seen_at__lt=now - presence_lease()):
            student.sockets = 0
            student.version += 1
            student.save(update_fields=["sockets", "version"])
            _to_teacher(klass, {"type": "student", "student": roster_entry(student, now)})
            lapsed += 1
    return lapsed


def _copy_sandbox(source: Cluster, *, owner: str) -> Cluster:
    """A new sandbox with the source's settings and user-made objects, created through the write path
    (the system objects as every sandbox has them, then the export of the source, in apply order)."""
    objects = sandbox_export(cluster=source)
    with transaction.atomic():
        copy = Cluster.objects.create(
            name=f"{source.name[:40]}-copy-{secrets.token_hex(4)}", owner=owner, preset=source.preset,
            lesson=source.lesson, service_cidr=source.service_cidr, node_port_min=source.node_port_min,
            node_port_max=source.node_port_max, max_endpoints_per_slice=source.max_endpoints_per_slice,
            proxy_mode=source.proxy_mode, lb_pool=list(source.lb_pool or []))
        with writing(copy) as store:
            _bootstrap(store)
            for obj in objects:
                create_in(store, obj)
        if copy.lesson:
            from cluster.models import LessonProgress

            LessonProgress.objects.create(cluster=copy)
    return copy


def class_student_copy(*, student: ClassStudent, owner: str = "") -> Cluster:
    """The student's own copy of the class sandbox for the current release: made on first need
    after each release (an earlier copy stays the student's)."""
    with transaction.atomic():
        fresh = ClassStudent.objects.select_for_update().select_related("copy").get(pk=student.pk)
        klass = Class.objects.select_related("sandbox").get(pk=fresh.klass_id)
        release = int(klass.state.get("release") or 0)
        if fresh.copy is not None and (fresh.copy_round == release or klass.ended_at is not None):
            return fresh.copy
        if release == 0:
            raise ClassError("The teacher has not released control yet.", status=409, code="following")
        fresh.copy = _copy_sandbox(klass.sandbox, owner=owner)
        fresh.copy_round = release
        fresh.version += 1
        fresh.save(update_fields=["copy", "copy_round", "version"])
        _to_teacher(klass, {"type": "student", "student": roster_entry(fresh)})
    student.copy, student.copy_round, student.version = fresh.copy, fresh.copy_round, fresh.version
    return fresh.copy


# --- what every screen follows ------------------------------------------------------------------------


def _trace_body(sandbox_id: Any, trace_id: Any) -> Obj | None:
    if isinstance(trace_id, bool) or not isinstance(trace_id, int):
        return None
    body = Trace.objects.filter(cluster_id=sandbox_id, pk=trace_id).values_list("body", flat=True).first()
    return None if body is None else {**body, "id": trace_id}


def class_traces_sent(*, cluster: Cluster, traces: list[Obj]) -> None:
    """Inside the trace write: each trace of a class sandbox becomes a numbered class message, so it
    reaches every student before any step that points into it, and again after a reconnect."""
    for locked in Class.objects.select_for_update().filter(sandbox=cluster, ended_at__isnull=True):
        for trace in traces:
            _send(locked, {"type": "trace", "trace": trace})
        state = locked.state
        state.update(trace=traces[-1]["id"] if traces else state.get("trace"), hop=0, paused=False)
        locked.save(update_fields=["state", "seq"])


def _hop_count(locked: Class, trace_id: Any) -> int:
    body = _trace_body(locked.sandbox_id, trace_id)
    if body is None:
        raise ClassError(f"The class sandbox has no trace {str(trace_id)[:20]}.", code="trace")
    return len(body.get("hops") or [])


def class_step(*, klass: Class, trace: Any, hop: Any) -> dict[str, Any]:
    """Move every screen to hop `hop` of trace `trace`, paused there."""
    with _changing(klass) as locked:
        _open(locked)
        count = _hop_count(locked, trace)
        if isinstance(hop, bool) or not isinstance(hop, int) or not 0 <= hop < count:
            raise ClassError(f"hop must be between 0 and {count - 1}", code="hop")
        locked.state.update(trace=trace, hop=hop, paused=True)
        return _send(locked, {"type": "step", "trace": trace, "hop": hop})


def class_playback(*, klass: Class, paused: bool | None = None, speed: float | None = None,
                   replay: bool = False) -> dict[str, Any]:
    """Pause or resume, change the speed, or replay the current request on every screen."""
    with _changing(klass) as locked:
        _open(locked)
        state = locked.state
        if speed is not None:
            if speed not in SPEEDS:
                raise ClassError(f"speed must be one of {', '.join(map(str, SPEEDS))}", code="speed")
            state["speed"] = speed
        if paused is not None:
            state["paused"] = bool(paused)
        if replay:
            if state.get("trace") is None:
                raise ClassError("There is no request to replay yet.", status=409, code="trace")
            state.update(paused=False, hop=0)
        return _send(locked, {"type": "playback", "paused": state["paused"], "speed": state["speed"],
                              "replay": bool(replay)})


def _selection(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if (isinstance(value, dict) and isinstance(value.get("kind"), str) and isinstance(value.get("key"), str)
            and 0 < len(value["kind"]) <= 40 and len(value["key"]) <= 300):
        return {"kind": value["kind"], "key": value["key"]}
    raise ClassError('selection must be null or {"kind": "<Kind>", "key": "<namespace/name>"}', code="selection")


def class_select(*, klass: Class, selection: Any) -> dict[str, Any]:
    """Select one object (or none) on every screen."""
    chosen = _selection(selection)
    with _changing(klass) as locked:
        _open(locked)
        locked.state["selection"] = chosen
        return _send(locked, {"type": "select", "selection": chosen})


def class_follow(*, klass: Class, follow: bool) -> dict[str, Any] | None:
    """follow=False releases control (each student explores a copy of the class sandbox);
    follow=True calls everyone back. No message when nothing changes."""
    with _changing(klass) as locked:
        _open(locked)
        if locked.follow == follow:
            return None
        locked.follow = follow
        if not follow:
            locked.state["release"] = int(locked.state.get("release") or 0) + 1
            locked.state["spotlight"] = None
        return _send(locked, {"type": "follow", "follow": follow, "release": locked.state["release"]})


def class_spotlight(*, klass: Class, student: Any) -> dict[str, Any]:
    """Show one student's copy on every screen (everyone follows it), or, with None, the class
    sandbox again."""
    with _changing(klass) as locked:
        _open(locked)
        if student is None:
            spot = None
        else:
            chosen = ClassStudent.objects.select_related("copy").filter(klass=locked, pk=student).first() \
                if isinstance(student, int) and not isinstance(student, bool) else None
            if chosen is None:
                raise ClassError("There is no such student in this class.", status=404, code="student")
            if chosen.copy_id is None:
                raise ClassError(f"{chosen.name} has no sandbox of their own yet: release control first.",
                                 status=409, code="no_copy")
            # The copy's read-only link too: the teacher's page opens it for the projector.
            spot = {"id": chosen.pk, "name": chosen.name, "cluster": str(chosen.copy_id),
                    "watch": f"/watch/{chosen.copy.watch_token}/"}
        locked.state["spotlight"] = spot
        locked.follow = True
        return _send(locked, {"type": "spotlight", "spotlight": spot, "follow": True})


# --- questions ----------------------------------------------------------------------------------------


def public_question(question: dict[str, Any] | None) -> dict[str, Any] | None:
    """A question as students see it: the answer (and the explanation that gives it away) only once
    it is revealed."""
    if question is None:
        return None
    keys = ("id", "trace", "hop", "kind", "prompt", "choices", "detail", "revealed")
    shown = {k: question.get(k) for k in keys}
    if question.get("revealed"):
        shown.update(answer=question["answer"], counts=question.get("counts"), explain=question.get("explain"))
    return shown


def _extra(value: Any, name: str) -> dict[str, Any] | None:
    """`detail` / `explain` of a page-built question: a JSON object of at most MAX_EXTRA characters,
    passed through for the students' pages to word in their own language."""
    if value is None:
        return None
    if not isinstance(value, dict) or len(encode(value)) > MAX_EXTRA:
        raise ClassError(f"{name} must be a JSON object of at most {MAX_EXTRA} characters", code=name)
    return value


def _custom_question(prompt: Any, choices: Any, answer: Any) -> dict[str, Any]:
    if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > MAX_PROMPT:
        raise ClassError(f"prompt must be text of 1 to {MAX_PROMPT} characters", code="prompt")
    if (not isinstance(choices, list) or not 2 <= len(choices) <= MAX_CHOICES
            or not all(isinstance(c, str) and c.strip() and len(c) <= MAX_CHOICE for c in choices)):
        raise ClassError(f"choices must be 2 to {MAX_CHOICES} texts of at most {MAX_CHOICE} characters",
                         code="choices")
    if len(set(choices)) != len(choices):
        raise ClassError("choices must differ from each other", code="choices")
    if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(choices):
        raise ClassError("answer must be the index of the right choice", code="answer")
    return {"kind": "custom", "prompt": prompt.strip(), "choices": list(choices), "answer": answer}


def class_ask(*, klass: Class, trace: Any = None, hop: Any = None, prompt: Any = None, choices: Any = None,
              answer: Any = None, detail: Any = None, explain: Any = None) -> dict[str, Any]:
    """Ask every student to predict the next hop of `trace` after `hop` (by default the class's
    current trace and hop). With `choices` (and `prompt`, `answer`, and optionally `detail`, sent
    with the question, and `explain`, sent with the reveal) the question is the teacher's page's;
    without, it is built here from the trace. Returns the question with its answer."""
    detail, explain = _extra(detail, "detail"), _extra(explain, "explain")
    with _changing(klass) as locked:
        _open(locked)
        state = locked.state
        trace = state.get("trace") if trace is None else trace
        hop = state.get("hop", 0) if hop is None else hop
        body = _trace_body(locked.sandbox_id, trace)
        if body is None:
            raise ClassError("Send a request first: a question is about the hops of a request.", code="trace")
        count = len(body.get("hops") or [])
        if isinstance(hop, bool) or not isinstance(hop, int) or not 0 <= hop < count - 1:
            raise ClassError(f"hop must be between 0 and {count - 2}: the question is about the hop after it",
                             code="hop")
        if choices is None:
            try:
                built = next_hop_question(body, hop)
            except QuestionError as error:
                raise ClassError(str(error), code="hop") from None
            built["prompt"] = ""
        else:
            built = _custom_question(prompt, choices, answer)
        number = int(state.get("next_question") or 1)
        question = {"id": number, "trace": trace, "hop": hop, "kind": built["kind"], "prompt": built["prompt"],
                    "choices": built["choices"], "answer": built["answer"], "revealed": False, "counts": None,
                    "detail": detail if choices is not None else None,
                    "explain": explain if choices is not None else None}
        state["next_question"] = number + 1
        state["question"] = question
        state["questions"] = [*(state.get("questions") or []), question][-KEEP_QUESTIONS:]
        _send(locked, {"type": "question", "question": public_question(question)})
        return question


def _counts(locked: Class, question: dict[str, Any]) -> list[int]:
    counts = [0] * len(question["choices"])
    key = str(question["id"])
    for answers in ClassStudent.objects.filter(klass=locked).values_list("answers", flat=True):
        choice = (answers or {}).get(key)
        if isinstance(choice, int) and 0 <= choice < len(counts):
            counts[choice] += 1
    return counts


def class_answer(*, student: ClassStudent, question: Any, choice: Any) -> dict[str, Any]:
    """A student's answer to the open question (one answer each; the teacher's histogram follows)."""
    with _changing(student.klass_id) as locked:
        _open(locked)
        current = locked.state.get("question")
        if current is None or question != current["id"]:
            raise ClassError("That question is closed.", status=409, code="closed")
        if current.get("revealed"):
            raise ClassError("The answer has been revealed already.", status=409, code="revealed")
        if isinstance(choice, bool) or not isinstance(choice, int) or not 0 <= choice < len(current["choices"]):
            raise ClassError("Pick one of the choices.", code="choice")
        fresh = ClassStudent.objects.select_for_update().get(pk=student.pk)
        key = str(current["id"])
        if key in (fresh.answers or {}):
            raise ClassError("You have answered this question already.", status=409, code="answered")
        fresh.answers = {**(fresh.answers or {}), key: choice}
        fresh.version += 1
        fresh.save(update_fields=["answers", "version"])
        student.answers, student.version = fresh.answers, fresh.version
        _to_teacher(locked, {"type": "answer", "question": current["id"], "student": fresh.pk, "choice": choice})
        return {"type": "answered", "question": current["id"], "choice": choice}


def class_reveal(*, klass: Class, question: Any) -> dict[str, Any]:
    """Show everyone the right answer and how the class answered."""
    with _changing(klass) as locked:
        current = locked.state.get("question")
        if current is None or question != current["id"]:
            raise ClassError("That is not the open question.", status=409, code="closed")
        reveal = {"type": "reveal", "question": current["id"], "answer": current["answer"],
                  "explain": current.get("explain")}
        if current.get("revealed"):  # revealed already: nothing new to send
            return {**reveal, "counts": current["counts"]}
        current["revealed"] = True
        current["counts"] = _counts(locked, current)
        locked.state["questions"] = [current if q.get("id") == current["id"] else q
                                     for q in locked.state.get("questions") or []]
        return _send(locked, {**reveal, "counts": current["counts"]})
