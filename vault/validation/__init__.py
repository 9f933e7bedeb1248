"""Validation and normalisation of identifiers before they are tokenised and encrypted.

:func:`validate_identifier` is the single entry point. It returns an :class:`Identifier` whose
``lookup_key`` is what the token is computed over, or raises
:class:`IdentifierValidationError` naming the check that failed (never the value).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from enum import StrEnum

from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

from vault.validation.banking import validate_iban, validate_lei
from vault.validation.cards import card_scheme, validate_card
from vault.validation.errors import IdentifierValidationError
from vault.validation.mrz import Mrz, check_digit, parse_mrz


class IdentifierType(StrEnum):
    CARD = "card"
    IBAN = "iban"
    LEI = "lei"
    PASSPORT = "passport"
    ID_CARD = "id_card"
    NATIONAL_ID = "national_id"
    TAX_ID = "tax_id"


#: Types whose token also covers the scheme (issuing state or stdnum module): the same characters
#: issued by two countries are two different identifiers.
SCOPED_TYPES = frozenset(
    {IdentifierType.PASSPORT, IdentifierType.ID_CARD, IdentifierType.NATIONAL_ID, IdentifierType.TAX_ID}
)


@dataclass(frozen=True)
class Identifier:
    """A validated, normalised identifier. ``value`` is plaintext: keep it out of logs and the database."""

    type: IdentifierType
    value: str
    scheme: str = ""

    @property
    def lookup_key(self) -> str:
        """What the lookup token is computed over (with the type)."""
        return f"{self.scheme}:{self.value}" if self.type in SCOPED_TYPES else self.value

    def __repr__(self) -> str:
        return f"Identifier(type={self.type.value!r}, scheme={self.scheme!r}, value=<redacted>)"

    __str__ = __repr__


_STATE = re.compile(r"^[A-Z<]{3}$|^[A-Z]{2}$")
_DOCUMENT_NUMBER = re.compile(r"^[A-Z0-9]{1,20}$")
_STDNUM_SCHEME = re.compile(r"^[a-z]{2}\.[a-z][a-z0-9_]{1,20}$")
_STDNUM_ERRORS: tuple[tuple[type[ValidationError], str, str], ...] = (
    (InvalidLength, "length", "has the wrong length"),
    (InvalidFormat, "format", "has an invalid format"),
    (InvalidChecksum, "checksum", "fails its check digit"),
    (InvalidComponent, "component", "has a part that is invalid or unknown (for example a date or region)"),
)


def _document(kind: IdentifierType, value: str, country: str | None) -> Identifier:
    state = (country or "").strip().upper()
    if not _STATE.match(state):
        raise IdentifierValidationError(
            f"{kind.value}.country", "The issuing state must be an ICAO three-letter code.", field="country"
        )
    number = re.sub(r"[\s\-]", "", value).upper()
    if not _DOCUMENT_NUMBER.match(number):
        raise IdentifierValidationError(f"{kind.value}.format", "A document number has 1 to 20 letters or digits.")
    return Identifier(kind, number, state)


def _stdnum(kind: IdentifierType, value: str, scheme: str | None) -> Identifier:
    name = (scheme or "").strip().lower()
    module = None
    if _STDNUM_SCHEME.match(name):
        try:
            module = importlib.import_module(f"stdnum.{name}")
        except ImportError:
            module = None
    if module is None or not hasattr(module, "validate") or not hasattr(module, "compact"):
        raise IdentifierValidationError(
            f"{kind.value}.scheme",
            "Unknown identifier scheme: use a python-stdnum module name such as 'nl.bsn' or 'us.ssn'.",
            field="scheme",
        )
    try:
        number = module.validate(value)
    except ValidationError as exc:
        check, text = next(((c, t) for cls, c, t in _STDNUM_ERRORS if isinstance(exc, cls)), ("invalid", "is invalid"))
        label = getattr(module, "__doc__", "") or name
        raise IdentifierValidationError(
            f"{kind.value}.{check}", f"The {label.splitlines()[0].rstrip('.')} {text}."
        ) from None
    return Identifier(kind, str(module.compact(number)), name)


def validate_identifier(
    kind: IdentifierType | str, value: str, *, country: str | None = None, scheme: str | None = None
) -> Identifier:
    """Validate and normalise ``value`` as an identifier of type ``kind``.

    ``country`` is the issuing state of a passport or identity card; ``scheme`` the python-stdnum
    module of a national or tax identifier (``nl.bsn``, ``us.ssn``, ``de.idnr``, ``gb.utr`` ...).
    """
    try:
        kind = IdentifierType(kind)
    except ValueError:
        known = ", ".join(t.value for t in IdentifierType)
        raise IdentifierValidationError("type", f"Unknown identifier type; use one of {known}.", field="type") from None
    if not isinstance(value, str) or not value.strip():
        raise IdentifierValidationError(f"{kind.value}.required", "A value is required.")
    if len(value) > 200:
        raise IdentifierValidationError(f"{kind.value}.length", "The value is longer than 200 characters.")
    if kind is IdentifierType.CARD:
        number, brand = validate_card(value)
        return Identifier(kind, number, brand)
    if kind is IdentifierType.IBAN:
        number, country_code = validate_iban(value)
        return Identifier(kind, number, country_code)
    if kind is IdentifierType.LEI:
        return Identifier(kind, validate_lei(value))
    if kind in (IdentifierType.PASSPORT, IdentifierType.ID_CARD):
        return _document(kind, value, country)
    return _stdnum(kind, value, scheme)


def identifier_from_mrz(value: str | list[str]) -> tuple[Identifier, Mrz]:
    """Check a machine-readable zone and return its document number as an identifier, with the MRZ."""
    mrz = parse_mrz(value)
    kind = IdentifierType.PASSPORT if mrz.document_code.startswith("P") else IdentifierType.ID_CARD
    return _document(kind, mrz.document_number, mrz.issuing_state), mrz


__all__ = [
    "Identifier",
    "IdentifierType",
    "IdentifierValidationError",
    "Mrz",
    "card_scheme",
    "check_digit",
    "identifier_from_mrz",
    "parse_mrz",
    "validate_card",
    "validate_iban",
    "validate_identifier",
    "validate_lei",
]
