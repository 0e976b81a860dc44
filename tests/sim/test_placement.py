"""Placement answers as pick_node and pick_pod_ip would, pod after pod, without rescanning."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from cluster.presets import node_manifest
from cluster.sim.workloads.scheduler import Placement, pick_node, pick_pod_ip


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.integers(0, 112), min_size=1, max_size=6), not_ready=st.sets(st.integers(0, 5)),
       pods=st.integers(1, 300))
def test_placement_matches_the_scheduler_pod_after_pod(counts, not_ready, pods):
    nodes = {}
    for index, _count in enumerate(counts, start=1):
        node = node_manifest(index)
        if index - 1 in not_ready:
            node["status"]["conditions"][0]["status"] = "False"
        nodes[node["metadata"]["name"]] = node
    per_node = Counter({f"node-{i}": c for i, c in enumerate(counts, start=1)})
    used = {f"10.244.{i}.{2 + k}" for i, c in enumerate(counts, start=1) for k in range(0, c, 3)}
    placement = Placement(nodes, per_node, used)
    for _ in range(pods):
        expected = pick_node(nodes.values(), per_node)
        assert placement.node() == expected
        if expected is None:
            break
        ip = pick_pod_ip(nodes[expected], used)
        assert placement.pod_ip(expected) == ip
        if ip is None:
            break
        used.add(ip)
        per_node[expected] += 1


def test_nodes_past_255_get_pod_cidrs_of_their_own():
    cidrs = {node_manifest(i)["spec"]["podCIDR"] for i in range(1, 5001)}
    assert len(cidrs) == 5000
    assert node_manifest(3)["spec"]["podCIDR"] == "10.244.3.0/24"
    assert node_manifest(5000)["spec"]["podCIDR"] == "10.131.136.0/24"
