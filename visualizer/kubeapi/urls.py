"""Routes under `/k8s/<cluster_id>/`, the server root a sandbox's kubeconfig points at.

Paths carry no trailing slash, as kube-apiserver's do; anything unknown is a 404 Status.
"""

from django.urls import path

from visualizer.kubeapi import discovery, openapi, resources
from visualizer.kubeapi.auth import kube_endpoint
from visualizer.kubeapi.errors import not_found_path, status_response


@kube_endpoint
def not_found(request, cluster_id, rest=""):
    return status_response(not_found_path())


urlpatterns = [
    path("version", discovery.version),
    path("api", discovery.core_versions),
    path("api/v1", discovery.core_resources),
    path("api/v1/<path:rest>", resources.core),
    path("apis", discovery.groups),
    path("apis/<str:group>", discovery.group),
    path("apis/<str:group>/<str:version>", discovery.group_resources),
    path("apis/<str:group>/<str:version>/<path:rest>", resources.grouped),
    path("openapi/v2", openapi.v2),
    path("openapi/v3", openapi.root),
    path("openapi/v3/<path:gv_path>", openapi.document),
    path("", not_found),
    path("<path:rest>", not_found),
]
