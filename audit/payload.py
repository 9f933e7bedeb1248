"""What may go into an audit payload: tokens and masked values, never plaintext identifiers.

The rule, applied to every key at every depth (keys are compared lower-case, with ``-``
and spaces read as ``_``):

* a key ending in a safe suffix (``_token``, ``_masked``, ``_hash``, ``_hmac``,
  ``_fingerprint``, ``_last4``, ``_type``, ``_kind``, ``_country``, ``_present``,
  ``_count``, ``_changed``) is allowed: it names a derived value;
* otherwise a key equal to an identifying word (``name``, ``address``, ``secret`` ...),
  or equal to or ending in an identifying term (``email``, ``date_of_birth``,
  ``passport_number``, ``iban`` ...), is refused;
* a string value that looks like an unmasked e-mail address is refused wherever it is.

So callers write ``{"email_masked": "j***@example.org"}`` or ``{"document_token": "..."}``,
never ``{"email": ...}``. Errors name the key path, never the value.

Values are normalised before hashing: UUIDs and Decimals become strings, datetimes
become ISO 8601 UTC, dates ISO 8601, tuples lists, and floats their shortest ``repr``
string (so the canonical form never depends on float formatting).
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from audit.chain import canonical_json, format_time

MAX_PAYLOAD_BYTES = 256 * 1024

SAFE_SUFFIXES = (
    "_token",
    "_masked",
    "_hash",
    "_hmac",
    "_fingerprint",
    "_last4",
    "_type",
    "_kind",
    "_country",
    "_present",
    "_count",
    "_changed",
)
# Refused only as the whole key ("list_name" is fine, "name" is not).
EXACT_WORDS = frozenset(
    {
        "name",
        "names",
        "address",
        "street",
        "postcode",
        "zip",
        "pan",
        "tin",
        "secret",
        "seed",
        "mrz",
        "identifier",
    }
)
# Refused as the whole key or as its last part ("customer_email", "holder_iban").
TERMS = (
    "email",
    "email_address",
    "phone",
    "phone_number",
    "mobile",
    "date_of_birth",
    "dob",
    "birth_date",
    "birthdate",
    "place_of_birth",
    "full_name",
    "first_name",
    "last_name",
    "given_name",
    "given_names",
    "family_name",
    "surname",
    "middle_name",
    "maiden_name",
    "passport",
    "passport_number",
    "national_id",
    "national_id_number",
    "id_number",
    "document_number",
    "ssn",
    "tax_id",
    "vat_number",
    "iban",
    "bic_account",
    "account_number",
    "card_number",
    "password",
    "totp_secret",
    "otp_secret",
    "otp_seed",
    "api_key",
    "recovery_code",
    "recovery_codes",
    "postal_address",
    "street_address",
    "identifier_value",
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


class AuditPayloadError(ValueError):
    """A payload would put a plaintext identifier or an unhashable value in the audit log."""


def _normal_key(key: str) -> str:
    return key.strip().lower().replace("-", "_").replace(" ", "_")


@functools.lru_cache(maxsize=8192)
def key_is_identifying(key: str) -> bool:
    """True if a payload key names a plaintext identifier under the rule above."""
    k = _normal_key(key)
    if k.endswith(SAFE_SUFFIXES):
        return False
    if k in EXACT_WORDS:
        return True
    return any(k == term or k.endswith("_" + term) for term in TERMS)


def _normalise(value: Any, path: str) -> Any:
    if isinstance(value, str):
        if "\x00" in value:
            raise AuditPayloadError(f"{path} contains a NUL character")
        if "*" not in value and _EMAIL.search(value):
            raise AuditPayloadError(f"{path} holds what looks like an unmasked e-mail address; pass a masked value")
        return value
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_normalise(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise AuditPayloadError(f"{path} has a non-string key of type {type(key).__name__}")
            if key_is_identifying(key):
                raise AuditPayloadError(
                    f"{path}.{key} names a plaintext identifier; pass a token or masked value "
                    f"under a key ending in _token or _masked"
                )
            out[key] = _normalise(item, f"{path}.{key}")
        return out
    raise AuditPayloadError(f"{path} has unsupported type {type(value).__name__}")


def clean_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise a payload and check it against the identifier rule; AuditPayloadError if it fails."""
    if not isinstance(payload, Mapping):
        raise AuditPayloadError("payload must be a mapping")
    cleaned = _normalise(payload, "payload")
    size = len(canonical_json(cleaned, checked=False))  # _normalise admits only canonical types
    if size > MAX_PAYLOAD_BYTES:
        raise AuditPayloadError(f"payload is {size} bytes in canonical form; the limit is {MAX_PAYLOAD_BYTES}")
    return cleaned


def mask_email(email: str) -> str:
    """``jane.doe@example.org`` -> ``j***@example.org`` (for actor labels and callers' payloads)."""
    local, at, domain = email.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"
