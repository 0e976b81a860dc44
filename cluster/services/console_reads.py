"""The console's reading commands: `kubectl get`, `describe`, `version`, `api-resources`, `ls`, `cat`.

Text comes from the same printers the Kubernetes API's Tables use, so it is what kubectl prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from cluster.book import book_manifest_names, book_manifest_text
from cluster.console import ALL_CATEGORY, SHORT_NAMES, Flag, UsageError, parse_flags, resource_kind
from cluster.kinds import KINDS, KindInfo, kind_info
from cluster.models import Cluster
from cluster.selectors import object_get, object_list
from cluster.selectors_quota import quota_get, quota_list
from cluster.sim.api.fielderrors import kubectl_error_text, status_bad_request, status_not_found
from cluster.sim.api.selection import SelectorError, labels_match, parse_label_selector
from cluster.sim.api.yamldoc import dump_json, dump_yaml
from cluster.sim.objects import Obj, name_of
from cluster.sim.printers.describe import DESCRIBERS
from cluster.sim.printers.format import tabwrite
from cluster.sim.printers.tables import describe, kind_prefix_for, no_resources_message, render_table, table

SERVER_VERSION = "v1.31.0"  # what the sandbox's /version answers
CLIENT_VERSION = "v1.31.9"  # the kubectl a 1.31 server is paired with here (/usr/bin/kubectl's dispatcher)
KUSTOMIZE_VERSION = "v5.4.2"  # the one kubectl 1.31 embeds
OUTPUTS = ("", "wide", "yaml", "json", "name")
KUBECTL_OUTPUTS = ("custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,"
                   "jsonpath-file,name,template,templatefile,wide,yaml")


@dataclass(frozen=True)
class Context:
    cluster: Cluster
    now: datetime
    seed: int | None = None


@dataclass(frozen=True)
class Output:
    """What a command printed (stdout and stderr, in order) and its exit code."""

    text: str
    exit_code: int = 0


# The sandbox's limits read as a ResourceQuota (cluster.selectors_quota), stored nowhere.
_QUOTA_INFO = KindInfo("ResourceQuota", None, "v1", "resourcequotas")  # type: ignore[arg-type]


def _info(kind: str) -> KindInfo:
    return _QUOTA_INFO if kind == "ResourceQuota" else kind_info(kind)


def not_found_text(kind: str, name: str) -> str:
    info = _info(kind)
    return kubectl_error_text(status_not_found(info.plural, name, info.group))


def _namespace(ctx_ns: str, kind: str) -> str:
    return ctx_ns if _info(kind).namespaced else ""


# --- get ------------------------------------------------------------------------------------------

GET_FLAGS = [Flag("output", "o"), Flag("all-namespaces", "A", takes_value=False), Flag("selector", "l"),
             Flag("show-labels", takes_value=False), Flag("no-headers", takes_value=False),
             Flag("watch", "w", takes_value=False)]
_NO_TYPE = ('You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of '
            'supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for '
            "a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help "
            "and examples")
_TYPE_AND_NAME_FORM = (
    "error: there is no need to specify a resource type as a separate argument when passing arguments in "
    "resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource "
    "resource/<resource_name>'")


def requested(args: list[str]) -> list[tuple[str, list[str]]]:
    """(kind, names) in the order asked: `svc,ep [NAME...]`, `all`, or `svc/kubia ep/kubia`."""
    if any("/" in a for a in args):
        if not all("/" in a for a in args):
            raise UsageError(_TYPE_AND_NAME_FORM)
        pairs = [a.split("/", 1) for a in args]
        return [(resource_kind(t, reading=True), [n]) for t, n in pairs]
    kinds: list[str] = []
    for word in args[0].split(","):
        for kind in ALL_CATEGORY if word.lower() == "all" else [resource_kind(word, reading=True)]:
            if kind not in kinds:
                kinds.append(kind)
    return [(kind, list(args[1:])) for kind in kinds]


def _selector(text: str, kind: str) -> list:
    try:
        return parse_label_selector(text)
    except SelectorError as error:
        info = _info(kind)
        group_version = info.api_version if info.group else f"/{info.api_version}"  # schema.GroupVersionResource
        message = (f'Unable to find "{group_version}, Resource={info.plural}" that match label selector "{text}", '
                   f'field selector "": {error}')
        raise UsageError(kubectl_error_text(status_bad_request(message))) from None


def _fetch(ctx: Context, kind: str, names: list[str], namespace: str | None, selector: str,
           errors: list[str]) -> list[Obj]:
    requirements = _selector(selector, kind) if selector else []
    ns = None if namespace is None or not _info(kind).namespaced else namespace
    get, list_ = (quota_get, quota_list) if kind == "ResourceQuota" else (object_get, object_list)
    if names:
        found = []
        for name in names:
            obj = get(cluster=ctx.cluster, kind=kind, namespace=_namespace(namespace or "", kind), name=name)
            if obj is None:
                errors.append(not_found_text(kind, name))
            else:
                found.append(obj)
        objs = found
    else:
        objs = list_(cluster=ctx.cluster, kind=kind, namespace=ns)
    return [o for o in objs if labels_match(requirements, (o.get("metadata") or {}).get("labels"))]


def kubectl_get(ctx: Context, args: list[str]) -> Output:
    p = parse_flags(args, GET_FLAGS, command="kubectl get")
    output = p.value("output")
    if output not in OUTPUTS:
        if output in KUBECTL_OUTPUTS.split(","):
            raise UsageError("error: " + _("-o %(output)s is not available in this console; use -o wide, yaml, json "
                                           "or name") % {"output": output})
        raise UsageError(f'error: unable to match a printer suitable for the output format "{output}", allowed '
                         f"formats are: {KUBECTL_OUTPUTS}")
    if p.on("watch"):
        raise UsageError("error: " + _("--watch is not available in this console: the picture and the Tables tab "
                                       "update live instead"))
    if not p.args:
        raise UsageError(_NO_TYPE)
    every = p.on("all-namespaces")
    wanted = requested(p.args)
    if every and any(names for _kind, names in wanted):
        raise UsageError("error: a resource cannot be retrieved by name across all namespaces")
    namespace = None if every else (p.value("namespace") or "default")
    errors: list[str] = []
    groups = [(kind, _fetch(ctx, kind, names, namespace, p.value("selector"), errors)) for kind, names in wanted]
    groups = [(kind, objs) for kind, objs in groups if objs]
    text = _print(groups, output=output, every=every, show_labels=p.on("show-labels"),
                  no_headers=p.on("no-headers"), single=len(wanted) == 1 and len(wanted[0][1]) == 1, ctx=ctx)
    if not groups and not errors:
        text = no_resources_message(namespace) + "\n"
    text += "".join(f"{e}\n" for e in errors)
    return Output(text, 1 if errors else 0)


def _print(groups: list[tuple[str, list[Obj]]], *, output: str, every: bool, show_labels: bool, no_headers: bool,
           single: bool, ctx: Context) -> str:
    objs = [o for _kind, group in groups for o in group]
    if output == "name":
        return "".join(f"{kind_prefix_for(kind)}{name_of(o)}\n" for kind, group in groups for o in group)
    if output in ("yaml", "json"):
        if not objs:
            return ""
        document = objs[0] if single and len(objs) == 1 else {
            "apiVersion": "v1", "items": objs, "kind": "List", "metadata": {"resourceVersion": ""}}
        return dump_yaml(document) if output == "yaml" else dump_json(document)
    with_kind = len(groups) > 1
    tables = [
        render_table(table(kind, group, now=ctx.now), wide=output == "wide",
                     with_namespace=every and _info(kind).namespaced, show_labels=show_labels,
                     kind_prefix=kind_prefix_for(kind) if with_kind else "", no_headers=no_headers)
        for kind, group in groups
    ]
    return "\n".join(tables)


# --- describe -------------------------------------------------------------------------------------

DESCRIBE_FLAGS = [Flag("all-namespaces", "A", takes_value=False), Flag("selector", "l")]


def _related(ctx: Context, kind: str, namespace: str) -> dict[str, list[Obj]]:
    """What kubectl fetches besides the object (the simulator keeps no Events)."""
    related: dict[str, list[Obj]] = {"events": []}
    if kind == "Service":
        related["endpointslices"] = object_list(cluster=ctx.cluster, kind="EndpointSlice", namespace=namespace)
    elif kind == "Deployment":
        related["replicasets"] = object_list(cluster=ctx.cluster, kind="ReplicaSet", namespace=namespace)
    elif kind == "ReplicaSet":
        related["pods"] = object_list(cluster=ctx.cluster, kind="Pod", namespace=namespace)
    elif kind == "Node":
        related["pods"] = object_list(cluster=ctx.cluster, kind="Pod")
    return related


def _described(ctx: Context, kind: str, objs: list[Obj], *, by_prefix: bool = False) -> str:
    texts = [describe(kind, o, related=_related(ctx, kind, o["metadata"].get("namespace", "")), now=ctx.now)
             for o in objs]
    if by_prefix:  # DescribeMatchingResources prints each description followed by a newline
        return "".join(f"{text}\n" for text in texts)
    return "\n\n".join(texts)  # Run writes "\n\n" before every description but the first


def kubectl_describe(ctx: Context, args: list[str]) -> Output:
    p = parse_flags(args, DESCRIBE_FLAGS, command="kubectl describe")
    if not p.args:
        raise UsageError('error: You must specify the type of resource to describe. Use "kubectl api-resources" '
                         "for a complete list of supported resources.")
    wanted = requested(p.args)
    for kind, _names in wanted:
        if kind not in DESCRIBERS:
            raise UsageError("error: " + _("describe %(kind)s is not available in this console; it describes "
                                           "%(kinds)s") % {"kind": _info(kind).plural,
                                                           "kinds": ", ".join(_info(k).plural for k in DESCRIBERS)})
    every = p.on("all-namespaces")
    namespace = None if every else (p.value("namespace") or "default")
    texts, errors = [], []
    for kind, names in wanted:
        by_prefix = False
        if names:
            found = _fetch(ctx, kind, names, namespace or "default", "", [])
            missing = [n for n in names if n not in {name_of(o) for o in found}]
            if missing and len(p.args) == 2 and "/" not in p.args[0]:
                # kubectl's fallback for `describe TYPE NAME`: every object whose name starts so
                everything = _fetch(ctx, kind, [], namespace, "", [])
                found = [o for o in everything if name_of(o).startswith(missing[0])]
                by_prefix, missing = bool(found), [] if found else missing
            errors += [not_found_text(kind, n) for n in missing]
        else:
            found = _fetch(ctx, kind, [], namespace, p.value("selector"), [])
        if found:
            texts.append(_described(ctx, kind, found, by_prefix=by_prefix))
    text = "\n\n".join(texts)
    if not texts and not errors:
        text = no_resources_message(namespace) + "\n"
    return Output(text + "".join(f"{e}\n" for e in errors), 1 if errors else 0)


# --- version, api-resources, files ------------------------------------------------------------------


def kubectl_version(ctx: Context, args: list[str]) -> Output:
    p = parse_flags(args, [Flag("client", takes_value=False)], command="kubectl version")
    text = f"Client Version: {CLIENT_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n"
    return Output(text if p.on("client") else text + f"Server Version: {SERVER_VERSION}\n")


def kubectl_api_resources(ctx: Context, args: list[str]) -> Output:
    parse_flags(args, [], command="kubectl api-resources")
    rows = [(i.group, i.plural, SHORT_NAMES.get(i.kind, ""), i.api_version, i.namespaced, i.kind) for i in KINDS.values()]
    rows.append(("", "events", "ev", "v1", True, "Event"))  # served read-only (and empty) by the sandbox's API
    rows.append(("", "resourcequotas", "quota", "v1", True, "ResourceQuota"))  # the sandbox's limits, read-only
    lines = ["NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND"] + [
        f"{plural}\t{short}\t{version}\t{str(namespaced).lower()}\t{kind}"
        for _group, plural, short, version, namespaced, kind in sorted(rows, key=lambda r: (r[0] != "", r[0], r[1]))
    ]
    return Output(tabwrite("\n".join(lines), minwidth=6, padding=3) + "\n")


def ls(ctx: Context, args: list[str]) -> Output:
    """The book's manifests, one per line (what `ls` prints when not on a terminal)."""
    return Output("".join(f"{name}\n" for name in book_manifest_names()))


def cat(ctx: Context, args: list[str]) -> Output:
    texts, code = [], 0
    for name in args:
        text = book_manifest_text(name)
        if text is None:
            texts.append(f"cat: {name}: No such file or directory\n")
            code = 1
        else:
            texts.append(text)
    if not args:
        return Output("cat: " + _("reading from standard input is not available in this console; name a file "
                                  "(ls)") + "\n", 1)
    return Output("".join(texts), code)
