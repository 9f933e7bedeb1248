"""Spellings that normalisation folds into one family token stay reachable for misspellings."""

from __future__ import annotations

import pytest

from screening.engine.compare import token_similarity
from screening.engine.normalise import canonical_tokens
from screening.engine.vocabulary import ABD_ASSIMILATED


@pytest.mark.parametrize("written", sorted(ABD_ASSIMILATED))
def test_an_assimilated_abd_written_apart_is_read_as_abdul(written: str) -> None:
    assert canonical_tokens(f"{written} Rehman", "Person")[0] == "abdul"


def test_a_misspelt_abdur_still_matches_abdul_through_the_family() -> None:
    # "Badur" is "Abdur" with two letters swapped; "Abdur" is read as "abdul".
    assert token_similarity("badur", "abdul") >= 0.75


def test_a_word_far_from_every_abdul_spelling_does_not_match_it() -> None:
    assert token_similarity("bader", "abdul") == 0.0
