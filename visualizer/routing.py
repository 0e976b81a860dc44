from django.urls import path

from visualizer.class_consumers import StudentConsumer, TeacherConsumer
from visualizer.consumers import SandboxConsumer

websocket_urlpatterns = [
    path("ws/clusters/<uuid:cluster_id>/", SandboxConsumer.as_asgi()),
    path("ws/watch/<str:watch_token>/", SandboxConsumer.as_asgi()),
    path("ws/classes/<str:code>/", StudentConsumer.as_asgi()),
    path("ws/classes/<str:code>/teacher/", TeacherConsumer.as_asgi()),
]
