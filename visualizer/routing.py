from django.urls import path

from visualizer.consumers import SandboxConsumer

websocket_urlpatterns = [
    path("ws/clusters/<uuid:cluster_id>/", SandboxConsumer.as_asgi()),
    path("ws/watch/<str:watch_token>/", SandboxConsumer.as_asgi()),
]
