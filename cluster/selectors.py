"""Reads: what the web edge and the Kubernetes API show of a sandbox."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from cluster.kinds import KIND_ORDER, kind_info
from cluster.models import Cluster, Event
from cluster.reading import one_version
from cluster.sim.endpoints.cost import service_costs
from cluster.sim.objects import Obj
from cluster.watch_tokens import same_digest, token_digest

# A viewer further behind than this gets a fresh snapshot instead of the missed events.
MAX_REPLAY = 5000


def cluster_get(*, cluster_id: str) -> Cluster | None:
    try:
        return Cluster.objects.get(pk=cluster_id)
    except (Cluster.DoesNotExist, ValueError, TypeError):
        return None


def cluster_by_token(*, token: str) -> Cluster | None:
    return Cluster.objects.filter(access_token=token).first() if token else None


def cluster_by_watch_token(*, token: str) -> Cluster | None:
    """The sandbox whose read-only link has this token, found by the token's digest."""
    if not token:
        return None
    digest = token_digest(token)
    cluster = Cluster.objects.filter(Q(watch_token_hash=digest) | Q(legacy_watch_token_hash=digest)).first()
    if cluster is None:
        return None
    matches = same_digest(digest, cluster.watch_token_hash) | same_digest(digest, cluster.legacy_watch_token_hash)
    return cluster if matches else None


def object_list(*, cluster: Cluster, kind: str, namespace: str | None = None) -> list[Obj]:
    rows = kind_info(kind).model.objects.filter(cluster=cluster)
    if namespace is not None:
        rows = rows.filter(namespace=namespace)
    return list(rows.order_by("namespace", "name").values_list("body", flat=True))


def object_get(*, cluster: Cluster, kind: str, namespace: str, name: str) -> Obj | None:
    row = kind_info(kind).model.objects.filter(cluster=cluster, namespace=namespace, name=name)
    return row.values_list("body", flat=True).first()


def cluster_settings_wire(cluster: Cluster) -> dict:
    return {
        "serviceCIDR": cluster.service_cidr,
        "nodePortRange": f"{cluster.node_port_min}-{cluster.node_port_max}",
        "maxEndpointsPerSlice": cluster.max_endpoints_per_slice,
        "proxyMode": cluster.proxy_mode,
        "lbPool": list(cluster.lb_pool or []),
    }


def cluster_snapshot(*, cluster: Cluster) -> dict:
    """The whole state at one resourceVersion."""
    with one_version():
        fresh = Cluster.objects.get(pk=cluster.pk)
        objects = {kind: object_list(cluster=fresh, kind=kind) for kind in KIND_ORDER}
    return {
        "type": "snapshot",
        "seq": fresh.resource_version,
        "cluster": {"id": str(fresh.pk), "name": fresh.name, "settings": cluster_settings_wire(fresh)},
        "objects": objects,
    }


def objects_json(*, cluster: Cluster) -> str:
    """The JSON text of `{kind: [object, ...]}` (the kinds and order of a snapshot), made of the
    stored bodies as they are: no row becomes a model instance and no body is decoded, which at
    10,000 pods is most of the cost of a snapshot. Call it inside the `one_version()` that read
    `cluster`'s resourceVersion, so the text is at that version."""
    lists = []
    for kind in KIND_ORDER:
        rows = kind_info(kind).model.objects.filter(cluster=cluster).order_by("namespace", "name")
        texts = rows.annotate(text=Cast("body", TextField())).values_list("text", flat=True)
        lists.append(f'"{kind}":[{",".join(texts)}]')
    return "{" + ",".join(lists) + "}"


def events_since(*, cluster: Cluster, seq: int, limit: int = MAX_REPLAY) -> list[Event] | None:
    """Events after `seq` in order, or None when the log cannot bring this reader up to date."""
    current = Cluster.objects.filter(pk=cluster.pk).values_list("resource_version", flat=True).first()
    if current is None or seq > current:
        return None
    if current - seq > limit or current - seq >= settings.EVENT_LOG_MAX:
        return None  # (events at or below current - EVENT_LOG_MAX may have been trimmed)
    events = list(Event.objects.filter(cluster=cluster, seq__gt=seq).order_by("seq"))
    if events and events[0].seq != seq + 1:
        return None  # the log was trimmed past this reader
    return events


def cluster_change_cost(*, cluster: Cluster) -> dict:
    """The bytes one endpoint change (and a rolling update) sends to every kube-proxy, per Service."""
    objects = {kind: object_list(cluster=cluster, kind=kind) for kind in ("Node", "Endpoints", "EndpointSlice")}
    return {"max_per_slice": cluster.max_endpoints_per_slice,
            "services": service_costs(objects, max_per_slice=cluster.max_endpoints_per_slice)}
