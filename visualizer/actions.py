"""URL templates of the per-object actions, for the page's scripts (sent in the websocket snapshot).

Placeholders are `{namespace}` and `{name}`; the script fills them with the object's coordinates,
e.g. `podDelete` -> `/clusters/<id>/pods/{namespace}/{name}/delete/`.
"""

from __future__ import annotations

from django.urls import reverse

from cluster.models import Cluster

# Reversed with these stand-ins, which the path converters accept, then swapped for placeholders.
_NAMESPACE, _NAME = "__namespace__", "__name__"

# wire key -> (URL name, takes a namespace)
ACTION_ROUTES: dict[str, tuple[str, bool]] = {
    "podReadiness": ("pod-readiness", True),
    "podDelete": ("pod-delete", True),
    "serviceDelete": ("service-delete", True),
    "serviceEdit": ("service-edit", True),
    "workloadDelete": ("workload-delete", True),
    "workloadScale": ("workload-scale", True),
    "nodeDelete": ("node-delete", False),
}


def _template(route: str, cluster: Cluster, namespaced: bool) -> str:
    kwargs = {"cluster_id": cluster.pk, "name": _NAME}
    if namespaced:
        kwargs["namespace"] = _NAMESPACE
    return reverse(route, kwargs=kwargs).replace(_NAMESPACE, "{namespace}").replace(_NAME, "{name}")


def sandbox_actions(cluster: Cluster) -> dict[str, str]:
    """{"podDelete": "/clusters/<id>/pods/{namespace}/{name}/delete/", ...} for the owner's page."""
    return {key: _template(route, cluster, namespaced) for key, (route, namespaced) in ACTION_ROUTES.items()}
