"""The lessons' JSON API: the catalogue, a sandbox's lesson progress, and "show me"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cluster.errors import ApiError
from cluster.models import Cluster
from cluster.services.lessons import (
    LessonError,
    lesson_catalogue,
    lesson_observe,
    lesson_progress,
    lesson_request,
    lesson_solve,
)
from cluster.services.observations import KINDS as OBSERVATION_KINDS
from visualizer.api.views import _ERRORS, ErrorSerializer, SandboxApi, TraceField, bad_request, first_errors
from visualizer.lesson_payload import catalogue_entry, lesson_status_payload


def language() -> str:
    return get_language() or "en"


@extend_schema_serializer(component_name="LessonSummary")
class LessonSummarySerializer(serializers.Serializer):
    id = serializers.CharField(help_text="the lesson's id, e.g. `nodeport` or `selector-typo`")
    kind = serializers.ChoiceField(choices=["lesson", "scenario"])
    title = serializers.CharField(help_text="in the language of Accept-Language (English or Korean)")
    summary = serializers.CharField()
    steps = serializers.IntegerField(help_text="how many steps it has")


class LessonListApi(APIView):
    """Every lesson and broken-cluster scenario, lessons first, in teaching order."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="lesson_list", responses={200: LessonSummarySerializer(many=True)},
                   summary="The lessons and scenarios")
    def get(self, request: Request) -> Response:
        entries = [catalogue_entry(lesson, language()) for lesson in lesson_catalogue().values()]
        return Response(LessonSummarySerializer(entries, many=True).data)


@extend_schema_serializer(component_name="LessonStep")
class LessonStepSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    done = serializers.BooleanField()
    do = serializers.CharField(help_text="what to do")
    look = serializers.CharField(allow_null=True, help_text="what to look at")
    hint = serializers.CharField()
    why = serializers.CharField(allow_null=True, help_text="the explanation, once the step is done")
    predict = serializers.DictField(allow_null=True, help_text="a question asked before acting; its answer "
                                    "and explanation only once answered")


@extend_schema_serializer(component_name="LessonProgress")
class LessonStatusSerializer(serializers.Serializer):
    id = serializers.CharField()
    kind = serializers.ChoiceField(choices=["lesson", "scenario"])
    title = serializers.CharField()
    summary = serializers.CharField()
    sandbox = serializers.UUIDField()
    steps = LessonStepSerializer(many=True)
    current = serializers.CharField(allow_null=True, help_text="the id of the next unfinished step")
    done = serializers.BooleanField(help_text="every step is done (a scenario: it is fixed)")
    done_text = serializers.CharField(allow_null=True)
    complete_url = serializers.CharField()
    symptom = serializers.CharField(required=False, help_text="scenarios: what goes wrong")
    cause = serializers.CharField(required=False, allow_null=True,
                                  help_text="scenarios: why, once the learner asked (POST observe what=cause)")


class LessonApi(SandboxApi):
    def lesson_of(self) -> Cluster:
        cluster = self.sandbox()
        if not cluster.lesson:
            from rest_framework.exceptions import NotFound

            raise NotFound("This sandbox was not made for a lesson.")
        return cluster

    def status_response(self, cluster: Cluster, **extra: Any) -> Response:
        lesson, done, progress = lesson_progress(cluster=cluster)
        payload = lesson_status_payload(lesson, done, progress, language(), cluster.pk)
        return Response({**LessonStatusSerializer(payload).data, **extra})


_LESSON_ERRORS = {**_ERRORS, 409: ErrorSerializer}


class LessonStatusApi(LessonApi):
    """The lesson of this sandbox and the learner's progress, checked against the sandbox now."""

    @extend_schema(operation_id="lesson_status", responses={200: LessonStatusSerializer, **_ERRORS},
                   summary="A sandbox's lesson and progress")
    def get(self, request: Request, cluster_id: Any) -> Response:
        return self.status_response(self.lesson_of())


class LessonSolveApi(LessonApi):
    """Perform the next unfinished step (a scenario: its fix) through the write path, as "show me"
    does on the page; everyone watching sees it happen."""

    @extend_schema(operation_id="lesson_solve", request=None, responses={200: LessonStatusSerializer,
                                                                         **_LESSON_ERRORS},
                   summary="Show me: do the next step")
    def post(self, request: Request, cluster_id: Any) -> Response:
        cluster = self.lesson_of()
        try:
            step = lesson_solve(cluster=cluster)
        except LessonError as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        except ApiError as error:
            return Response({"detail": str(error.status.get("message") or error)}, status=status.HTTP_409_CONFLICT)
        return self.status_response(cluster, performed=step.id if step else None)


class LessonObserveApi(LessonApi):
    """Record what the page saw the learner do that the sandbox's objects cannot show: a view
    opened (`view`), an object opened (`open`), a hop's rule opened (`rule`), a quiz finished
    (`quiz`), a prediction answered (`predict`), a scenario's cause asked for (`cause`)."""

    @extend_schema_serializer(component_name="LessonObservation")
    class InputSerializer(serializers.Serializer):
        what = serializers.ChoiceField(choices=[k for k in OBSERVATION_KINDS if k not in ("console", "refused", "api")])
        name = serializers.CharField(max_length=100, required=False)
        kind = serializers.CharField(max_length=40, required=False)
        step = serializers.CharField(max_length=64, required=False)
        choice = serializers.IntegerField(min_value=0, max_value=20, required=False)
        trace = serializers.IntegerField(required=False)
        total = serializers.IntegerField(min_value=0, max_value=100, required=False)
        right = serializers.IntegerField(min_value=0, max_value=100, required=False)
        complete = serializers.BooleanField(required=False)

    @extend_schema(operation_id="lesson_observe", request=InputSerializer,
                   responses={200: LessonStatusSerializer, 400: ErrorSerializer, **_LESSON_ERRORS},
                   summary="Record something the learner did on the page")
    def post(self, request: Request, cluster_id: Any) -> Response:
        cluster = self.lesson_of()
        serializer = self.InputSerializer(data=request.data)
        if not serializer.is_valid():
            return bad_request("; ".join(first_errors(serializer.errors)))
        try:
            lesson_observe(cluster=cluster, **serializer.validated_data)
        except LessonError as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return self.status_response(cluster)


class LessonRequestApi(LessonApi):
    """A scenario: send its failing request (again), traced and shown to everyone watching."""

    @extend_schema_serializer(component_name="LessonRequestResult")
    class OutputSerializer(serializers.Serializer):
        traces = serializers.ListField(child=TraceField())

    @extend_schema(operation_id="lesson_request", request=None, responses={200: OutputSerializer, **_LESSON_ERRORS},
                   summary="Send the scenario's request")
    def post(self, request: Request, cluster_id: Any) -> Response:
        try:
            traces = lesson_request(cluster=self.lesson_of())
        except LessonError as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(self.OutputSerializer({"traces": traces}).data)
