"""The hosted site's edge against the real Daphne processes: `check --deploy` is clean in the
hosted configuration, websockets from another origin are refused, frames that are oversized or
cut off mid-frame end only their own connection, and the pages carry the security headers."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import subprocess
import sys

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.hosted.conftest import ROOT, Site, http, resource_version


def test_check_deploy_is_clean_in_the_hosted_configuration(site: Site) -> None:
    env = {**site.env, "HTTPS": "true", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "scope.example.org",
           "DEBUG": "false"}
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_flags_the_laptop_defaults(site: Site) -> None:
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                          env=site.env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "security.W" in done.stdout + done.stderr


def test_https_cookies_are_secure_httponly_and_samesite(site: Site) -> None:
    env = {**site.env, "HTTPS": "true", "SECRET_KEY": secrets.token_urlsafe(50)}
    probe = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
             "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.SECURE_SSL_REDIRECT)")
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", probe], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout.strip().splitlines()[-1].split()
    assert out == ["True", "True", "True", "Lax", "Lax", "True"]


def test_pages_carry_the_policy_and_headers(site: Site) -> None:
    import urllib.request

    for server in site.servers:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{server.base}/", timeout=15) as response:
            headers = response.headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1.evil.example"])
async def test_a_websocket_from_another_origin_is_refused(site: Site, origin: str) -> None:
    box = site.sandbox("empty")
    for server in site.servers:
        with pytest.raises(InvalidStatus) as refused:
            await connect(server.ws_url(f"/ws/watch/{box.watch}/"), origin=origin, proxy=None, open_timeout=10)
        assert refused.value.response.status_code == 403
    # The same link from the site's own origin opens.
    ws = await connect(site.servers[0].ws_url(f"/ws/watch/{box.watch}/"), origin=site.servers[0].origin(),
                       proxy=None, open_timeout=10)
    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "hello"
    await ws.close()


async def test_oversized_and_truncated_frames_end_only_their_connection(site: Site) -> None:
    box = site.sandbox("empty")
    server = site.servers[1]
    rv = resource_version(server, box)
    # A 2 MiB frame: Daphne refuses frames over 1 MiB and closes that connection (1009).
    big = await connect(server.ws_url(f"/ws/clusters/{box.id}/?token={box.token}"), origin=server.origin(),
                        proxy=None, max_size=None, compression=None)
    await asyncio.wait_for(big.recv(), 10)
    with pytest.raises(ConnectionClosed):
        await big.send(json.dumps({"type": "resume", "since": 0, "pad": "x" * (2 * 1024 * 1024)}))
        for _ in range(5):
            await asyncio.wait_for(big.recv(), 10)
    # A frame header that promises 100 bytes and a connection that ends after 10.
    loop = asyncio.get_running_loop()

    def truncated() -> None:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            raw.sendall((f"GET /ws/watch/{box.watch}/ HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                         "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         f"Sec-WebSocket-Version: 13\r\nOrigin: {server.origin()}\r\n\r\n").encode())
            raw.recv(4096)
            raw.sendall(bytes([0x81, 0x80 | 100]) + b"\x00\x00\x00\x00" + b"{" * 10)
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            raw.sendall(b"GET /ws/watch/x HTTP/1.1\r\nUpgrade: webs")  # a handshake cut off

    await loop.run_in_executor(None, truncated)
    # The server goes on serving, and nothing changed.
    ws = await connect(server.ws_url(f"/ws/watch/{box.watch}/"), origin=server.origin(), proxy=None)
    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "hello"
    await ws.close()
    assert resource_version(server, box) == rv
    assert http("GET", f"{server.base}/api/lessons/")[0] == 200
