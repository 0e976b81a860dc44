"""Schemathesis against the JSON API's own OpenAPI schema (/api/schema/), in process over WSGI:
every operation, with generated (valid and invalid) parameters and bodies, on a real sandbox and a
real class, as their owner. No answer is a 5xx, and a refused request changes nothing (the
sandbox's resourceVersion and the class's seq are the same before and after)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from cluster.models import Class, Cluster
from cluster.services.classes import class_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_schema():
    # As django.test.Client does: the test's database connection must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def klass(kubia: Cluster) -> Class:
    return class_create(sandbox=kubia)


def state(cluster: Cluster, klass: Class) -> tuple[int, int]:
    cluster.refresh_from_db()
    klass.refresh_from_db()
    return cluster.resource_version, klass.seq


def test_no_server_error_and_no_change_when_refused(api_schema, kubia: Cluster, klass: Class) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    calls: list[int] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case) -> None:
            if "cluster_id" in (case.path_parameters or {}):
                case.path_parameters["cluster_id"] = str(kubia.pk)
            if "code" in (case.path_parameters or {}):
                case.path_parameters["code"] = klass.code
            before = state(kubia, klass)
            response = case.call(headers={"Authorization": f"Bearer {kubia.access_token}"})
            calls.append(response.status_code)
            where = (case.method, case.formatted_path, case.body)
            assert response.status_code < 500, (*where, response.text[:500])
            if response.status_code >= 400:
                assert state(kubia, klass) == before, (*where, response.status_code)

        fuzz()
    assert any(code < 300 for code in calls) and any(code >= 400 for code in calls)
