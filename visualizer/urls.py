from django.urls import include, path

from visualizer import classes, views, views_kubectl, views_lessons, views_tokens, views_traces

urlpatterns = [
    path("", views.landing, name="landing"),
    path("i18n/", include("django.conf.urls.i18n")),
    # classes: start one, join one, the teacher's and the student's pages
    path("classes/new/", classes.class_new, name="class-new"),
    path("join/", classes.join, name="class-join"),
    path("join/<str:code>/", classes.join, name="class-join-code"),
    path("classes/<str:code>/teach/", classes.teach, name="class-teach"),
    path("classes/<str:code>/learn/", classes.learn, name="class-learn"),
    path("lessons/", views_lessons.lessons, name="lessons"),
    path("lessons/<str:lesson_id>/", views_lessons.lesson_page, name="lesson"),
    path("lessons/<str:lesson_id>/start/", views_lessons.lesson_begin, name="lesson-start"),
    path("lessons/<str:lesson_id>/reset/", views_lessons.lesson_restart, name="lesson-reset"),
    path("lessons/<str:lesson_id>/complete/", views_lessons.lesson_complete, name="lesson-complete"),
    path("clusters/new/", views.sandbox_new, name="sandbox-new"),
    path("clusters/<uuid:cluster_id>/", views.sandbox, name="sandbox"),
    path("clusters/<uuid:cluster_id>/kubeconfig/", views.kubeconfig, name="sandbox-kubeconfig"),
    path("watch/<str:watch_token>/", views.watch, name="sandbox-watch"),
    path("watch/<str:watch_token>/traces/", views_traces.watch_traces, name="watch-traces"),
    # one trace, read-only, on the objects as they were when it was sent
    path("traces/<str:token>/", views_traces.trace_permalink, name="trace-permalink"),
    path("traces/<str:token>.json", views_traces.trace_permalink_json, name="trace-permalink-json"),
    # forms of the sandbox page
    path("clusters/<uuid:cluster_id>/services/new/", views.service_create, name="service-create"),
    path("clusters/<uuid:cluster_id>/workloads/new/", views.workload_new, name="workload-create"),
    path("clusters/<uuid:cluster_id>/scale/", views.workload_scale_form, name="workload-scale-form"),
    path("clusters/<uuid:cluster_id>/nodes/new/", views.node_create, name="node-create"),
    path("clusters/<uuid:cluster_id>/settings/", views.sandbox_settings, name="sandbox-settings"),
    path("clusters/<uuid:cluster_id>/reset/", views.sandbox_reset, name="sandbox-reset"),
    path("clusters/<uuid:cluster_id>/tokens/", views_tokens.sandbox_tokens_rotate, name="sandbox-tokens-rotate"),
    # per-object actions: their names are the URL templates of visualizer/actions.py
    path("clusters/<uuid:cluster_id>/pods/<str:namespace>/<str:name>/readiness/", views.pod_readiness,
         name="pod-readiness"),
    path("clusters/<uuid:cluster_id>/pods/<str:namespace>/<str:name>/delete/", views.pod_remove,
         name="pod-delete"),
    path("clusters/<uuid:cluster_id>/services/<str:namespace>/<str:name>/delete/", views.service_delete,
         name="service-delete"),
    path("clusters/<uuid:cluster_id>/services/<str:namespace>/<str:name>/edit/", views.service_edit,
         name="service-edit"),
    path("clusters/<uuid:cluster_id>/workloads/<str:namespace>/<str:name>/delete/", views.workload_delete,
         name="workload-delete"),
    path("clusters/<uuid:cluster_id>/workloads/<str:namespace>/<str:name>/scale/", views.workload_scale_one,
         name="workload-scale"),
    path("clusters/<uuid:cluster_id>/nodes/<str:name>/delete/", views.node_remove, name="node-delete"),
    # the YAML and Console tabs
    path("clusters/<uuid:cluster_id>/apply/", views_kubectl.manifests_apply_view, name="manifests-apply"),
    path("clusters/<uuid:cluster_id>/export.yaml", views_kubectl.sandbox_export, name="sandbox-export"),
    path("clusters/<uuid:cluster_id>/objects/<str:kind>/<str:namespace>/<str:name>.yaml", views_kubectl.object_yaml,
         name="object-yaml"),
    path("clusters/<uuid:cluster_id>/objects/<str:kind>/<str:name>.yaml", views_kubectl.object_yaml,
         name="cluster-object-yaml"),
    path("clusters/<uuid:cluster_id>/console/", views_kubectl.console, name="console"),
    # JSON API (DRF) and its OpenAPI schema
    path("api/", include("visualizer.api.urls")),
    path("k8s/<uuid:cluster_id>/", include("visualizer.kubeapi.urls")),
]
