"""The sandbox JSON API: one view per operation, each validate -> one selector or service -> serialize."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cluster.errors import ApiError
from cluster.models import Cluster
from cluster.selectors import cluster_get, cluster_snapshot
from cluster.services.activity import cluster_touch
from cluster.services.traces import MAX_BATCH, trace_create
from visualizer.api import schema  # noqa: F401  (registers the authentication scheme)
from visualizer.api.authentication import OwnsSandbox, SandboxAuthentication


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def first_errors(errors: Any, prefix: str = "") -> list[str]:
    """Flatten a serializer's errors into `field: message` lines."""
    if isinstance(errors, dict):
        return [line for key, value in errors.items() for line in first_errors(value, f"{prefix}{key}: ")]
    if isinstance(errors, list):
        return [line for value in errors for line in first_errors(value, prefix)]
    return [f"{prefix}{errors}"]


def bad_request(detail: str) -> Response:
    return Response({"detail": detail}, status=status.HTTP_400_BAD_REQUEST)


class SandboxApi(APIView):
    """The owner's API of one sandbox (`cluster_id` in the URL)."""

    authentication_classes = [SandboxAuthentication]
    permission_classes = [OwnsSandbox]

    def sandbox(self) -> Cluster:
        cluster = cluster_get(cluster_id=self.kwargs["cluster_id"])
        if cluster is None:
            raise exceptions.NotFound()
        cluster_touch(cluster=cluster)
        return cluster


_ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_serializer(component_name="Sandbox")
class SandboxSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    settings = serializers.DictField(help_text="service CIDR, node-port range, slice size, proxy mode, LB pool")


class SnapshotApi(SandboxApi):
    """Every object of the sandbox, at one resourceVersion (what the websocket's snapshot carries)."""

    @extend_schema_serializer(component_name="Snapshot")
    class OutputSerializer(serializers.Serializer):
        type = serializers.CharField()
        seq = serializers.IntegerField(help_text="the sandbox's resourceVersion this state is at")
        cluster = SandboxSerializer()
        objects = serializers.DictField(
            child=serializers.ListField(child=serializers.DictField()),
            help_text="Kubernetes objects by kind, each in its API form")

    @extend_schema(operation_id="sandbox_snapshot", responses={200: OutputSerializer, **_ERRORS},
                   summary="The whole state of a sandbox at one resourceVersion")
    def get(self, request: Request, cluster_id: Any) -> Response:
        snapshot = cluster_snapshot(cluster=self.sandbox())
        return Response(self.OutputSerializer(snapshot).data)


@extend_schema_serializer(component_name="Trace")
class TraceSerializer(serializers.Serializer):
    """The documented part of a trace; responses carry every key the trace walk recorded."""

    id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["delivered", "refused", "dropped", "unroutable"])
    hops = serializers.ListField(child=serializers.DictField(), help_text="where the packet went, in order")
    endpoint = serializers.DictField(allow_null=True, help_text="the pod that got the request, if any")


@extend_schema_field(TraceSerializer)
class TraceField(serializers.DictField):
    """One traced request, passed through whole (a DictField keeps keys the schema does not list)."""


class TraceCreateApi(SandboxApi):
    """Trace 1 to 20 requests from a client to `<host>:<port>`; each is stored and shown to every
    viewer of the sandbox. A bad source or destination is a 400."""

    @extend_schema_serializer(component_name="TraceRequest")
    class InputSerializer(serializers.Serializer):
        source = serializers.CharField(
            max_length=600, help_text='"external", "node/<name>" or "pod/<namespace>/<name>"')
        destination = serializers.CharField(max_length=300, help_text='"<host>:<port>"')
        count = serializers.IntegerField(min_value=1, max_value=MAX_BATCH, default=1)

    @extend_schema_serializer(component_name="TraceList")
    class OutputSerializer(serializers.Serializer):
        traces = serializers.ListField(child=TraceField())

    @extend_schema(operation_id="trace_create", request=InputSerializer,
                   responses={200: OutputSerializer, 400: ErrorSerializer, **_ERRORS},
                   summary="Send requests through the sandbox's data plane, hop by hop")
    def post(self, request: Request, cluster_id: Any) -> Response:
        cluster = self.sandbox()
        serializer = self.InputSerializer(data=request.data)
        if not serializer.is_valid():
            return bad_request("; ".join(first_errors(serializer.errors)))
        try:
            traces = trace_create(cluster=cluster, **serializer.validated_data)
        except ApiError as error:
            return bad_request(str(error.status.get("message") or error))
        return Response(self.OutputSerializer({"traces": traces}).data)
