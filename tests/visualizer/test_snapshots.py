"""The packed websocket snapshot (cluster/snapshots.py): the same objects as the JSON snapshot,
packed once per sandbox and seq however many sockets ask for it."""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from cluster import snapshots
from cluster.models import Cluster
from cluster.selectors import cluster_snapshot
from cluster.services.sandboxes import cluster_update_settings
from cluster.snapshots import PACKING, packed_snapshot, snapshot_objects, unpack_objects
from tests.visualizer.test_consumer import communicator, flip, flip_first_pod, opened, relays, watch_path  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def packs(monkeypatch) -> list[str]:
    """An empty cache, and the sandbox of every packing done."""
    snapshots._packed.clear()
    done: list[str] = []
    read = snapshots.objects_json

    def counted(*, cluster: Cluster) -> str:
        done.append(str(cluster.pk))
        return read(cluster=cluster)

    monkeypatch.setattr(snapshots, "objects_json", counted)
    return done


def test_the_packed_snapshot_carries_what_the_json_snapshot_does(kubia) -> None:
    packed, plain = packed_snapshot(cluster=kubia), cluster_snapshot(cluster=kubia)
    assert packed["packing"] == PACKING and "objects" not in packed
    assert {k: v for k, v in packed.items() if k not in ("packing", "packed")} == {
        k: v for k, v in plain.items() if k != "objects"}
    objects = unpack_objects(packed["packed"])
    assert json.dumps(objects) == json.dumps(plain["objects"]), "same objects, kinds and order"
    assert snapshot_objects(packed) == snapshot_objects(plain) == plain["objects"]


def test_a_seq_is_packed_once_and_a_write_packs_again(kubia, packs) -> None:
    first = packed_snapshot(cluster=kubia)
    assert packed_snapshot(cluster=kubia) == first
    assert packs == [str(kubia.pk)]
    cluster_update_settings(cluster=kubia, proxy_mode="ipvs")  # no object changes: still packed
    again = packed_snapshot(cluster=kubia)
    assert again["cluster"]["settings"]["proxyMode"] == "ipvs"
    assert again["seq"] == first["seq"] and again["packed"] == first["packed"]
    assert packs == [str(kubia.pk)]
    flip_first_pod(kubia)
    after = packed_snapshot(cluster=kubia)
    assert after["seq"] > first["seq"] and packs == [str(kubia.pk)] * 2
    assert snapshot_objects(after) == cluster_snapshot(cluster=kubia)["objects"] != snapshot_objects(first)


async def test_viewers_joining_together_share_one_packing(kubia, packs) -> None:
    sockets = [communicator(watch_path(kubia)) for _ in range(30)]
    answers = await asyncio.gather(*(opened(ws) for ws in sockets))
    assert {json.dumps(snapshot) for _, snapshot in answers} == {json.dumps(answers[0][1])}
    assert packs == [str(kubia.pk)]

    await flip(kubia)  # a new seq: the next viewer needs (and packs) a new snapshot
    late = communicator(watch_path(kubia))
    _, snapshot = await opened(late)
    assert snapshot["seq"] > answers[0][1]["seq"] and len(packs) == 2
    for ws in [*sockets, late]:
        await ws.disconnect()


async def test_a_settings_change_reaches_viewers_as_a_packed_snapshot(kubia, packs) -> None:
    ws = communicator(watch_path(kubia))
    _, first = await opened(ws)
    await database_sync_to_async(cluster_update_settings)(cluster=kubia, proxy_mode="nftables")
    again = json.loads(await ws.receive_from(timeout=5))
    assert again["type"] == "snapshot" and again["packing"] == PACKING
    assert again["cluster"]["settings"]["proxyMode"] == "nftables" and again["seq"] == first["seq"]
    plain = await database_sync_to_async(cluster_snapshot)(cluster=kubia)
    assert snapshot_objects(again) == plain["objects"]
    assert packs == [str(kubia.pk)], "the same seq: packed once"
    await ws.disconnect()
