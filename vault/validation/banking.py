"""IBAN (ISO 13616, MOD 97-10 and the IBAN Registry's per-country structure) and LEI (ISO 17442)."""

from __future__ import annotations

import re

from stdnum import lei, numdb
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_97_10
from stdnum.util import get_cc_module

from vault.validation.errors import IdentifierValidationError

_IBAN_DB = numdb.get("iban")
_BBAN_PART = re.compile(r"([1-9][0-9]*)!([nac])")
_BBAN_CLASS = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}
_SEPARATORS = re.compile(r"[\s\-.]")


def _bban_structure(country: str) -> tuple[int, re.Pattern[str]] | None:
    info = _IBAN_DB.info(country)
    structure = info[0][1].get("bban") if info and info[0][0] == country else None
    if not structure:
        return None
    parts = _BBAN_PART.findall(structure)
    length = sum(int(count) for count, _ in parts)
    pattern = "".join(f"{_BBAN_CLASS[kind]}{{{count}}}" for count, kind in parts)
    return length, re.compile(f"^{pattern}$")


def validate_iban(value: str) -> tuple[str, str]:
    """Normalise and validate an IBAN; returns (compact IBAN, country code)."""
    number = _SEPARATORS.sub("", value).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}", number):
        raise IdentifierValidationError(
            "iban.format",
            "An IBAN is a two-letter country code, two check digits and up to 30 letters or digits.",
        )
    country = number[:2]
    structure = _bban_structure(country)
    if structure is None:
        raise IdentifierValidationError("iban.country", f"{country} is not a country in the IBAN registry.")
    bban_length, bban_pattern = structure
    if len(number) != 4 + bban_length:
        raise IdentifierValidationError(
            "iban.length", f"An IBAN from {country} has {4 + bban_length} characters, not {len(number)}."
        )
    if not mod_97_10.is_valid(number[4:] + number[:4]):
        raise IdentifierValidationError("iban.checksum", "The IBAN fails its MOD 97-10 check digits.")
    if not bban_pattern.match(number[4:]):
        raise IdentifierValidationError(
            "iban.bban_format", f"The account part does not follow the {country} IBAN registry structure."
        )
    module = get_cc_module(country.lower(), "iban")
    if module is not None:
        try:
            module.validate(number)
        except ValidationError:
            raise IdentifierValidationError(
                "iban.national_check", f"The IBAN fails the {country} national account check digits."
            ) from None
    return number, country


def validate_lei(value: str) -> str:
    """Normalise and validate a Legal Entity Identifier; returns the compact LEI."""
    number = lei.compact(value)
    if not re.fullmatch(r"[A-Z0-9]{18}[0-9]{2}", number):
        raise IdentifierValidationError(
            "lei.format", "An LEI is 18 letters or digits followed by two check digits (20 characters)."
        )
    if not mod_97_10.is_valid(number):
        raise IdentifierValidationError("lei.checksum", "The LEI fails its ISO 17442 MOD 97-10 check digits.")
    return number
