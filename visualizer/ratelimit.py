"""Rate limits per visitor and, coarsely, per client address (README.md, "Hosting: limits").

Counters are fixed windows in the "ratelimit" cache: Redis when REDIS_URL is set, so every process
counts together, else this process's memory (the embedded site runs one process). A request over a
limit gets 429 with Retry-After (the seconds until its window ends) and one clear sentence; on the
Kubernetes API that is a Status with reason TooManyRequests, as kube-apiserver answers.

A visitor is the token a request carries (Authorization header or ?token=), else the session's
visitor id (given on the first page). Static files are served before this middleware and never
count.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from visualizer.access import VISITOR_KEY, visitor_id

MINUTE, HOUR = 60, 3600
# Views that make a sandbox: what "sandboxes per hour" counts (POSTs only).
SANDBOX_MAKING_VIEWS = frozenset({"sandbox-new", "lesson-start", "lesson-reset", "class-new"})
KUBE_API_PREFIX = "/k8s/"


def hit(key: str, limit: int, window: int, now: float | None = None) -> int | None:
    """Count one request against `key`; None while within `limit` per `window` seconds, else the
    seconds to wait (at least 1). A limit of 0 is no limit."""
    if limit <= 0:
        return None
    now = time.time() if now is None else now
    index = int(now // window)
    cache = caches["ratelimit"]
    slot = f"rl:{key}:{window}:{index}"
    try:
        cache.add(slot, 0, timeout=window + 1)
        try:
            count = cache.incr(slot)
        except ValueError:  # the slot expired between add and incr
            cache.set(slot, 1, timeout=window + 1)
            count = 1
    except Exception:  # the counters' Redis is restarting: let the request through, not a 500
        logging.getLogger(__name__).warning("rate counters unavailable; %s not counted", key, exc_info=True)
        return None
    if count <= limit:
        return None
    return max(1, math.ceil((index + 1) * window - now))


def client_address(request: HttpRequest) -> str:
    """The peer address, or the one RATE_PROXY_HOPS proxies back in X-Forwarded-For."""
    hops = settings.RATE_PROXY_HOPS
    if hops:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def visitor_key(request: HttpRequest, *, give: bool) -> str | None:
    """Who this request counts for: its token, else its session's visitor (given when `give`)."""
    credential = request.headers.get("Authorization", "") or request.GET.get("token", "")
    if credential:
        return "t:" + _digest(credential)
    session = getattr(request, "session", None)
    if session is None:
        return None
    visitor = session.get(VISITOR_KEY) or (visitor_id(session) if give else None)
    return "s:" + _digest(str(visitor)) if visitor else None


@dataclass(frozen=True)
class Refusal:
    retry_after: int
    message: str


def too_many(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    if request.path.startswith(KUBE_API_PREFIX):
        status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                  "message": refusal.message, "reason": "TooManyRequests",
                  "details": {"retryAfterSeconds": refusal.retry_after}, "code": 429}
        response: HttpResponse = HttpResponse(json.dumps(status), status=429, content_type="application/json")
    elif request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": refusal.message, "retry_after": refusal.retry_after}, status=429)
    else:
        response = HttpResponse(refusal.message + "\n", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(refusal.retry_after)
    return response


def _requests_refusal(wait: int) -> Refusal:
    return Refusal(wait, _("Too many requests: this site takes at most %(limit)d a minute from one visitor. "
                           "Try again in %(seconds)d seconds.") % {"limit": settings.RATE_REQUESTS_PER_MINUTE,
                                                                    "seconds": wait})


class RateLimit:
    """Requests per minute (visitor, then address) on every page and API; sandboxes per hour."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._requests(request)
        if refusal is not None:
            return too_many(request, refusal)
        return self.get_response(request)

    def _requests(self, request: HttpRequest) -> Refusal | None:
        address = client_address(request)
        wait = hit(f"addr:{address}", settings.RATE_ADDRESS_REQUESTS_PER_MINUTE, MINUTE)
        if wait is not None:
            return Refusal(wait, _("Too many requests from your network address. Try again in %(seconds)d "
                                   "seconds.") % {"seconds": wait})
        visitor = visitor_key(request, give=not request.path.startswith(KUBE_API_PREFIX))
        if visitor is None:
            return None
        wait = hit(f"req:{visitor}", settings.RATE_REQUESTS_PER_MINUTE, MINUTE)
        return _requests_refusal(wait) if wait is not None else None

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        match = request.resolver_match
        if request.method != "POST" or match is None or match.url_name not in SANDBOX_MAKING_VIEWS:
            return None
        per_hour = settings.RATE_SANDBOXES_PER_HOUR
        visitor = visitor_key(request, give=True)
        wait = hit(f"new:{visitor}", per_hour, HOUR) if visitor else None
        if wait is None:
            wait = hit(f"newaddr:{client_address(request)}", settings.RATE_ADDRESS_SANDBOXES_PER_HOUR, HOUR)
        if wait is None:
            return None
        minutes = max(1, math.ceil(wait / 60))
        return too_many(request, Refusal(wait, _(
            "Too many new sandboxes: at most %(limit)d an hour. Open one you already have, or try again in "
            "%(minutes)d minutes.") % {"limit": per_hour, "minutes": minutes}))
