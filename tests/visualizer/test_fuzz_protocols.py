"""Hypothesis against the Kubernetes-compatible API and the websocket protocol.

Kubernetes API: generated methods, paths, query strings, content types and bodies (garbage bytes,
truncated and deeply nested JSON, objects shaped like Services with wrong values, oversized). No
answer is a 5xx, every answer is a Status or an object, and a refused request leaves the sandbox's
resourceVersion as it was.

Websocket: generated text and binary frames (garbage, truncated JSON, oversized, wrong types,
strange `since` values) to the owner's and the viewer's sockets: each gets an `error` message or an
answer, the socket stays open, nothing in the sandbox changes, and a ping still gets its pong.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cluster.models import Cluster
from tests.visualizer.test_consumer import communicator, opened, owner_path, relays, watch_path  # noqa: F401

RESOURCES = ["api/v1/namespaces/default/services", "api/v1/namespaces/default/services/kubia",
             "api/v1/namespaces/default/pods", "api/v1/namespaces/default/endpoints/kubia",
             "api/v1/nodes", "api/v1/namespaces", "api/v1/namespaces/default", "api/v1/services",
             "apis/apps/v1/namespaces/default/deployments", "apis/apps/v1/namespaces/default/replicasets/kubia",
             "apis/apps/v1/namespaces/default/replicasets/kubia/scale",
             "apis/discovery.k8s.io/v1/namespaces/default/endpointslices", "api/v1/namespaces/default/services/kubia/status",
             "api", "apis", "version", "openapi/v2", "api/v1/namespaces/%00/services", "api/v1/../../etc/passwd"]
CONTENT_TYPES = ["application/json", "application/yaml", "application/merge-patch+json",
                 "application/json-patch+json", "application/strategic-merge-patch+json",
                 "application/apply-patch+yaml", "application/vnd.kubernetes.protobuf", "text/plain", "",
                 "application/json; charset=utf-16", "multipart/form-data; boundary=x"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20)


@st.composite
def service_like(draw) -> bytes:
    obj = {"apiVersion": draw(st.sampled_from(["v1", "apps/v1", "", "v2"])),
           "kind": draw(st.sampled_from(["Service", "Pod", "Deployment", "Nope", ""])),
           "metadata": draw(st.fixed_dictionaries({}, optional={
               "name": st.text(max_size=70), "namespace": st.text(max_size=20),
               "labels": st.dictionaries(st.text(max_size=70), st.text(max_size=70), max_size=3),
               "annotations": st.dictionaries(st.text(max_size=30), st.text(max_size=300), max_size=3),
               "resourceVersion": st.text(max_size=10)})),
           "spec": draw(st.fixed_dictionaries({}, optional={
               "type": st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName", "x"]),
               "ports": st.lists(st.fixed_dictionaries({}, optional={
                   "port": st.integers(-5, 70000), "nodePort": st.integers(-5, 70000),
                   "targetPort": st.integers(-5, 70000) | st.text(max_size=20),
                   "protocol": st.sampled_from(["TCP", "UDP", "SCTP", "tcp"])}), max_size=3),
               "clusterIP": st.sampled_from(["None", "", "10.96.0.10", "1.2.3.4", "fd00::1", "x"]),
               "selector": st.dictionaries(st.text(max_size=20), st.text(max_size=20), max_size=2),
               "replicas": st.integers(-5, 10**9)}))}
    return json.dumps(obj).encode()


bodies = st.one_of(
    st.binary(max_size=300),
    service_like(),
    service_like().map(lambda b: b[: len(b) // 2]),  # truncated
    json_values.map(lambda v: json.dumps(v).encode()),
    st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n),  # deep nesting
    st.text(max_size=200).map(lambda t: t.encode()),
    st.just(b"- op: replace\n  path: /spec/ports/0/port\n  value: 99999\n"),
    st.just(b'[{"op": "remove", "path": "/metadata"}]'),
)
queries = st.dictionaries(
    st.sampled_from(["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "dryRun",
                     "fieldManager", "force", "propagationPolicy", "pretty", "fieldValidation"]),
    st.text(max_size=40), max_size=3)


def resource_version(cluster: Cluster) -> int:
    return Cluster.objects.values_list("resource_version", flat=True).get(pk=cluster.pk)


@pytest.mark.django_db
def test_kubernetes_api_never_fails_and_refusals_change_nothing(kubia: Cluster, client) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {kubia.access_token}"}
    answers: list[int] = []

    @given(method=st.sampled_from(["get", "post", "put", "patch", "delete", "options", "head"]),
           resource=st.sampled_from(RESOURCES), query=queries, content_type=st.sampled_from(CONTENT_TYPES),
           body=bodies)
    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(method, resource, query, content_type, body) -> None:
        before = resource_version(kubia)
        call = getattr(client, method)
        url = f"/k8s/{kubia.pk}/{resource}"
        if method in ("get", "head", "options"):
            response = call(url, query, **auth)
        else:
            from urllib.parse import urlencode

            # Bytes go on the wire as they are: `generic` sends them unchanged, while post/put/patch
            # re-encode the body in the content type's charset (which fails for bytes such as
            # b"\x80" under charset=utf-16, before any request is made).
            raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
            response = client.generic(method.upper(), f"{url}?{urlencode(query)}", data=raw,
                                      content_type=content_type, **auth)
        answers.append(response.status_code)
        assert response.status_code < 500, (method, url, query, content_type, body[:200], response.content[:300])
        if response.status_code >= 400:
            assert resource_version(kubia) == before, (method, url, body[:200], response.status_code)
            if method != "head":
                assert json.loads(response.content)["kind"] == "Status"

    fuzz()
    assert len(answers) >= 200 and any(code < 300 for code in answers), sorted(set(answers))


@pytest.mark.django_db
def test_an_oversized_body_is_refused_with_413_and_changes_nothing(kubia: Cluster, client) -> None:
    before = resource_version(kubia)
    big = json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {
        "name": "big", "annotations": {"a": "x" * (4 * 1024 * 1024)}}, "spec": {"ports": [{"port": 80}]}})
    response = client.post(f"/k8s/{kubia.pk}/api/v1/namespaces/default/services", data=big,
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {kubia.access_token}")
    assert response.status_code == 413 and json.loads(response.content)["kind"] == "Status"
    assert resource_version(kubia) == before


frames = st.one_of(
    st.text(max_size=200),
    json_values.map(json.dumps),
    st.fixed_dictionaries({"type": st.sampled_from(["resume", "ping", "answer", "send", "", "snapshot"]),
                           "since": json_values}).map(json.dumps),
    st.just('{"type": "resume", "since": 1e400}'),
    st.just('{"type": "resume", "since": ' + "9" * 5000 + "}"),
    st.just("[" * 5000),
    st.just('{"type": "ping"'),  # truncated
    st.integers(4097, 20000).map(lambda n: '{"type":"ping","x":"' + "a" * n + '"}'),  # oversized
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["owner", "viewer"])
async def test_websocket_garbage_gets_errors_and_changes_nothing(kubia: Cluster, who: str, settings) -> None:
    from channels.db import database_sync_to_async

    settings.RATE_WS_MESSAGES_PER_SECOND = 0  # every frame answered here, however fast they come
    path = owner_path(kubia, f"token={kubia.access_token}") if who == "owner" else watch_path(kubia)
    ws = communicator(path)
    await opened(ws)
    before = await database_sync_to_async(resource_version)(kubia)
    sent: list = []

    @given(frame=frames, binary=st.binary(max_size=100) | st.none())
    @hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def collect(frame, binary) -> None:
        sent.append((frame, binary))

    collect()
    for frame, binary in sent:
        if binary:
            await ws.send_to(bytes_data=binary)
        await ws.send_to(text_data=frame or " ")
    await ws.send_to(text_data='{"type": "ping"}')
    while True:  # every frame answered, the socket still open, and the ping's pong last
        output = await ws.receive_output(10)
        assert output["type"] == "websocket.send", output
        message = json.loads(output["text"])
        assert message["type"] in {"error", "pong", "events", "snapshot"}, message
        if message["type"] == "pong" and await ws.receive_nothing(0.2):
            break
    assert await database_sync_to_async(resource_version)(kubia) == before
    await ws.disconnect()
