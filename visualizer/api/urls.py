from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from visualizer.api import views

urlpatterns = [
    path("clusters/<uuid:cluster_id>/", views.SnapshotApi.as_view(), name="api-sandbox"),
    path("clusters/<uuid:cluster_id>/traces/", views.TraceCreateApi.as_view(), name="api-traces"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
