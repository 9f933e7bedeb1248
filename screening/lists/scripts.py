"""The script (writing system) of a text, read from the Unicode names of its letters; free of Django.

One classification for every caller, each with its own labels: the parsers record a name's ISO 15924
code (``screening.lists._common.script_of``, part of an entry's content hash), the drift check
groups screened names by script (``monitoring.drift.name_script``) and shadow releases compare
results per writing system (``screening.engine.releases.name_script``).

A letter belongs to the script its Unicode name starts with (``CYRILLIC SMALL LETTER A``). With
``forms=True`` the width and modifier variants count too: the script word may be the second or
third word of the name (``FULLWIDTH LATIN CAPITAL LETTER A``, ``MODIFIER LETTER CYRILLIC EN``).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

#: Unicode character-name prefix -> ISO 15924 code, in the order they are tried.
SCRIPT_CODES: tuple[tuple[str, str], ...] = (
    ("LATIN", "Latn"),
    ("CYRILLIC", "Cyrl"),
    ("ARABIC", "Arab"),
    ("GREEK", "Grek"),
    ("HEBREW", "Hebr"),
    ("GEORGIAN", "Geor"),
    ("ARMENIAN", "Armn"),
    ("CJK", "Hani"),
    ("HIRAGANA", "Jpan"),
    ("KATAKANA", "Jpan"),
    ("HANGUL", "Hang"),
    ("THAI", "Thai"),
    ("DEVANAGARI", "Deva"),
    ("BENGALI", "Beng"),
    ("MYANMAR", "Mymr"),
    ("ETHIOPIC", "Ethi"),
    ("TAMIL", "Taml"),
    ("KHMER", "Khmr"),
    ("SINHALA", "Sinh"),
    ("TIBETAN", "Tibt"),
    ("SYRIAC", "Syrc"),
    ("THAANA", "Thaa"),
    ("GUJARATI", "Gujr"),
    ("GURMUKHI", "Guru"),
    ("LAO", "Laoo"),
    ("MONGOLIAN", "Mong"),
)


def letter_script(char: str, forms: bool = False) -> str | None:
    """ISO 15924 code of one letter's script, or None (not a letter, no Unicode name, another script)."""
    if not char.isalpha():
        return None
    return _form_script(char) if forms else _script(char)


@lru_cache(maxsize=16384)
def _script(char: str) -> str | None:
    uname = unicodedata.name(char, "")
    for prefix, code in SCRIPT_CODES:
        if uname.startswith(prefix):
            return code
    return None


@lru_cache(maxsize=16384)
def _form_script(char: str) -> str | None:
    words = unicodedata.name(char, "").split(" ", 3)
    for start in (" ".join(words[i:]) for i in range(min(3, len(words)))):
        for prefix, code in SCRIPT_CODES:
            if start.startswith(prefix):
                return code
    return None


def letter_scripts(text: str, *, forms: bool = False) -> dict[str | None, int]:
    """How many letters of ``text`` are in each script, in the order first met (None: no known script)."""
    if text.isascii():  # the common case, and the hot path when streaming millions of names
        letters = sum(map(str.isalpha, text))
        return {"Latn": letters} if letters else {}
    script = _form_script if forms else _script
    counts: dict[str | None, int] = {}
    for char in text:
        if char.isalpha():
            code = script(char)
            counts[code] = counts.get(code, 0) + 1
    return counts


def script_of(text: str) -> str | None:
    """ISO 15924 code of the script most letters of ``text`` are written in (ties: the first met), or None."""
    if text.isascii():  # every name of most lists: no counting needed
        return "Latn" if any(map(str.isalpha, text)) else None
    counts = letter_scripts(text)
    counts.pop(None, None)
    return max(counts, key=counts.__getitem__) if counts else None
