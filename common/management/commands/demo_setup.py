"""Prepare the embedded demo: two officers with TOTP, an API client, and watchlists. Demo use only.

Credentials are new on every run and printed once. Watchlists: when none is active yet, the official
sources are synced (downloads when online, or the offline mirror in TILLIT_WATCHLIST_DIR); if that
leaves nothing active, the hand-made sample lists are loaded.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts import services as account_services
from accounts.models import ApiClient, Role, User
from monitoring.demo import demo_activity

DEMO_OFFICERS = [
    ("officer@demo.tillit.local", "Demo Officer", Role.OFFICER),
    ("mlro@demo.tillit.local", "Demo MLRO (second approver)", Role.SENIOR_OFFICER),
]
DEMO_CLIENT = "demo-onboarding-frontend"
DEMO_SCOPES = ["customers:read", "customers:write", "screening:run", "screening:read"]


class Command(BaseCommand):
    help = "Create (or reset) the demo officers and API client, make sure watchlists are loaded, print logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--lists",
            choices=["auto", "samples", "none"],
            default="auto",
            help="auto: sync official sources, else load the samples (default); samples: samples only",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lists = self._watchlists(options["lists"])
        logins = []
        for email, name, role in DEMO_OFFICERS:
            password = secrets.token_urlsafe(12)
            with transaction.atomic():
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(
                        email, password, full_name=name, role=role, is_staff=True, is_superuser=True
                    )
                else:
                    user.set_password(password)
                    user.save(update_fields=["password"])
            enrolment, codes = account_services.totp_provision_confirmed(user=user, actor=None)
            logins.append((email, role, password, enrolment.secret_base32, codes[:2]))

        officer = User.objects.get(email=DEMO_OFFICERS[0][0])
        client = ApiClient.objects.filter(name=DEMO_CLIENT).first() or account_services.api_client_create(
            name=DEMO_CLIENT, actor=officer, description="Demo onboarding frontend", scopes=DEMO_SCOPES
        )
        for key in client.keys.active():
            account_services.api_key_revoke(key=key, actor=officer)
        _, api_key = account_services.api_key_issue(client=client, actor=officer, label="demo")
        activity = demo_activity(client=client, officer=officer, senior=User.objects.get(email=DEMO_OFFICERS[1][0]))

        out = ["", "Tillit demo is ready (embedded mode: SQLite, tasks run in-process).", f"  Watchlists: {lists}"]
        out += [f"  Activity:   {activity} (see Ongoing monitoring › Compliance dashboard)"]
        out += [
            "  Admin:      http://127.0.0.1:8000/admin/   (password, then a TOTP code; the first code that works",
            "              is the one after the current 30-second step, which enrolment used)",
        ]
        for email, role, password, seed, codes in logins:
            out += [
                f"  {role:<15} {email}  password {password}",
                f"  {'':<15} TOTP key {seed}  (add it to an authenticator app, or print a code with:",
                f"  {'':<15}   .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{seed}').now())\")",
                f"  {'':<15} recovery codes (single use): {' '.join(codes)} ...",
            ]
        out += [
            "  API docs:   http://127.0.0.1:8000/api/v1/docs/",
            f"  API key:    {api_key}",
            '  Try:        curl -H "Authorization: Api-Key <key>" http://127.0.0.1:8000/api/v1/auth/whoami/',
            "  Everything above is new on every start and shown only here.",
            "",
        ]
        self.stdout.write("\n".join(out))

    def _watchlists(self, mode: str) -> str:
        from screening.models import ListVersion, VersionStatus

        def active() -> int:
            return ListVersion.objects.filter(status=VersionStatus.ACTIVE).count()

        if mode == "none" or active():
            return f"{active()} active list version(s)"
        if mode == "auto":
            self.stdout.write("Syncing watchlists from their official sources (offline mirror if configured)...")
            try:
                call_command("sync_watchlists", verbosity=0)
            except Exception as exc:  # offline or a source failing must not stop the demo
                self.stdout.write(f"  sync did not complete ({type(exc).__name__}); using the sample lists")
        if not active():
            call_command("load_watchlist", samples=True, verbosity=0)
            return f"{active()} hand-made sample list(s) (no official source reachable)"
        return f"{active()} active list version(s) from the official sources"
