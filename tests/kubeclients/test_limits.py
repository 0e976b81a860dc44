"""Hosting limits against a real Daphne (its own, started with small limits): the sandbox quota
through kubectl and the Python client, 429 on the Kubernetes API, and a websocket viewer that
stops reading while others keep receiving."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
import websockets
from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.kubeclients.conftest import ROOT, Kubectl, Sandbox, Server, _free_port, _wait_for_port

LIMITS = {
    "SANDBOX_MAX_PODS": "12",
    "SANDBOX_MAX_SERVICES": "5",
    "SANDBOX_MAX_NODES": "3",
    "RATE_REQUESTS_PER_MINUTE": "150",
    "WS_SEND_QUEUE_MESSAGES": "5",
    "WS_SEND_SERVER_BUFFER_BYTES": "16384",
}


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("limits")
    env = {**__import__("os").environ, **LIMITS,
           "DATABASE_URL": f"sqlite:///{workdir / (uuid.uuid4().hex + '.sqlite3')}",
           "DJANGO_SETTINGS_MODULE": "visualizer.settings", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    port = _free_port()
    log = workdir / "daphne.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                                    "visualizer.asgi:application"], env=env, cwd=ROOT, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process, log)
        yield Server(f"http://127.0.0.1:{port}", env, workdir, workdir / "kubectl-cache")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def api(box: Sandbox, method: str, path: str, body: dict | None = None,
        content_type: str = "application/json") -> dict:
    request = urllib.request.Request(box.server + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {box.token}", "Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


# --- the quota ------------------------------------------------------------------------------------


def test_kubectl_meets_the_quota(limited: Server):
    box = limited.sandbox("kubia")  # 3 nodes, 3 pods, 4 services
    kubectl = Kubectl(limited, box)

    assert kubectl.out("scale", "rs", "kubia", "--replicas=15") == "replicaset.apps/kubia scaled\n"
    rs = kubectl.json("get", "rs", "kubia")
    assert rs["spec"]["replicas"] == 15 and rs["status"]["replicas"] == 12
    [condition] = rs["status"]["conditions"]
    assert (condition["type"], condition["status"], condition["reason"]) == ("ReplicaFailure", "True", "FailedCreate")
    assert condition["message"].endswith(
        "is forbidden: exceeded quota: sandbox, requested: pods=1, used: pods=12, limited: pods=12")
    described = kubectl.out("describe", "rs", "kubia")
    assert "ReplicaFailure   True    FailedCreate" in described

    refused = kubectl("run", "extra", "--image=luksa/kubia", check=False)
    assert refused.returncode == 1
    assert refused.stderr == ('Error from server (Forbidden): pods "extra" is forbidden: exceeded quota: sandbox, '
                              "requested: pods=1, used: pods=12, limited: pods=12\n")

    assert kubectl("create", "service", "clusterip", "fifth", "--tcp=80:8080").returncode == 0
    refused = kubectl("create", "service", "clusterip", "sixth", "--tcp=80:8080", check=False)
    assert refused.stderr == ('error: failed to create ClusterIP service: services "sixth" is forbidden: exceeded '
                              "quota: sandbox, requested: services=1, used: services=5, limited: services=5\n")

    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-4"}}
    refused = kubectl("create", "-f", "-", input=json.dumps(node), check=False)
    assert refused.stderr.startswith('Error from server (Forbidden): error when creating "STDIN": nodes "node-4" '
                                     "is forbidden: exceeded the sandbox's node limit")
    assert refused.stderr.rstrip().endswith("requested: nodes=1, used: nodes=3, limited: nodes=3")

    table = kubectl.out("get", "quota")
    header, row = table.splitlines()
    assert header.split() == ["NAME", "AGE", "REQUEST", "LIMIT"]
    assert row.split()[0] == "sandbox" and row.rstrip().endswith("pods: 12/12, services: 5/5")
    assert kubectl.out("describe", "quota", "sandbox").splitlines() == [
        "Name:       sandbox", "Namespace:  default", "Resource    Used  Hard", "--------    ----  ----",
        "pods        12    12", "services    5     5"]
    assert kubectl("delete", "quota", "sandbox", check=False).returncode != 0

    # Scaled back within the quota: the failure is gone.
    kubectl("scale", "rs", "kubia", "--replicas=4")
    assert "conditions" not in kubectl.json("get", "rs", "kubia")["status"]


def test_the_python_client_meets_the_quota(limited: Server):
    box = limited.sandbox("kubia")
    config = client.Configuration(host=box.server, api_key={"authorization": box.token},
                                  api_key_prefix={"authorization": "Bearer"})
    core = client.CoreV1Api(client.ApiClient(config))
    apps = client.AppsV1Api(client.ApiClient(config))
    apps.patch_namespaced_replica_set_scale("kubia", "default", {"spec": {"replicas": 12}})
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="py-extra"),
                       spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="luksa/kubia")]))
    with pytest.raises(ApiException) as refused:
        core.create_namespaced_pod("default", pod)
    assert refused.value.status == 403
    status = json.loads(refused.value.body)
    assert status["reason"] == "Forbidden" and status["details"] == {"name": "py-extra", "kind": "pods"}
    assert status["message"] == ('pods "py-extra" is forbidden: exceeded quota: sandbox, requested: pods=1, '
                                 "used: pods=12, limited: pods=12")
    quota = core.read_namespaced_resource_quota("sandbox", "default")
    assert quota.status.hard == {"pods": "12", "services": "5"} and quota.status.used["pods"] == "12"
    assert [q.metadata.name for q in core.list_resource_quota_for_all_namespaces().items] == ["sandbox"] * len(
        core.list_namespace().items)


# --- requests per minute --------------------------------------------------------------------------


def test_the_kubernetes_api_says_too_many_requests(limited: Server):
    box = limited.sandbox("empty")
    config = client.Configuration(host=box.server, api_key={"authorization": box.token},
                                  api_key_prefix={"authorization": "Bearer"})
    config.retries = False  # urllib3 would otherwise wait Retry-After and try again, as kubectl does
    core = client.CoreV1Api(client.ApiClient(config))
    refused = None
    # The counter starts again each minute: twice the limit is over it within one minute or the next.
    for _ in range(2 * int(LIMITS["RATE_REQUESTS_PER_MINUTE"]) + 2):
        try:
            core.list_namespaced_service("default")
        except ApiException as error:
            refused = error
            break
    assert refused is not None and refused.status == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    status = json.loads(refused.body)
    assert status["reason"] == "TooManyRequests" and status["code"] == 429
    assert status["details"]["retryAfterSeconds"] == int(refused.headers["Retry-After"])
    assert status["message"].startswith("Too many requests: this site takes at most 150 a minute from one visitor.")


# --- a viewer that stops reading ------------------------------------------------------------------


async def _reader(ws, arrivals: dict[int, float]) -> None:
    async for text in ws:
        message = json.loads(text)
        for event in message.get("events") or []:
            arrivals[event["seq"]] = time.monotonic()


def _stalled_socket(port: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)  # before connect: a small window
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    return sock


async def test_a_viewer_that_stops_reading_never_delays_the_others(limited: Server):
    box = limited.sandbox("kubia")
    watch = api(box, "GET", "/api/v1/namespaces/default/pods")  # the token works
    assert watch["kind"] == "PodList"
    token = subprocess.run(
        [sys.executable, "-c", "import django,sys; django.setup(); from cluster.models import Cluster; "
                               f"print(Cluster.objects.get(pk='{box.id}').watch_token)"],
        env=limited.env, cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    port = int(limited.base_url.rsplit(":", 1)[1])
    uri = f"ws://127.0.0.1:{port}/ws/watch/{token}/"
    origin = f"http://127.0.0.1:{port}"
    readers = [await websockets.connect(uri, origin=origin, max_size=None) for _ in range(2)]
    stalled = await websockets.connect(uri, origin=origin, max_size=None, max_queue=1, sock=_stalled_socket(port))
    arrivals: list[dict[int, float]] = [{}, {}]
    tasks = [asyncio.create_task(_reader(ws, seen)) for ws, seen in zip(readers, arrivals, strict=True)]
    lags = []
    try:
        pod = api(box, "GET", "/api/v1/namespaces/default/pods")["items"][0]["metadata"]["name"]
        for i in range(60):
            # Each change carries a 200 kB annotation: the stalled client's buffers fill in a few.
            blob = {"metadata": {"annotations": {"blob": f"{i:03d}" + "x" * 200_000}}}
            started = time.monotonic()
            patched = await asyncio.to_thread(api, box, "PATCH", f"/api/v1/namespaces/default/pods/{pod}", blob,
                                              "application/merge-patch+json")
            seq = int(patched["metadata"]["resourceVersion"])
            deadline = time.monotonic() + 10
            while not all(seq in seen for seen in arrivals) and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            assert all(seq in seen for seen in arrivals), f"write {i} did not reach the reading viewers"
            lags.append(max(seen[seq] for seen in arrivals) - started)  # the write's own time included
        # The stalled viewer is dropped: reading now, it finds the socket closed by the server.
        closed = None
        try:
            async with asyncio.timeout(20):
                async for _text in stalled:
                    pass
        except websockets.ConnectionClosed as error:
            closed = error
        code = closed.rcvd.code if closed is not None and closed.rcvd else stalled.close_code
        print(f"the stalled viewer's socket closed with {code}")
        assert code in (4008, 1006, None) and stalled.state.name == "CLOSED"
        log = (limited.workdir / "daphne.log").read_text()
        assert f"a viewer of {box.id} fell behind" in log and "closing it with 4008" in log
    finally:
        for task in tasks:
            task.cancel()
        for ws in readers:
            await ws.close()
    lags.sort()
    print(f"reading viewers, write to arrival: median {lags[len(lags) // 2] * 1000:.0f} ms, worst {lags[-1] * 1000:.0f} ms")
    assert lags[len(lags) // 2] < 1 and lags[-1] < 3
