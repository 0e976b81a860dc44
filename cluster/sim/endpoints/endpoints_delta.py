"""One Endpoints controller sync when only some pods changed since the last one.

The Endpoints object is a function of its (address, port, ready) entries, and the stored object
holds them all unless it was truncated (over-capacity). `patched_endpoints` takes the stored
object's entries, replaces those of the changed pods and repacks: the same object
`desired_endpoints` makes from every pod, provided the stored one is what the controller last
wrote. A truncated object keeps only the first MAX_ENDPOINTS ready addresses in (IP, UID) order;
the ones after it come from `after`, which reads ready pods in that order (pod IPs are unique, so
the IP alone orders them). Shapes it cannot
decide return None, and the caller reads every pod.
"""

from __future__ import annotations

from collections.abc import Callable

from cluster.sim.endpoints.endpoints import (
    MAX_ENDPOINTS,
    PortRef,
    _address_entries,
    _address_key,
    _over_capacity,
    endpoints_of_entries,
    manages_endpoints,
)
from cluster.sim.objects import Obj, service_ports

Entry = tuple[Obj, PortRef | None, bool]


def _port_refs(service: Obj, items: list[Obj]) -> list[PortRef] | None:
    """The stored subset's ports as the PortRefs they were made from (None: one is unknown)."""
    refs = []
    for item in items:
        name, protocol = item.get("name") or "", item.get("protocol") or "TCP"
        index = next((i for i, p in enumerate(service_ports(service))
                      if (p.get("name") or "") == name and (p.get("protocol") or "TCP") == protocol), None)
        if index is None:
            return None
        refs.append((index, name, item.get("port"), protocol, item.get("appProtocol")))
    return refs


def stored_entries(service: Obj, endpoints: Obj) -> list[Entry] | None:
    """The entries the stored Endpoints object was repacked from."""
    entries: list[Entry] = []
    for subset in endpoints.get("subsets") or []:
        refs = _port_refs(service, subset.get("ports") or [])
        if not refs:
            return None  # a headless Service without ports: read every pod
        for field, ready in (("addresses", True), ("notReadyAddresses", False)):
            entries += [(address, ref, ready) for address in subset.get(field) or [] for ref in refs]
    return entries


def _of_changed(entry: Entry, changed: set[str]) -> bool:
    ref = entry[0].get("targetRef") or {}
    return ref.get("kind", "Pod") == "Pod" and ref.get("name") in changed


def patched_endpoints(
    service: Obj,
    stored: Obj | None,
    changed: set[str],
    pods: list[Obj],
    *,
    trigger_time: str,
    after: Callable[[str, int], list[Obj]],
) -> Obj | None:
    """desired_endpoints(service, every pod) when only the pods named `changed` changed: `pods`
    are those that still exist; `after(ip, n)` reads the first n ready pods the Service selects
    whose IP comes after `ip`. None: compute it from every pod instead; `stored` itself when it
    stays as it is."""
    if stored is None or not manages_endpoints(service) or not service_ports(service):
        return None
    spec = service.get("spec") or {}
    entries = stored_entries(service, stored)
    if entries is None:
        return None
    kept = [entry for entry in entries if not _of_changed(entry, changed)]
    fresh = _address_entries(service, pods)
    if _over_capacity(stored) is None:
        return endpoints_of_entries(service, kept + fresh, trigger_time=trigger_time)
    # Truncated: it held the first MAX_ENDPOINTS ready addresses of one subset.
    subsets = stored.get("subsets") or []
    if spec.get("publishNotReadyAddresses") or len(subsets) != 1 or subsets[0].get("notReadyAddresses"):
        return None
    refs = {ref for _, ref, _ in entries}
    if any(ref not in refs for _, ref, _ in fresh):
        return None
    last = max(_address_key(address) for address in subsets[0].get("addresses") or [{"ip": ""}])
    if len(kept) == len(entries) and not any(ready and _address_key(address) <= last for address, _, ready in fresh):
        # The window is untouched: the same object, if some ready pod still lies beyond it (a
        # changed pod that is ready now lies there: no need to read the others).
        if any(ready for _, _, ready in fresh):
            return stored
        beyond = [pod for pod in after(last[0], 1 + len(changed)) if pod["metadata"]["name"] not in changed]
        if beyond:
            return stored
    kept_keys = {_address_key(address) for address, _, _ in kept}
    wanted = MAX_ENDPOINTS + 1 - len(kept_keys)
    more = [pod for pod in after(last[0], wanted + len(changed)) if pod["metadata"]["name"] not in changed]
    beyond = _address_entries(service, more)
    if any(_address_key(address) <= last or ref not in refs or not ready for address, ref, ready in beyond):
        return None
    candidates = kept + [entry for entry in fresh if entry[2]] + beyond
    if len({_address_key(address) for address, _, _ in candidates}) <= MAX_ENDPOINTS:
        return None  # no longer over capacity: the not-ready addresses come back
    return endpoints_of_entries(service, candidates, trigger_time=trigger_time)
