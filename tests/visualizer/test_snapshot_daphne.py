"""The snapshot of a 10,000-pod sandbox from a real Daphne (child process, SQLite file), read by
`websockets` clients that refuse any message over Daphne's 1 MiB limit: it comes in parts, and
its packed objects are exactly what the JSON API lists."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import ClientConnection, connect

from cluster.snapshots import PACKING, snapshot_objects
from tests.visualizer.test_consumer_restart import Server
from visualizer.framing import PART_SIZE

FRAME_LIMIT = 2**20  # Daphne's (autobahn's) default websocket message limit
PODS, NODES = 10_000, 100


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Iterator[tuple[Server, dict[str, str]]]:
    server = Server(tmp_path_factory.mktemp("snapshot"))
    server.env.update({"SANDBOX_MAX_PODS": str(PODS), "SANDBOX_MAX_NODES": str(NODES)})
    server.manage("migrate", "-v", "0")
    out = server.manage("createcluster", "big", "--preset", "scale", "--nodes", str(NODES), "--pods", str(PODS))
    links = {"id": re.search(r"/clusters/([0-9a-f-]+)/", out)[1], "token": re.search(r"Access token:\s+(\S+)", out)[1],
             "watch": re.search(r"/watch/([^/]+)/", out)[1]}
    server.start()
    try:
        yield server, links
    finally:
        server.kill()


def api_snapshot(server: Server, links: dict[str, str]) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/api/clusters/{links['id']}/",
                                     headers={"Authorization": f"Bearer {links['token']}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=120) as response:
        return json.loads(response.read())


def limited_socket(server: Server, path: str):
    """A client that fails (closes with 1009) on any message over the frame limit."""
    return connect(f"ws://127.0.0.1:{server.port}{path}", origin=f"http://127.0.0.1:{server.port}",
                   compression=None, ping_interval=None, proxy=None, open_timeout=30, max_size=FRAME_LIMIT)


async def snapshot_in_parts(ws: ClientConnection) -> tuple[dict, list[int]]:
    """After `hello`: the snapshot joined from its parts, and the size of every message."""
    hello = json.loads(await asyncio.wait_for(ws.recv(), 30))
    assert hello["type"] == "hello"
    sizes, chunks = [], []
    while True:
        text = await asyncio.wait_for(ws.recv(), 60)
        sizes.append(len(text.encode()))
        message = json.loads(text)
        if message["type"] != "part":
            return message, sizes
        assert message["n"] == len(chunks)
        chunks.append(message["data"])
        if len(chunks) == message["of"]:
            return json.loads("".join(chunks)), sizes


async def test_a_10000_pod_snapshot_arrives_in_parts_and_unpacks_to_what_the_api_lists(big) -> None:
    server, links = big
    async with limited_socket(server, f"/ws/clusters/{links['id']}/?token={links['token']}") as ws:
        snapshot, sizes = await snapshot_in_parts(ws)

    assert snapshot["type"] == "snapshot" and snapshot["packing"] == PACKING
    assert "actions" in snapshot and "objects" not in snapshot
    assert len(sizes) > 1 and max(sizes) <= PART_SIZE + 1024 < FRAME_LIMIT  # in parts, each well within
    assert sum(sizes) < 4 * 2**20  # 20 MiB of objects as JSON, packed
    objects = snapshot_objects(snapshot)
    listed = await asyncio.get_running_loop().run_in_executor(None, api_snapshot, server, links)
    assert listed["seq"] == snapshot["seq"]
    assert len(objects["Pod"]) == PODS and len(objects["Node"]) == NODES
    assert objects == listed["objects"]
    assert json.dumps(objects) == json.dumps(listed["objects"]), "the same objects, in the same order"


async def test_viewers_joining_together_all_get_the_same_snapshot(big) -> None:
    server, links = big

    async def viewer() -> tuple[dict, list[int]]:
        async with limited_socket(server, f"/ws/watch/{links['watch']}/") as ws:
            return await snapshot_in_parts(ws)

    got = await asyncio.gather(*(viewer() for _ in range(20)))
    first = got[0][0]
    assert "actions" not in first
    assert all(snapshot == first for snapshot, _ in got)
    assert all(max(sizes) < FRAME_LIMIT for _, sizes in got)
