"""Who may open a sandbox: its owner (by session or access token) or a viewer (by watch token).

There are no accounts. Creating a sandbox, or opening its `?token=` link once, records its id in
the visitor's (signed-cookie) session; the access token also works as `Authorization: Bearer`.
Anything else gets the same answer as an id that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from cluster.models import Cluster
from cluster.selectors import cluster_by_watch_token, cluster_get
from cluster.services.activity import cluster_touch

SESSION_KEY = "owned_sandboxes"
VISITOR_KEY = "visitor"
# The session lives in a ~4 KB cookie: keep the most recent sandboxes only.
MAX_OWNED = 20

View = Callable[..., HttpResponse]


# --- the session's claims -------------------------------------------------------------------------


def owned_cluster_ids(session: SessionBase) -> list[str]:
    """Ids of the sandboxes this session owns, oldest first."""
    ids = session.get(SESSION_KEY)
    return [str(i) for i in ids] if isinstance(ids, list) else []


def claim(session: SessionBase, cluster: Cluster) -> None:
    """Record `cluster` as owned by this session (the most recent claim goes last)."""
    cluster_id = str(cluster.pk)
    ids = [i for i in owned_cluster_ids(session) if i != cluster_id]
    session[SESSION_KEY] = [*ids, cluster_id][-MAX_OWNED:]


def visitor_id(session: SessionBase) -> str:
    """A random, stable label for this visitor, stored as the sandbox's owner (for quotas later)."""
    if not session.get(VISITOR_KEY):
        session[VISITOR_KEY] = secrets.token_urlsafe(12)
    return str(session[VISITOR_KEY])


def bearer_token(request: HttpRequest) -> str:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _same_token(given: str, expected: str) -> bool:
    return bool(given) and secrets.compare_digest(given.encode(), expected.encode())


def session_owns(request: HttpRequest, cluster_id: Any) -> bool:
    return str(cluster_id) in owned_cluster_ids(request.session)


def owner_cluster(request: HttpRequest, cluster_id: Any) -> tuple[Cluster | None, str]:
    """(the sandbox, "session" | "bearer") when this request may act as its owner, else (None, "")."""
    token = bearer_token(request)
    by_session = not token and session_owns(request, cluster_id)
    if not token and not by_session:
        return None, ""  # answer before touching the database: nothing to learn from timing
    cluster = cluster_get(cluster_id=cluster_id)
    if cluster is None:
        return None, ""
    if not by_session and not _same_token(token, cluster.access_token):
        return None, ""
    cluster_touch(cluster=cluster)
    return cluster, "session" if by_session else "bearer"


class _CsrfCheck(CsrfViewMiddleware):
    """Django's own CSRF check, answering with the reason instead of a 403 page (as DRF does)."""

    def _reject(self, request: HttpRequest, reason: str) -> str:  # type: ignore[override]
        return reason


def csrf_failure(request: HttpRequest) -> str | None:
    """Why the request fails Django's CSRF check, or None (safe methods always pass)."""
    check = _CsrfCheck(lambda _request: HttpResponse())
    check.process_request(request)
    reason = check.process_view(request, None, (), {})
    return f"CSRF Failed: {reason}" if reason else None


# --- decorators -----------------------------------------------------------------------------------


def _claim_from_query_token(request: HttpRequest, cluster_id: Any) -> HttpResponse | None:
    """`?token=<access token>` on a GET: remember ownership, then show the URL without the secret."""
    token = request.GET.get("token", "")
    if request.method not in ("GET", "HEAD") or not token:
        return None
    cluster = cluster_get(cluster_id=cluster_id)
    if cluster is None or not _same_token(token, cluster.access_token):
        return None
    claim(request.session, cluster)
    return HttpResponseRedirect(request.path)


def owner_required(view: View) -> View:
    """Pages: the owner gets the view with `request.cluster` set; anyone else a 404 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, cluster_id: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        redirect = _claim_from_query_token(request, cluster_id)
        if redirect is not None:
            return redirect
        cluster, _how = owner_cluster(request, cluster_id)
        if cluster is None:
            raise Http404(_("No such sandbox."))
        request.cluster = cluster  # type: ignore[attr-defined]
        return view(request, cluster_id, *args, **kwargs)

    return wrapper


def not_found_json() -> JsonResponse:
    return JsonResponse({"ok": False, "errors": {}, "non_field_errors": [_("No such sandbox.")]}, status=404)


def owner_action(view: View) -> View:
    """Form and action endpoints (POST, JSON): the owner by session (CSRF checked) or by Bearer
    token (no CSRF: browsers never attach that header on their own); anyone else a JSON 404."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, cluster_id: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        cluster, how = owner_cluster(request, cluster_id)
        if cluster is None:
            return not_found_json()
        if how == "session" and (reason := csrf_failure(request)):
            return JsonResponse({"ok": False, "errors": {}, "non_field_errors": [reason]}, status=403)
        request.cluster = cluster  # type: ignore[attr-defined]
        return view(request, cluster_id, *args, **kwargs)

    return wrapper


def watch_token_required(view: View) -> View:
    """Viewer pages: the watch token in the URL is the only key; a wrong one is a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, watch_token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        cluster = cluster_by_watch_token(token=watch_token)
        if cluster is None:
            raise Http404(_("No such sandbox."))
        cluster_touch(cluster=cluster)
        request.cluster = cluster  # type: ignore[attr-defined]
        return view(request, watch_token, *args, **kwargs)

    return wrapper
