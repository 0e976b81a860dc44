"""The read-only (watch) link's token: derived from the access token, stored only as a digest.

The database keeps no watch token that opens anything: a lookup hashes the token from the URL and
finds the row by that digest (a SHA-256 of 192 random bits needs no salt or key stretching), so an
index search never compares the secret itself. The owner's page shows the link again by deriving
it from the access token, and a new access token (rotation) means a new link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

_PURPOSE = b"servicescope read-only link"


def watch_token_for(access_token: str) -> str:
    """The sandbox's watch token: an HMAC of the access token, which it cannot be turned back into."""
    mac = hmac.new(access_token.encode(), _PURPOSE, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode()


def token_digest(token: str) -> str:
    """What is stored and looked up in place of a token: its SHA-256, as 64 hex digits."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_digest(given: str, stored: str | None) -> bool:
    """Constant-time comparison of two digests (False when nothing is stored)."""
    return bool(stored) and hmac.compare_digest(given, stored or "")
