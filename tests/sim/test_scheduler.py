"""The spreading scheduler: fewest pods first, at most max-pods a node, kube-scheduler's message."""

from cluster.presets import node_manifest
from cluster.sim.workloads.scheduler import pick_node, pick_pod_ip, unschedulable_message


def test_spreads_to_the_node_with_fewest_pods():
    nodes = [node_manifest(i) for i in (1, 2, 3)]
    assert pick_node(nodes, {"node-1": 2, "node-2": 1, "node-3": 1}) == "node-2"


def test_a_full_node_takes_no_more_pods():
    nodes = [node_manifest(i) for i in (1, 2)]
    assert pick_node(nodes, {"node-1": 110, "node-2": 109}) == "node-2"
    assert pick_node(nodes, {"node-1": 110, "node-2": 110}) is None
    assert unschedulable_message(nodes, {"node-1": 110, "node-2": 110}) == (
        "0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes are available: "
        "2 No preemption victims found for incoming pod.")


def test_not_ready_nodes_are_skipped():
    node = node_manifest(1)
    node["status"]["conditions"][0]["status"] = "False"
    assert pick_node([node], {}) is None
    assert "1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }" in unschedulable_message([node], {})


def test_pod_ips_come_from_the_node_cidr_from_dot_two():
    node = node_manifest(2)
    assert pick_pod_ip(node, set()) == "10.244.2.2"
    assert pick_pod_ip(node, {"10.244.2.2"}) == "10.244.2.3"
