"""The sandbox page's YAML and Console tabs: apply manifests, export YAML, run a console command.

- `POST apply/` `{"yaml": "..."}` -> `{"ok": true, "results": [...]}` or, status 400,
  `{"ok": false, "error": "<kubectl's text>", "document": <index from 1 or null>}`;
- `GET export.yaml`, `GET objects/<Kind>/[<namespace>/]<name>.yaml`: YAML to keep or apply elsewhere;
- `POST console/` `{"command": "..."}` -> `{"ok", "output", "exit_code"}`.
All are the owner's: the page hides the tabs from viewers, and these views answer them 404.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from cluster.book import book_manifests
from cluster.kinds import KINDS
from cluster.models import Cluster
from cluster.services.console import console_run
from cluster.services.export import object_export_yaml, sandbox_export_yaml
from cluster.services.manifests import ManifestError, manifests_apply
from visualizer.access import owner_action, owner_required

YAML_TYPE = "application/yaml; charset=utf-8"


def sandbox_tools(cluster: Cluster) -> dict[str, Any]:
    """What the YAML and Console tabs need: their URLs and the book's manifests."""

    def url(route: str, **kwargs: str) -> str:
        return reverse(route, kwargs={"cluster_id": cluster.pk, **kwargs})

    stand_in = {"kind": "__kind__", "name": "__name__"}
    placeholders = (("__kind__", "{kind}"), ("__namespace__", "{namespace}"), ("__name__", "{name}"))

    def template(route: str, **kwargs: str) -> str:
        text = url(route, **stand_in, **kwargs)
        for stand, placeholder in placeholders:
            text = text.replace(stand, placeholder)
        return text

    return {
        "apply_url": url("manifests-apply"),
        "export_url": url("sandbox-export"),
        "object_url": template("object-yaml", namespace="__namespace__"),
        "cluster_object_url": template("cluster-object-yaml"),
        "console_url": url("console"),
        "book": book_manifests(),
    }


def _json_body(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body)
    except (ValueError, RequestDataTooBig):
        return None
    return body if isinstance(body, dict) else None


def _yaml(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type=YAML_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _cluster(request: HttpRequest) -> Cluster:
    return request.cluster  # type: ignore[attr-defined]


@require_POST
@owner_action
def manifests_apply_view(request: HttpRequest, cluster_id: UUID) -> JsonResponse:
    body = _json_body(request)
    text = body.get("yaml") if body else None
    if not isinstance(text, str):
        return JsonResponse({"ok": False, "error": 'send {"yaml": "<manifests>"} as JSON (at most 1 MiB)',
                             "document": None}, status=400)
    try:
        results = manifests_apply(cluster=_cluster(request), text=text)
    except ManifestError as error:
        return JsonResponse({"ok": False, "error": error.text, "document": error.index}, status=400)
    return JsonResponse({"ok": True, "results": [
        {"index": r.index, "kind": r.kind, "namespace": r.namespace, "name": r.name, "action": r.action,
         "text": r.text, "warnings": r.warnings}
        for r in results
    ]})


@require_safe
@owner_required
def sandbox_export(request: HttpRequest, cluster_id: UUID) -> HttpResponse:
    cluster = _cluster(request)
    return _yaml(sandbox_export_yaml(cluster=cluster), f"{cluster.name}.yaml")


@require_safe
@owner_required
def object_yaml(request: HttpRequest, cluster_id: UUID, kind: str, name: str, namespace: str = "") -> HttpResponse:
    if kind not in KINDS or KINDS[kind].namespaced != bool(namespace):
        raise Http404("No such object.")
    text = object_export_yaml(cluster=_cluster(request), kind=kind, namespace=namespace, name=name)
    if text is None:
        raise Http404("No such object.")
    return _yaml(text, f"{kind.lower()}-{name}.yaml")


@require_POST
@owner_action
def console(request: HttpRequest, cluster_id: UUID) -> JsonResponse:
    body = _json_body(request)
    command = body.get("command") if body else None
    if not isinstance(command, str):
        return JsonResponse({"ok": False, "output": 'send {"command": "kubectl get svc"} as JSON\n', "exit_code": 2},
                            status=400)
    result = console_run(cluster=_cluster(request), command=command)
    return JsonResponse({"ok": result.ok, "output": result.output, "exit_code": result.exit_code})
