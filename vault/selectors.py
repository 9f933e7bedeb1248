"""Reads: find a stored identifier by value (dual lookup) or token; key versions and rotation progress."""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.db import models

from vault import keyring
from vault.crypto import EnvelopeFormatError, key_version_of, lookup_tokens
from vault.fields import SealedBinaryField
from vault.models import KEK, TOKEN_KEY, KeyVersion, RotationJob, StoredIdentifier
from vault.validation import IdentifierType, validate_identifier


def identifier_lookup(
    *, identifier_type: IdentifierType | str, value: str, country: str | None = None, scheme: str | None = None
) -> StoredIdentifier | None:
    """The stored identifier equal to ``value`` (after normalisation), found by token, never decrypted.

    During a token-key rotation the value is looked up under every usable token-key version.
    """
    identifier = validate_identifier(identifier_type, value, country=country, scheme=scheme)
    tokens = lookup_tokens(keyring.token_ring(), identifier.type.value, identifier.lookup_key)
    return StoredIdentifier.objects.filter(token__in=tokens).first()


def identifier_get(*, token: str) -> StoredIdentifier | None:
    """The stored identifier with exactly this token (None if there is none)."""
    return StoredIdentifier.objects.filter(token=token).first()


def sealed_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) declared as a ``SealedBinaryField``, in any installed app."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, SealedBinaryField)
    ]


def sealed_label(model: type[models.Model], field: str) -> str:
    return f"{model._meta.label}.{field}"


def sealed_blobs(
    model: type[models.Model], field: str, *, after: object = None, batch: int = 1000
) -> Iterator[list[tuple[object, bytes]]]:
    """(pk, blob) pairs of a sealed column in primary-key order, in batches (keyset pagination)."""
    while True:
        qs = model._default_manager.exclude(**{f"{field}__isnull": True}).order_by("pk")
        if after is not None:
            qs = qs.filter(pk__gt=after)
        rows = list(qs.values_list("pk", field)[:batch])
        if not rows:
            return
        yield [(pk, bytes(blob)) for pk, blob in rows]
        after = rows[-1][0]


def key_version_usage(*, key_id: str, version: int) -> int:
    """How many stored values still depend on ``version`` of ``key_id`` (0 = it may be retired)."""
    if key_id == TOKEN_KEY:
        return StoredIdentifier.objects.filter(token_key_version=version).count()
    count = StoredIdentifier.objects.filter(kek_id=key_id, kek_version=version).count()
    if key_id == KEK:
        for model, field in sealed_fields():
            for rows in sealed_blobs(model, field):
                for _, blob in rows:
                    try:
                        count += key_version_of(blob) == (key_id, version)
                    except EnvelopeFormatError:
                        continue
    return count


def key_versions_list(*, key_id: str) -> list[KeyVersion]:
    """Every version of ``key_id``, newest first (bootstrapping the key id on first use)."""
    keyring.states(key_id)
    return list(KeyVersion.objects.filter(key_id=key_id).order_by("-version"))


def rotation_jobs_list(*, limit: int = 10) -> list[RotationJob]:
    """The most recent rotation jobs with their progress."""
    return list(RotationJob.objects.order_by("-created_at")[:limit])


def identifiers_verify(*, batch_size: int = 1000, limit: int | None = None) -> dict[str, object]:
    """Check that stored identifiers still decrypt and still match their token; nothing is returned in clear.

    Returns counts per KEK version and token-key version, and the ids of rows that fail with the
    error class (altered ciphertext, missing or retired key, token mismatch). Plaintext exists only in
    memory, one value at a time.
    """
    from vault.crypto import VaultCryptoError, open_, token_for
    from vault.services.identifiers import context_for
    from vault.validation import Identifier

    kek, tokens = keyring.rings()
    checked = 0
    by_kek: dict[int, int] = {}
    failures: list[dict[str, str]] = []
    after = None
    while limit is None or checked < limit:
        qs = StoredIdentifier.objects.order_by("pk").only(
            "id", "ciphertext", "identifier_type", "scheme", "token", "token_key_version", "kek_version"
        )
        if after is not None:
            qs = qs.filter(pk__gt=after)
        size = batch_size if limit is None else min(batch_size, limit - checked)
        rows = list(qs[:size])
        if not rows:
            break
        for row in rows:
            checked += 1
            by_kek[row.kek_version] = by_kek.get(row.kek_version, 0) + 1
            try:
                value = open_(kek, bytes(row.ciphertext), context_for(row.id)).decode("utf-8")
                identifier = Identifier(IdentifierType(row.identifier_type), value, row.scheme)
                expected = token_for(
                    tokens, identifier.type.value, identifier.lookup_key, version=row.token_key_version
                )
                del value, identifier
                if expected != row.token:
                    failures.append({"id": str(row.id), "error": "TokenMismatch"})
            except (VaultCryptoError, UnicodeDecodeError, ValueError) as exc:
                failures.append({"id": str(row.id), "error": type(exc).__name__})
        after = rows[-1].pk
    return {"checked": checked, "by_kek_version": dict(sorted(by_kek.items())), "failures": failures}
