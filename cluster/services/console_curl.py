"""The console's requests: `curl ADDRESS` (from outside, or `--from node/NAME`) and
`kubectl exec POD -- curl ADDRESS` (from a pod). Each is traced through the simulated data plane,
stored, and animated on the canvas of everyone watching the sandbox."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cluster.console import Flag, UsageError, parse_flags
from cluster.errors import ApiError
from cluster.selectors import object_get
from cluster.services.console_reads import Context, Output, not_found_text
from cluster.services.traces import trace_create
from cluster.sim.dataplane.curl import CurlRequest, CurlUsage, curl_output, parse_curl
from cluster.sim.objects import Obj


def _traced(ctx: Context, source: str, request: CurlRequest) -> Obj:
    try:
        return trace_create(cluster=ctx.cluster, source=source, destination=request.destination, seed=ctx.seed)[0]
    except ApiError as error:
        raise UsageError(f"curl: {error.status.get('message', '')}", 2) from None


def _in_language(trace: Obj) -> Obj:
    """curl prints the trace's reason for an endpoint outside the pods: in the request's language."""
    lang = (get_language() or "en").split("-")[0]
    reason = ((trace.get("i18n") or {}).get(lang) or {}).get("reason")
    return {**trace, "reason": reason} if reason else trace


def curl(ctx: Context, args: list[str]) -> Output:
    try:
        request = parse_curl(args)
    except CurlUsage as error:
        return Output(error.text + "\n", error.exit_code)
    source = request.source
    if source != "external":
        kind, _sep, name = source.partition("/")
        if kind != "node" or not name:
            hint = _("--from takes node/<name>: curl from a node's own network (from a pod, use "
                     "kubectl exec POD -- curl ADDRESS)")
            raise UsageError(f"curl: {hint}", 2)
        if object_get(cluster=ctx.cluster, kind="Node", namespace="", name=name) is None:
            raise UsageError("curl: --from: " + _("this sandbox has no node %(name)s") % {"name": name}, 2)
    text, code = curl_output(_in_language(_traced(ctx, source, request)), request)
    return Output(text, code)


EXEC_FLAGS = [Flag("container", "c"), Flag("stdin", "i", takes_value=False), Flag("tty", "t", takes_value=False)]


def kubectl_exec(ctx: Context, args: list[str]) -> Output:
    p = parse_flags(args, EXEC_FLAGS, command="kubectl exec")
    if not p.args:
        raise UsageError("error: pod, type/name or --filename must be specified")
    if len(p.args) > 1:
        raise UsageError("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] "
                         "instead\nSee 'kubectl exec -h' for help and examples")
    if not p.rest:
        raise UsageError("error: you must specify at least one command for the container")
    target = p.args[0]
    if "/" in target:
        kind, _sep, target = target.partition("/")
        if kind not in ("pod", "pods", "po"):
            raise UsageError("error: " + _("kubectl exec in this console takes a pod name (kubectl get pods lists "
                                           "them)"))
    namespace = p.value("namespace") or "default"
    if object_get(cluster=ctx.cluster, kind="Pod", namespace=namespace, name=target) is None:
        raise UsageError(not_found_text("Pod", target))
    program, *rest = p.rest
    if program != "curl":
        only_curl = _("(the simulated containers run only curl: kubectl exec POD -- curl -s ADDRESS)")
        return Output(f'OCI runtime exec failed: exec failed: unable to start container process: exec: "{program}": '
                      "executable file not found in $PATH: unknown\ncommand terminated with exit code 126\n"
                      f"{only_curl}\n", 126)
    try:
        request = parse_curl(rest, allow_from=False)
    except CurlUsage as error:
        return Output(f"{error.text}\ncommand terminated with exit code {error.exit_code}\n", error.exit_code)
    text, code = curl_output(_in_language(_traced(ctx, f"pod/{namespace}/{target}", request)), request)
    if code:
        text += f"command terminated with exit code {code}\n"
    return Output(text, code)
