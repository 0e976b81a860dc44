"""What one endpoint change sends to every kube-proxy: the whole Endpoints object, or one slice.

Every node's kube-proxy watches these objects, so a change is sent once per node: with Endpoints
the whole list of the Service's endpoints, with EndpointSlices only the slice that changed (at
most the slice maximum). Sizes are the objects' JSON as a watch sends them, measured on the
sandbox's own objects; KEP-752's example (20,000 endpoints, 5,000 nodes) grows those same
objects by their measured bytes per endpoint. A rolling update changes every endpoint once.
"""

from __future__ import annotations

import json
from typing import Any

from cluster.sim.objects import SERVICE_NAME_LABEL, Obj, labels_of, name_of, namespace_of

KEP_ENDPOINTS = 20_000
KEP_NODES = 5_000


def wire_bytes(obj: Obj) -> int:
    return len(json.dumps(obj, separators=(",", ":")).encode())


def _fixed_and_per_item(obj: Obj, key: str, count: int) -> tuple[int, float]:
    """Bytes of `obj` without its list `key`, and bytes per item of that list."""
    fixed = wire_bytes({**obj, key: []})
    return fixed, (wire_bytes(obj) - fixed) / max(1, count)


def _endpoint_count(ep: Obj) -> int:
    return sum(len(s.get("addresses") or []) + len(s.get("notReadyAddresses") or []) for s in ep.get("subsets") or [])


def _sizes(endpoints: int, nodes: int, whole: float, piece: float) -> dict[str, int]:
    return {
        "endpoints": endpoints, "nodes": nodes,
        "endpoints_bytes": round(whole), "slice_bytes": round(piece),
        "change_endpoints": round(whole * nodes), "change_slices": round(piece * nodes),
        "rolling_endpoints": round(whole * nodes * endpoints), "rolling_slices": round(piece * nodes * endpoints),
    }


def service_costs(objects: dict[str, list[Obj]], *, max_per_slice: int) -> list[dict[str, Any]]:
    """Per Service with endpoints (largest first): this sandbox's figures, and the same objects at
    KEP-752's size with slices of 100 and of the sandbox's maximum."""
    nodes = len(objects.get("Node") or [])
    slices_by_service: dict[tuple[str, str], list[Obj]] = {}
    for s in objects.get("EndpointSlice") or []:
        slices_by_service.setdefault((namespace_of(s), labels_of(s).get(SERVICE_NAME_LABEL, "")), []).append(s)
    rows = []
    for ep in objects.get("Endpoints") or []:
        key = (namespace_of(ep), name_of(ep))
        count = _endpoint_count(ep)
        slices = [s for s in slices_by_service.get(key, []) if s.get("endpoints")]
        if not count or not slices:
            continue
        largest = max(slices, key=wire_bytes)
        ep_fixed, ep_per = _fixed_and_per_item(ep, "subsets", count)
        sl_fixed, sl_per = _fixed_and_per_item(largest, "endpoints", len(largest["endpoints"]))
        rows.append({
            "service": f"{key[0]}/{key[1]}",
            "slices": len(slices),
            "here": _sizes(count, nodes, wire_bytes(ep), wire_bytes(largest)),
            "kep": {str(size): _sizes(KEP_ENDPOINTS, KEP_NODES, ep_fixed + ep_per * KEP_ENDPOINTS,
                                      sl_fixed + sl_per * min(size, KEP_ENDPOINTS))
                    for size in sorted({100, max_per_slice})},
        })
    rows.sort(key=lambda r: -r["here"]["endpoints"])
    return rows
