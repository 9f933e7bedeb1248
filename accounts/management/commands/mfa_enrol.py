"""Enrol (or re-enrol) a person's authenticator app from the shell: the operator's break-glass and demo path."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Create and activate a new TOTP device for EMAIL, ending their sessions, and print the seed, the "
        "otpauth:// URI (with a terminal QR code) and ten recovery codes. They are shown once: run it at a "
        "terminal only the person can see."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--no-qr", action="store_true", help="Do not draw the QR code in the terminal.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"]).first()
        if user is None:
            raise CommandError(f"No user with e-mail {options['email']!r}.")
        enrolment, codes = services.totp_provision_confirmed(user=user, actor=None)
        lines = [
            f"Authenticator app for {user.email} (shown once):",
            f"  Key:            {enrolment.secret_base32}   (time-based, 6 digits, 30 s)",
            f"  URI:            {enrolment.provisioning_uri}",
            f"  Recovery codes: {' '.join(codes)}",
        ]
        self.stdout.write("\n".join(lines))
        if not options["no_qr"]:
            buffer = io.StringIO()
            segno.make(enrolment.provisioning_uri, error="m").terminal(out=buffer, compact=True)
            self.stdout.write(buffer.getvalue())
