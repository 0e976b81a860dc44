"""The stored traces of a sandbox, for its owner: GET lists the newest, POST (TraceCreateApi) sends."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from cluster.selectors_traces import HISTORY_DEFAULT, HISTORY_MAX, trace_list
from visualizer.api.views import _ERRORS, TraceCreateApi


def history_limit(value: str | None) -> int:
    try:
        return max(1, min(HISTORY_MAX, int(value))) if value else HISTORY_DEFAULT
    except ValueError:
        return HISTORY_DEFAULT


class TraceApi(TraceCreateApi):
    """GET: the sandbox's newest traces (oldest first), as the websocket sent them."""

    @extend_schema(operation_id="trace_list", responses={200: TraceCreateApi.OutputSerializer, **_ERRORS},
                   parameters=[OpenApiParameter("limit", int, description=f"1 to {HISTORY_MAX}, default {HISTORY_DEFAULT}")],
                   summary="The newest stored traces of a sandbox, oldest first")
    def get(self, request: Request, cluster_id: Any) -> Response:
        traces = trace_list(cluster=self.sandbox(), limit=history_limit(request.query_params.get("limit")))
        return Response({"traces": traces})
