"""``flush`` that refuses to erase the append-only audit trail, except in tests.

Django's test cases flush every table between transactional tests; the audit triggers
would refuse that. This override lets the flush through (removing and restoring the
triggers inside the flush's transaction) only when ``TILLIT_AUDIT_ALLOW_FLUSH`` is set
or Django's test environment is active; anywhere else it stops with an explanation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import mail
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from audit import immutability


def flush_allowed() -> bool:
    # setup_test_environment() (Django's runner, pytest-django) installs mail.outbox.
    return bool(getattr(settings, "TILLIT_AUDIT_ALLOW_FLUSH", False)) or hasattr(mail, "outbox")


class Command(FlushCommand):
    help = FlushCommand.help + " Refused outside tests: the audit trail is append-only."

    def handle(self, **options: Any) -> None:
        if not flush_allowed():
            raise CommandError(
                "flush would erase the append-only audit trail and is refused; "
                "drop and recreate the database instead if that is really intended"
            )
        alias = options.get("database") or DEFAULT_DB_ALIAS
        connection = connections[alias]
        with transaction.atomic(using=alias), immutability.suspended(connection):
            super().handle(**options)
