"""Who may talk to a sandbox's API: the token of that sandbox, and nobody else.

A token opens only the sandbox it belongs to. A missing, unknown or other sandbox's token gets
the apiserver's 401 Unauthorized, so nothing tells a stranger whether a sandbox exists.

The token comes as `Authorization: Bearer <token>`, or as the password of Basic authentication:
kubectl sends a kubeconfig's bearer token only to https servers, so a plain-http kubeconfig
carries it in the server URL's userinfo instead (see cluster/kubeconfig.py).
"""

from __future__ import annotations

import base64
import binascii
import functools
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.common import no_append_slash
from django.views.decorators.csrf import csrf_exempt

from cluster.models import Cluster
from cluster.selectors import cluster_get
from cluster.services.activity import cluster_touch
from visualizer.kubeapi.errors import handle_errors, status_response, unauthorized


def request_token(request: HttpRequest) -> str:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    scheme, credentials = scheme.lower(), credentials.strip()
    if scheme == "bearer":
        return credentials
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return ""


def sandbox_for(request: HttpRequest, cluster_id: uuid.UUID) -> Cluster | None:
    """The sandbox when the token is its access token, compared in constant time."""
    token = request_token(request)
    cluster = cluster_get(cluster_id=cluster_id) if token else None
    if cluster is None or not secrets.compare_digest(token.encode(), cluster.access_token.encode()):
        return None
    cluster_touch(cluster=cluster)
    return cluster


def kube_endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An API endpoint open to anyone (/version): Status errors, no CSRF, no slash redirects."""
    return csrf_exempt(no_append_slash(handle_errors(view)))


def sandbox_endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An API endpoint of one sandbox: the view gets the Cluster the token opens."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, cluster_id: uuid.UUID, *args: Any, **kwargs: Any) -> HttpResponse:
        cluster = sandbox_for(request, cluster_id)
        if cluster is None:
            return status_response(unauthorized())
        return view(request, cluster, *args, **kwargs)

    return kube_endpoint(wrapper)
