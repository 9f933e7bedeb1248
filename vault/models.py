"""Vault tables: key-version metadata, stored identifiers (token + ciphertext only), rotation jobs.

No key material is ever stored here: the key provider holds it (see ``vault.crypto.providers``).
No plaintext identifier is stored either: a row holds its lookup token, its envelope-encrypted value,
and a masked display value.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from common.models import BaseModel
from vault.crypto import KeyState

KEK = "kek"
TOKEN_KEY = "token"  # noqa: S105 - a key id (the name of the token key), not a secret


class KeyPurpose(models.TextChoices):
    KEK = KEK, "Key-encryption key (wraps data keys)"
    TOKEN = TOKEN_KEY, "Token key (HMAC lookup tokens)"


class KeyVersion(BaseModel):
    """State of one key version (primary, active or retired); the material stays with the provider."""

    key_id = models.CharField(max_length=64, choices=KeyPurpose.choices)
    version = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=[(s.value, s.value) for s in KeyState])
    provider = models.CharField(max_length=120)
    promoted_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["key_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key_id", "version"], name="vault_keyversion_unique"),
            models.UniqueConstraint(
                fields=["key_id"], condition=models.Q(state="primary"), name="vault_keyversion_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_id} v{self.version} ({self.state})"


class StoredIdentifier(BaseModel):
    """One identifier (passport, IBAN, card ...) held as token + ciphertext; other apps keep the token."""

    token = models.CharField(max_length=80, unique=True)
    token_key_version = models.PositiveIntegerField(db_index=True)
    identifier_type = models.CharField(max_length=32)
    # Card brand, issuing state or python-stdnum scheme: a category, never the identifier itself.
    scheme = models.CharField(max_length=40, blank=True)
    masked = models.CharField(max_length=16)
    # Envelope: header (format, key id, key version) + wrapped data key + nonce + ciphertext + tag.
    ciphertext = models.BinaryField()
    # Copies of the envelope header, so rotation can find rows by key version with an index.
    kek_id = models.CharField(max_length=64)
    kek_version = models.PositiveIntegerField(db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        permissions = [("reveal_storedidentifier", "Can reveal the plaintext of a stored identifier")]

    def __str__(self) -> str:
        return f"{self.identifier_type} {self.masked}"


class RotationJob(BaseModel):
    """A background re-wrap (KEK) or re-tokenise (token key) run, with its progress."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"

    key_id = models.CharField(max_length=64, choices=KeyPurpose.choices)
    target_version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveBigIntegerField(default=0)
    done = models.PositiveBigIntegerField(default=0)
    batch_size = models.PositiveIntegerField(default=1000)
    # Keyset cursors (last primary key handed out) per table or sealed column: {"app.Model.field": "pk"}.
    cursors = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_id} -> v{self.target_version}: {self.status} {self.done}/{self.total}"

    @property
    def percent(self) -> float:
        return 100.0 if not self.total else round(100.0 * min(self.done, self.total) / self.total, 1)
