"""Storing and revealing identifiers: validate -> tokenise -> encrypt; reveal with purpose and audit."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from audit.services import audit_record
from vault import audit_actions, keyring
from vault.crypto import Context, VaultCryptoError, is_token, lookup_tokens, mask, open_, seal
from vault.models import StoredIdentifier
from vault.services.errors import IdentifierNotFound, RevealDenied, VaultError
from vault.validation import Identifier, IdentifierType, validate_identifier

TABLE = StoredIdentifier._meta.db_table
FIELD = "value"
REVEAL_PERMISSION = "vault.reveal_storedidentifier"
REVEAL_ACTION = "identifier.reveal"


class RevealPurpose:
    """Why an officer needs the plaintext; one of these codes is required for every reveal."""

    CUSTOMER_DUE_DILIGENCE = "customer_due_diligence"
    SCREENING_REVIEW = "screening_review"
    REGULATORY_REQUEST = "regulatory_request"
    LAW_ENFORCEMENT_REQUEST = "law_enforcement_request"
    DATA_SUBJECT_REQUEST = "data_subject_request"
    FRAUD_INVESTIGATION = "fraud_investigation"

    choices = (
        (CUSTOMER_DUE_DILIGENCE, "Customer due diligence (checking a document against the customer)"),
        (SCREENING_REVIEW, "Comparing with a sanctions or PEP list entry"),
        (REGULATORY_REQUEST, "Request from a regulator"),
        (LAW_ENFORCEMENT_REQUEST, "Request from law enforcement"),
        (DATA_SUBJECT_REQUEST, "The customer's own data access request"),
        (FRAUD_INVESTIGATION, "Fraud investigation"),
    )
    values = frozenset(code for code, _ in choices)


@dataclass(frozen=True)
class RevealedIdentifier:
    """A plaintext identifier handed to an authorised caller; never log or persist ``value``."""

    token: str
    identifier_type: str
    scheme: str
    masked: str
    value: str

    def __repr__(self) -> str:
        return f"RevealedIdentifier(token={self.token!r}, type={self.identifier_type!r}, value=<redacted>)"


def context_for(row_id: uuid.UUID | str) -> Context:
    """The associated data of a stored identifier's ciphertext: this table, this row, the value column."""
    return Context(table=TABLE, record_id=str(row_id), field=FIELD)


def may_reveal_by_permission(actor: Any, action: str) -> bool:
    """Alternative reveal policy: the Django permission ``vault.reveal_storedidentifier`` (user or group).

    The default policy is the accounts app's role table (``accounts.policy.can``: officers and senior
    officers); set ``TILLIT_VAULT_REVEAL_POLICY`` to this function to grant reveals per person instead.
    """
    return bool(actor.has_perm(REVEAL_PERMISSION))


def _may_reveal(actor: Any) -> bool:
    from django.utils.module_loading import import_string

    check = import_string(getattr(settings, "TILLIT_VAULT_REVEAL_POLICY", "accounts.policy.can"))
    return check(actor, REVEAL_ACTION) is True


def _user_or_none(actor: Any) -> Any:
    from django.contrib.auth import get_user_model

    return actor if isinstance(actor, get_user_model()) else None


def identifier_store(
    *,
    identifier_type: IdentifierType | str,
    value: str,
    actor: Any,
    country: str | None = None,
    scheme: str | None = None,
) -> StoredIdentifier:
    """Validate, tokenise and encrypt an identifier; one already held is returned unchanged.

    Raises ``IdentifierValidationError`` (naming the failed check) before anything is stored.
    Validation is pure; the write happens atomically in ``identifier_store_validated``.
    """
    identifier = validate_identifier(identifier_type, value, country=country, scheme=scheme)
    return identifier_store_validated(identifier=identifier, actor=actor)


@transaction.atomic
def identifier_store_validated(*, identifier: Identifier, actor: Any) -> StoredIdentifier:
    """Store an identifier that ``validate_identifier`` (or ``identifier_from_mrz``) already checked."""
    # One query for both key rings, holding their rows FOR SHARE: no version is promoted or retired
    # under this store (promotion and retirement lock them FOR UPDATE).
    kek, tokens = keyring.rings(lock=True)
    candidates = lookup_tokens(tokens, identifier.type.value, identifier.lookup_key)
    existing = StoredIdentifier.objects.filter(token__in=candidates).first()
    if existing is not None:
        return existing

    row = StoredIdentifier(
        id=uuid.uuid4(),
        token=candidates[0],
        token_key_version=tokens.primary,
        identifier_type=identifier.type.value,
        scheme=identifier.scheme,
        masked=mask(identifier.value),
        kek_id=kek.key_id,
        kek_version=kek.primary,
        created_by=_user_or_none(actor),
    )
    row.ciphertext = seal(kek, identifier.value.encode("utf-8"), context_for(row.id))
    row.full_clean(validate_unique=False)  # the token's uniqueness is enforced by the insert below
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        # The same identifier was stored concurrently: its token is unique, so return that row.
        existing = StoredIdentifier.objects.filter(token__in=candidates).first()
        if existing is None:
            raise
        return existing
    audit_record(
        action=audit_actions.IDENTIFIER_STORED,
        actor=actor,
        target=row,
        payload={
            "identifier_token": row.token,
            "identifier_type": row.identifier_type,
            "identifier_masked": row.masked,
            "kek_version": row.kek_version,
        },
    )
    return row


def _rate(setting: str, default: str) -> tuple[int, int]:
    """``"20/h"`` -> (20, 3600); a malformed setting is a configuration error, not a silent default."""
    from django.core.exceptions import ImproperlyConfigured

    text = str(getattr(settings, setting, default))
    count, _, period = text.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(period.strip()[:1].lower())
    if not count.strip().isdigit() or seconds is None:
        raise ImproperlyConfigured(f"{setting} must look like '20/h' (a count per s, m, h or d)")
    return int(count), seconds


def _over_rate_limit(actor: Any) -> bool:
    limit, period = _rate("TILLIT_VAULT_REVEAL_RATE", "20/h")
    window = int(time.time() // period)
    key = f"vault:reveal:{actor.pk}:{window}"
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        count = 1
    return count > limit


def _deny(*, code: str, message: str, token: str, purpose: str, actor: Any) -> VaultError:
    with transaction.atomic():
        audit_record(
            action=audit_actions.IDENTIFIER_REVEAL_DENIED,
            actor=actor,
            target=None,
            payload={
                # Only a well-formed token is recorded: a caller might paste a plaintext by mistake.
                "identifier_token": token if is_token(token) else "",
                "reason_code": code,
                "purpose": purpose if purpose in RevealPurpose.values else "",
            },
        )
    if code == "not_found":
        return IdentifierNotFound(message)
    return RevealDenied(message, code=code)


def identifier_reveal(*, token: str, purpose: str, actor: Any, step_up_verified: bool) -> RevealedIdentifier:
    """Decrypt a stored identifier for an officer with the permission, a fresh step-up and a purpose.

    ``step_up_verified`` must be True: the caller (API view, admin) proves a fresh second factor for
    the action ``identifier.reveal`` before calling. Every outcome is audited; refusals commit their
    audit event even though the reveal itself raises. Reveals are rate limited per officer.
    """
    from django.contrib.auth import get_user_model

    if not isinstance(actor, get_user_model()) or not actor.is_active:
        raise _deny(
            code="permission_denied",
            message="Only an officer can reveal an identifier.",
            token=token,
            purpose=purpose,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
    if not _may_reveal(actor):
        raise _deny(
            code="permission_denied",
            message="You do not have permission to reveal identifiers.",
            token=token,
            purpose=purpose,
            actor=actor,
        )
    if step_up_verified is not True:
        raise _deny(
            code="step_up_required",
            message="Revealing an identifier needs a fresh second-factor check (action identifier.reveal).",
            token=token,
            purpose=purpose,
            actor=actor,
        )
    if purpose not in RevealPurpose.values:
        raise _deny(
            code="purpose_required",
            message="State why the identifier is needed: one of " + ", ".join(sorted(RevealPurpose.values)),
            token=token,
            purpose=purpose,
            actor=actor,
        )
    if _over_rate_limit(actor):
        raise _deny(
            code="rate_limited",
            message="Too many reveals; try again later.",
            token=token,
            purpose=purpose,
            actor=actor,
        )
    row = StoredIdentifier.objects.filter(token=token).first() if is_token(token) else None
    if row is None:
        raise _deny(
            code="not_found", message="No identifier has this token.", token=token, purpose=purpose, actor=actor
        )
    try:
        with transaction.atomic():
            # The audit event is written first, in the same transaction: no event, no plaintext.
            audit_record(
                action=audit_actions.IDENTIFIER_REVEALED,
                actor=actor,
                target=row,
                payload={
                    "identifier_token": row.token,
                    "identifier_type": row.identifier_type,
                    "purpose": purpose,
                    "step_up_present": True,
                },
            )
            plaintext = open_(keyring.kek_ring(), bytes(row.ciphertext), context_for(row.id)).decode("utf-8")
    except VaultCryptoError as exc:
        # A stored value that no longer decrypts was altered or its key is gone: record it, loudly.
        raise _deny(
            code="integrity_error",
            message=f"The stored identifier could not be decrypted ({type(exc).__name__}); it may have been altered.",
            token=token,
            purpose=purpose,
            actor=actor,
        ) from None
    return RevealedIdentifier(
        token=row.token, identifier_type=row.identifier_type, scheme=row.scheme, masked=row.masked, value=plaintext
    )
