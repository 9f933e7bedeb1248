"""``manage.py audit_public_key``: print the checkpoint signing key's public half, for publication."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from audit import signing


class Command(BaseCommand):
    help = "Print the Ed25519 public key that signs audit checkpoints (publish it; verifiers pin it)."

    def handle(self, *args: Any, **options: Any) -> None:
        public = signing.raw_public_key(signing.signing_key().public_key())
        self.stdout.write(f"key id     {signing.key_id(public)}")
        self.stdout.write(f"public key {signing.b64(public)}")
