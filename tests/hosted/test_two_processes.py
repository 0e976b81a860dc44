"""Two Daphne processes on one PostgreSQL and one Redis: viewers split over both see every change
made through either, kubectl works against either, and a class teacher on one process drives
students on the other."""

from __future__ import annotations

import asyncio
import json

from tests.hosted.conftest import (
    Site,
    create_service,
    http,
    resource_version,
    service_names,
    viewers_on_both,
)


async def test_viewers_on_both_processes_see_changes_made_through_either(site: Site) -> None:
    box = site.sandbox("kubia")
    viewers = await viewers_on_both(site, box, 20)
    owner = await viewers_on_both(site, box, 2, watch=False)
    await asyncio.gather(*(v.wait_for_seq(0) for v in viewers + owner))
    loop = asyncio.get_running_loop()
    for i in range(10):
        server = site.servers[i % 2]
        status, body = await loop.run_in_executor(None, create_service, server, box, f"svc-{i}")
        assert status == 201, body
    last = resource_version(site.servers[0], box)
    await asyncio.gather(*(v.wait_for_seq(last) for v in viewers + owner))
    await asyncio.sleep(0.3)
    for viewer in viewers + owner:
        viewer.assert_whole(last)
    await asyncio.gather(*(v.stop() for v in viewers + owner))


def test_kubectl_against_either_process(site: Site) -> None:
    box = site.sandbox("kubia")
    site.kubectl(box, 0, "create", "service", "clusterip", "made-on-a", "--tcp=80:8080")
    site.kubectl(box, 1, "scale", "replicaset", "kubia", "--replicas=5")
    for server in (0, 1):
        names = site.kubectl(box, server, "get", "svc", "-o", "name").stdout.split()
        assert "service/made-on-a" in names
        pods = json.loads(site.kubectl(box, server, "get", "pods", "-o", "json").stdout)["items"]
        assert len(pods) == 5
    site.kubectl(box, 1, "delete", "service", "made-on-a")
    assert "made-on-a" not in service_names(site.servers[0], box)


def test_kubectl_watch_on_one_process_sees_writes_on_the_other(site: Site) -> None:
    box = site.sandbox("empty")
    watch = site.kubectl_popen(box, 0, "get", "svc", "-w", "-o", "name", "--request-timeout=0")
    try:
        for i in range(3):
            status, body = create_service(site.servers[1], box, f"w-{i}")
            assert status == 201, body
        seen: list[str] = []
        while len(seen) < 4:  # the kubernetes Service of the empty preset, then the three
            line = watch.stdout.readline()
            assert line, watch.stderr.read()
            seen.append(line.strip())
        assert set(seen) >= {"service/w-0", "service/w-1", "service/w-2"}
    finally:
        watch.kill()
        watch.wait(timeout=10)


async def test_class_teacher_on_one_process_students_on_the_other(site: Site) -> None:
    from websockets.asyncio.client import connect

    teacher_server, student_server = site.servers
    loop = asyncio.get_running_loop()
    status, created = await loop.run_in_executor(None, lambda: http("POST", f"{teacher_server.base}/api/classes/", {}))
    assert status == 201, created
    code, token = created["code"], created["teacher_token"]

    async def student(i: int):
        ws = await connect(student_server.ws_url(f"/ws/classes/{code}/?name=s{i}&sandbox=0"),
                           origin=student_server.origin(), proxy=None, compression=None, ping_interval=None)
        hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert hello["type"] == "hello", hello
        state = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert state["type"] == "class"
        return ws

    students = await asyncio.gather(*(student(i) for i in range(10)))
    teacher = await connect(teacher_server.ws_url(f"/ws/classes/{code}/teacher/?token={token}&sandbox=0"),
                            origin=teacher_server.origin(), proxy=None, compression=None, ping_interval=None)
    status, snapshot = await loop.run_in_executor(None, lambda: http(
        "GET", f"{teacher_server.base}/api/clusters/{created['sandbox']}/", token=token))
    pod = next(p["metadata"]["name"] for p in snapshot["objects"]["Pod"]
               if p["metadata"].get("labels", {}).get("app") == "kubia")
    status, traced = await loop.run_in_executor(None, lambda: http(
        "POST", f"{teacher_server.base}/api/clusters/{created['sandbox']}/traces/",
        {"source": f"pod/default/{pod}", "destination": "10.0.0.11:30123"}, token=token))
    assert status in (200, 201), traced
    trace = traced["traces"][0]
    for hop in range(2):
        status, body = await loop.run_in_executor(None, lambda hop=hop: http(
            "POST", f"{teacher_server.base}/api/classes/{code}/step/", {"trace": trace["id"], "hop": hop},
            token=token))
        assert status == 200, body

    async def numbered(ws, count: int) -> list[dict]:
        got = []
        while len(got) < count:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if "seq" in message and message["type"] != "class":
                got.append(message)
        return got

    for ws in students:
        got = await numbered(ws, 3)
        assert [(m["type"], m.get("hop")) for m in got] == [("trace", None), ("step", 0), ("step", 1)]
        assert [m["seq"] for m in got] == list(range(got[0]["seq"], got[0]["seq"] + 3))
    status, roster = await loop.run_in_executor(None, lambda: http(
        "GET", f"{teacher_server.base}/api/classes/{code}/", token=token))
    assert len(roster["students"]) == 10 and all(s["connected"] for s in roster["students"])
    await asyncio.gather(*(ws.close() for ws in [*students, teacher]))


ROTATE = """
from cluster.models import Cluster
from cluster.services.tokens import cluster_tokens_rotate
cluster_tokens_rotate(cluster=Cluster.objects.get(pk="{id}"))
"""


async def test_rotating_tokens_disconnects_old_link_viewers_on_every_process(site: Site) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    box = site.sandbox("empty")
    sockets = []
    for server in site.servers:
        ws = await connect(server.ws_url(f"/ws/watch/{box.watch}/"), origin=server.origin(), proxy=None)
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "hello"
        sockets.append(ws)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, lambda: site.manage("shell", "-c", ROTATE.format(id=box.id)))
    for ws in sockets:
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 10)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4401
    for server in site.servers:
        try:
            await connect(server.ws_url(f"/ws/watch/{box.watch}/"), origin=server.origin(), proxy=None)
            raise AssertionError("the old link still opens")
        except InvalidStatus as refused:
            assert refused.response.status_code == 403
        status, _body = await loop.run_in_executor(None, lambda server=server: http(
            "GET", f"{server.base}/k8s/{box.id}/api/v1/namespaces/default/services", token=box.token))
        assert status == 401
