"""This process's open student screens, renewing their presence together.

A screen renews its student's lease (cluster.models.presence_lease) so that the students of a
process that died leave the roster. One UPDATE per round for every screen of the process, whatever
the number of classes and students: a class of 200 costs one statement every 30 s, not 200.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

from channels.db import database_sync_to_async
from django.conf import settings

from cluster.services.classes import class_presence_renew

log = logging.getLogger(__name__)


def renewal_seconds() -> float:
    """How often screens renew their presence (and a teacher's screen looks for lapsed ones)."""
    return settings.CLASS_PRESENCE_SECONDS / 3


class Presence:
    def __init__(self) -> None:
        self._screens: Counter[int] = Counter()  # student id -> open screens here
        self._task: asyncio.Task | None = None

    def add(self, student_id: int) -> None:
        self._screens[student_id] += 1
        if self._task is None or self._task.done():  # the first screen, or a new event loop (tests)
            self._task = asyncio.get_running_loop().create_task(self._renew(), name="class presence")

    def remove(self, student_id: int) -> None:
        self._screens[student_id] -= 1
        if self._screens[student_id] <= 0:
            del self._screens[student_id]

    async def _renew(self) -> None:
        while self._screens:
            await asyncio.sleep(renewal_seconds())
            try:
                await database_sync_to_async(class_presence_renew)(student_ids=list(self._screens))
            except Exception:  # the database is restarting: the next round tries again
                log.warning("could not renew the presence of %d students", len(self._screens), exc_info=True)


presence = Presence()
