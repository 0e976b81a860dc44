"""New tokens for a sandbox: the old access and watch tokens stop working at once."""

from __future__ import annotations

import secrets

from django.db import transaction

from cluster.events import broadcast
from cluster.models import Cluster
from cluster.watch_tokens import token_digest

# Published to the sandbox's viewers after the new tokens are committed: sockets opened with an old
# token (every read-only viewer, and an owner's socket opened with ?token=) close.
REVOKED = {"type": "revoked"}


def cluster_tokens_rotate(*, cluster: Cluster) -> Cluster:
    with transaction.atomic():
        locked = Cluster.objects.select_for_update().get(pk=cluster.pk)
        locked.access_token = secrets.token_urlsafe(24)
        # The read-only link follows the access token; a link from before the digests ends here.
        locked.watch_token_hash = token_digest(locked.watch_token)
        locked.legacy_watch_token_hash = None
        locked.save(update_fields=["access_token", "watch_token_hash", "legacy_watch_token_hash"])
        transaction.on_commit(lambda: broadcast(locked.pk, REVOKED))
    return locked
