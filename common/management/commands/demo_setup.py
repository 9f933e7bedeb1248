"""Prepare the embedded demo: a demo officer and a demo API client, with fresh credentials printed."""

from __future__ import annotations

import secrets

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services as account_services
from accounts.models import ApiClient, Role, User

DEMO_EMAIL = "officer@demo.tillit.local"
DEMO_CLIENT = "demo-onboarding-frontend"


class Command(BaseCommand):
    help = "Create (or reset) the demo officer and API client and print how to log in. Demo use only."

    def handle(self, *args: object, **options: object) -> None:
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            officer = User.objects.filter(email=DEMO_EMAIL).first()
            if officer is None:
                officer = User.objects.create_user(
                    DEMO_EMAIL,
                    password,
                    full_name="Demo Officer",
                    role=Role.OFFICER,
                    is_staff=True,
                    is_superuser=True,
                )
            else:
                officer.set_password(password)
                officer.save(update_fields=["password"])
            client = ApiClient.objects.filter(name=DEMO_CLIENT).first() or account_services.api_client_create(
                name=DEMO_CLIENT, actor=officer, description="Demo onboarding frontend"
            )
            for key in client.keys.active():
                account_services.api_key_revoke(key=key, actor=officer)
            _, api_key = account_services.api_key_issue(client=client, actor=officer, label="demo")

        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Tillit demo is ready (embedded mode: SQLite, tasks run in-process).",
                    "  Admin:     http://127.0.0.1:8000/admin/",
                    f"  Login:     {DEMO_EMAIL}",
                    f"  Password:  {password}   (new on every start)",
                    "  API docs:  http://127.0.0.1:8000/api/v1/docs/",
                    f"  API key:   {api_key}",
                    '  Try:       curl -H "Authorization: Api-Key <key>" http://127.0.0.1:8000/api/v1/auth/whoami/',
                    "",
                ]
            )
        )
