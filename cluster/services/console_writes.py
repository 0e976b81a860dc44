"""The console's changing commands: `kubectl apply|create|delete -f`, `create deployment|namespace`,
`expose`, `scale`, `delete`. Each is one call of the write path, as kubectl's requests would be."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from cluster.book import book_manifest_text
from cluster.console import Flag, Parsed, UsageError, parse_flags, resource_kind
from cluster.errors import ApiError
from cluster.kinds import kind_info
from cluster.selectors import object_get
from cluster.services.console_reads import Context, Output, not_found_text
from cluster.services.manifests import (
    ManifestError,
    ManifestResult,
    manifests_apply,
    manifests_create,
    manifests_delete,
    resource_ref,
)
from cluster.services.objects import object_create, object_delete
from cluster.services.workloads import workload_scale
from cluster.sim.api.fielderrors import kubectl_error_text
from cluster.sim.api.generators import GeneratorError, deployment, exposed_ports, exposed_service

_NO_RESOURCES = ("error: You must provide one or more resources by argument or filename.\nExample resource "
                 "specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n"
                 "   '<resource>'")
FILENAME = Flag("filename", "f", repeats=True)


def _int_flag(p: Parsed, name: str, command: str, default: int) -> int:
    text = p.value(name)
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise UsageError(f'error: invalid argument "{text}" for "--{name}" flag: strconv.ParseInt: parsing '
                         f"\"{text}\": invalid syntax\nSee '{command} --help' for usage.") from None


def _target(args: list[str], command: str) -> tuple[str, str]:
    """`TYPE NAME` or `TYPE/NAME` -> (kind, name)."""
    if len(args) == 1 and "/" in args[0]:
        kind_word, name = args[0].split("/", 1)
        return resource_kind(kind_word), name
    if len(args) == 2:
        return resource_kind(args[0]), args[1]
    if not args:
        raise UsageError(_NO_RESOURCES)
    raise UsageError("error: " + _("%(command)s needs one object: TYPE NAME or TYPE/NAME") % {"command": command})


# --- -f FILE --------------------------------------------------------------------------------------


def _manifest_files(p: Parsed) -> list[tuple[str, str]]:
    files = []
    for name in p.values("filename"):
        if name == "-":
            raise UsageError("error: " + _("reading manifests from standard input is not available in this "
                                           "console; paste them into the YAML tab"))
        text = book_manifest_text(name.removeprefix("./"))
        if text is None:
            raise UsageError(f'error: the path "{name}" does not exist')
        files.append((name, text))
    return files


def _results_text(results: list[ManifestResult]) -> str:
    return "".join(f"{w}\n" for r in results for w in r.warnings) + "".join(f"{r.text}\n" for r in results)


def _from_files(ctx: Context, p: Parsed, run: Callable[..., list[ManifestResult]]) -> Output:
    """Each file in one write, as far as the files go (kubectl goes on after a failing one)."""
    texts, code = [], 0
    for name, text in _manifest_files(p):
        try:
            results = run(cluster=ctx.cluster, text=text, source=name, namespace=p.value("namespace") or "default")
            texts.append(_results_text(results))
        except ManifestError as error:
            texts.append(error.text + "\n")
            code = 1
    return Output("".join(texts), code)


def kubectl_apply(ctx: Context, args: list[str]) -> Output:
    p = parse_flags(args, [FILENAME], command="kubectl apply")
    if not p.values("filename"):
        raise UsageError("error: must specify one of -f and -k")
    return _from_files(ctx, p, manifests_apply)


# --- create ---------------------------------------------------------------------------------------

CREATE_FLAGS = [FILENAME, Flag("image", repeats=True), Flag("replicas"), Flag("port")]


def kubectl_create(ctx: Context, args: list[str]) -> Output:
    p = parse_flags(args, CREATE_FLAGS, command="kubectl create")
    if p.values("filename"):
        return _from_files(ctx, p, manifests_create)
    what = p.args[0] if p.args else ""
    if what in ("deployment", "deploy"):
        return _create_deployment(ctx, p)
    if what in ("namespace", "ns"):
        return _create_namespace(ctx, p)
    if not what:
        raise UsageError("error: must specify one of -f and -k")
    raise UsageError("error: " + _("kubectl create %(what)s is not available in this console; use create -f FILE, "
                                   "create deployment or create namespace") % {"what": what})


def _create_deployment(ctx: Context, p: Parsed) -> Output:
    command = "kubectl create deployment"
    images = p.values("image")
    if not images:
        raise UsageError('error: required flag(s) "image" not set')
    names = p.args[1:]
    if len(names) != 1:
        raise UsageError(f"error: exactly one NAME is required, got {len(names)}\nSee '{command} -h' for help and "
                         "examples")
    manifest = deployment(names[0], images, replicas=_int_flag(p, "replicas", command, 1),
                          port=_int_flag(p, "port", command, -1), namespace=p.value("namespace") or "default")
    try:
        object_create(cluster=ctx.cluster, obj=manifest)
    except ApiError as error:
        raise UsageError(f"error: failed to create deployment: {error.status.get('message', '')}") from None
    return Output(f"deployment.apps/{names[0]} created\n")


def _create_namespace(ctx: Context, p: Parsed) -> Output:
    names = p.args[1:]
    if len(names) != 1:
        raise UsageError(f"error: exactly one NAME is required, got {len(names)}\nSee 'kubectl create namespace -h' "
                         "for help and examples")
    try:
        object_create(cluster=ctx.cluster, obj={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": names[0]}})
    except ApiError as error:
        raise UsageError(kubectl_error_text(error.status)) from None
    return Output(f"namespace/{names[0]} created\n")


# --- expose, scale, delete -------------------------------------------------------------------------

EXPOSE_FLAGS = [Flag("port"), Flag("target-port"), Flag("type"), Flag("name")]


def kubectl_expose(ctx: Context, args: list[str]) -> Output:
    p = parse_flags(args, EXPOSE_FLAGS, command="kubectl expose")
    kind, name = _target(p.args, "kubectl expose")
    if kind not in ("Deployment", "ReplicaSet", "Pod", "Service"):
        raise UsageError(f"error: cannot expose a {kind}")
    namespace = p.value("namespace") or "default"
    obj = object_get(cluster=ctx.cluster, kind=kind, namespace=namespace, name=name)
    if obj is None:
        raise UsageError(not_found_text(kind, name))
    ports = [_int_flag(p, "port", "kubectl expose", 0)] if p.value("port") else exposed_ports(obj)
    service_name = p.value("name") or name
    try:
        manifest = exposed_service(obj, name=service_name, ports=ports, target_port=p.value("target-port"),
                                   type_=p.value("type"), namespace=namespace)
        object_create(cluster=ctx.cluster, obj=manifest)
    except GeneratorError as error:
        raise UsageError(f"error: {error}") from None
    except ApiError as error:
        raise UsageError(kubectl_error_text(error.status)) from None
    return Output(f"service/{service_name} exposed\n")


def kubectl_scale(ctx: Context, args: list[str]) -> Output:
    command = "kubectl scale"
    p = parse_flags(args, [Flag("replicas")], command=command)
    if not p.value("replicas"):
        raise UsageError('error: required flag(s) "replicas" not set')
    replicas = _int_flag(p, "replicas", command, -1)
    if replicas < 0:
        raise UsageError("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    kind, name = _target(p.args, command)
    if kind not in ("Deployment", "ReplicaSet"):
        raise UsageError("error: " + _("%(kind)s cannot be scaled here; scale a deployment or a replicaset")
                         % {"kind": kind_info(kind).plural})
    try:
        workload_scale(cluster=ctx.cluster, kind=kind, namespace=p.value("namespace") or "default", name=name,
                       replicas=replicas)
    except ApiError as error:
        raise UsageError(kubectl_error_text(error.status)) from None
    return Output(f"{resource_ref(kind)}/{name} scaled\n")


DELETABLE = ("Service", "Pod", "Deployment", "ReplicaSet", "Endpoints", "EndpointSlice", "Node")


def kubectl_delete(ctx: Context, args: list[str]) -> Output:
    p = parse_flags(args, [FILENAME], command="kubectl delete")
    if p.values("filename"):
        return _from_files(ctx, p, manifests_delete)
    if not p.args:
        raise UsageError(_NO_RESOURCES)
    if "/" in p.args[0]:
        targets = [(resource_kind(a.split("/", 1)[0]), a.split("/", 1)[1]) for a in p.args]
    else:
        kind = resource_kind(p.args[0])
        targets = [(kind, name) for name in p.args[1:]]
        if not targets:
            raise UsageError("error: resource(s) were provided, but no name was specified")
    lines, code = [], 0
    for kind, name in targets:
        if kind not in DELETABLE:
            raise UsageError("error: " + _("deleting %(kind)s is not available in this console")
                             % {"kind": kind_info(kind).plural})
        namespace = (p.value("namespace") or "default") if kind_info(kind).namespaced else ""
        try:
            object_delete(cluster=ctx.cluster, kind=kind, namespace=namespace, name=name)
            lines.append(f'{resource_ref(kind)} "{name}" deleted\n')
        except ApiError as error:
            lines.append(kubectl_error_text(error.status) + "\n")
            code = 1
    return Output("".join(lines), code)
