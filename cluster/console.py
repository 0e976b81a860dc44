"""The in-page console's command line, parsed as bash and kubectl (cobra/pflag) would parse it.

Pure: words in, a parsed command or kubectl's own usage error out. What the commands do is
cluster.services.console's.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from cluster.kinds import RESOURCES as KIND_RESOURCES

# Every kubectl 1.31 command, for "unknown command" and its suggestions.
KUBECTL_COMMANDS = (
    "annotate", "api-resources", "api-versions", "apply", "attach", "auth", "autoscale", "certificate",
    "cluster-info", "completion", "config", "cordon", "cp", "create", "debug", "delete", "describe", "diff",
    "drain", "edit", "events", "exec", "explain", "expose", "get", "help", "kustomize", "label", "logs",
    "options", "patch", "plugin", "port-forward", "proxy", "replace", "rollout", "run", "scale", "set", "taint",
    "top", "uncordon", "version", "wait",
)

# Resource names kubectl accepts (plural, singular, short name, with the group) -> kind.
_RESOURCE_NAMES = {r.kind: r.names() for r in KIND_RESOURCES if r.in_console}
RESOURCES = {alias: kind for kind, aliases in _RESOURCE_NAMES.items() for alias in aliases}
SHORT_NAMES = {r.kind: r.short_names[0] for r in KIND_RESOURCES if r.in_console and r.short_names}
# `kubectl get all`: the "all" category, in discovery order.
ALL_CATEGORY = tuple(r.kind for r in KIND_RESOURCES if "all" in r.categories)


class UsageError(Exception):
    """What kubectl (or the shell) prints for a command it cannot run; exit code 1 unless given."""

    def __init__(self, text: str, exit_code: int = 1):
        super().__init__(text)
        self.text = text
        self.exit_code = exit_code


@dataclass(frozen=True)
class Flag:
    name: str  # the long name, without dashes
    short: str = ""
    takes_value: bool = True
    repeats: bool = False


@dataclass
class Parsed:
    args: list[str] = field(default_factory=list)
    flags: dict[str, str | bool | list[str]] = field(default_factory=dict)
    rest: list[str] = field(default_factory=list)  # the words after `--`

    def value(self, name: str, default: str = "") -> str:
        v = self.flags.get(name, default)
        return v if isinstance(v, str) else default

    def values(self, name: str) -> list[str]:
        v = self.flags.get(name, [])
        return v if isinstance(v, list) else []

    def on(self, name: str) -> bool:
        return self.flags.get(name) is True


def words(command: str) -> list[str]:
    """The command line split as a POSIX shell splits it (quotes, backslashes)."""
    try:
        return shlex.split(command, comments=False, posix=True)
    except ValueError as error:
        raise UsageError(f"bash: syntax error: {str(error).lower()}", 2) from None


NAMESPACE = Flag("namespace", "n")
HELP = Flag("help", "h", takes_value=False)


def parse_flags(tokens: list[str], flags: list[Flag], *, command: str) -> Parsed:
    """pflag's rules: flags anywhere among the arguments, `--name=value`, `--name value`, `-xvalue`,
    `-x value`, `-x=value`, grouped boolean shorthands (`-it`), and `--` ending the flags."""
    by_name = {f.name: f for f in [*flags, NAMESPACE, HELP]}
    by_short = {f.short: f for f in by_name.values() if f.short}
    hint = f"See '{command} --help' for usage."
    parsed = Parsed()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token == "--":
            parsed.rest = tokens[i:]
            break
        if token.startswith("--") and len(token) > 2:
            name, eq, value = token[2:].partition("=")
            spec = by_name.get(name)
            if spec is None:
                raise UsageError(f"error: unknown flag: --{name}\n{hint}")
            if spec.takes_value and not eq:
                if i >= len(tokens):
                    raise UsageError(f"error: flag needs an argument: --{name}\n{hint}")
                value, i = tokens[i], i + 1
            _set(parsed, spec, value if spec.takes_value else _bool(value if eq else "true", name, hint))
        elif token.startswith("-") and len(token) > 1:
            i = _shorthands(token, tokens, i, by_short, parsed, hint)
        else:
            parsed.args.append(token)
    return parsed


def _shorthands(token: str, tokens: list[str], i: int, by_short: dict[str, Flag], parsed: Parsed,
                hint: str) -> int:
    letters = token[1:]
    for pos, letter in enumerate(letters):
        spec = by_short.get(letter)
        if spec is None:
            raise UsageError(f"error: unknown shorthand flag: '{letter}' in {token}\n{hint}")
        if not spec.takes_value:
            _set(parsed, spec, True)
            continue
        value = letters[pos + 1:].removeprefix("=")
        if not value:
            if i >= len(tokens):
                raise UsageError(f"error: flag needs an argument: '{letter}' in {token}\n{hint}")
            value, i = tokens[i], i + 1
        _set(parsed, spec, value)
        break
    return i


def _bool(text: str, name: str, hint: str) -> bool:
    if text.lower() in ("true", "1", "t"):
        return True
    if text.lower() in ("false", "0", "f"):
        return False
    raise UsageError(f'error: invalid argument "{text}" for "--{name}" flag: strconv.ParseBool: parsing '
                     f'"{text}": invalid syntax\n{hint}')


def _set(parsed: Parsed, spec: Flag, value: str | bool) -> None:
    if spec.repeats:  # pflag's StringSlice: repeated, or comma-separated
        current = parsed.flags.setdefault(spec.name, [])
        assert isinstance(current, list)
        current.extend(v for v in str(value).split(",") if v)
    else:
        parsed.flags[spec.name] = value


# Kinds the sandbox only shows (its limits, as a ResourceQuota): writes get the apiserver's 405.
READ_ONLY_KINDS = ("ResourceQuota",)
METHOD_NOT_ALLOWED = "Error from server (MethodNotAllowed): the server does not allow this method on the requested resource"


def resource_kind(name: str, *, reading: bool = False) -> str:
    """The kind a resource name means (`svc` -> Service), or kubectl's error."""
    kind = RESOURCES.get(name.lower())
    if kind is None:
        raise UsageError(f'error: the server doesn\'t have a resource type "{name}"')
    if kind in READ_ONLY_KINDS and not reading:
        raise UsageError(METHOD_NOT_ALLOWED)
    return kind


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def unknown_command(name: str) -> UsageError:
    """cobra's message, with its suggestions (edit distance 2 or a prefix)."""
    close = [c for c in KUBECTL_COMMANDS
             if levenshtein(name.lower(), c) <= 2 or (name and c.startswith(name.lower()))]
    text = f'error: unknown command "{name}" for "kubectl"'
    if close:
        text += "\n\nDid you mean this?\n" + "".join(f"\t{c}\n" for c in close)
    return UsageError(text.rstrip("\n"))
