"""Sending requests through the simulated data plane, and showing them to everyone watching."""

from __future__ import annotations

import random
import secrets
import time
from functools import cached_property

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cluster.errors import ApiError
from cluster.events import broadcast
from cluster.models import Cluster, EndpointSlice, Pod, Trace
from cluster.selectors import object_list
from cluster.services import endpoint_cache
from cluster.services.classes import class_traces_sent
from cluster.sim.api.fielderrors import status_bad_request
from cluster.sim.dataplane.kubeproxy import ClusterView, Endpoint, ServicePort
from cluster.sim.dataplane.trace import trace_request
from cluster.sim.dataplane.trace_text import LANGUAGES, TraceInputError
from cluster.sim.objects import Obj

MAX_BATCH = 20
KEEP_TRACES = 200


def cluster_view(cluster: Cluster) -> ClusterView:
    """The whole sandbox as the data plane sees it."""
    return ClusterView(
        settings=cluster.settings,
        nodes=object_list(cluster=cluster, kind="Node"),
        pods=object_list(cluster=cluster, kind="Pod"),
        services=object_list(cluster=cluster, kind="Service"),
        endpointslices=object_list(cluster=cluster, kind="EndpointSlice"),
    )


class StoredClusterView(ClusterView):
    """The data plane's view read as a trace needs it: nodes and Services whole, and only the
    pods it looks up (by name or IP) and the slices of the Services it reaches."""

    def __init__(self, cluster: Cluster):
        super().__init__(settings=cluster.settings, nodes=object_list(cluster=cluster, kind="Node"),
                         services=object_list(cluster=cluster, kind="Service"))
        self.cluster = cluster
        self._pods: dict[tuple, Obj | None] = {}
        self._slices: dict[tuple[str, str], list[Obj]] = {}

    def _pod_where(self, memo: tuple, **where) -> Obj | None:
        if memo not in self._pods:
            rows = Pod.objects.filter(cluster=self.cluster, **where).order_by("namespace", "name")
            self._pods[memo] = rows.values_list("body", flat=True).first()
        return self._pods[memo]

    def pod(self, namespace: str, name: str) -> Obj | None:
        return self._pod_where(("name", namespace, name), namespace=namespace, name=name)

    def pod_by_ip(self, ip: str) -> Obj | None:
        return self._pod_where(("ip", ip), ip=ip) if ip else None

    def _slice_rows(self, namespace: str, service: str):
        rows = EndpointSlice.objects.filter(cluster=self.cluster, namespace=namespace, service_name=service)
        return rows.order_by("name")

    def slices_for(self, namespace: str, service: str) -> list[Obj]:
        if (namespace, service) not in self._slices:
            self._slices[(namespace, service)] = list(self._slice_rows(namespace, service).values_list("body", flat=True))
        return self._slices[(namespace, service)]

    def endpoints(self, spi: ServicePort) -> tuple[Endpoint, ...]:
        key = endpoint_cache.key_of(self.cluster.pk, spi)
        if key not in self._endpoint_cache:
            rows = self._slice_rows(spi.namespace, spi.service)
            found = endpoint_cache.cached(key, tuple(rows.values_list("name", "resource_version")))
            if found is None:
                found = endpoint_cache.merged(key, list(rows.values_list("name", "resource_version", "body")), spi)
            self._endpoint_cache[key] = found
        return self._endpoint_cache[key]

    @cached_property
    def total_endpoints(self) -> int:
        """Endpoints across proxied services, counted by the database."""
        proxied = {(spi.namespace, spi.service) for spi in self.proxied_ports()}
        rows = (EndpointSlice.objects.filter(cluster=self.cluster).exclude(service_name="")
                .values("namespace", "service_name").annotate(n=Sum("endpoint_count")))
        return sum(row["n"] or 0 for row in rows if (row["namespace"], row["service_name"]) in proxied)


def trace_view(cluster: Cluster) -> ClusterView:
    return StoredClusterView(cluster)


def _check_source(view: ClusterView, source: str) -> None:
    kind, _sep, rest = source.partition("/")
    if source == "external":
        return
    if kind == "node" and view.node(rest) is not None:
        return
    if kind == "pod":
        ns, _sep, name = rest.partition("/")
        if view.pod(ns, name) is not None:
            return
    raise ApiError(status_bad_request(
        _('source "%(source)s" is not "external", "node/<name>" or "pod/<namespace>/<name>" of this sandbox')
        % {"source": source[:100]}))


def _language() -> str:
    """The request's language among the trace catalogue's (English when there is no request)."""
    lang = (get_language() or "en").split("-")[0]
    return lang if lang in LANGUAGES else "en"


def trace_create(*, cluster: Cluster, source: str, destination: str, count: int = 1,
                 seed: int | None = None) -> list[Obj]:
    """Trace `count` requests (1 to 20) from `source` to `destination`; each is stored and
    broadcast to the sandbox's viewers. ClientIP affinity and IPVS cursors persist between calls."""
    if not 1 <= count <= MAX_BATCH:
        raise ApiError(status_bad_request(_("count must be between 1 and %(max)d") % {"max": MAX_BATCH}))
    if not isinstance(destination, str) or not destination or len(destination) > 300:
        raise ApiError(status_bad_request(_('destination must be "<host>:<port>"')))
    rng = random.Random(seed)
    with transaction.atomic():
        locked = Cluster.objects.select_for_update().get(pk=cluster.pk)
        view = trace_view(locked)
        _check_source(view, source)
        state = locked.dataplane_state or {}
        traces = []
        for _index in range(count):
            try:
                trace = trace_request(view, source=source, destination=destination,
                                      seed=rng.getrandbits(32), state=state, now=time.time())
            except TraceInputError as exc:
                raise ApiError(status_bad_request(exc.message.render(_language()))) from None
            except ValueError as exc:
                raise ApiError(status_bad_request(str(exc))) from None
            traces.append(trace)
        locked.dataplane_state = state
        locked.save(update_fields=["dataplane_state"])
        for trace in traces:  # what the permalink needs: the picture's seq and its key
            trace["seq"] = locked.resource_version
            trace["token"] = secrets.token_urlsafe(24)
        rows = Trace.objects.bulk_create([Trace(cluster=locked, body=t, seq=t["seq"], token=t["token"])
                                          for t in traces])
        for row, trace in zip(rows, traces, strict=True):
            trace["id"] = row.pk
        stale = Trace.objects.filter(cluster=locked).order_by("-id").values_list("id", flat=True)[KEEP_TRACES:]
        Trace.objects.filter(pk__in=list(stale)).delete()
        for trace in traces:
            transaction.on_commit(lambda t=trace: broadcast(locked.pk, {"type": "trace", "trace": t}))
        class_traces_sent(cluster=locked, traces=traces)  # a class sandbox's students get them numbered
    return traces
