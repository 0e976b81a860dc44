"""Sending requests through the simulated data plane, and showing them to everyone watching."""

from __future__ import annotations

import random
import secrets
import time

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cluster.errors import ApiError
from cluster.events import broadcast
from cluster.models import Cluster, Trace
from cluster.selectors import object_list
from cluster.services.classes import class_traces_sent
from cluster.sim.dataplane import ClusterView
from cluster.sim.fielderrors import status_bad_request
from cluster.sim.objects import Obj
from cluster.sim.trace import trace_request
from cluster.sim.trace_text import LANGUAGES, TraceInputError

MAX_BATCH = 20
KEEP_TRACES = 200


def cluster_view(cluster: Cluster) -> ClusterView:
    return ClusterView(
        settings=cluster.settings,
        nodes=object_list(cluster=cluster, kind="Node"),
        pods=object_list(cluster=cluster, kind="Pod"),
        services=object_list(cluster=cluster, kind="Service"),
        endpointslices=object_list(cluster=cluster, kind="EndpointSlice"),
    )


def _check_source(view: ClusterView, source: str) -> None:
    kind, _sep, rest = source.partition("/")
    if source == "external":
        return
    if kind == "node" and any(n["metadata"]["name"] == rest for n in view.nodes):
        return
    if kind == "pod":
        ns, _sep, name = rest.partition("/")
        if any(p["metadata"]["namespace"] == ns and p["metadata"]["name"] == name for p in view.pods):
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
        view = cluster_view(locked)
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
