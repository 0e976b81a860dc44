"""Reading Accept and Content-Type headers the way kube-apiserver negotiates them."""

from __future__ import annotations

from dataclasses import dataclass

TABLE_VERSIONS = ("v1", "v1beta1")


def media_types(header: str) -> list[tuple[str, dict[str, str]]]:
    """`a/b;k=v, c/d` -> [("a/b", {"k": "v"}), ("c/d", {})], in the header's order."""
    result = []
    for item in header.split(","):
        mime, *params = (part.strip() for part in item.split(";"))
        if not mime:
            continue
        values = {}
        for param in params:
            key, _, value = param.partition("=")
            values[key.strip().lower()] = value.strip().strip('"')
        result.append((mime.lower(), values))
    return result


def content_type(header: str) -> str:
    """The bare media type of a Content-Type header: `application/json; charset=utf-8` -> `application/json`."""
    return header.split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class Rendering:
    """How to answer a read: as the objects themselves, or as a meta.k8s.io Table."""

    table_version: str = ""  # "v1" or "v1beta1" for a Table, "" for plain objects

    @property
    def table(self) -> bool:
        return bool(self.table_version)


def rendering(accept: str) -> Rendering:
    """The first entry we can serve wins, as in the apiserver's negotiation."""
    for mime, params in media_types(accept):
        if mime not in ("application/json", "application/*", "*/*"):
            continue  # protobuf, yaml...: we answer JSON, which every client accepts too
        wanted = params.get("as")
        if not wanted:
            return Rendering()
        if wanted == "Table" and params.get("g") == "meta.k8s.io" and params.get("v") in TABLE_VERSIONS:
            return Rendering(params["v"])
    return Rendering()
