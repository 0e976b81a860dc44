"""The spreading scheduler: fewest pods first, at most max-pods a node, no cordoned or NotReady
node, kube-scheduler's message."""

from collections import Counter

from cluster.presets import node_manifest
from cluster.sim.workloads.scheduler import (
    Placement,
    pick_node,
    pick_pod_ip,
    tolerates_cordon,
    unschedulable_message,
)


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
    assert unschedulable_message([node], {}) == (
        "0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. "
        "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.")


def _cordoned(index: int) -> dict:
    node = node_manifest(index)
    node["spec"]["unschedulable"] = True
    return node


def test_a_cordoned_node_takes_no_new_pod():
    nodes = [_cordoned(1), node_manifest(2)]
    assert pick_node(nodes, {"node-2": 5}) == "node-2"
    assert pick_node(nodes, {"node-2": 110}) is None
    # each node counted under the first filter it fails; preemption could help only where pods are many
    assert unschedulable_message(nodes, {"node-2": 110}) == (
        "0/2 nodes are available: 1 Too many pods, 1 node(s) were unschedulable. preemption: 0/2 nodes are "
        "available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.")
    by_name = {n["metadata"]["name"]: n for n in nodes}
    assert Placement(by_name, Counter({"node-2": 110}), set()).node() is None
    assert Placement(by_name, Counter({"node-2": 110}), set(), cordon_ok=True).node() == "node-1"


def test_a_pod_that_tolerates_the_unschedulable_taint_may_go_to_a_cordoned_node():
    nodes = [_cordoned(1), _cordoned(2)]
    for tolerations in ([{"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}],
                        [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists"}],
                        [{"operator": "Exists"}]):
        assert tolerates_cordon(tolerations)
        assert pick_node(nodes, {"node-1": 1}, tolerates_cordon(tolerations)) == "node-2"
    for tolerations in ([], [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoExecute"}],
                        [{"key": "node.kubernetes.io/not-ready", "operator": "Exists"}],
                        [{"key": "node.kubernetes.io/unschedulable", "value": "yes"}]):
        assert not tolerates_cordon(tolerations)
        assert pick_node(nodes, {}, tolerates_cordon(tolerations)) is None


def test_pod_ips_come_from_the_node_cidr_from_dot_two():
    node = node_manifest(2)
    assert pick_pod_ip(node, set()) == "10.244.2.2"
    assert pick_pod_ip(node, {"10.244.2.2"}) == "10.244.2.3"
