"""Traces to keep: the watch link's trace history and the read-only permalink of one trace.

`/traces/<token>/` replays one trace on the objects as they were when it was sent (rebuilt from the
event log at the trace's seq); `/traces/<token>.json` is what that page loads."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cluster.selectors import cluster_snapshot
from cluster.selectors_traces import snapshot_at, trace_by_token, trace_list, trace_wire
from visualizer.access import watch_token_required
from visualizer.api.traces import history_limit


@require_safe
@watch_token_required
def watch_traces(request: HttpRequest, watch_token: str) -> JsonResponse:
    """The watch link's history: the sandbox's newest traces, oldest first."""
    traces = trace_list(cluster=request.cluster, limit=history_limit(request.GET.get("limit")))  # type: ignore[attr-defined]
    return JsonResponse({"traces": traces})


def _permalink_payload(token: str) -> dict:
    row = trace_by_token(token=token)
    if row is None:
        raise Http404(_("No such trace."))
    snapshot = snapshot_at(cluster=row.cluster, seq=row.seq) if row.seq is not None else None
    rebuilt = snapshot is not None
    if not rebuilt:
        snapshot = cluster_snapshot(cluster=row.cluster)
    return {
        "trace": trace_wire(row),
        "seq": row.seq,
        "created": row.created_at.isoformat(),
        "rebuilt": rebuilt,
        "message": "" if rebuilt else _("The sandbox's change log no longer reaches back to this request: "
                                         "the picture shows the sandbox as it is now, not as it was."),
        "snapshot": snapshot,
    }


@require_safe
def trace_permalink_json(request: HttpRequest, token: str) -> JsonResponse:
    response = JsonResponse(_permalink_payload(token))
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def trace_permalink(request: HttpRequest, token: str) -> HttpResponse:
    payload = _permalink_payload(token)
    trace = payload["trace"]
    response = render(request, "visualizer/trace_permalink.html", {
        "cluster": {"id": payload["snapshot"]["cluster"]["id"], "name": payload["snapshot"]["cluster"]["name"],
                    "watch_url": ""},
        "role": "viewer",
        "ws_url": "",
        "api_base": "",
        "forms": {},
        "permalink": {
            "data_url": reverse("trace-permalink-json", kwargs={"token": token}),
            "seq": payload["seq"],
            "created": payload["created"],
            "rebuilt": payload["rebuilt"],
            "message": payload["message"],
            "source": trace.get("source", ""),
            "destination": trace.get("destination", ""),
        },
    })
    response["X-Robots-Tag"] = "noindex"
    return response
