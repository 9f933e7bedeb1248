"""Helpers shared by the parsers."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from screening.lists._common import clean

WHITESPACE_RUNS = re.compile(r"\s+")


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000")))
def test_clean_collapses_whitespace_exactly_like_the_regex_it_replaced(text: str) -> None:
    assert clean(text) == WHITESPACE_RUNS.sub(" ", text).strip()


def test_clean_treats_every_unicode_whitespace_character_as_a_space() -> None:
    for char in (" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2028", "\u3000"):
        assert clean(f"{char}a{char}{char}b{char}") == "a b"
    assert clean(None) == ""
    assert clean("\u200b") == "\u200b"  # a zero-width space is not whitespace to either
