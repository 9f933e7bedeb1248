"""The script of a text, shared by the parsers, the drift check and shadow releases."""

from __future__ import annotations

import pytest

from screening.lists.scripts import letter_script, letter_scripts, script_of


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Oleg Primerov", "Latn"),
        ("José Ñúñez", "Latn"),
        ("Олег Примеров", "Cyrl"),
        ("Олег Smith-Примеров", "Cyrl"),  # most letters
        ("Oleg Прим", "Latn"),  # a tie: the first met
        ("عينة قادر الخيالي", "Arab"),
        ("王小明", "Hani"),
        ("ジョーンズ", "Jpan"),  # the long-vowel mark (KATAKANA-HIRAGANA ...) is Japanese too
        ("김민준", "Hang"),
        ("ᏣᎳᎩ Олег", "Cyrl"),  # letters of a script without a code are not counted
        ("12345 --", None),
        ("", None),
    ],
)
def test_a_text_is_in_the_script_of_most_of_its_letters(text, code):
    assert script_of(text) == code


def test_width_and_modifier_forms_count_as_their_script_only_when_asked():
    assert letter_script("Ｏ") is None and letter_script("Ｏ", forms=True) == "Latn"  # FULLWIDTH LATIN ...
    assert letter_script("ｱ", forms=True) == "Jpan"  # HALFWIDTH KATAKANA LETTER A
    assert letter_script("ᵸ", forms=True) == "Cyrl"  # MODIFIER LETTER CYRILLIC EN
    assert letter_script("1") is None and letter_script("-", forms=True) is None


def test_letters_are_counted_per_script_in_the_order_first_met():
    assert letter_scripts("Ab Вгд Ꭰ") == {"Latn": 2, "Cyrl": 3, None: 1}
    assert letter_scripts("Ｏｌｅｇ") == {None: 4}
    assert letter_scripts("Ｏｌｅｇ", forms=True) == {"Latn": 4}
    assert letter_scripts("a-b 1") == {"Latn": 2}
