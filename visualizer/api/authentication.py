"""Who may use a sandbox's JSON API: its owner, by the page's session (CSRF checked, as Django
checks the forms) or by `Authorization: Bearer <access token>` (no CSRF: scripts and kubectl-like
clients, and browsers never attach that header on their own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from cluster.selectors import cluster_by_token
from visualizer.access import bearer_token, csrf_failure, owned_cluster_ids


@dataclass(frozen=True)
class SandboxOwner:
    """`request.user` of an authenticated API request: the sandboxes it may act on."""

    cluster_ids: frozenset[str]
    via: str  # "bearer" | "session"

    is_authenticated = True

    def owns(self, cluster_id: Any) -> bool:
        return str(cluster_id) in self.cluster_ids


class SandboxAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[SandboxOwner, str] | None:
        django_request = request._request
        token = bearer_token(django_request)
        if token:
            cluster = cluster_by_token(token=token)
            if cluster is None:
                raise exceptions.AuthenticationFailed(_("Invalid token."))
            return SandboxOwner(frozenset({str(cluster.pk)}), "bearer"), "bearer"
        ids = owned_cluster_ids(django_request.session)
        if not ids:
            return None
        reason = csrf_failure(django_request)
        if reason:
            raise exceptions.PermissionDenied(reason)
        return SandboxOwner(frozenset(ids), "session"), "session"

    def authenticate_header(self, request: Request) -> str:
        # A WWW-Authenticate challenge makes DRF answer 401 (not 403) when nobody authenticated.
        return 'Bearer realm="api"'


class OwnsSandbox(BasePermission):
    """The sandbox named in the URL is one the caller owns (the same answer whether it exists or not)."""

    message = _("You do not have access to this sandbox.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return isinstance(user, SandboxOwner) and user.owns(view.kwargs.get("cluster_id"))
