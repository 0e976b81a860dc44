"""Pages and the sandbox page's form endpoints.

Pages render templates; form and action endpoints answer JSON for the page's scripts:
`{"ok": true, "message": "service/kubia-nodeport created"}` or, with status 400,
`{"ok": false, "errors": {"<form field>": ["<Kubernetes message>"]}, "non_field_errors": [...]}`.
Every write is one call of a `cluster` service; every read one selector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cluster.errors import ApiError
from cluster.kinds import kind_info
from cluster.models import Cluster
from cluster.presets import PRESETS
from cluster.selectors import object_get, object_list
from cluster.services.objects import object_create, object_delete, object_update
from cluster.services.sandboxes import cluster_create, cluster_reset, cluster_update_settings
from cluster.services.workloads import (
    node_add,
    node_delete,
    pod_delete,
    pod_set_ready,
    pod_toggle_ready,
    workload_create,
    workload_scale,
)
from cluster.sim.api.fielderrors import status_not_found
from cluster.sim.objects import Obj
from visualizer.access import claim, owner_action, owner_required, visitor_id, watch_token_required
from visualizer.forms import (
    MAX_PORT_ROWS,
    NodeForm,
    ObjectActionForm,
    PodDeleteForm,
    ReadinessForm,
    SandboxForm,
    ScaleForm,
    ServiceForm,
    SettingsForm,
    WorkloadForm,
    replace_service_spec,
    service_initial,
    split_workload_ref,
)
from visualizer.lesson_payload import lesson_context
from visualizer.views_kubectl import sandbox_tools

PAGE_PRESETS = ("kubia", "empty")  # "scale" is for the command line: too heavy for anyone's click


# --- kubectl-like wording -------------------------------------------------------------------------


def resource_ref(kind: str) -> str:
    """`service`, `deployment.apps`: how kubectl names a kind in its output."""
    group = kind_info(kind).group
    return f"{kind.lower()}.{group}" if group else kind.lower()


def done(kind: str, name: str, verb: str) -> str:
    """`service/kubia created`, `deployment.apps/web scaled`."""
    return _("%(resource)s/%(name)s %(verb)s") % {"resource": resource_ref(kind), "name": name, "verb": verb}


def deleted(kind: str, name: str) -> str:
    """`pod "kubia-x7k2p" deleted`, as kubectl delete prints it."""
    return _('%(resource)s "%(name)s" deleted') % {"resource": resource_ref(kind), "name": name}


# --- JSON answers ---------------------------------------------------------------------------------


def ok(message: str) -> JsonResponse:
    return JsonResponse({"ok": True, "message": message})


def submit(form: SandboxForm, write: Callable[[], str]) -> JsonResponse:
    """Validate the form's types, then make the one write; its ApiError lands on the form's fields."""
    if form.is_valid():
        try:
            return ok(write())
        except ApiError as error:
            form.add_api_error(error)
    return JsonResponse(form.error_payload(), status=400)


def cluster_of(request: HttpRequest) -> Cluster:
    return request.cluster  # type: ignore[attr-defined]


# --- page context ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SandboxInfo:
    """What the page shows about the sandbox itself."""

    id: str
    name: str
    watch_url: str
    kubeconfig_url: str
    reset_url: str = ""  # "" when there is no reset: a viewer, a lesson (it has its own), no known preset


def sandbox_info(request: HttpRequest, cluster: Cluster, *, owner: bool) -> SandboxInfo:
    watch = reverse("sandbox-watch", kwargs={"watch_token": cluster.watch_token})
    kubeconfig = reverse("sandbox-kubeconfig", kwargs={"cluster_id": cluster.pk}) if owner else ""
    resettable = owner and cluster.preset in PRESETS and not cluster.lesson
    reset = reverse("sandbox-reset", kwargs={"cluster_id": cluster.pk}) if resettable else ""
    return SandboxInfo(id=str(cluster.pk), name=cluster.name, watch_url=request.build_absolute_uri(watch),
                       kubeconfig_url=kubeconfig, reset_url=reset)


def workload_refs(cluster: Cluster) -> list[str]:
    """`namespace/name` of every Deployment and every ReplicaSet no Deployment owns."""
    deployments = object_list(cluster=cluster, kind="Deployment")
    standalone = [rs for rs in object_list(cluster=cluster, kind="ReplicaSet")
                  if not any(ref.get("kind") == "Deployment" for ref in rs["metadata"].get("ownerReferences") or [])]
    return [f"{o['metadata']['namespace']}/{o['metadata']['name']}" for o in [*deployments, *standalone]]


def sandbox_forms(cluster: Cluster) -> dict[str, SandboxForm]:
    """The page's forms, keyed as the template expects; element ids are prefixed with the key
    because all of them share one page."""

    def url(name: str) -> str:
        return reverse(name, kwargs={"cluster_id": cluster.pk})

    def ids(key: str) -> str:
        return f"id_{key}_%s"

    return {
        "service": ServiceForm(action=url("service-create"), auto_id=ids("service")),
        "workload": WorkloadForm(action=url("workload-create"), auto_id=ids("workload")),
        "scale": ScaleForm(action=url("workload-scale-form"), workloads=workload_refs(cluster), auto_id=ids("scale")),
        "node": NodeForm(action=url("node-create"), auto_id=ids("node")),
        "settings": SettingsForm(action=url("sandbox-settings"), initial=SettingsForm.initial_for(cluster),
                                 auto_id=ids("settings")),
    }


# --- pages ----------------------------------------------------------------------------------------


@require_safe
@ensure_csrf_cookie
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "visualizer/landing.html", {"presets": PAGE_PRESETS})


@require_POST
def sandbox_new(request: HttpRequest) -> HttpResponse:
    preset = request.POST.get("preset", "kubia")
    if preset not in PAGE_PRESETS:
        return HttpResponseBadRequest(_("Choose one of the presets offered."))
    cluster = cluster_create(preset=preset, owner=visitor_id(request.session))
    claim(request.session, cluster)
    return redirect("sandbox", cluster_id=cluster.pk)


@require_safe
@ensure_csrf_cookie  # the page's scripts post forms and actions with it
@owner_required
def sandbox(request: HttpRequest, cluster_id: UUID) -> HttpResponse:
    return render_owner_page(request, cluster_of(request))


def render_owner_page(request: HttpRequest, cluster: Cluster) -> HttpResponse:
    """The sandbox page for its owner; a lesson's sandbox shows the lesson beside it."""
    return render(request, "visualizer/sandbox.html", {
        "cluster": sandbox_info(request, cluster, owner=True),
        "role": "owner",
        "ws_url": f"/ws/clusters/{cluster.pk}/",
        "api_base": reverse("api-sandbox", kwargs={"cluster_id": cluster.pk}),
        "history_url": reverse("api-traces", kwargs={"cluster_id": cluster.pk}),
        "forms": sandbox_forms(cluster),
        "tools": sandbox_tools(cluster),
        "lesson": lesson_context(cluster),
    })


@require_POST
@owner_required
def sandbox_reset(request: HttpRequest, cluster_id: UUID) -> HttpResponse:
    """The Settings panel's "Reset sandbox": back to the preset's start, then the page again.
    Its ticked checkbox is the confirmation. Viewers follow the DELETED and ADDED events."""
    if request.POST.get("confirm") != "yes":
        return HttpResponseBadRequest(_("Tick the box to confirm the reset."), content_type="text/plain")
    try:
        cluster_reset(cluster=cluster_of(request))
    except ApiError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain")
    return redirect("sandbox", cluster_id=cluster_id)


@require_safe
@watch_token_required
def watch(request: HttpRequest, watch_token: str) -> HttpResponse:
    cluster = cluster_of(request)
    return render(request, "visualizer/sandbox.html", {
        "cluster": sandbox_info(request, cluster, owner=False),
        "role": "viewer",
        "ws_url": f"/ws/watch/{watch_token}/",
        "api_base": "",
        "history_url": reverse("watch-traces", kwargs={"watch_token": watch_token}),
        "forms": {},
    })


@require_safe
@owner_required
def kubeconfig(request: HttpRequest, cluster_id: UUID) -> HttpResponse:
    from cluster.kubeconfig import kubeconfig_yaml  # written alongside the Kubernetes API

    cluster = cluster_of(request)
    server = f"{request.scheme}://{request.get_host()}/k8s/{cluster.pk}"
    text = kubeconfig_yaml(cluster_name=cluster.name, server=server, token=cluster.access_token)
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cluster.name}.kubeconfig"'
    response["Cache-Control"] = "no-store"  # it holds the access token
    return response


# --- forms ----------------------------------------------------------------------------------------


@require_POST
@owner_action
def service_create(request: HttpRequest, cluster_id: UUID) -> JsonResponse:
    form = ServiceForm(request.POST)

    def write() -> str:
        created = object_create(cluster=cluster_of(request), obj=form.manifest())
        return done("Service", created["metadata"]["name"], _("created"))

    return submit(form, write)


@require_http_methods(["GET", "POST"])
@owner_action
def service_edit(request: HttpRequest, cluster_id: UUID, namespace: str, name: str) -> JsonResponse:
    """GET: the form's initial values (the page fills the Service form with them); POST: replace
    the form's spec fields through the update path, so immutability and allocation rules apply."""
    cluster = cluster_of(request)
    stored = object_get(cluster=cluster, kind="Service", namespace=namespace, name=name)
    if stored is None:
        message = status_not_found("services", name)["message"]
        return JsonResponse({"ok": False, "errors": {}, "non_field_errors": [message]}, status=404)
    rows = len(stored.get("spec", {}).get("ports") or [])
    initial = service_initial(stored)
    if request.method == "GET":
        action = reverse("service-edit", kwargs={"cluster_id": cluster.pk, "namespace": namespace, "name": name})
        return JsonResponse({"ok": True, "action": action, "title": _("Edit Service"),
                             "port_rows": max(rows, MAX_PORT_ROWS), "initial": initial})
    form = ServiceForm(request.POST, initial=initial, port_rows=rows, editing=True)

    def write() -> str:
        spec = form.spec()
        updated = object_update(cluster=cluster, kind="Service", namespace=namespace, name=name,
                                mutate=lambda svc: replace_service_spec(svc, spec))
        changed = updated["metadata"].get("resourceVersion") != stored["metadata"].get("resourceVersion")
        return done("Service", name, _("edited") if changed else _("unchanged"))

    return submit(form, write)


@require_POST
@owner_action
def workload_new(request: HttpRequest, cluster_id: UUID) -> JsonResponse:
    form = WorkloadForm(request.POST)

    def write() -> str:
        created = workload_create(cluster=cluster_of(request), **form.workload_args())
        return done("Deployment", created["metadata"]["name"], _("created"))

    return submit(form, write)


def workload_kind(cluster: Cluster, namespace: str, name: str) -> str:
    """A Deployment of that name, else a ReplicaSet (a missing one is reported as a Deployment)."""
    if object_get(cluster=cluster, kind="Deployment", namespace=namespace, name=name) is not None:
        return "Deployment"
    if object_get(cluster=cluster, kind="ReplicaSet", namespace=namespace, name=name) is not None:
        return "ReplicaSet"
    return "Deployment"


def _scale(request: HttpRequest, form: ScaleForm) -> JsonResponse:
    cluster = cluster_of(request)

    def write() -> str:
        namespace, name = split_workload_ref(form.cleaned_data["workload"])
        kind = workload_kind(cluster, namespace, name)
        workload_scale(cluster=cluster, kind=kind, namespace=namespace, name=name,
                       replicas=form.cleaned_data["replicas"])
        return done(kind, name, _("scaled"))

    return submit(form, write)


@require_POST
@owner_action
def workload_scale_form(request: HttpRequest, cluster_id: UUID) -> JsonResponse:
    return _scale(request, ScaleForm(request.POST))


@require_POST
@owner_action
def node_create(request: HttpRequest, cluster_id: UUID) -> JsonResponse:
    def write() -> str:
        return done("Node", node_add(cluster=cluster_of(request))["metadata"]["name"], _("created"))

    return submit(NodeForm(request.POST), write)


@require_POST
@owner_action
def sandbox_settings(request: HttpRequest, cluster_id: UUID) -> JsonResponse:
    form = SettingsForm(request.POST)

    def write() -> str:
        cluster_update_settings(cluster=cluster_of(request), **form.settings_args())
        return _("sandbox settings saved")

    return submit(form, write)


# --- per-object actions ---------------------------------------------------------------------------


@require_POST
@owner_action
def pod_readiness(request: HttpRequest, cluster_id: UUID, namespace: str, name: str) -> JsonResponse:
    form = ReadinessForm(request.POST)

    def write() -> str:
        ready = form.cleaned_data["ready"]
        if ready is None:  # decided inside the write, so two clicks at once both count
            ready = pod_toggle_ready(cluster=cluster_of(request), namespace=namespace, name=name)
        else:
            pod_set_ready(cluster=cluster_of(request), namespace=namespace, name=name, ready=ready)
        return done("Pod", name, _("marked Ready") if ready else _("marked not Ready"))

    return submit(form, write)


@require_POST
@owner_action
def pod_remove(request: HttpRequest, cluster_id: UUID, namespace: str, name: str) -> JsonResponse:
    form = PodDeleteForm(request.POST)

    def write() -> str:
        pod_delete(cluster=cluster_of(request), namespace=namespace, name=name,
                   graceful=form.cleaned_data["graceful"])
        return deleted("Pod", name)

    return submit(form, write)


def _delete(request: HttpRequest, kind: str, namespace: str, name: str,
            delete: Callable[..., Obj] | None = None) -> JsonResponse:
    def write() -> str:
        if delete is not None:
            delete(cluster=cluster_of(request), name=name)
        else:
            object_delete(cluster=cluster_of(request), kind=kind, namespace=namespace, name=name)
        return deleted(kind, name)

    return submit(ObjectActionForm(request.POST), write)


@require_POST
@owner_action
def service_delete(request: HttpRequest, cluster_id: UUID, namespace: str, name: str) -> JsonResponse:
    return _delete(request, "Service", namespace, name)


@require_POST
@owner_action
def workload_delete(request: HttpRequest, cluster_id: UUID, namespace: str, name: str) -> JsonResponse:
    return _delete(request, workload_kind(cluster_of(request), namespace, name), namespace, name)


@require_POST
@owner_action
def workload_scale_one(request: HttpRequest, cluster_id: UUID, namespace: str, name: str) -> JsonResponse:
    data = request.POST.copy()
    data["workload"] = f"{namespace}/{name}"
    return _scale(request, ScaleForm(data))


@require_POST
@owner_action
def node_remove(request: HttpRequest, cluster_id: UUID, name: str) -> JsonResponse:
    return _delete(request, "Node", "", name, delete=node_delete)

