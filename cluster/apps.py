from django.apps import AppConfig


class ClusterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cluster"
    verbose_name = "Simulated cluster"

    def ready(self) -> None:
        # Read every lesson file now: a mistake in one refuses to start, naming the file and field.
        from cluster.services.lessons import lesson_catalogue

        lesson_catalogue()
