"""Machine-readable zones of travel documents (ICAO Doc 9303 TD1, TD2 and TD3) and their check digits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vault.validation.errors import IdentifierValidationError

_WEIGHTS = (7, 3, 1)
_ALPHABET = re.compile(r"^[A-Z0-9<]+$")
#: (lines, characters per line) of each format.
FORMATS = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}


def check_digit(field: str) -> str:
    """ICAO 9303 Part 3 check digit: weights 7-3-1, digits as is, A-Z as 10-35, '<' as 0, mod 10."""
    total = 0
    for i, char in enumerate(field):
        if char.isdigit():
            value = int(char)
        elif "A" <= char <= "Z":
            value = ord(char) - 55
        elif char == "<":
            value = 0
        else:
            raise ValueError("MRZ fields contain only A-Z, 0-9 and '<'")
        total += value * _WEIGHTS[i % 3]
    return str(total % 10)


@dataclass(frozen=True)
class Mrz:
    """The checked fields of a machine-readable zone (the document number is sensitive: tokenise it)."""

    format: str
    document_code: str
    issuing_state: str
    document_number: str
    nationality: str
    birth_date: str  # YYMMDD as printed
    sex: str
    expiry_date: str  # YYMMDD as printed

    def __repr__(self) -> str:
        return f"Mrz(format={self.format!r}, issuing_state={self.issuing_state!r}, document_number=<redacted>)"


def _check(name: str, field: str, digit: str, *, allow_filler: bool = False) -> None:
    if allow_filler and digit == "<" and set(field) <= {"<"}:
        return
    if check_digit(field) != digit:
        label = name.replace("_", " ")
        raise IdentifierValidationError(f"mrz.{name}_check_digit", f"The MRZ {label} check digit is wrong.")


def parse_mrz(value: str | list[str] | tuple[str, ...]) -> Mrz:
    """Validate a TD1, TD2 or TD3 machine-readable zone (lines as a list or newline-separated)."""
    lines = [line.strip().upper() for line in (value.splitlines() if isinstance(value, str) else value)]
    lines = [line for line in lines if line]
    shape = (len(lines), len(lines[0]) if lines else 0)
    fmt = next((name for name, expected in FORMATS.items() if expected == shape), None)
    if fmt is None or any(len(line) != shape[1] for line in lines):
        raise IdentifierValidationError(
            "mrz.format", "An MRZ has 3 lines of 30 (TD1), 2 of 36 (TD2) or 2 of 44 (TD3) characters."
        )
    if not all(_ALPHABET.match(line) for line in lines):
        raise IdentifierValidationError("mrz.characters", "An MRZ contains only A-Z, 0-9 and '<'.")
    if fmt == "TD1":
        return _parse_td1(lines)
    return _parse_td2_td3(fmt, lines)


def _parse_td1(lines: list[str]) -> Mrz:
    one, two = lines[0], lines[1]
    number, number_cd, optional = one[5:14], one[14], one[15:30]
    if number_cd == "<" and optional.strip("<"):
        # Doc 9303 Part 5: a number longer than 9 characters continues in the optional data,
        # followed by its check digit and a filler.
        rest = optional.split("<", 1)[0]
        number, number_cd = number + rest[:-1], rest[-1]
    _check("document_number", number, number_cd)
    _check("birth_date", two[0:6], two[6])
    _check("expiry_date", two[8:14], two[14])
    _check("composite", one[5:30] + two[0:7] + two[8:15] + two[18:29], two[29])
    return Mrz("TD1", one[0:2], one[2:5], number.rstrip("<"), two[15:18], two[0:6], two[7], two[8:14])


def _parse_td2_td3(fmt: str, lines: list[str]) -> Mrz:
    one, two = lines[0], lines[1]
    _check("document_number", two[0:9], two[9])
    _check("birth_date", two[13:19], two[19])
    _check("expiry_date", two[21:27], two[27])
    if fmt == "TD3":
        _check("personal_number", two[28:42], two[42], allow_filler=True)
        _check("composite", two[0:10] + two[13:20] + two[21:43], two[43])
    else:
        _check("composite", two[0:10] + two[13:20] + two[21:35], two[35])
    return Mrz(fmt, one[0:2], one[2:5], two[0:9].rstrip("<"), two[10:13], two[13:19], two[20], two[21:27])
