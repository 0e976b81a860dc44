from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cluster.models import Cluster
from cluster.presets import PODS_PER_SERVICE, PRESETS, SCALE_MAX_NODES, SCALE_MAX_PODS
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
        parser.add_argument("--nodes", type=int, default=None,
                            help="with --preset scale: how many nodes (1 to 5,000; the sandbox limits apply)")
        parser.add_argument("--pods", type=int, default=None,
                            help="with --preset scale: how many pods (up to 150,000, in Services of 1,000)")

    def handle(self, *args, name: str, preset: str, base_url: str, replace: bool, seed: int | None,
               lesson: str = "", nodes: int | None = None, pods: int | None = None, **options):
        sized = nodes is not None or pods is not None
        if sized and (preset != "scale" or lesson):
            raise CommandError("--nodes and --pods go with --preset scale")
        if sized:
            self._check_size(nodes or 20, pods or 0)
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
        elif sized:
            cluster = cluster_create(name=name, preset=preset, seed=seed, nodes=nodes or 20, pods=pods or 0)
            preset = f"scale, {nodes or 20} nodes, {pods or 0} pods"
        else:
            cluster = cluster_create(name=name, preset=preset, seed=seed)
        base = base_url.rstrip("/")
        self.stdout.write(f"Sandbox {cluster.name} ({preset}) is ready.")
        self.stdout.write(f"  Watch link:   {base}/watch/{cluster.watch_token}/  (read-only, for a class)")
        self.stdout.write(f"  Access token: {cluster.access_token}  (for kubectl and the API)")
        # Last and alone on its line, so it is not lost among what comes before and after.
        self.stdout.write("Open this link once the server runs; it makes your browser the sandbox's owner:")
        self.stdout.write(f"{base}/clusters/{cluster.pk}/?token={cluster.access_token}")

    def _check_size(self, nodes: int, pods: int) -> None:
        if not 1 <= nodes <= SCALE_MAX_NODES or not 0 <= pods <= SCALE_MAX_PODS:
            raise CommandError(f"--nodes takes 1 to {SCALE_MAX_NODES}, --pods 0 to {SCALE_MAX_PODS}")
        services = -(-pods // PODS_PER_SERVICE) + 1  # and the apiserver's own
        for what, wanted, limit, setting in (("nodes", nodes, settings.SANDBOX_MAX_NODES, "SANDBOX_MAX_NODES"),
                                             ("pods", pods, settings.SANDBOX_MAX_PODS, "SANDBOX_MAX_PODS"),
                                             ("services", services, settings.SANDBOX_MAX_SERVICES,
                                              "SANDBOX_MAX_SERVICES")):
            if wanted > limit:
                raise CommandError(f"{wanted} {what} is past the sandbox limit of {limit}: "
                                   f"set {setting} in the environment to allow it")
