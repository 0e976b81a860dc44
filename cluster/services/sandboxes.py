"""Creating sandboxes and changing their settings."""

from __future__ import annotations

import ipaddress
import secrets

from django.db import transaction

from cluster.errors import ApiError
from cluster.events import broadcast
from cluster.kinds import KIND_ORDER, kind_info
from cluster.models import Cluster, ProxyMode
from cluster.presets import (
    PRESETS,
    apiserver_endpoint_manifests,
    apiserver_service_manifest,
    preset_manifests,
    scale_batches,
)
from cluster.services.objects import create_in, delete_in
from cluster.services.writing import writing
from cluster.sim.allocation.bitmap import kubernetes_service_ip
from cluster.sim.api.fielderrors import FieldError, invalid_status, status_bad_request
from cluster.snapshots import packed_snapshot
from cluster.store import Store

# The kubia preset's load balancer gets the book's address first (chapter 5: 130.211.53.173).
DEFAULT_LB_POOL = {"kubia": ["130.211.53.173-130.211.53.182"]}
FALLBACK_LB_POOL = ["192.168.1.240-192.168.1.250"]
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def cluster_create(*, name: str = "", preset: str = "kubia", owner: str = "", seed: int | None = None,
                   nodes: int | None = None, pods: int | None = None) -> Cluster:
    """A new sandbox with the system objects every cluster has, then the preset's objects.

    The scale preset also comes at any size (`nodes`, `pods`): then it is made in one write per
    batch (500 nodes, or one ReplicaSet of up to 1,000 pods with its Service), each through the
    one write path, so that a sandbox of 150,000 pods is not one transaction holding them all."""
    if nodes is not None or pods is not None:
        if preset != "scale":
            raise ValueError("only the scale preset takes a number of nodes and pods")
        return _cluster_create_sized(name=name, owner=owner, seed=seed, nodes=nodes or 20, pods=pods or 0)
    manifests = preset_manifests(preset)
    with transaction.atomic():
        cluster = Cluster.objects.create(
            name=name or f"sandbox-{secrets.token_hex(4)}",
            owner=owner,
            preset=preset,
            lb_pool=DEFAULT_LB_POOL.get(preset, FALLBACK_LB_POOL),
        )
        with writing(cluster, seed=seed) as store:
            _bootstrap(store)
            for manifest in manifests:
                create_in(store, manifest)
    return cluster


def _cluster_create_sized(*, name: str, owner: str, seed: int | None, nodes: int, pods: int) -> Cluster:
    batches = scale_batches(nodes=nodes, pods=pods)
    cluster = Cluster.objects.create(name=name or f"sandbox-{secrets.token_hex(4)}", owner=owner, preset="scale",
                                     lb_pool=FALLBACK_LB_POOL)
    try:
        with writing(cluster, seed=seed) as store:
            _bootstrap(store)
        for index, batch in enumerate(batches):
            with writing(cluster, seed=None if seed is None else seed + index + 1) as store:
                for manifest in batch:
                    create_in(store, manifest)
    except BaseException:
        cluster.delete()  # half a sandbox is no sandbox
        raise
    return cluster


def _system_manifests(store: Store) -> list:
    """What every cluster has before anyone uses it: its namespaces and the apiserver's Service."""
    return [
        *({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}} for ns in SYSTEM_NAMESPACES),
        apiserver_service_manifest(kubernetes_service_ip(store.settings.service_cidr)),
        *apiserver_endpoint_manifests(),
    ]


def _key(manifest) -> tuple[str, str, str]:
    meta = manifest["metadata"]
    namespace = meta.get("namespace", "default") if kind_info(manifest["kind"]).namespaced else ""
    return manifest["kind"], namespace, meta["name"]


def _bootstrap(store: Store) -> None:
    for manifest in _system_manifests(store):
        create_in(store, manifest)


# The settings a sandbox starts with, whatever its preset (the pool aside).
_SETTING_FIELDS = ("node_port_min", "node_port_max", "max_endpoints_per_slice", "proxy_mode")


def cluster_reset(*, cluster: Cluster, seed: int | None = None) -> Cluster:
    """Back to how its preset made it, in one write: every object but the system ones is deleted
    (Services free their ClusterIPs, nodePorts and load-balancer addresses), the settings return
    to their defaults, and the preset's objects are created again. Viewers follow the DELETED and
    ADDED events as they follow any change; a settings change also sends them a fresh snapshot."""
    if cluster.preset not in PRESETS:
        raise ApiError(status_bad_request(
            "this sandbox was made before sandboxes remembered their preset, so it cannot be reset"))
    manifests = preset_manifests(cluster.preset)
    with writing(cluster, seed=seed, resync_all=True) as store:
        locked = store.cluster
        before = locked.settings
        for name in _SETTING_FIELDS:
            setattr(locked, name, Cluster._meta.get_field(name).get_default())
        locked.lb_pool = DEFAULT_LB_POOL.get(cluster.preset, FALLBACK_LB_POOL)
        locked.dataplane_state = {}
        locked.save(update_fields=[*_SETTING_FIELDS, "lb_pool", "dataplane_state"])
        store.settings = locked.settings
        system = {_key(m): m for m in _system_manifests(store)}
        # Dependents first (a Service before its slices would be re-synced, pods before their owners).
        for kind in reversed(KIND_ORDER):
            for obj in list(store.list(kind)):
                key = _key(obj)
                if key not in system and store.peek(*key) is not None:
                    delete_in(store, *key)
        for key, manifest in system.items():
            if store.peek(*key) is None:  # deleted by the user: the cluster puts it back
                create_in(store, manifest)
        for manifest in manifests:
            create_in(store, manifest)
    cluster.refresh_from_db()
    if cluster.settings != before:
        # After the events (on_commit keeps the order, inside an outer transaction too).
        transaction.on_commit(lambda: broadcast(cluster.pk, packed_snapshot(cluster=cluster)))
    return cluster


def _settings_error(cluster: Cluster, field: str, value, detail: str) -> ApiError:
    return ApiError(invalid_status("Cluster", "servicescope.io", cluster.name,
                                   [FieldError(field, "Invalid value", value, detail)]))


def cluster_update_settings(*, cluster: Cluster, node_port_range: str | None = None,
                            max_endpoints_per_slice: int | None = None, proxy_mode: str | None = None,
                            lb_pool: list[str] | None = None) -> Cluster:
    """Change a sandbox's knobs; slices are re-synced at once when the slice size changes."""
    with writing(cluster, resync_all=True) as store:
        locked = store.cluster
        if node_port_range is not None:
            lo, hi = _parse_range(cluster, node_port_range)
            locked.node_port_min, locked.node_port_max = lo, hi
        if max_endpoints_per_slice is not None:
            if not 1 <= max_endpoints_per_slice <= 1000:
                raise _settings_error(cluster, "maxEndpointsPerSlice", max_endpoints_per_slice,
                                      f"max-endpoints-per-slice must not be more than 1000, but got "
                                      f"{max_endpoints_per_slice}" if max_endpoints_per_slice > 1000
                                      else "must be greater than or equal to 1")
            locked.max_endpoints_per_slice = max_endpoints_per_slice
        if proxy_mode is not None:
            if proxy_mode not in ProxyMode.values:
                raise _settings_error(cluster, "proxyMode", proxy_mode,
                                      f"supported values: {', '.join(map(repr, ProxyMode.values))}")
            locked.proxy_mode = proxy_mode
        if lb_pool is not None:
            for entry in lb_pool:
                _check_pool_entry(cluster, entry)
            locked.lb_pool = lb_pool
        locked.save(update_fields=["node_port_min", "node_port_max", "max_endpoints_per_slice",
                                   "proxy_mode", "lb_pool"])
        store.settings = locked.settings
    cluster.refresh_from_db()
    # Settings are not Kubernetes objects, so no event carries them: viewers get a fresh snapshot.
    broadcast(cluster.pk, packed_snapshot(cluster=cluster))
    return cluster


def _parse_range(cluster: Cluster, text: str) -> tuple[int, int]:
    try:
        lo_text, hi_text = text.split("-", 1)
        lo, hi = int(lo_text), int(hi_text)
    except ValueError:
        raise _settings_error(cluster, "nodePortRange", text, "must be a port range like 30000-32767") from None
    if not (1 <= lo <= hi <= 65535):
        raise _settings_error(cluster, "nodePortRange", text, "must be a port range like 30000-32767")
    return lo, hi


def _check_pool_entry(cluster: Cluster, entry: str) -> None:
    try:
        if "-" in entry:
            first, last = (ipaddress.ip_address(x.strip()) for x in entry.split("-", 1))
            if int(last) < int(first):
                raise ValueError
        elif "/" in entry:
            ipaddress.ip_network(entry.strip(), strict=False)
        else:
            ipaddress.ip_address(entry.strip())
    except ValueError:
        raise _settings_error(cluster, "lbPool", entry,
                              "must be an IP address, a CIDR or a range like 192.168.1.240-192.168.1.250") from None
