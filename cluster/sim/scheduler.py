"""A spreading scheduler and host-local IPAM: where a new pod runs and which IP it gets."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from cluster.sim.objects import Obj, name_of, node_pod_cidr, node_ready


def pick_node(nodes: Iterable[Obj], pods_per_node: dict[str, int]) -> str | None:
    """Ready node with the fewest pods; ties go to the node whose name sorts first (stable demos)."""
    ready = [name_of(n) for n in nodes if node_ready(n)]
    if not ready:
        return None
    return min(ready, key=lambda name: (pods_per_node.get(name, 0), name))


def pick_pod_ip(node: Obj, used: set[str]) -> str | None:
    """The lowest free address of the node's pod CIDR, from .2 up (.1 is the node's bridge)."""
    cidr = node_pod_cidr(node)
    if not cidr:
        return None
    network = ipaddress.ip_network(cidr, strict=False)
    first = int(network.network_address) + 2
    last = int(network.broadcast_address) - 1
    for value in range(first, last + 1):
        ip = str(ipaddress.ip_address(value))
        if ip not in used:
            return ip
    return None
