from django.core.management.base import BaseCommand, CommandError

from cluster.models import Cluster
from cluster.presets import PRESETS
from cluster.services.lessons import lesson_catalogue, lesson_get, lesson_start
from cluster.services.sandboxes import cluster_create


class Command(BaseCommand):
    help = "Create a sandbox from a preset; print its watch link, its access token and, last, its owner link."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--preset", choices=PRESETS, default="kubia")
        parser.add_argument("--lesson", default="", metavar="ID",
                            help="make the sandbox of a lesson or broken-cluster scenario (see /api/lessons/)")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--replace", action="store_true", help="delete a sandbox of that name first")
        parser.add_argument("--seed", type=int, default=None, help="make random choices reproducible")

    def handle(self, *args, name: str, preset: str, base_url: str, replace: bool, seed: int | None,
               lesson: str = "", **options):
        if lesson and lesson_get(lesson) is None:
            known = ", ".join(lesson_catalogue())
            raise CommandError(f'there is no lesson "{lesson}"; choose one of: {known}')
        existing = Cluster.objects.filter(name=name)
        if existing.exists():
            if not replace:
                raise CommandError(f'a sandbox named "{name}" already exists (use --replace)')
            existing.delete()
        if lesson:
            cluster = lesson_start(lesson_id=lesson, name=name, seed=seed)
            preset = f"lesson {lesson}"
        else:
            cluster = cluster_create(name=name, preset=preset, seed=seed)
        base = base_url.rstrip("/")
        self.stdout.write(f"Sandbox {cluster.name} ({preset}) is ready.")
        self.stdout.write(f"  Watch link:   {base}/watch/{cluster.watch_token}/  (read-only, for a class)")
        self.stdout.write(f"  Access token: {cluster.access_token}  (for kubectl and the API)")
        # Last and alone on its line, so it is not lost among what comes before and after.
        self.stdout.write("Open this link once the server runs; it makes your browser the sandbox's owner:")
        self.stdout.write(f"{base}/clusters/{cluster.pk}/?token={cluster.access_token}")
