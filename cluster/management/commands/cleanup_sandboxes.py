"""manage.py cleanup_sandboxes [--dry-run] [--idle-hours N]: delete sandboxes nobody has used."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from cluster.services.cleanup import sandboxes_cleanup


class Command(BaseCommand):
    help = ("Delete sandboxes idle for SANDBOX_IDLE_HOURS (no write, read or connected viewer); "
            "a sandbox in use is never deleted.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
        parser.add_argument("--idle-hours", type=int, default=None,
                            help=f"idle time in hours (default SANDBOX_IDLE_HOURS, now {settings.SANDBOX_IDLE_HOURS})")

    def handle(self, *args, dry_run: bool = False, idle_hours: int | None = None, **options) -> None:
        hours = idle_hours if idle_hours is not None else settings.SANDBOX_IDLE_HOURS
        if hours < 1:
            self.stderr.write("--idle-hours must be at least 1")
            raise SystemExit(2)
        names = sandboxes_cleanup(idle_for=timedelta(hours=hours), dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for name in names:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"{len(names)} sandbox(es) idle for {hours} h {verb}")
