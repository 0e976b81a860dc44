"""Reads that see the sandbox at one resourceVersion.

A list or a snapshot reads the sandbox's resourceVersion and then its objects. PostgreSQL's default
isolation (READ COMMITTED) gives each statement a snapshot of its own, so a write committed between
the two would make the objects newer than the version: a watch resumed from that version repeats
the write (kubectl prints it twice), and a snapshot cached under it is wrong for everyone. REPEATABLE
READ keeps the first statement's snapshot for the whole transaction. A SQLite transaction is one
snapshot already.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def one_version() -> Iterator[None]:
    """Every query inside sees the same committed state. Inside a write (an open transaction
    holding the sandbox's row lock) no other write to the sandbox can commit anyway."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # must come before any other query of the transaction
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield
