"""``manage.py audit_checkpoint``: sign a tree head over every event recorded so far, or export them all."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit import selectors
from audit.services import AuditError, checkpoint_create


class Command(BaseCommand):
    help = "Create a signed checkpoint (tree head) of the audit log; does nothing if no event is new."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--export",
            action="store_true",
            help="instead, print every stored checkpoint as JSON lines (for witnesses and auditors)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["export"]:
            for checkpoint in selectors.checkpoint_list().iterator():
                self.stdout.write(json.dumps(selectors.checkpoint_as_dict(checkpoint), sort_keys=True))
            return
        try:
            checkpoint = checkpoint_create()
        except AuditError as exc:
            raise CommandError(str(exc)) from exc
        if checkpoint is None:
            self.stdout.write("no new events since the last checkpoint")
            return
        self.stdout.write(checkpoint.body + f"— {checkpoint.key_id} {checkpoint.signature}")
