from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from visualizer.api import cost, lessons, views
from visualizer.api.classes import (
    ClassCreateApi,
    ClassDetailApi,
    ClassEndApi,
    ClassFollowApi,
    ClassPlaybackApi,
    ClassQuestionApi,
    ClassRevealApi,
    ClassSelectionApi,
    ClassSpotlightApi,
    ClassStepApi,
)
from visualizer.api.traces import TraceApi

urlpatterns = [
    path("clusters/<uuid:cluster_id>/", views.SnapshotApi.as_view(), name="api-sandbox"),
    path("clusters/<uuid:cluster_id>/traces/", TraceApi.as_view(), name="api-traces"),
    path("clusters/<uuid:cluster_id>/lesson/", lessons.LessonStatusApi.as_view(), name="api-lesson"),
    path("clusters/<uuid:cluster_id>/lesson/solve/", lessons.LessonSolveApi.as_view(), name="api-lesson-solve"),
    path("clusters/<uuid:cluster_id>/lesson/observe/", lessons.LessonObserveApi.as_view(), name="api-lesson-observe"),
    path("clusters/<uuid:cluster_id>/lesson/request/", lessons.LessonRequestApi.as_view(), name="api-lesson-request"),
    path("clusters/<uuid:cluster_id>/cost/", cost.ChangeCostApi.as_view(), name="api-cost"),
    path("lessons/", lessons.LessonListApi.as_view(), name="api-lessons"),
    # classes
    path("classes/", ClassCreateApi.as_view(), name="api-classes"),
    path("classes/<str:code>/", ClassDetailApi.as_view(), name="api-class"),
    path("classes/<str:code>/step/", ClassStepApi.as_view(), name="api-class-step"),
    path("classes/<str:code>/playback/", ClassPlaybackApi.as_view(), name="api-class-playback"),
    path("classes/<str:code>/selection/", ClassSelectionApi.as_view(), name="api-class-selection"),
    path("classes/<str:code>/follow/", ClassFollowApi.as_view(), name="api-class-follow"),
    path("classes/<str:code>/questions/", ClassQuestionApi.as_view(), name="api-class-questions"),
    path("classes/<str:code>/questions/<int:question>/reveal/", ClassRevealApi.as_view(),
         name="api-class-reveal"),
    path("classes/<str:code>/spotlight/", ClassSpotlightApi.as_view(), name="api-class-spotlight"),
    path("classes/<str:code>/end/", ClassEndApi.as_view(), name="api-class-end"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
