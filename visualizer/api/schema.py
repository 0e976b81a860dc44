"""How the OpenAPI schema describes SandboxAuthentication: a Bearer token or the session cookie."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class SandboxAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "visualizer.api.authentication.SandboxAuthentication"
    name = ["sandboxToken", "sandboxSession"]

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[Any]]]:
        return [{"sandboxToken": []}, {"sandboxSession": []}]  # either one

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, Any]]:
        return [
            build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer"),
            {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME},
        ]
