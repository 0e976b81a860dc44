"""The Settings panel's "Rotate tokens": a new access token and a new read-only link."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cluster.services.tokens import cluster_tokens_rotate
from visualizer.access import owner_required


@require_POST
@owner_required
def sandbox_tokens_rotate(request: HttpRequest, cluster_id: UUID) -> HttpResponse:
    """The owner's session stays the owner; the old token, kubeconfigs and read-only link stop
    working, and open read-only viewers are disconnected. The page shows the new link."""
    cluster_tokens_rotate(cluster=request.cluster)  # type: ignore[attr-defined]
    return redirect("sandbox", cluster_id=cluster_id)
