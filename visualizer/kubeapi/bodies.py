"""Request bodies: media types, size limit, JSON/YAML parsing, decoding into a kind.

kube-apiserver reads JSON and YAML (and protobuf, which we refuse with 415 and a way out), up
to 3 MiB. Decoding drops unknown fields; `fieldValidation` decides whether they are refused
(Strict), reported as warnings (Warn, the default) or ignored (Ignore).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import yaml
from django.http import HttpRequest

from cluster.sim.api.apischema import Struct
from cluster.sim.api.decoding import DecodeError, cannot_handle, decode, json_type, strict_message
from visualizer.kubeapi import catalog
from visualizer.kubeapi.catalog import ApiResource
from visualizer.kubeapi.errors import (
    MAX_BODY_BYTES,
    KubeError,
    bad_request,
    too_large,
    unsupported_media_type,
)
from visualizer.kubeapi.negotiation import content_type

JSON = "application/json"
YAML = "application/yaml"
JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

OBJECT_TYPES = (JSON, YAML)
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH)
FIELD_VALIDATION = ("Ignore", "Warn", "Strict")
SCHEME = "pkg/api/legacyscheme/scheme.go:30"  # named in the apiserver's "no kind is registered" message


class _NoTimestampLoader(yaml.SafeLoader):
    """YAML as sigs.k8s.io/yaml reads it for Kubernetes objects: timestamps stay strings."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read(request: HttpRequest, accepted: tuple[str, ...]) -> tuple[str, bytes]:
    """The body's media type (one of `accepted`) and bytes, or the apiserver's 415/413."""
    media = content_type(request.headers.get("Content-Type", ""))
    if not media and accepted == OBJECT_TYPES:
        media = JSON  # NegotiateInputSerializer: no Content-Type means the first supported type
    if media not in accepted:
        raise KubeError(unsupported_media_type(media, accepted))
    body = request.body  # Django refuses more than DATA_UPLOAD_MAX_MEMORY_SIZE with RequestDataTooBig
    if len(body) > MAX_BODY_BYTES:
        raise KubeError(too_large())
    return media, body


def _reject_constant(name: str) -> None:
    raise ValueError(f"invalid number {name}")


# Real manifests nest about 15 deep; the limits keep a hostile body (deep nesting, a YAML alias
# bomb expanding to billions of nodes) from tying up a worker. Go's yaml has a similar guard.
MAX_DEPTH = 100
MAX_NODES = 1_000_000


class _Walk:
    def __init__(self) -> None:
        self.nodes = 0

    def jsonable(self, value: Any, depth: int = 0) -> Any:
        """The document as JSON data: string keys, finite numbers, JSON types only, within the limits."""
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise ValueError(f"the document is nested more than {MAX_DEPTH} levels deep")
        if self.nodes > MAX_NODES:
            raise ValueError("the document contains excessive aliasing or too many values")
        if isinstance(value, dict):
            return {str(k): self.jsonable(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.jsonable(v, depth + 1) for v in value]
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"invalid number {value}")
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        raise ValueError(f"unsupported YAML value of type {type(value).__name__}")


def parse(media: str, body: bytes, *, what: str = "object") -> Any:
    """The document in the body; 400 with the parser's explanation when it is malformed."""
    try:
        text = body.decode("utf-8")
        if media in (YAML, APPLY_PATCH):
            document = yaml.load(text, Loader=_NoTimestampLoader)  # a SafeLoader subclass
        else:
            document = json.loads(text, parse_constant=_reject_constant)
        return _Walk().jsonable(document)
    except UnicodeDecodeError:
        message = "the body is not UTF-8 text"
    except yaml.YAMLError as error:
        message = "error converting YAML to JSON: yaml: " + " ".join(str(error).split())
    except (ValueError, RecursionError) as error:
        prefix = "error converting YAML to JSON" if media in (YAML, APPLY_PATCH) else "json parse error"
        message = f"{prefix}: {error}"
    if what == "patch":
        raise KubeError(bad_request(f"error decoding patch: {message}"))
    raise KubeError(bad_request(f"couldn't get version/kind; {message}"))


def field_validation(request: HttpRequest) -> str:
    value = request.GET.get("fieldValidation", "") or "Warn"
    if value not in FIELD_VALIDATION:
        raise KubeError(
            bad_request(
                f'fieldValidation parameter unsupported: {value}. Only "Ignore", "Warn", "Strict" are supported'
            )
        )
    return value


@dataclass
class Typed:
    obj: dict[str, Any]
    warnings: list[str]


def typed(document: Any, schema: Struct, *, kind: str, version: str, validation: str) -> Typed:
    """Decode into the kind: 400 on a wrong type, and on unknown fields under Strict."""
    if not isinstance(document, dict):
        raise KubeError(
            bad_request(
                cannot_handle(
                    kind,
                    version,
                    f"json: cannot unmarshal {json_type(document)} into Go value of type {schema.go}",
                )
            )
        )
    try:
        result = decode(document, schema)
    except DecodeError as error:
        raise KubeError(bad_request(cannot_handle(kind, version, str(error)))) from None
    if result.unknown and validation == "Strict":
        raise KubeError(bad_request(cannot_handle(kind, version, strict_message(result.unknown))))
    warnings = [f'unknown field "{path}"' for path in result.unknown] if validation == "Warn" else []
    return Typed(result.obj, warnings)


def check_type_meta(
    document: dict[str, Any], resource: ApiResource, *, kind: str = "", group_version: str = ""
) -> None:
    """apiVersion and kind, when given, must be the URL's; missing ones are taken from the URL."""
    kind = kind or resource.kind
    group_version = group_version or resource.group_version
    sent_version = document.get("apiVersion")
    sent_kind = document.get("kind")
    if sent_version and sent_version != group_version:
        raise KubeError(
            bad_request(
                f"the API version in the data ({sent_version}) does not match the expected API version ({group_version})"
            )
        )
    if sent_kind and sent_kind != kind:
        version = group_version.rpartition("/")[2]
        raise KubeError(
            bad_request(
                f'no kind "{sent_kind}" is registered for version "{group_version}" in scheme "{SCHEME}"'
                if not _known_kind(sent_kind)
                else cannot_handle(
                    kind,
                    version,
                    f"the kind in the data ({sent_kind}) does not match the expected kind ({kind})",
                )
            )
        )
    document["apiVersion"] = group_version
    document["kind"] = kind


def _known_kind(kind: str) -> bool:
    return catalog.by_kind(kind) is not None or kind == "Scale"
