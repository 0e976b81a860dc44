from django.core.management.base import BaseCommand, CommandError

from cluster.kubeconfig import kubeconfig_yaml
from cluster.models import Cluster


class Command(BaseCommand):
    help = "Print a kubeconfig for a sandbox, for the real kubectl: `kubectl --kubeconfig <file> get svc`."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the sandbox's name")
        parser.add_argument(
            "--server",
            default="http://127.0.0.1:8000",
            help="the base URL this app is served at (default http://127.0.0.1:8000)",
        )

    def handle(self, *args, name: str, server: str, **options):
        cluster = Cluster.objects.filter(name=name).first()
        if cluster is None:
            raise CommandError(f'no sandbox named "{name}"')
        root = f"{server.rstrip('/')}/k8s/{cluster.pk}"
        self.stdout.write(
            kubeconfig_yaml(cluster_name=cluster.name, server=root, token=cluster.access_token), ending=""
        )
