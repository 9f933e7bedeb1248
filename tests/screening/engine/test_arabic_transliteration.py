"""The learned reading of Arabic-script words (transliteration.py) and the Arabic compounds and
articles that are written together or apart (arabic.py, normalise.py)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.engine.arabic import _LETTERS, romanise
from screening.engine.compare import compare_names, token_similarity
from screening.engine.normalise import canonical_tokens
from screening.engine.transliteration import context_units, learned_similarity, reading_score, units
from screening.engine.transliteration_table import CHUNKS


def _arabic_token(word: str) -> str:
    *article, token = canonical_tokens(word, "Person")
    assert article in ([], ["al"])
    return token


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("نذير", "Nazir"),  # ذ read as z (Persian, Urdu)
        ("ثناء", "Sana"),  # ث read as s
        ("وثيق", "Wassiq"),
        ("اغ", "Ag"),  # the Tuareg particle: one consonant
        ("العوادي", "Aouadi"),  # و written "ou" (French)
        ("عايد", "Ayid"),
        ("ذاکر", "Zakir"),
    ],
)
def test_an_arabic_script_word_matches_the_latin_spellings_the_model_has_learned(arabic: str, latin: str) -> None:
    token = _arabic_token(arabic)
    assert token.endswith("_"), "the word is not in the hand-written table: it is read letter by letter"
    assert token_similarity(token, latin.lower()) >= 0.72


@pytest.mark.parametrize(("arabic", "latin"), [("نذير", "Peter"), ("ثناء", "Lopez"), ("وثيق", "Kim")])
def test_an_arabic_script_word_does_not_match_an_unrelated_latin_name(arabic: str, latin: str) -> None:
    assert token_similarity(_arabic_token(arabic), latin.lower()) == 0.0


def test_the_most_likely_writing_scores_zero_and_an_unlikely_one_less() -> None:
    assert reading_score("ndhir", "nazir") > reading_score("ndhir", "nabir") > reading_score("ndhir", "smith")
    assert reading_score("ndhir", "smith") < 0.0
    assert learned_similarity("ndhir", "smith") == 0.0


def test_a_reading_the_model_has_no_context_for_gets_no_score() -> None:
    assert reading_score("x", "x") == -math.inf


def test_digraphs_are_one_unit_and_each_unit_knows_its_place() -> None:
    assert units("shukr") == ["sh", "u", "k", "r"]
    assert context_units("amr") == ["a|b|c", "m|m|c", "r|e|-"]


def test_every_letter_of_the_engine_reading_has_learned_spellings() -> None:
    letters = {unit for value in _LETTERS.values() if value for unit in units(value)} | {"a", "i", "u", "w", "y"}
    learned = {context.split("|", 1)[0] for context in CHUNKS}
    # Letters of Pashto and Urdu that the Arabic training pairs never use may be missing.
    assert letters - learned <= {"zh", "ch", "p", "g", "e"} - learned
    assert set("b t th j h kh d dh r z s sh gh f q k l m n".split()) <= learned


def test_every_context_is_a_probability_distribution() -> None:
    for context, chunks in CHUNKS.items():
        assert sum(chunks.values()) == pytest.approx(1.0, abs=0.01), context


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Abd al-Rahman", "Abdul Rahman"),
        ("عبد الرحمن", "Abdurrahman"),
        ("Abd el Aziz", "Abdul Aziz"),
        ("Nur al-Din", "Nooruddin"),
        ("نورالدين", "نور الدين"),
        ("Salah ad-Din", "Salahuddin"),
    ],
)
def test_the_article_inside_abd_al_and_al_din_names_is_read_alike_however_written(one: str, other: str) -> None:
    first, second = canonical_tokens(one, "Person"), canonical_tokens(other, "Person")
    assert len(first) == len(second)
    assert all(token_similarity(a, b) >= 0.95 for a, b in zip(first, second, strict=True))


def test_an_article_that_is_not_inside_such_a_name_is_kept() -> None:
    assert canonical_tokens("Abu al-Hasan", "Person") == ("abu", "al", "hasan")
    assert canonical_tokens("Abdul Al", "Person") == ("abdul", "al")


def test_a_name_written_solid_with_zada_splits_like_its_latin_spelling() -> None:
    assert canonical_tokens("آخوندزاده", "Person") == canonical_tokens("Akhundzada", "Person") == ("akhund", "zada")


def test_romanise_is_what_the_model_reads() -> None:
    assert romanise("\u063a\u064a\u0627\u062b") == "ghyath"


def test_the_explanation_says_an_arabic_script_word_was_read_as_the_latin_name() -> None:
    comparison = compare_names(canonical_tokens("عبد الحق وثيق", "Person"), ("abdul", "haq", "wassiq"), lambda _: 1.0)
    expected = "'wthiq_' ~ 'wassiq' (written in Arabic or Hebrew script, can be read 'wassiq', 85%)"
    assert expected in comparison.describe()
    assert comparison.score > 0.9


_READINGS = st.text(alphabet="abtjhkdrzsfqlmnwyuigpe", min_size=1, max_size=8)
_LATIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)


@given(_READINGS, _LATIN)
def test_a_reading_score_is_never_above_the_most_likely_writing(reading: str, latin: str) -> None:
    assert reading_score(reading, latin) <= 1e-9
    assert learned_similarity(reading, latin) == 0.0 or 0.8 <= learned_similarity(reading, latin) <= 0.95


@given(_LATIN, _LATIN)
def test_the_learned_reading_never_changes_how_two_latin_tokens_compare(a: str, b: str) -> None:
    assert token_similarity(a, b) == token_similarity(a, b, False)
