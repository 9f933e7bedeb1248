"""Helpers shared by the parsers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.lists._common import clean, exact_date, promote_primary, uk_date
from screening.lists.record import BirthDate, Name

WHITESPACE_RUNS = re.compile(r"\s+")


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000")))
def test_clean_collapses_whitespace_exactly_like_the_regex_it_replaced(text: str) -> None:
    assert clean(text) == WHITESPACE_RUNS.sub(" ", text).strip()


def test_clean_treats_every_unicode_whitespace_character_as_a_space() -> None:
    for char in (" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2028", "\u3000"):
        assert clean(f"{char}a{char}{char}b{char}") == "a b"
    assert clean(None) == ""
    assert clean("\u200b") == "\u200b"  # a zero-width space is not whitespace to either


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12/01/1970", "1970-01-12"),
        (" 1/2/1970 ", "1970-02-01"),
        ("00/07/1978", "1978-07"),
        ("dd/07/1978", "1978-07"),
        ("DD/MM/1962", "1962"),
        ("00/00/1975", "1975"),
        ("31/02/1970", "1970-02"),  # no such day: the month stands
        ("07/1978", "1978-07"),
        ("mm/1978", "1978"),
        ("1975", "1975"),
        ("15/08/19yy", None),
        ("1970-01-12", None),
        ("", None),
    ],
)
def test_uk_dates_spell_unknown_parts_as_letters_or_zeros(text: str, value: str | None) -> None:
    date = uk_date(text)
    assert (date.value if date else None) == value


def test_only_a_complete_date_is_an_exact_date() -> None:
    assert exact_date(uk_date("12/01/1970")) == "1970-01-12"
    assert exact_date(uk_date("01/1970")) is None
    assert exact_date(BirthDate(year_from=1960, year_to=1962)) is None
    assert exact_date(None) is None


def test_without_a_primary_name_the_first_latin_name_stands_in() -> None:
    original = Name("Олег", kind="original_script", script="Cyrl")
    aka, weak = Name("Oleg", kind="aka", script="Latn"), Name("O.", kind="weak_aka", script="Latn")
    primaries: list[Name] = []
    others = [original, aka, weak]
    assert promote_primary(primaries, others)
    assert primaries == [Name("Oleg", kind="primary", script="Latn")] and others == [original, weak]

    only_original: list[Name] = []
    assert promote_primary(only_original, [original]) and only_original[0].full == "Олег"
    assert not promote_primary([], [])
    kept = [Name("Ann")]
    assert promote_primary(kept, [aka]) and kept == [Name("Ann")]
