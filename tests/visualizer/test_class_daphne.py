"""Classes against a real Daphne (child process, SQLite file) with the `websockets` client:
a class of 200 students following a request of 7 hops, and a class that survives a restart."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.hosted.processes import Backing
from tests.visualizer.test_consumer_restart import Server

HANDSHAKES_IN_FLIGHT = 50
CLASS_TYPES = {"trace", "step", "playback", "select", "question", "reveal", "follow", "spotlight", "end"}


@pytest.fixture
def server(tmp_path, hosted_backing: Backing | None) -> Iterator[Server]:
    server = Server(tmp_path, hosted_backing)
    server.manage("migrate", "-v", "0")
    try:
        yield server
    finally:
        server.kill()


def api(server: Server, path: str, body: dict | None = None, token: str = "") -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{path}", method="POST" if body is not None else "GET",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as response:
        return json.loads(response.read())


def start_class(server: Server) -> dict:
    return api(server, "/api/classes/", {})


def a_pod(server: Server, created: dict) -> str:
    snapshot = api(server, f"/api/clusters/{created['sandbox']}/", token=created["teacher_token"])
    return next(p["metadata"]["name"] for p in snapshot["objects"]["Pod"]
                if p["metadata"].get("labels", {}).get("app") == "kubia")


def trace_of(server: Server, created: dict, hops: int, pod: str) -> list[dict]:
    """Send requests one by one until one has `hops` hops; every one of them goes to the class."""
    sent = []
    for _ in range(40):
        trace = api(server, f"/api/clusters/{created['sandbox']}/traces/",
                    {"source": f"pod/default/{pod}", "destination": "10.0.0.11:30123"},
                    token=created["teacher_token"])["traces"][0]
        sent.append(trace)
        if len(trace["hops"]) == hops:
            return sent
    raise AssertionError(f"no request of {hops} hops")


class Student:
    """One student's socket and everything numbered it was sent."""

    def __init__(self, server: Server, code: str, name: str) -> None:
        self.server, self.code, self.name = server, code, name
        self.ws: ClientConnection | None = None
        self.token = ""
        self.seq: int | None = None
        self.messages: list[dict] = []
        self.task: asyncio.Task | None = None
        self.changed = asyncio.Event()

    async def connect(self) -> None:
        query = f"student={self.token}&since={self.seq}&sandbox=0" if self.token else f"name={self.name}&sandbox=0"
        self.ws = await self.server.socket(f"/ws/classes/{self.code}/?{query}")
        hello = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
        assert hello["type"] == "hello", hello
        self.token = hello["student"]["token"]
        if self.seq is None:
            state = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
            assert state["type"] == "class"
            self.seq = state["seq"]
        self.task = asyncio.create_task(self.read())

    async def read(self) -> None:
        try:
            async for text in self.ws:
                message = json.loads(text)
                if message["type"] in CLASS_TYPES:
                    self.messages.append(message)
                    self.seq = max(self.seq or 0, message["seq"])
                    self.changed.set()
        except ConnectionClosed:
            pass

    async def wait_for(self, count: int, seconds: float = 30) -> None:
        async def enough() -> None:
            while len(self.messages) < count:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(enough(), seconds)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await asyncio.wait_for(self.task, 10)


async def connect_all(students: list[Student]) -> None:
    gate = asyncio.Semaphore(HANDSHAKES_IN_FLIGHT)

    async def one(student: Student) -> None:
        async with gate:
            await student.connect()

    await asyncio.gather(*(one(s) for s in students))


def in_order_without_repeats(student: Student) -> list[int]:
    seqs = [m["seq"] for m in student.messages]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"{student.name}: {seqs}"
    return seqs


async def test_200_students_get_every_step_of_a_7_hop_request_in_order(server: Server) -> None:
    server.start()
    created = start_class(server)
    students = [Student(server, created["code"], f"student-{i:03d}") for i in range(200)]
    await connect_all(students)
    roster = api(server, f"/api/classes/{created['code']}/", token=created["teacher_token"])
    assert len(roster["students"]) == 200 and all(s["connected"] for s in roster["students"])

    loop = asyncio.get_running_loop()
    sent = await loop.run_in_executor(None, trace_of, server, created, 7, a_pod(server, created))
    trace = sent[-1]
    for hop in range(7):
        await loop.run_in_executor(None, api, server, f"/api/classes/{created['code']}/step/",
                                   {"trace": trace["id"], "hop": hop}, created["teacher_token"])

    expected = [("trace", t["id"]) for t in sent] + [("step", trace["id"], hop) for hop in range(7)]
    await asyncio.gather(*(s.wait_for(len(expected)) for s in students))
    await asyncio.sleep(0.3)  # and nothing more comes
    for student in students:
        got = [(m["type"], m["trace"]["id"]) if m["type"] == "trace" else (m["type"], m["trace"], m["hop"])
               for m in student.messages]
        assert got == expected, student.name
        in_order_without_repeats(student)
    await asyncio.gather(*(s.close() for s in students))


ASK_WHILE_DOWN = """
from cluster.models import Class
from cluster.services.classes import class_ask, class_step
klass = Class.objects.get(code="{code}")
class_step(klass=klass, trace={trace}, hop=3)
class_step(klass=klass, trace={trace}, hop=4)
class_ask(klass=klass, trace={trace}, hop=4)
"""


async def test_a_class_survives_a_restart_with_nothing_lost_or_doubled(server: Server) -> None:
    server.start()
    created = start_class(server)
    code, token = created["code"], created["teacher_token"]
    students = [Student(server, code, f"s{i}") for i in range(30)]
    await connect_all(students)
    loop = asyncio.get_running_loop()
    sent = await loop.run_in_executor(None, trace_of, server, created, 7, a_pod(server, created))
    trace = sent[-1]
    for hop in range(3):
        await loop.run_in_executor(None, api, server, f"/api/classes/{code}/step/", {"trace": trace["id"], "hop": hop},
                                   token)
    question = await loop.run_in_executor(None, api, server, f"/api/classes/{code}/questions/",
                                          {"trace": trace["id"], "hop": 2}, token)
    before = len(sent) + 4
    await asyncio.gather(*(s.wait_for(before) for s in students))
    # Half the class answers before the restart.
    for student in students[:15]:
        await student.ws.send(json.dumps({"type": "answer", "question": question["id"], "choice": question["answer"]}))
    await asyncio.sleep(0.5)

    server.kill()
    await asyncio.gather(*(asyncio.wait_for(s.task, 10) for s in students))
    # While nobody serves, the class moves on (the teacher's service calls, straight to the database).
    server.manage("shell", "-c", ASK_WHILE_DOWN.format(code=code, trace=trace["id"]))
    server.start()

    await connect_all(students)  # each with ?student=<token>&since=<the last seq it holds>
    for hop in (5, 6):
        await loop.run_in_executor(None, api, server, f"/api/classes/{code}/step/", {"trace": trace["id"], "hop": hop},
                                   token)
    total = before + 3 + 2
    await asyncio.gather(*(s.wait_for(total) for s in students))
    await asyncio.sleep(0.3)
    for student in students:
        assert len(student.messages) == total, student.name
        seqs = in_order_without_repeats(student)
        assert seqs[0] == 1
        kinds = [(m["type"], m.get("hop")) for m in student.messages[len(sent):]]
        assert kinds == [("step", 0), ("step", 1), ("step", 2), ("question", None), ("step", 3), ("step", 4),
                         ("question", None), ("step", 5), ("step", 6)], student.name
        assert all("answer" not in m.get("question", {}) for m in student.messages)

    # Answers given before the restart count once; the new question takes answers after it.
    second = students[0].messages[-3]["question"]["id"]
    await students[0].ws.send(json.dumps({"type": "answer", "question": question["id"], "choice": 0}))
    await students[0].ws.send(json.dumps({"type": "answer", "question": second, "choice": 0}))
    await asyncio.sleep(0.5)
    state = await loop.run_in_executor(None, api, server, f"/api/classes/{code}/", None, token)
    assert sum(1 for s in state["students"] if str(question["id"]) in s["answers"]) == 15
    assert sum(1 for s in state["students"] if str(second) in s["answers"]) == 1
    assert len(state["students"]) == 30 and all(s["connected"] for s in state["students"])
    await asyncio.gather(*(s.close() for s in students))


async def test_students_of_a_killed_process_leave_the_roster_when_their_lease_lapses(server: Server) -> None:
    """A killed process closes no socket: its students' presence lapses instead, and the teacher's
    screen is told; a student who comes back is present again, counted once."""
    server.env["CLASS_PRESENCE_SECONDS"] = "3"
    server.start()
    created = start_class(server)
    code, token = created["code"], created["teacher_token"]
    students = [Student(server, code, f"student-{i}") for i in range(3)]
    await connect_all(students)
    roster = api(server, f"/api/classes/{code}/", token=token)
    assert [s["connected"] for s in roster["students"]] == [True] * 3

    await asyncio.sleep(2.5)  # beyond one lease: the open screens renewed theirs
    assert api(server, f"/api/classes/{code}/", token=token)["connected"] == 3

    server.kill()
    await asyncio.gather(*(s.close() for s in students))
    server.start()
    teacher = await server.socket(f"/ws/classes/{code}/teacher/?token={token}")
    gone: set[str] = set()
    async with asyncio.timeout(15):
        async for text in teacher:
            message = json.loads(text)
            if message["type"] == "student" and not message["student"]["connected"]:
                gone.add(message["student"]["name"])
            if len(gone) == 3:
                break
    roster = api(server, f"/api/classes/{code}/", token=token)
    assert roster["connected"] == 0 and not any(s["connected"] for s in roster["students"])

    await students[0].connect()  # back, with its token
    roster = api(server, f"/api/classes/{code}/", token=token)
    # by name: students joining at once on two processes may take their roster places in any order
    assert {s["name"]: s["connected"] for s in roster["students"]} == {"student-0": True, "student-1": False,
                                                                       "student-2": False}
    await students[0].close()
    # Counted once: one close leaves none. The server marks the student gone after the close
    # handshake has ended, so ask until it has, for less than the 3-second lease that would
    # otherwise hide a double count.
    async with asyncio.timeout(2):
        while api(server, f"/api/classes/{code}/", token=token)["connected"] != 0:
            await asyncio.sleep(0.1)
    await teacher.close()
