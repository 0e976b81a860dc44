"""A bare-metal load-balancer controller (MetalLB style): addresses come only from the sandbox's
pool; with no pool, or the pool used up, a LoadBalancer Service stays <pending>, as on a cluster
without a cloud controller."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from cluster.sim.objects import service_lb_ips, service_type
from cluster.store import Change, Store


def pool_addresses(pool: tuple[str, ...] | list[str]) -> Iterator[str]:
    """Every address of the pool, in order: entries are single IPs, CIDRs or first-last ranges."""
    for entry in pool:
        entry = entry.strip()
        if "-" in entry:
            first, last = (ipaddress.ip_address(x.strip()) for x in entry.split("-", 1))
            for value in range(int(first), int(last) + 1):
                yield str(ipaddress.ip_address(value))
        elif "/" in entry:
            network = ipaddress.ip_network(entry, strict=False)
            hosts = network.hosts() if network.num_addresses > 2 else iter(network)
            yield from (str(ip) for ip in hosts)
        elif entry:
            yield str(ipaddress.ip_address(entry))


def sync_load_balancers(store: Store, changes: list[Change], *, resync_all: bool = False) -> None:
    """Give pending LoadBalancer Services an address: the ones this write touched, or (when the
    sandbox's settings, such as the pool, changed) every one still pending, as MetalLB does."""
    touched = {
        (c.obj["metadata"]["namespace"], c.obj["metadata"]["name"])
        for c in changes
        if c.kind == "Service" and c.new is not None
    }
    if resync_all:
        touched |= {(s["metadata"]["namespace"], s["metadata"]["name"]) for s in store.list("Service")}
    for ns, name in sorted(touched):
        service = store.peek("Service", ns, name)
        if service is None or service_type(service) != "LoadBalancer" or service_lb_ips(service):
            continue
        address = _free_address(store)
        if address is None:
            continue
        fresh = store.get("Service", ns, name)
        fresh["status"] = {"loadBalancer": {"ingress": [{"ip": address, "ipMode": "VIP"}]}}
        store.put("Service", fresh)


def _free_address(store: Store) -> str | None:
    used = {ip for svc in store.list("Service") for ip in service_lb_ips(svc)}
    for address in pool_addresses(store.settings.lb_pool):
        if address not in used:
            return address
    return None
