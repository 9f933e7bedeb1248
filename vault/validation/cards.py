"""Payment card numbers: digits only, a known scheme (by IIN range), that scheme's lengths, Luhn."""

from __future__ import annotations

import re

from stdnum import luhn

from vault.validation.errors import IdentifierValidationError

# (scheme, IIN ranges as inclusive (low, high) prefixes, allowed lengths). Order matters: the
# Discover co-branded range 622126-622925 sits inside UnionPay's 62.
SCHEMES: tuple[tuple[str, tuple[tuple[int, int], ...], frozenset[int]], ...] = (
    ("amex", ((34, 34), (37, 37)), frozenset({15})),
    ("visa", ((4, 4),), frozenset({13, 16, 19})),
    ("mastercard", ((51, 55), (2221, 2720)), frozenset({16})),
    ("discover", ((6011, 6011), (644, 649), (65, 65), (622126, 622925)), frozenset(range(16, 20))),
    ("unionpay", ((62, 62), (81, 81)), frozenset(range(16, 20))),
    ("jcb", ((3528, 3589),), frozenset(range(16, 20))),
    ("diners", ((300, 305), (3095, 3095), (36, 36), (38, 39)), frozenset(range(14, 20))),
    ("maestro", ((50, 50), (56, 58), (639, 639), (67, 67)), frozenset(range(12, 20))),
)

_SEPARATORS = re.compile(r"[\s\-]")


def card_scheme(number: str) -> str | None:
    """The card scheme whose IIN range contains ``number`` (digits only), or None."""
    for scheme, ranges, _ in SCHEMES:
        for low, high in ranges:
            width = len(str(low))
            if len(number) >= width and low <= int(number[:width]) <= high:
                return scheme
    return None


def validate_card(value: str) -> tuple[str, str]:
    """Normalise and validate a card number; returns (digits, scheme)."""
    number = _SEPARATORS.sub("", value)
    if not number.isascii() or not number.isdigit():
        raise IdentifierValidationError("card.characters", "A card number may contain only digits and spaces.")
    scheme = card_scheme(number)
    if scheme is None:
        raise IdentifierValidationError("card.scheme", "The card number does not start with a known IIN range.")
    lengths = next(allowed for name, _, allowed in SCHEMES if name == scheme)
    if len(number) not in lengths:
        expected = ", ".join(str(n) for n in sorted(lengths))
        raise IdentifierValidationError(
            "card.length", f"A {scheme} card number has {expected} digits, not {len(number)}."
        )
    if not luhn.is_valid(number):
        raise IdentifierValidationError("card.luhn", "The card number fails the Luhn check digit.")
    return number, scheme
