"""Response headers and failure answers for every page.

ContentSecurityPolicy: scripts only from this site's own files (no inline code, no eval), so
markup that slipped into a page could not run. Data for scripts comes as `json_script`, which the
browser never executes. Websockets are allowed back to the host the page came from.

DatabaseUnavailable: while the database does not answer (a restart, a failover) a request gets a
short 503 with Retry-After, in JSON for the API, instead of a 500 page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

log = logging.getLogger(__name__)

Handler = Callable[[HttpRequest], HttpResponse]


def content_security_policy(host: str) -> str:
    sockets = f" ws://{host} wss://{host}" if host else ""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "script-src-attr 'none'",
        # Styles: the canvas and the panels set element styles from scripts; no script can come this way.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        f"connect-src 'self'{sockets}",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class ContentSecurityPolicy:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            try:
                host = request.get_host()
            except Exception:  # DisallowedHost: the response is an error page anyway
                host = ""
            response["Content-Security-Policy"] = content_security_policy(host)
        return response


UNAVAILABLE = "The service is unavailable for a moment: its database did not answer. Retry in a few seconds."


class DatabaseUnavailable:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.warning("%s %s: database unavailable (%s)", request.method, request.path, exception)
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            response: HttpResponse = JsonResponse({"detail": UNAVAILABLE}, status=503)
        else:
            response = HttpResponse(UNAVAILABLE, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "2"
        return response
