from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from visualizer.api import cost, lessons, views

urlpatterns = [
    path("clusters/<uuid:cluster_id>/", views.SnapshotApi.as_view(), name="api-sandbox"),
    path("clusters/<uuid:cluster_id>/traces/", views.TraceCreateApi.as_view(), name="api-traces"),
    path("clusters/<uuid:cluster_id>/lesson/", lessons.LessonStatusApi.as_view(), name="api-lesson"),
    path("clusters/<uuid:cluster_id>/lesson/solve/", lessons.LessonSolveApi.as_view(), name="api-lesson-solve"),
    path("clusters/<uuid:cluster_id>/lesson/observe/", lessons.LessonObserveApi.as_view(), name="api-lesson-observe"),
    path("clusters/<uuid:cluster_id>/lesson/request/", lessons.LessonRequestApi.as_view(), name="api-lesson-request"),
    path("clusters/<uuid:cluster_id>/cost/", cost.ChangeCostApi.as_view(), name="api-cost"),
    path("lessons/", lessons.LessonListApi.as_view(), name="api-lessons"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
