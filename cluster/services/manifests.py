"""`kubectl apply -f` (and `kubectl create -f`, `kubectl delete -f`) of YAML or JSON manifests.

Every document of one text is applied in one write: when any of them fails, none is, and the
error names the document. Each document is decoded as kube-apiserver does under
`fieldValidation=Strict` (unknown fields and values of the wrong type are refused); everything
else - defaulting, validation, allocation, controllers - is the write path's (`create_in`,
`delete_in`, and the patch verb `patch_in`). An existing object is changed with kubectl's
three-way patch, sent to the patch verb as kubectl sends it to the apiserver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cluster.errors import ApiError
from cluster.kinds import MANIFEST_KINDS, kind_info
from cluster.models import Cluster
from cluster.services.applying import last_applied, three_way_patch, with_last_applied
from cluster.services.objects import create_in, delete_in
from cluster.services.verbs import STRATEGIC_MERGE_PATCH, Patch, patch_in
from cluster.services.writing import writing
from cluster.sim.api import fielderrors
from cluster.sim.api.apischema import schema_for
from cluster.sim.api.decoding import DecodeError, cannot_handle, decode, strict_message
from cluster.sim.api.fielderrors import go_quote, kubectl_error_text
from cluster.sim.api.yamldoc import YamlSyntaxError, load_documents
from cluster.sim.objects import Obj
from cluster.store import Store

MAX_BYTES = 1024 * 1024
# The kinds a manifest may hold, with their only served apiVersion.
APPLICABLE = MANIFEST_KINDS
MISSING_ANNOTATION_WARNING = (
    "Warning: resource {resource} is missing the kubectl.kubernetes.io/last-applied-configuration "
    "annotation which is required by kubectl apply. kubectl apply should only be used on resources created "
    "declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be "
    "patched automatically."
)


class ManifestError(Exception):
    """Nothing was changed. `text` is what kubectl prints, naming the document (`index`, from 1)."""

    def __init__(self, text: str, *, index: int | None = None, status: dict[str, Any] | None = None):
        super().__init__(text)
        self.text = text
        self.index = index
        self.status = status


@dataclass(frozen=True)
class ManifestResult:
    index: int  # the document's position in the text, from 1
    kind: str
    namespace: str
    name: str
    action: str  # created | configured | unchanged | deleted
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """`service/kubia created`, or `service "kubia" deleted`, as kubectl prints it."""
        if self.action == "deleted":
            return f'{resource_ref(self.kind)} "{self.name}" deleted'
        return f"{resource_ref(self.kind)}/{self.name} {self.action}"


@dataclass(frozen=True)
class _Document:
    index: int
    label: str  # how errors name it: the file name, or `<doc 2: Service kubia-nodeport2>`
    body: Obj
    kind: str
    api_version: str
    namespace: str
    name: str


def resource_ref(kind: str) -> str:
    """`service`, `deployment.apps`: how kubectl names a kind in what it prints."""
    group = kind_info(kind).group
    return f"{kind.lower()}.{group}" if group else kind.lower()


# --- reading the text ---------------------------------------------------------------------------


def _size(n: int) -> str:
    return f"{n / MAX_BYTES:.1f} MiB" if n >= MAX_BYTES else f"{n} bytes"


def _expand_lists(docs: list[Any]) -> list[Any]:
    """A `kind: List` (what `kubectl get -o yaml` prints for several objects) stands for its items."""
    out: list[Any] = []
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "List" and isinstance(doc.get("items"), list):
            out.extend(doc["items"])
        else:
            out.append(doc)
    return out


def parse_manifests(text: str, *, source: str = "", namespace: str = "default") -> list[_Document]:
    """The documents of `text`, checked for what kubectl checks before it sends anything."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise ManifestError(f"error: the manifests are {_size(size)}; at most 1 MiB can be applied at once")
    shown = source or "the YAML"
    try:
        raw = _expand_lists(load_documents(text))
    except YamlSyntaxError as error:
        raise ManifestError(f"error: error parsing {shown}: error converting YAML to JSON: yaml: {error}") from None
    if not raw:
        raise ManifestError("error: no objects passed to apply")
    return [_document(i, body, source, namespace) for i, body in enumerate(raw, start=1)]


def _document(index: int, body: Any, source: str, namespace: str) -> _Document:
    if not isinstance(body, dict):
        label = source or f"<doc {index}>"
        raise ManifestError(f"error: error validating {go_quote(label)}: error validating data: invalid object to "
                            "validate; if you choose to ignore these errors, turn validation off with --validate=false",
                            index=index)
    meta = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    name = meta.get("name") if isinstance(meta.get("name"), str) else ""
    kind, api_version = body.get("kind"), body.get("apiVersion")
    label = source or f"<doc {index}: {kind if isinstance(kind, str) and kind else 'object'} {name}>".replace(" >", ">")
    missing = [f"{key} not set" for key, value in (("apiVersion", api_version), ("kind", kind)) if not value]
    if missing:
        problems = missing[0] if len(missing) == 1 else f"[{', '.join(missing)}]"
        raise ManifestError(f"error: error validating {go_quote(label)}: error validating data: {problems}; if you "
                            "choose to ignore these errors, turn validation off with --validate=false", index=index)
    kind, api_version = str(kind), str(api_version)
    given = meta.get("namespace") if isinstance(meta.get("namespace"), str) else ""
    if kind == "EndpointSlice":
        raise ManifestError(f"error: {label}: EndpointSlices are written by the simulator's controllers; apply the "
                            "Service (and, for a Service without a selector, its Endpoints) instead", index=index)
    if APPLICABLE.get(kind) != api_version:
        raise ManifestError(f"error: resource mapping not found for name: {go_quote(name)} namespace: "
                            f"{go_quote(given)} from {go_quote(label)}: no matches for "
                            f'kind {go_quote(kind)} in version {go_quote(api_version)}\n'
                            "ensure CRDs are installed first", index=index)
    if not name:
        raise ManifestError(f"error: error when retrieving current configuration of {kind} from server for: "
                            f"{go_quote(label)}: resource name may not be empty", index=index)
    return _Document(index, label, body, kind, api_version, (given or namespace) if kind_info(kind).namespaced else "",
                     name)


# --- writing ------------------------------------------------------------------------------------


def _failure(doc: _Document, status: dict[str, Any], *, verb: str, source: str) -> ManifestError:
    """kubectl's text; an Invalid one does not name the file, so without a file name we do."""
    text = kubectl_error_text(status, source=doc.label, verb=verb)
    if status.get("reason") == "Invalid" and not source:
        text = f"error when {verb} {go_quote(doc.label)}: {text}"
    return ManifestError(text, index=doc.index, status=status)


def _decoded(doc: _Document) -> Obj:
    """The document as the Go type holds it; unknown fields are refused (fieldValidation=Strict)."""
    schema = schema_for(doc.kind)
    version = doc.api_version.rpartition("/")[2]
    try:
        result = decode(doc.body, schema)  # type: ignore[arg-type]
    except DecodeError as error:
        raise ApiError(fielderrors.status_bad_request(cannot_handle(doc.kind, version, str(error)))) from None
    if result.unknown:
        raise ApiError(fielderrors.status_bad_request(cannot_handle(doc.kind, version, strict_message(result.unknown))))
    obj = result.obj
    if kind_info(doc.kind).namespaced:
        obj.setdefault("metadata", {})["namespace"] = doc.namespace
    return obj


def _apply(store: Store, doc: _Document) -> ManifestResult:
    live = store.peek(doc.kind, doc.namespace, doc.name)
    config = with_last_applied(_decoded(doc))
    if live is None:
        create_in(store, config)
        return ManifestResult(doc.index, doc.kind, doc.namespace, doc.name, "created")
    previous = last_applied(live)
    warnings = [] if previous is not None else [
        MISSING_ANNOTATION_WARNING.format(resource=f"{kind_info(doc.kind).plural}/{doc.name}")]
    patch = Patch(STRATEGIC_MERGE_PATCH, three_way_patch(previous or {}, config, schema_for(doc.kind)))
    before = live["metadata"]["resourceVersion"]
    after = patch_in(store, doc.kind, doc.namespace, doc.name, patch)
    action = "unchanged" if after["metadata"]["resourceVersion"] == before else "configured"
    return ManifestResult(doc.index, doc.kind, doc.namespace, doc.name, action, warnings)


def _create(store: Store, doc: _Document) -> ManifestResult:
    create_in(store, _decoded(doc))
    return ManifestResult(doc.index, doc.kind, doc.namespace, doc.name, "created")


def _delete(store: Store, doc: _Document) -> ManifestResult:
    delete_in(store, doc.kind, doc.namespace, doc.name)
    return ManifestResult(doc.index, doc.kind, doc.namespace, doc.name, "deleted")


def _run(cluster: Cluster | str, docs: list[_Document], step: Callable[[Store, _Document], ManifestResult], *,
         source: str) -> list[ManifestResult]:
    with writing(cluster) as store:
        results = []
        for doc in docs:
            exists = store.peek(doc.kind, doc.namespace, doc.name) is not None
            verb = "deleting" if step is _delete else ("patching" if exists and step is _apply else "creating")
            try:
                results.append(step(store, doc))
            except ApiError as error:
                raise _failure(doc, error.status, verb=verb, source=source) from None
        return results


def manifests_apply(*, cluster: Cluster | str, text: str, source: str = "",
                    namespace: str = "default") -> list[ManifestResult]:
    """`kubectl apply -f`: create what is missing, patch what exists; all documents or none.

    `source` is the file name errors quote (as kubectl does); without one they name the document
    (`<doc 2: Service kubia-nodeport2>`). `namespace` is where documents without one go.
    """
    return _run(cluster, parse_manifests(text, source=source, namespace=namespace), _apply, source=source)


def manifests_create(*, cluster: Cluster | str, text: str, source: str = "",
                     namespace: str = "default") -> list[ManifestResult]:
    """`kubectl create -f`: every document must be new."""
    return _run(cluster, parse_manifests(text, source=source, namespace=namespace), _create, source=source)


def manifests_delete(*, cluster: Cluster | str, text: str, source: str = "",
                     namespace: str = "default") -> list[ManifestResult]:
    """`kubectl delete -f`: every document's object must exist."""
    return _run(cluster, parse_manifests(text, source=source, namespace=namespace), _delete, source=source)

