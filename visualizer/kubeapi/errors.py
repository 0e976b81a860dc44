"""Status objects and JSON responses with kube-apiserver's codes, reasons and messages.

Every answer of this API, success or failure, leaves through `json_response`; every failure is a
`Status`. `KubeError` is how the request handlers refuse a request (the cluster layer's ApiError
carries a Status the same way), and `handle_errors` turns anything unexpected into a logged 500.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from cluster.errors import ApiError
from cluster.sim.api import fielderrors
from cluster.sim.api.fielderrors import status_object

log = logging.getLogger(__name__)

JSON = "application/json"
MAX_BODY_BYTES = 3 * 1024 * 1024  # kube-apiserver's maxRequestBodyBytes
NOT_FOUND_MESSAGE = "the server could not find the requested resource"


class KubeError(ApiError):
    """A refused request: carries the Status to answer with."""


def status(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return status_object(code, reason, message, details or None)


def unauthorized() -> dict[str, Any]:
    return status(401, "Unauthorized", "Unauthorized")


def not_found_path() -> dict[str, Any]:
    return status(
        404,
        "NotFound",
        NOT_FOUND_MESSAGE,
        {"causes": [{"reason": "UnexpectedServerResponse", "message": "404 page not found"}]},
    )


def method_not_allowed() -> dict[str, Any]:
    return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")


def bad_request(message: str) -> dict[str, Any]:
    return fielderrors.status_bad_request(message)


def unsupported_media_type(content_type: str, accepted: Iterable[str]) -> dict[str, Any]:
    message = (
        f'the body of the request was in an unknown format ("{content_type or "none"}") - accepted media '
        f"types include: {', '.join(accepted)}"
    )
    if "protobuf" in content_type:
        message += (
            ". This simulator does not decode protobuf: use kubectl 1.31 or older for generator commands, "
            "or `kubectl create ... --dry-run=client -o yaml | kubectl apply -f -`"
        )
    return status(415, "UnsupportedMediaType", message)


def too_large() -> dict[str, Any]:
    return status(413, "RequestEntityTooLarge", f"Request entity too large: limit is {MAX_BODY_BYTES}")


def internal_error(message: str) -> dict[str, Any]:
    return status(
        500, "InternalError", f"Internal error occurred: {message}", {"causes": [{"message": message}]}
    )


def unavailable() -> dict[str, Any]:
    """The database did not answer (restarting, failing over): worth a retry in a moment."""
    return status(503, "ServiceUnavailable", "the service is unavailable: its database did not answer; "
                  "retry in a few seconds", {"retryAfterSeconds": 2})


def expired(message: str) -> dict[str, Any]:
    return status(410, "Expired", message)


def success(details: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


def json_response(
    body: Any, *, code: int = 200, content_type: str = JSON, warnings: Iterable[str] = ()
) -> HttpResponse:
    response = HttpResponse(json.dumps(body, separators=(",", ":")), status=code, content_type=content_type)
    # What kube-apiserver sends: clients must not reuse an answer from their HTTP cache.
    response["Cache-Control"] = "no-cache, private"
    texts = [warning_header(w) for w in warnings]
    if texts:
        response["Warning"] = ", ".join(texts)
    return response


def warning_header(text: str) -> str:
    """RFC 7234 warn-code 299, the form client-go prints as `Warning: <text>`."""
    return "299 - " + json.dumps(text)


def status_response(body: dict[str, Any]) -> HttpResponse:
    return json_response(body, code=int(body.get("code") or 500))


def handle_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refusals become their Status; an unexpected exception is logged and becomes a 500 Status."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ApiError as error:
            return status_response(error.status)
        except RequestDataTooBig:
            return status_response(too_large())
        except (OperationalError, InterfaceError):
            log.warning("kube API %s %s: database unavailable", request.method, request.get_full_path())
            response = status_response(unavailable())
            response["Retry-After"] = "2"
            return response
        except Exception as error:  # the API never crashes: the client gets a Status, we get the trace
            log.exception("kube API %s %s failed", request.method, request.get_full_path())
            return status_response(
                internal_error(f"the simulator failed on this request ({type(error).__name__})")
            )

    return wrapper
