"""The class JSON API: start a class; the teacher's view of it and every move of the teacher.

One view per operation: validate -> one class service -> the message every screen was sent.
A wrong code is a 404; anything else than the teacher (Bearer teacher token, or the session that
owns the class sandbox) gets a 401/403.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cluster.models import Class
from cluster.selectors_classes import class_roster, class_state
from cluster.services.class_lessons import class_create_for_lesson
from cluster.services.classes import (
    MAX_CHOICE,
    MAX_CHOICES,
    MAX_PROMPT,
    SPEEDS,
    ClassError,
    class_ask,
    class_create,
    class_end,
    class_follow,
    class_playback,
    class_reveal,
    class_select,
    class_spotlight,
    class_step,
)
from visualizer.access import csrf_failure, owner_cluster
from visualizer.api.views import ErrorSerializer, bad_request, first_errors
from visualizer.classes_access import ClassTeacherAuthentication, IsTeacher, Teacher


class ClassTeacherScheme(OpenApiAuthenticationExtension):
    target_class = "visualizer.classes_access.ClassTeacherAuthentication"
    name = "teacherToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")


def refused(error: ClassError) -> Response:
    return Response({"detail": error.message, "code": error.code}, status=error.status)


def urls(request: Request, klass: Class) -> dict[str, str]:
    return {
        "join_url": request.build_absolute_uri(reverse("class-join-code", kwargs={"code": klass.code})),
        "teacher_url": request.build_absolute_uri(reverse("class-teach", kwargs={"code": klass.code})),
        "student_socket": f"/ws/classes/{klass.code}/",
    }


_ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
_CHANGE_ERRORS = {400: ErrorSerializer, 409: ErrorSerializer, **_ERRORS}


# --- starting a class ---------------------------------------------------------------------------------


class ClassCreateApi(APIView):
    """Start a class: on a new kubia sandbox, on a new sandbox of a lesson, or on a sandbox the
    caller owns (its session, or `Authorization: Bearer <its access token>`)."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema_serializer(component_name="ClassCreateRequest")
    class InputSerializer(serializers.Serializer):
        lesson = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                       help_text="a lesson id: the class sandbox is a new sandbox of that lesson")
        sandbox = serializers.UUIDField(required=False, help_text="a sandbox you own, instead of a new one")

    @extend_schema_serializer(component_name="ClassCreated")
    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField(help_text="6 characters, no 0/O or 1/I/L: students join with it")
        teacher_token = serializers.CharField(
            help_text="the teacher's Bearer token for /api/classes/<code>/…; it also opens the class sandbox "
                      "(its API, page and kubeconfig), as its access token. Never give it to students.")
        join_url = serializers.URLField(help_text="where students join (/join/<code>/)")
        teacher_url = serializers.URLField(help_text="the teacher's page (open it once with ?token=<teacher_token>)")
        sandbox = serializers.UUIDField(help_text="the class sandbox's id")
        student_socket = serializers.CharField(help_text="the students' websocket path (add ?name=<display name>)")

    @extend_schema(operation_id="class_create", request=InputSerializer, auth=[],
                   responses={201: OutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
                   summary="Start a class", examples=[OpenApiExample("lesson", value={"lesson": "nodeport"},
                                                                     request_only=True)])
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        if not serializer.is_valid():
            return bad_request("; ".join(first_errors(serializer.errors)))
        data = serializer.validated_data
        sandbox = None
        if data.get("sandbox"):
            sandbox, how = owner_cluster(request._request, data["sandbox"])
            if sandbox is None:
                return Response({"detail": "No such sandbox."}, status=status.HTTP_404_NOT_FOUND)
            if how == "session" and (reason := csrf_failure(request._request)):
                return Response({"detail": reason}, status=status.HTTP_403_FORBIDDEN)
        try:
            lesson = "" if sandbox else data.get("lesson", "")
            klass = class_create_for_lesson(lesson=lesson) if lesson else class_create(sandbox=sandbox)
        except ClassError as error:
            return refused(error)
        body = {"code": klass.code, "teacher_token": klass.teacher_token, "sandbox": klass.sandbox_id,
                **urls(request, klass)}
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)


# --- the teacher's API ----------------------------------------------------------------------------------


class TeacherApi(APIView):
    authentication_classes = [ClassTeacherAuthentication]
    permission_classes = [IsTeacher]

    def klass(self) -> Class:
        user = self.request.user
        assert isinstance(user, Teacher)
        return user.klass

    def change(self, serializer_class: type[serializers.Serializer] | None, call: Any) -> Response:
        """Validate the body, make the one change, answer with what every screen was sent."""
        data: dict[str, Any] = {}
        if serializer_class is not None:
            serializer = serializer_class(data=self.request.data)
            if not serializer.is_valid():
                return bad_request("; ".join(first_errors(serializer.errors)))
            data = serializer.validated_data
        try:
            sent = call(self.klass(), data)
        except ClassError as error:
            return refused(error)
        return Response(sent if sent is not None else {"type": "unchanged"})


@extend_schema_serializer(component_name="ClassMessage")
class MessageSerializer(serializers.Serializer):
    """What every screen of the class was sent (the documented part; responses carry all of it)."""

    type = serializers.CharField()
    seq = serializers.IntegerField(required=False, help_text="the class message number")


class ClassDetailApi(TeacherApi):
    """The class as the teacher sees it: its students, the sandbox, follow mode, and what every
    screen shows (the open question with its answer and live counts)."""

    @extend_schema_serializer(component_name="ClassStudent")
    class StudentSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField(help_text="display name, plain text (show it as text, never as markup)")
        connected = serializers.BooleanField()
        answers = serializers.DictField(child=serializers.IntegerField(), help_text="question id -> choice index")
        copy = serializers.UUIDField(allow_null=True, help_text="the student's own copy of the class sandbox")
        progress = serializers.DictField(required=False, help_text="in a lesson: steps done in the copy (and of how many)")

    @extend_schema_serializer(component_name="Class")
    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        sandbox = serializers.UUIDField(help_text="the class sandbox's id")
        follow = serializers.BooleanField(help_text="true: every screen follows the teacher's; false: released")
        ended = serializers.BooleanField()
        lesson = serializers.CharField(allow_blank=True)
        join_url = serializers.URLField()
        connected = serializers.IntegerField()
        students = serializers.ListField(child=serializers.DictField())
        state = serializers.DictField(help_text="the `class` message: trace, hop, paused, speed, selection, question")

    @extend_schema(operation_id="class_get", responses={200: OutputSerializer, **_ERRORS},
                   summary="The class: students, sandbox, follow mode")
    def get(self, request: Request, code: str) -> Response:
        klass = self.klass()
        roster = class_roster(klass=klass)
        state = class_state(klass=klass, teacher=True)
        return Response({
            "code": klass.code, "sandbox": str(klass.sandbox_id), "follow": state["follow"],
            "ended": state["ended"], "lesson": klass.lesson, "join_url": urls(request, klass)["join_url"],
            "connected": roster["connected"], "students": roster["students"], "state": state,
        })


class ClassStepApi(TeacherApi):
    """Move every screen to one hop of one request of the class sandbox, paused there."""

    @extend_schema_serializer(component_name="ClassStep")
    class InputSerializer(serializers.Serializer):
        trace = serializers.IntegerField(help_text="a trace id of the class sandbox")
        hop = serializers.IntegerField(min_value=0)

    @extend_schema(operation_id="class_step", request=InputSerializer,
                   responses={200: MessageSerializer, **_CHANGE_ERRORS}, summary="Step every screen to a hop")
    def post(self, request: Request, code: str) -> Response:
        return self.change(self.InputSerializer, lambda k, d: class_step(klass=k, trace=d["trace"], hop=d["hop"]))


class ClassPlaybackApi(TeacherApi):
    """Pause or resume, change the speed, or replay the current request, on every screen."""

    @extend_schema_serializer(component_name="ClassPlayback")
    class InputSerializer(serializers.Serializer):
        paused = serializers.BooleanField(required=False, allow_null=True, default=None)
        speed = serializers.FloatField(required=False, allow_null=True, default=None,
                                       help_text=f"one of {', '.join(map(str, SPEEDS))}")
        replay = serializers.BooleanField(required=False, default=False)

    @extend_schema(operation_id="class_playback", request=InputSerializer,
                   responses={200: MessageSerializer, **_CHANGE_ERRORS}, summary="Pause, resume, speed, replay")
    def post(self, request: Request, code: str) -> Response:
        def call(k: Class, d: dict) -> dict:
            speed = d.get("speed")
            speed = int(speed) if speed is not None and float(speed).is_integer() else speed
            return class_playback(klass=k, paused=d.get("paused"), speed=speed, replay=d.get("replay", False))

        return self.change(self.InputSerializer, call)


class ClassSelectionApi(TeacherApi):
    """Select one object on every screen (or none)."""

    @extend_schema_serializer(component_name="ClassSelection")
    class InputSerializer(serializers.Serializer):
        selection = serializers.DictField(allow_null=True, help_text='{"kind": "Service", "key": "default/kubia"}')

    @extend_schema(operation_id="class_select", request=InputSerializer,
                   responses={200: MessageSerializer, **_CHANGE_ERRORS}, summary="Select an object on every screen")
    def post(self, request: Request, code: str) -> Response:
        return self.change(self.InputSerializer, lambda k, d: class_select(klass=k, selection=d["selection"]))


class ClassFollowApi(TeacherApi):
    """`follow: false` releases control: each student explores a copy of the class sandbox;
    `follow: true` calls everyone back."""

    @extend_schema_serializer(component_name="ClassFollow")
    class InputSerializer(serializers.Serializer):
        follow = serializers.BooleanField()

    @extend_schema(operation_id="class_follow", request=InputSerializer,
                   responses={200: MessageSerializer, **_CHANGE_ERRORS}, summary="Release control, or call back")
    def post(self, request: Request, code: str) -> Response:
        return self.change(self.InputSerializer, lambda k, d: class_follow(klass=k, follow=d["follow"]))


class ClassQuestionApi(TeacherApi):
    """Ask every student to predict where the packet goes after a hop. Without `choices` the
    question is built from the trace; with them (`prompt`, `choices`, `answer`) it is the page's.
    The answer is kept on the server until the reveal."""

    @extend_schema_serializer(component_name="ClassQuestionRequest")
    class InputSerializer(serializers.Serializer):
        trace = serializers.IntegerField(required=False, help_text="default: the class's current request")
        hop = serializers.IntegerField(required=False, min_value=0, help_text="default: the current hop")
        prompt = serializers.CharField(required=False, max_length=MAX_PROMPT)
        choices = serializers.ListField(child=serializers.CharField(max_length=MAX_CHOICE), required=False,
                                        min_length=2, max_length=MAX_CHOICES)
        answer = serializers.IntegerField(required=False, min_value=0)
        detail = serializers.DictField(required=False, help_text="sent with the question: what the students' "
                                       "pages need to word it in their language (never the answer)")
        explain = serializers.DictField(required=False, help_text="sent with the reveal: why the answer is right")

    @extend_schema_serializer(component_name="ClassQuestion")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        trace = serializers.IntegerField()
        hop = serializers.IntegerField()
        kind = serializers.ChoiceField(choices=["next_hop", "custom"])
        prompt = serializers.CharField(allow_blank=True)
        choices = serializers.ListField(child=serializers.CharField())
        answer = serializers.IntegerField(help_text="for the teacher only")

    @extend_schema(operation_id="class_question_ask", request=InputSerializer,
                   responses={201: OutputSerializer, **_CHANGE_ERRORS}, summary="Ask a predict-the-next-hop question")
    def post(self, request: Request, code: str) -> Response:
        response = self.change(self.InputSerializer, lambda k, d: class_ask(klass=k, **d))
        if response.status_code == 200:
            response.status_code = status.HTTP_201_CREATED
        return response


class ClassRevealApi(TeacherApi):
    """Show everyone the right answer and how the class answered."""

    @extend_schema(operation_id="class_question_reveal", request=None,
                   responses={200: MessageSerializer, **_CHANGE_ERRORS}, summary="Reveal the answer")
    def post(self, request: Request, code: str, question: int) -> Response:
        return self.change(None, lambda k, d: class_reveal(klass=k, question=question))


class ClassSpotlightApi(TeacherApi):
    """Show one student's own sandbox on every screen (`student: null` for the class sandbox again)."""

    @extend_schema_serializer(component_name="ClassSpotlight")
    class InputSerializer(serializers.Serializer):
        student = serializers.IntegerField(allow_null=True)

    @extend_schema(operation_id="class_spotlight", request=InputSerializer,
                   responses={200: MessageSerializer, **_CHANGE_ERRORS}, summary="Spotlight a student's sandbox")
    def post(self, request: Request, code: str) -> Response:
        return self.change(self.InputSerializer, lambda k, d: class_spotlight(klass=k, student=d["student"]))


class ClassEndApi(TeacherApi):
    """End the class. Students are told and keep their copies."""

    @extend_schema(operation_id="class_end", request=None, responses={200: MessageSerializer, **_ERRORS},
                   summary="End the class")
    def post(self, request: Request, code: str) -> Response:
        def call(k: Class, d: dict) -> dict:
            class_end(klass=k)
            return {"type": "end"}

        return self.change(None, call)
