"""``manage.py audit_checkpoint``: sign a tree head over every event recorded so far."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.services import AuditError, checkpoint_create


class Command(BaseCommand):
    help = "Create a signed checkpoint (tree head) of the audit log; does nothing if no event is new."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = checkpoint_create()
        except AuditError as exc:
            raise CommandError(str(exc)) from exc
        if checkpoint is None:
            self.stdout.write("no new events since the last checkpoint")
            return
        self.stdout.write(checkpoint.body + f"— {checkpoint.key_id} {checkpoint.signature}")
