"""The in-page console: one command line in, what kubectl (or curl, ls, cat) prints out.

Reads go through the selectors, changes through the write path, requests through trace_create,
so the console changes and shows nothing the rest of the app would not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from cluster.console import KUBECTL_COMMANDS, UsageError, unknown_command, words
from cluster.errors import ApiError
from cluster.models import Cluster
from cluster.services.console_curl import curl, kubectl_exec
from cluster.services.console_reads import (
    Context,
    Output,
    cat,
    kubectl_api_resources,
    kubectl_describe,
    kubectl_get,
    kubectl_version,
    ls,
)
from cluster.services.console_writes import (
    kubectl_apply,
    kubectl_create,
    kubectl_delete,
    kubectl_expose,
    kubectl_scale,
)
from cluster.services.observations import observation_record
from cluster.sim.api.fielderrors import kubectl_error_text

MAX_COMMAND_CHARS = 2000

HELP = """\
Commands this console runs (output as kubectl 1.31 prints it):
  kubectl get svc|ep|endpointslices|pods|deploy|rs|nodes|ns|all [NAME] [-o wide|yaml|json|name] [-n NS | -A]
              [-l SELECTOR] [--show-labels]
  kubectl describe svc|ep|endpointslice|pod|deploy|rs|node NAME
  kubectl apply -f FILE          the book's manifests: ls lists them, cat FILE shows one
  kubectl create -f FILE | create deployment NAME --image=IMG [--replicas=N] [--port=P] | create namespace NAME
  kubectl expose deployment|rs|pod|svc NAME [--port=P] [--target-port=T] [--type=NodePort|LoadBalancer] [--name=N]
  kubectl scale deployment|rs NAME --replicas=N
  kubectl delete svc|pod|deploy|rs|ep|node NAME... | delete -f FILE
  kubectl exec POD -- curl -s ADDRESS    a request from inside a pod (Service names resolve there)
  kubectl version | kubectl api-resources
  curl [-s] ADDRESS [--from node/NAME]   a request from outside the cluster (or from a node)
  ls | cat FILE | clear | help
"""

Command = Callable[[Context, list[str]], Output]


def help_text() -> str:
    """HELP in the request's language (the commands stay as typed)."""
    return _(HELP)

KUBECTL: dict[str, Command] = {
    "get": kubectl_get,
    "describe": kubectl_describe,
    "apply": kubectl_apply,
    "create": kubectl_create,
    "expose": kubectl_expose,
    "scale": kubectl_scale,
    "delete": kubectl_delete,
    "exec": kubectl_exec,
    "version": kubectl_version,
    "api-resources": kubectl_api_resources,
}


@dataclass(frozen=True)
class ConsoleResult:
    output: str
    exit_code: int

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def _help(ctx: Context, args: list[str]) -> Output:
    return Output(help_text())


def _kubectl(ctx: Context, args: list[str]) -> Output:
    # Namespace flags may come before the command (`kubectl -n web get pods`): move them after it.
    leading: list[str] = []
    while len(args) >= 2 and args[0] in ("-n", "--namespace"):
        leading, args = [*leading, *args[:2]], args[2:]
    if not args or args[0] in ("help", "-h", "--help"):
        return Output(help_text())
    verb, rest = args[0], [*args[1:], *leading]
    command = KUBECTL.get(verb)
    if command is not None:
        if "--help" in rest or "-h" in rest:
            return Output(help_text())
        return command(ctx, rest)
    if verb in KUBECTL_COMMANDS:
        unavailable = _("kubectl %(verb)s is not available in this console.") % {"verb": verb}
        raise UsageError(f"error: {unavailable}\n\n{help_text()}".rstrip("\n"))
    raise unknown_command(verb)


PROGRAMS: dict[str, Command] = {"kubectl": _kubectl, "curl": curl, "ls": ls, "cat": cat, "help": _help}


def console_run(*, cluster: Cluster, command: str, now: datetime | None = None,
                seed: int | None = None) -> ConsoleResult:
    """Run one command line; `now` fixes the AGE column and `seed` the data plane's choices (tests)."""
    ctx = Context(cluster=cluster, now=now or timezone.now(), seed=seed)
    if cluster.lesson:
        observation_record(cluster=cluster, what="console", text=command)
    if len(command) > MAX_COMMAND_CHARS:
        too_long = _("the command is longer than %(max)d characters") % {"max": MAX_COMMAND_CHARS}
        return ConsoleResult(f"bash: {too_long}\n", 2)
    try:
        argv = words(command)
        if not argv:
            return ConsoleResult("", 0)
        program = PROGRAMS.get(argv[0])
        if program is None:
            return ConsoleResult(f"{argv[0]}: command not found\n\n{help_text()}", 127)
        result = program(ctx, argv[1:])
    except UsageError as error:
        return ConsoleResult(error.text + "\n", error.exit_code)
    except ApiError as error:  # a refusal a command did not word itself: kubectl's generic form
        return ConsoleResult(kubectl_error_text(error.status) + "\n", 1)
    return ConsoleResult(result.text, result.exit_code)
