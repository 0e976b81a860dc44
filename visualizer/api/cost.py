"""The cost view's figures: what one change sends to every node, with Endpoints and with slices."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from cluster.selectors import cluster_change_cost
from visualizer.api.views import _ERRORS, SandboxApi


@extend_schema_serializer(component_name="ChangeCost")
class ChangeCostSerializer(serializers.Serializer):
    max_per_slice = serializers.IntegerField(help_text="the sandbox's max endpoints per slice")
    services = serializers.ListField(child=serializers.DictField(), help_text=(
        "per Service, largest first: `service`, `slices`, `here` (this sandbox) and `kep` (the same objects at "
        "KEP-752's 20,000 endpoints and 5,000 nodes, keyed by slice size), each with endpoints, nodes, "
        "endpoints_bytes, slice_bytes, change_endpoints, change_slices, rolling_endpoints, rolling_slices"))


class ChangeCostApi(SandboxApi):
    @extend_schema(operation_id="change_cost", responses={200: ChangeCostSerializer, **_ERRORS},
                   summary="Bytes one endpoint change sends to every node: Endpoints versus EndpointSlices")
    def get(self, request: Request, cluster_id: Any) -> Response:
        return Response(ChangeCostSerializer(cluster_change_cost(cluster=self.sandbox())).data)
