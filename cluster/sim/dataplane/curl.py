"""curl in the console: its options and URL, and what it prints for a traced request.

The simulator answers at once: where a real curl would wait for its timeout (a dropped packet),
the console prints the timeout message straight away. Every simulated container runs the book's
app (Chapter02/kubia/app.js), which answers any request with `You've hit <hostname>`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from cluster.sim.objects import Obj

DEFAULT_TIMEOUT_S = 5.0
_TRY = "curl: try 'curl --help' or 'curl --manual' for more information"
_PORTS = {"http": 80, "https": 443}
# curl's exit codes for the outcomes the console prints.
EXIT_RESOLVE, EXIT_CONNECT, EXIT_TIMEOUT = 6, 7, 28


class CurlUsage(Exception):
    """curl refused its command line: the text it prints and its exit code."""

    def __init__(self, text: str, exit_code: int):
        super().__init__(text)
        self.text = text
        self.exit_code = exit_code


@dataclass(frozen=True)
class CurlRequest:
    host: str
    port: int
    silent: bool = False
    show_error: bool = False
    timeout_s: float = DEFAULT_TIMEOUT_S
    source: str = "external"  # `--from node/<name>`: the console's own option, not curl's

    @property
    def destination(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def quiet(self) -> bool:
        """-s without -S: curl prints no error message, only its exit code tells."""
        return self.silent and not self.show_error


_SWITCHES = {"-s": "silent", "--silent": "silent", "-S": "show_error", "--show-error": "show_error"}
_VALUED = {"-m": "timeout", "--max-time": "timeout", "--connect-timeout": "timeout", "--from": "source"}


def parse_curl(argv: list[str], *, allow_from: bool = True) -> CurlRequest:
    """curl's arguments (without the word `curl`)."""
    flags: dict[str, object] = {}
    urls: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        name, eq, inline = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in _VALUED and (allow_from or name != "--from"):
            if not eq and i >= len(argv):
                raise CurlUsage(f"curl: option {name}: requires parameter\n{_TRY}", 2)
            flags[_VALUED[name]] = inline if eq else argv[i]
            i += 0 if eq else 1
        elif word in _SWITCHES:
            flags[_SWITCHES[word]] = True
        elif word.startswith("-") and not word.startswith("--") and len(word) > 1 and all(
                f"-{c}" in _SWITCHES for c in word[1:]):
            flags.update({_SWITCHES[f"-{c}"]: True for c in word[1:]})
        elif word.startswith("-") and word != "-":
            raise CurlUsage(f"curl: option {word}: is unknown\n{_TRY}", 2)
        else:
            urls.append(word)
    if not urls:
        raise CurlUsage(f"curl: no URL specified!\n{_TRY}", 2)
    host, port = parse_url(urls[0])
    return CurlRequest(host, port, silent=bool(flags.get("silent")), show_error=bool(flags.get("show_error")),
                       timeout_s=_seconds(str(flags.get("timeout", DEFAULT_TIMEOUT_S))),
                       source=str(flags.get("source", "external")))


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CurlUsage(f"curl: option: expected a proper numerical parameter\n{_TRY}", 2) from None
    return value if value > 0 else DEFAULT_TIMEOUT_S


def parse_url(url: str) -> tuple[str, int]:
    """(host, port) of `[scheme://]host[:port][/path]`; http is the default scheme, as in curl."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "http", url
    scheme = scheme.lower()
    if scheme not in _PORTS:
        raise CurlUsage(f'curl: (1) Protocol "{scheme}" not supported', 1)
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2]
    host, colon, port_text = authority.rpartition(":") if not authority.startswith("[") else (authority, "", "")
    if not colon:
        host, port_text = authority, ""
    if not host:
        raise CurlUsage("curl: (3) URL rejected: No host part in the URL", 3)
    if port_text and (not port_text.isdigit() or int(port_text) > 65535):
        raise CurlUsage("curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535", 3)
    return host.lower(), int(port_text) if port_text else _PORTS[scheme]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _name_unresolved(trace: Obj, host: str) -> bool:
    """The name never became an address: the client could not look it up, or DNS had no A record."""
    if _is_ip(host):
        return False
    dns = trace.get("dns")
    return dns is None or dns.get("record") != "A" or not dns.get("addresses")


def curl_output(trace: Obj, request: CurlRequest) -> tuple[str, int]:
    """What curl prints for the traced request, and its exit code."""
    outcome = trace.get("outcome")
    host, port = request.host, request.port
    if outcome == "delivered":
        endpoint = trace.get("endpoint") or {}
        if endpoint.get("pod"):
            return f"You've hit {endpoint['pod']}\n", 0
        return f"({trace.get('reason') or 'answered by a server outside the simulated cluster'})\n", 0
    if outcome == "refused":
        code, text = EXIT_CONNECT, f"Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server"
    elif outcome == "unroutable" and _name_unresolved(trace, host):
        code, text = EXIT_RESOLVE, f"Could not resolve host: {host}"
    else:  # dropped, or unroutable: nothing answers and curl gives up after its timeout
        ms = int(request.timeout_s * 1000) + 1
        code, text = EXIT_TIMEOUT, f"Failed to connect to {host} port {port} after {ms} ms: Timeout was reached"
    return ("" if request.quiet else f"curl: ({code}) {text}\n"), code
