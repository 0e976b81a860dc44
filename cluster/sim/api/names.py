"""Server-side name generation (metadata.generateName) and the EndpointSlice name prefix.

Mirrors staging/src/k8s.io/apiserver/pkg/storage/names/generate.go, the suffix alphabet of
k8s.io/apimachinery/pkg/util/rand, and getEndpointSlicePrefix from the EndpointSlice controllers.
"""

from __future__ import annotations

import random
import re

# Consonants and digits without vowels, 0, 1 or 3, so generated names never spell words.
SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

MAX_NAME_LENGTH = 63
RANDOM_LENGTH = 5
MAX_GENERATED_NAME_LENGTH = MAX_NAME_LENGTH - RANDOM_LENGTH  # 58

DNS1123_SUBDOMAIN_MAX_LENGTH = 253
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")

# Enough draws that a collision loop can only end by exhausting an absurdly crowded namespace.
_MAX_ATTEMPTS = 1000


def random_suffix(rng: random.Random, length: int = RANDOM_LENGTH) -> str:
    return "".join(rng.choice(SUFFIX_ALPHABET) for _ in range(length))


def generate_name(base: str, rng: random.Random, taken: set[str] | None = None) -> str:
    """The apiserver's generateName: base cut to 58 characters plus 5 random characters.

    The real apiserver answers a collision with AlreadyExists and the client retries; here we
    simply draw again. `taken` is only read, never modified.
    """
    base = base[:MAX_GENERATED_NAME_LENGTH]
    for _ in range(_MAX_ATTEMPTS):
        name = base + random_suffix(rng)
        if not taken or name not in taken:
            return name
    raise RuntimeError(f"could not generate a free name for prefix {base!r}")


def is_dns1123_subdomain(value: str) -> bool:
    return len(value) <= DNS1123_SUBDOMAIN_MAX_LENGTH and _DNS1123_SUBDOMAIN.fullmatch(value) is not None


def _mask_trailing_dash(name: str) -> str:
    # Upstream quirk kept verbatim: it drops the last *two* characters before appending "a".
    if len(name) > 1 and name.endswith("-"):
        return name[:-2] + "a"
    return name


def slice_prefix(service_name: str) -> str:
    """`<name>-` for prettier slice names, or the bare name when the dash form is not valid."""
    prefix = f"{service_name}-"
    if not is_dns1123_subdomain(_mask_trailing_dash(prefix)):
        return service_name
    return prefix
