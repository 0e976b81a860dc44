"""YAML and JSON in and out, the way kubectl reads manifests and prints objects.

Reading follows sigs.k8s.io/yaml: timestamps stay strings, keys become strings, a key repeated in
one mapping is an error, and a document that starts with `{` is read as JSON. Writing follows
kubectl's `-o yaml` (go-yaml v2: keys sorted, sequences not indented under their key, strings
quoted with double quotes only when they must be) and `-o json` (4-space indent, sorted keys,
Go's HTML escaping).
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml
from yaml.constructor import ConstructorError


class YamlSyntaxError(ValueError):
    """Malformed YAML or JSON; `line` and `column` count from 1 (0 when unknown)."""

    def __init__(self, problem: str, line: int = 0, column: int = 0):
        self.problem = problem
        self.line = line
        self.column = column
        where = f"line {line}, column {column}: " if line else ""
        super().__init__(f"{where}{problem}")


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise ConstructorError(None, None, f'key "{key}" already set in map', key_node.start_mark)
            if isinstance(key, (str, int, float, bool)):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


# sigs.k8s.io/yaml keeps `2024-01-01` and RFC 3339 times as strings (metadata.creationTimestamp...).
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def to_json_data(value: Any) -> Any:
    """YAML's data as JSON data: string keys, finite numbers, no YAML-only types."""
    if isinstance(value, dict):
        return {_key(k): to_json_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_data(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise YamlSyntaxError(f"invalid number {value}: JSON has no infinities or NaN")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise YamlSyntaxError(f"a value of type {type(value).__name__} cannot be converted to JSON")


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def _json_documents(text: str) -> list[Any]:
    """A stream of JSON values, as kubectl's YAMLOrJSONDecoder reads a JSON file."""
    decoder = json.JSONDecoder()
    docs, pos = [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return docs
        try:
            doc, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as error:
            raise YamlSyntaxError(error.msg, error.lineno, error.colno) from None
        docs.append(doc)


def load_documents(text: str) -> list[Any]:
    """Every non-empty document of a YAML (or JSON) stream, as JSON data."""
    if text.lstrip().startswith("{"):
        return [to_json_data(doc) for doc in _json_documents(text)]
    try:
        docs = list(yaml.load_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "malformed YAML"
        if mark is None:
            raise YamlSyntaxError(problem) from None
        raise YamlSyntaxError(problem, mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(" ".join(str(error).split())) from None
    except RecursionError:
        raise YamlSyntaxError("the document is nested too deeply") from None
    return [to_json_data(doc) for doc in docs if doc is not None]


# --- writing ----------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def choose_scalar_style(self) -> str:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style  # go-yaml quotes with double quotes

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data.rstrip("\n"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(obj: Any) -> str:
    """One object as `kubectl get -o yaml` prints it."""
    return yaml.dump(obj, Dumper=_Dumper, default_flow_style=False, sort_keys=True, allow_unicode=True)


def dump_documents(objs: list[Any]) -> str:
    """A multi-document stream: the documents separated by `---` lines."""
    return "---\n".join(dump_yaml(obj) for obj in objs)


_GO_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def dump_json(obj: Any) -> str:
    """One object as `kubectl get -o json` prints it (json.MarshalIndent, then a newline)."""
    text = json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False)
    for char, escape in _GO_JSON_ESCAPES.items():
        text = text.replace(char, escape)
    return text + "\n"
