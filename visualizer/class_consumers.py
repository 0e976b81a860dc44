"""The class websockets: a student's (`/ws/classes/<code>/`) and the teacher's
(`/ws/classes/<code>/teacher/`).

A student's socket carries two streams:
- the class's numbered messages (`class` state, `trace`, `step`, `playback`, `select`, `question`,
  `reveal`, `follow`, `spotlight`, `end`, each with its `seq`), from the class's channel-layer
  group; `?since=<seq>` on reconnect (or `{"type": "class_resume", "since": N}`) gets exactly the
  ones missed, or the whole `class` state when the log no longer reaches back;
- the sandbox the class is looking at, as the sandbox socket sends it (`snapshot`, `events`):
  the class sandbox, or the spotlighted student's copy. `?events_since=<seq>&view=<sandbox id>`
  resumes it; `?sandbox=0` leaves it out (a page that shows the student's own copy).
Traces of the class sandbox come numbered in the class stream only, so a step never arrives
before the request it points into.

Fan-out is visualizer/fanout.py's: each process joins a class's group once (a relay) and hands the
already-encoded text to its local sockets; sockets are not group members themselves. A socket joins
a relay through small feed objects, one per stream, so it knows which stream a message is from.
Everything a socket is sent goes through its bounded Outbox (visualizer/outbox.py), in order: the
relay never waits on a student, and a student who stops reading is closed with 4008.

A student's socket can only answer questions: nothing it sends changes a sandbox.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from cluster.events import PROTOCOL_VERSION, encode, events_message
from cluster.models import Class, ClassStudent, Cluster
from cluster.selectors import events_since
from cluster.selectors_classes import class_messages_since, class_roster, class_state
from cluster.services.classes import (
    ClassError,
    class_answer,
    class_get,
    class_group,
    class_join,
    class_presence_sweep,
    class_student_by_token,
    class_student_connected,
    teacher_group,
)
from cluster.snapshots import packed_snapshot
from visualizer import fanout
from visualizer.access import owned_cluster_ids
from visualizer.classes_access import SESSION_STUDENTS, same_token
from visualizer.fanout import Push
from visualizer.outbox import BACKLOG_SCOPE_KEY, CLOSE_TOO_SLOW, Outbox
from visualizer.presence import presence, renewal_seconds
from visualizer.wire import WRITE_SCOPE_KEY

log = logging.getLogger(__name__)

MAX_CLIENT_MESSAGE = 4096
CLOSE_BAD_REQUEST = 4400
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_REFUSED = 4409  # full, or ended (for a new student)
CLOSE_UNAVAILABLE = 1011
TRACE_PREFIX = '{"type":"trace"'
SPOTLIGHT_PREFIX = '{"type":"spotlight"'
FOLLOW_PREFIX = '{"type":"follow"'


def _query(scope: dict[str, Any], name: str) -> str:
    return parse_qs(scope.get("query_string", b"").decode("utf-8", "replace")).get(name, [""])[0]


def _number(scope: dict[str, Any], name: str) -> int | None:
    value = _query(scope, name)
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def _seq(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


# --- relays of groups other than a sandbox's -----------------------------------------------------------


class GroupRelay(fanout.Relay):
    """A relay of any group (fanout.Relay names the group after a sandbox)."""

    def __init__(self, group: str, layer: Any) -> None:
        super().__init__(group, layer)
        self.group = group


class GroupRelays(fanout.Relays):
    """This process's relays of class groups: one group membership per class and process."""

    async def join(self, group: str, socket: fanout.Socket) -> None:
        async with self.lock:
            relay = self._relays.get(group)
            if relay is None:
                relay = GroupRelay(group, self._layer or get_channel_layer())
                await relay.start()
                self._relays[group] = relay
            relay.sockets.add(socket)


class_relays = GroupRelays()


class Feed:
    """One stream of one socket, as a relay sees it (the socket learns which stream a push is from)."""

    __slots__ = ("consumer", "key")

    def __init__(self, consumer: ClassSocket, key: str) -> None:
        self.consumer, self.key = consumer, key

    def take(self, push: Push) -> fanout.Send | None:
        return self.consumer.take_from(self, push)


class Stream:
    """What one stream of a socket has been sent: its seq, and what waits while it catches up."""

    def __init__(self, feed: Feed) -> None:
        self.feed = feed
        self.live = False
        self.backlog: list[Push] = []
        self.sent = -1

    def due(self, push: Push) -> bool:
        if push.seq is not None:
            if push.seq <= self.sent:
                return False
            self.sent = push.seq
        return True


# --- database reads and writes, off the event loop ---------------------------------------------------


@database_sync_to_async
def _student_socket(scope: dict[str, Any], code: str) -> tuple[Class | None, ClassStudent | None, str, str, int]:
    """(class, student, error code, message, close code) for a student's socket."""
    klass = class_get(code=code)
    if klass is None:
        return None, None, "not_found", f"No class has the code {code[:12]}.", CLOSE_NOT_FOUND
    token = _query(scope, "student")
    session = scope.get("session")
    if not token and session is not None:
        joined = session.get(SESSION_STUDENTS)
        token = joined.get(klass.code, "") if isinstance(joined, dict) else ""
    if token:
        student = class_student_by_token(klass=klass, token=token)
        if student is None:
            return klass, None, "student", "This class has no such student: join again with your name.", \
                CLOSE_FORBIDDEN
        return klass, student, "", "", 0
    name = _query(scope, "name")
    if not name:
        return klass, None, "name", "Join with your name: add ?name=<your name>.", CLOSE_BAD_REQUEST
    try:
        return klass, class_join(klass=klass, name=name), "", "", 0
    except ClassError as error:
        close = CLOSE_REFUSED if error.status == 409 else CLOSE_BAD_REQUEST
        return klass, None, error.code, error.message, close


@database_sync_to_async
def _teacher_socket(scope: dict[str, Any], code: str) -> tuple[Class | None, str, str, int]:
    klass = class_get(code=code)
    if klass is None:
        return None, "not_found", f"No class has the code {code[:12]}.", CLOSE_NOT_FOUND
    session = scope.get("session")
    if session is not None and str(klass.sandbox_id) in owned_cluster_ids(session):
        return klass, "", "", 0
    if same_token(_query(scope, "token"), klass.sandbox.access_token):
        return klass, "", "", 0
    return None, "forbidden", "Only the teacher of this class may open this.", CLOSE_FORBIDDEN


@database_sync_to_async
def _class_catch_up(klass: Class, since: int | None, student: ClassStudent | None,
                    teacher: bool) -> tuple[list[str], int]:
    """The encoded messages after `since`, or the `class` state, and the seq they bring the screen to."""
    missed = None if since is None else class_messages_since(klass=klass, since=since)
    if missed is None:
        state = class_state(klass=klass, student=student, teacher=teacher)
        return [encode(state)], state["seq"]
    return [encode(m) for m in missed], (missed[-1]["seq"] if missed else since)


@database_sync_to_async
def _view_of(klass: Class) -> str:
    """The sandbox the class looks at now: the spotlighted copy, else the class sandbox."""
    fresh = Class.objects.only("state", "sandbox_id").get(pk=klass.pk)
    spot = (fresh.state or {}).get("spotlight")
    return str(spot["cluster"]) if spot else str(fresh.sandbox_id)


@database_sync_to_async
def _sandbox_catch_up(cluster_id: str, since: int | None) -> tuple[str, int] | None:
    """The encoded events after `since`, or a snapshot (packed once per sandbox and seq, shared
    by the screens of a class that connect together); None when the sandbox is gone."""
    cluster = Cluster.objects.filter(pk=cluster_id).first()
    if cluster is None:
        return None
    if since is not None:
        events = events_since(cluster=cluster, seq=since)
        if events is not None:
            return encode(events_message(events)), (events[-1].seq if events else since)
    snapshot = packed_snapshot(cluster=cluster)
    return encode(snapshot), snapshot["seq"]


@database_sync_to_async
def _sandbox_name(cluster_id: str) -> str:
    return Cluster.objects.filter(pk=cluster_id).values_list("name", flat=True).first() or ""


# --- the sockets -----------------------------------------------------------------------------------------


class ClassSocket(AsyncWebsocketConsumer):
    """What the student's and the teacher's sockets share: the class stream and its resume."""

    channel_layer_alias = None  # the relays receive for every socket
    relays: GroupRelays = class_relays
    sandbox_relays: fanout.Relays = fanout.relays
    role = ""

    klass: Class | None = None
    student: ClassStudent | None = None
    joined: list[tuple[Any, str, Feed]]

    outbox: Outbox | None = None

    def open_outbox(self) -> None:
        """After accept: every later message goes through the socket's own bounded queue."""
        self.outbox = Outbox(
            self.base_send, backlog=self.scope.get(BACKLOG_SCOPE_KEY), label=f"class {self.klass.code}",
            max_messages=settings.WS_SEND_QUEUE_MESSAGES, max_bytes=settings.WS_SEND_QUEUE_BYTES,
            server_buffer=settings.WS_SEND_SERVER_BUFFER_BYTES, on_overflow=self._too_slow,
            write=self.scope.get(WRITE_SCOPE_KEY))
        self.outbox.start()

    def emit(self, text: str) -> None:
        """Queue a text behind everything this socket was sent before."""
        self.outbox.put({"type": "websocket.send", "text": text}, len(text))

    def forward(self, push: Push) -> None:
        self.outbox.put(push.asgi, len(push.text))  # the shared ASGI message: nothing to build

    def offer(self, push: Push) -> fanout.Send | None:
        """From the relay: the server's send when the message may go at once, else queued."""
        return self.outbox.offer(push)

    async def _too_slow(self) -> None:
        await self.leave_all()
        await self.close(code=CLOSE_TOO_SLOW)

    async def close_outbox(self) -> None:
        if self.outbox is not None:
            await self.outbox.stop()

    async def refuse(self, code: str, message: str, close: int) -> None:
        """Accept, say why in words, then close: a browser sees no reason in a refused handshake."""
        await self.accept()
        await self.send(text_data=encode({"type": "error", "code": code, "message": message}))
        await self.close(code=close)

    async def join(self, relays: Any, key: str, feed: Feed) -> bool:
        try:
            await relays.join(key, feed)
        except Exception:
            log.exception("could not follow %s", key)
            await self.close(code=CLOSE_UNAVAILABLE)
            return False
        self.joined.append((relays, key, feed))
        return True

    async def leave_all(self) -> None:
        for relays, key, feed in self.joined:
            await relays.leave(key, feed)
        self.joined = []

    def take_from(self, feed: Feed, push: Push) -> fanout.Send | None:
        if feed is self.class_stream.feed:
            return self._take_class(push)[1]
        return None

    def _take_class(self, push: Push) -> tuple[bool, fanout.Send | None]:
        """Pass a class message on (or keep it while catching up): whether it was, and the send
        to pass it to at once (see Outbox.offer)."""
        stream = self.class_stream
        if not stream.live:
            stream.backlog.append(push)
            return False, None
        if stream.due(push):
            return True, self.offer(push)
        return False, None

    async def class_catch_up(self, since: int | None) -> None:
        """Send what the screen missed (or the whole state), then what came meanwhile, in order and
        without repeats."""
        stream = self.class_stream
        stream.live = False
        texts, seq = await _class_catch_up(self.klass, since, self.student, self.role == "teacher")
        # From here on no await: the answer, then whatever was published meanwhile, queue in order.
        for text in texts:
            self.emit(text)
        stream.sent = max(stream.sent, seq)
        while stream.backlog:
            push = stream.backlog.pop(0)
            if stream.due(push):
                self.forward(push)
                self.after_class_push(push)
        stream.live = True

    def after_class_push(self, push: Push) -> None:
        """A class message was sent to this socket (the student's follows spotlight changes)."""

    @staticmethod
    def parse(text: str | None) -> dict | None:
        if not text or len(text) > MAX_CLIENT_MESSAGE:
            return None
        try:
            message = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return message if isinstance(message, dict) else None

    async def error(self, text: str, code: str = "invalid") -> None:
        self.emit(encode({"type": "error", "code": code, "message": text}))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.klass is None:
            return
        message = self.parse(text_data)
        kind = message.get("type") if message is not None else None
        if message is None:
            await self.error(f"messages must be JSON objects of at most {MAX_CLIENT_MESSAGE} characters")
        elif kind == "ping":
            self.emit(encode({"type": "pong"}))
        elif kind == "class_resume":
            since = _seq(message.get("since"))
            if since is None:
                await self.error('class_resume needs {"since": <the last class seq you hold>}')
            else:
                await self.class_catch_up(since)
        else:
            await self.command(kind, message)

    async def command(self, kind: Any, message: dict) -> None:
        await self.error(f"unknown message type {str(kind)[:40]!r}")


class StudentConsumer(ClassSocket):
    role = "student"

    async def connect(self) -> None:
        self.joined = []
        code = str(self.scope["url_route"]["kwargs"].get("code", ""))
        self.klass, self.student, error, message, close = await _student_socket(self.scope, code)
        if self.student is None:
            await self.refuse(error, message, close)
            self.klass = None
            return
        self.class_stream = Stream(Feed(self, "class"))
        self.sandbox_stream: Stream | None = None
        self.view_id = ""
        self.sandbox_id = str(self.klass.sandbox_id)
        self.wants_sandbox = _query(self.scope, "sandbox") != "0"
        self.switching = asyncio.Lock()
        await self.accept()
        self.open_outbox()
        if not await self.join(self.relays, class_group(self.klass.code), self.class_stream.feed):
            return
        view = await _view_of(self.klass)
        await database_sync_to_async(class_student_connected)(student=self.student, connected=True)
        presence.add(self.student.pk)
        self.present = True
        self.emit(encode({
            "type": "hello", "protocol": PROTOCOL_VERSION, "role": "student",
            "class": {"code": self.klass.code, "lesson": self.klass.lesson},
            "student": {"id": self.student.pk, "name": self.student.name, "token": self.student.token},
            "cluster": {"id": view, "name": await _sandbox_name(view)},
        }))
        await self.class_catch_up(_number(self.scope, "since"))
        if self.wants_sandbox:
            held = _number(self.scope, "events_since") if _query(self.scope, "view") == view else None
            await self.show(view, held)

    async def disconnect(self, code: int) -> None:
        await self.leave_all()
        await self.close_outbox()
        if getattr(self, "present", False):
            presence.remove(self.student.pk)
        if self.klass is not None and self.student is not None:
            try:
                await database_sync_to_async(class_student_connected)(student=self.student, connected=False)
            except Exception:  # the class or the database went away: nothing to record
                log.warning("could not record that a student left", exc_info=True)

    # --- the sandbox on screen ----------------------------------------------------------------------

    def take_from(self, feed: Feed, push: Push) -> fanout.Send | None:
        if feed is self.class_stream.feed:
            taken, send = self._take_class(push)
            if taken:
                self.after_class_push(push)
            return send
        stream = self.sandbox_stream
        if stream is None or feed is not stream.feed:
            return None  # a sandbox this screen no longer shows
        if self.view_id == self.sandbox_id and push.seq is None and push.text.startswith(TRACE_PREFIX):
            return None  # the class stream brings the class sandbox's traces, numbered
        if not stream.live:
            stream.backlog.append(push)
        elif stream.due(push):
            return self.offer(push)
        return None

    def after_class_push(self, push: Push) -> None:
        """A spotlight changes the sandbox on screen; releasing control ends a spotlight."""
        if not self.wants_sandbox:
            return
        view = None
        if push.text.startswith(SPOTLIGHT_PREFIX):
            spot = json.loads(push.text).get("spotlight")
            view = str(spot["cluster"]) if spot else self.sandbox_id
        elif push.text.startswith(FOLLOW_PREFIX):
            view = self.sandbox_id
        if view is not None and view != self.view_id:
            self.sandbox_stream = None  # stop the old sandbox at once; the new one follows
            asyncio.get_running_loop().create_task(self.show(view, None))

    async def show(self, view: str, since: int | None) -> None:
        """Follow sandbox `view`: the events after `since`, or its snapshot, then live."""
        async with self.switching:
            for entry in [j for j in self.joined if j[0] is self.sandbox_relays]:
                self.joined.remove(entry)
                await entry[0].leave(entry[1], entry[2])
            stream = Stream(Feed(self, "sandbox"))
            self.view_id, self.sandbox_stream = view, stream
            if not await self.join(self.sandbox_relays, view, stream.feed):
                return
            await self.sandbox_catch_up(stream, since)

    async def sandbox_catch_up(self, stream: Stream, since: int | None) -> None:
        stream.live = False
        answer = await _sandbox_catch_up(self.view_id, since)
        if answer is None or stream is not self.sandbox_stream:
            return
        text, seq = answer
        self.emit(text)
        stream.sent = seq
        while stream.backlog:
            push = stream.backlog.pop(0)
            if stream.due(push):
                self.forward(push)
        stream.live = True

    # --- what a student may send ---------------------------------------------------------------------

    async def command(self, kind: Any, message: dict) -> None:
        if kind == "answer":
            try:
                answered = await database_sync_to_async(class_answer)(
                    student=self.student, question=message.get("question"), choice=message.get("choice"))
            except ClassError as error:
                await self.error(error.message, error.code)
                return
            self.emit(encode(answered))
        elif kind == "resume" and self.sandbox_stream is not None:
            since = _seq(message.get("since"))
            if since is None:
                await self.error('resume needs {"since": <the last seq you hold>}')
            else:
                await self.sandbox_catch_up(self.sandbox_stream, since)
        else:
            await self.error(f"unknown message type {str(kind)[:40]!r}: a student's screen may only answer")


class TeacherConsumer(ClassSocket):
    """The teacher's screen: the class stream, and the roster and answers as they change."""

    role = "teacher"

    async def connect(self) -> None:
        self.joined = []
        code = str(self.scope["url_route"]["kwargs"].get("code", ""))
        self.klass, error, message, close = await _teacher_socket(self.scope, code)
        if self.klass is None:
            await self.refuse(error, message, close)
            return
        self.class_stream = Stream(Feed(self, "class"))
        self.teacher_stream = Stream(Feed(self, "teacher"))
        await self.accept()
        self.open_outbox()
        if not (await self.join(self.relays, class_group(self.klass.code), self.class_stream.feed)
                and await self.join(self.relays, teacher_group(self.klass.code), self.teacher_stream.feed)):
            return
        self.emit(encode({
            "type": "hello", "protocol": PROTOCOL_VERSION, "role": "teacher",
            "class": {"code": self.klass.code, "lesson": self.klass.lesson},
            "cluster": {"id": str(self.klass.sandbox_id), "name": self.klass.sandbox.name},
        }))
        await self.class_catch_up(_number(self.scope, "since"))
        await self.roster_catch_up()
        self.sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def disconnect(self, code: int) -> None:
        await self.leave_all()
        await self.close_outbox()
        if getattr(self, "sweeper", None) is not None:
            self.sweeper.cancel()

    def take_from(self, feed: Feed, push: Push) -> fanout.Send | None:
        if feed is self.teacher_stream.feed:
            if not self.teacher_stream.live:
                self.teacher_stream.backlog.append(push)
                return None
            return self.offer(push)
        return super().take_from(feed, push)

    async def _sweep(self) -> None:
        """Students whose screens stopped renewing (their process died) leave the roster."""
        while True:
            await asyncio.sleep(renewal_seconds())
            try:
                await database_sync_to_async(class_presence_sweep)(klass=self.klass)
            except Exception:  # the database is restarting: the next round tries again
                log.warning("could not look for lapsed students", exc_info=True)

    async def roster_catch_up(self) -> None:
        """The whole roster, then the updates that came meanwhile (each carries its version, so an
        update the roster already holds changes nothing)."""
        stream = self.teacher_stream
        stream.live = False
        roster = await database_sync_to_async(class_roster)(klass=self.klass)
        self.emit(encode({"type": "roster", **roster}))
        while stream.backlog:
            self.forward(stream.backlog.pop(0))
        stream.live = True

    async def command(self, kind: Any, message: dict) -> None:
        if kind == "roster":
            await self.roster_catch_up()
        else:
            await super().command(kind, message)
