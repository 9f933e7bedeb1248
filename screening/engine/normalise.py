"""Normalisation: turn a name as written into comparable Latin tokens.

Pipeline (each step a small function): ``clean`` (Unicode NFKC, control characters) →
``to_latin`` (transliteration of every script with anyascii, CJK syllables split) →
``tokenise`` (case folding, punctuation, hyphens, apostrophes; Arabic-script words through
``arabic.arabic_tokens``) → ``canonical_tokens`` ("LAST, First" order, honorifics dropped, legal
forms and spelling families canonicalised, compounds written solid or apart split alike:
"Abdulrahman"/"Abd al-Rahman", "Nasrullah"/"Nasr Allah", "Saifuddin"/"Saif al-Din",
"Akhundzada"/"Akhund Zada"; in people's names digits typed for letters read as letters, "Sech1n";
in organisations' names acronyms with dots joined, "A.B.C.", numbers in words written as digits,
"Forty-Four", common abbreviations spelled out, "Int'l", and legal forms written solid onto the
name split off, "COMPANYENERGO").

``skeleton`` and ``consonants`` give the looser keys used to find transliteration variants.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish
from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.engine.arabic import arabic_tokens
from screening.engine.vocabulary import (
    ABD_ASSIMILATED,
    AMBIGUOUS_LEGAL_WORDS,
    FAMILY,
    HONORIFICS,
    LEGAL_FORMS,
    LEGAL_SYNONYMS,
    NUMBER_WORDS,
    ORDINAL_WORDS,
    ORG_ABBREVIATIONS,
    PARTICLE_CLASSES,
    PARTICLES,
    TENS_WORDS,
)

ORG_SCHEMAS = frozenset({"Organization", "Company", "LegalEntity"})
_MAX_LEGAL_PHRASE = max(len(p.split()) for p in LEGAL_FORMS)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][A-Za-z]{2,})")
_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bc\u02bb\u02be\u02bf]")
_ABD_PREFIX = re.compile(r"^(abdul|abdel|abdal|abdur|abdel|abdol|abdoul|abd)(?=[a-z]{3,}$)")
# Arabic-script letters (with vowel marks and tatweel, which ``arabic`` removes) and the rest.
_ARABIC_LETTER = re.compile("[\u0620-\u065f\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u0670]")
_ARABIC_RUN = re.compile("([\u0620-\u065f\u066e-\u06d3\u06d5-\u06ed\u06ee\u06ef\u06fa-\u06fc\u0670]+)")
_VOWELS = re.compile(r"[aeiou]")
ABJAD_MARK = "_"
_ALLAH_SUFFIX = re.compile(r"^([a-z]{2,}?)(?:ullah|ulla|ullahi|allah|alla|ollah|ulah|illah|ellah)$")
_ZADA_SUFFIX = re.compile(r"^([a-z]{3,}?)(?:zada|zadah|zadeh|zade)$")
_DIN_SUFFIX = re.compile(r"^([a-z]{3,}?)(?:uddin|uddeen|uddine|eddine|eddin|addin|oddin|iddin|aldin|eldin)$")
_ALLAH = frozenset({"allah", "ullah", "ulla", "llah", "lh", "llh", "ollah", "alla"})
_VOWELS_Y = re.compile(r"[aeiouy]")


def clean(text: str) -> str:
    """Apply Unicode NFKC and replace control and format characters with spaces."""
    if text.isascii() and text.isprintable():
        return text
    text = unicodedata.normalize("NFKC", text)
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)


# Hangul syllables that stand for a surname romanised otherwise in the lists: 이 is Lee/Yi/Rhee/Ri.
_HANGUL_SURNAMES = {"\uc774": "ri"}


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xAC00 <= code <= 0xD7AF


def to_latin(text: str) -> str:
    """Transliterate any script to Latin letters; CJK and Hangul syllables become separate words."""
    if text.isascii():
        return text
    parts = []
    for ch in text:
        if ch.isascii():
            parts.append(ch)
        elif _is_cjk(ch):
            parts.append(f" {_HANGUL_SURNAMES.get(ch) or anyascii(ch)} ")
        else:
            parts.append(anyascii(ch))
    return "".join(parts)


# Every syllable the Chinese characters are read as (pinyin without tones, as anyascii writes them).
PINYIN_SYLLABLES: frozenset[str] = frozenset(
    syllable
    for syllable in (anyascii(chr(code)).lower() for code in range(0x4E00, 0xA000))
    if syllable.isalpha() and len(syllable) <= 6
)
_PINYIN_INITIALS = ("zh", "ch", "sh", *"bpmfdtnlgkhjqxrzcsyw")


def pinyin_initial(syllable: str) -> str:
    """The opening consonant of a pinyin syllable ("zh" of "zhang"; "" for "ang")."""
    for initial in _PINYIN_INITIALS:
        if syllable.startswith(initial):
            return initial
    return ""


def _is_abjad(ch: str) -> bool:
    code = ord(ch)
    return 0x0590 <= code <= 0x08FF or 0xFB1D <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF


def _split_latin(text: str) -> list[str]:
    # "SaeedAGHAJANI", "JanDaniel": a lower-to-upper change inside a word is a missing space.
    text = _APOSTROPHES.sub("", _CAMEL.sub(" ", text).casefold())
    return [t for t in _NON_ALNUM.split(text) if t]


def tokenise(text: str) -> list[str]:
    """Split cleaned, transliterated text into lower-case words; apostrophes join, punctuation splits.

    Arabic-script words are read by ``arabic.arabic_tokens``: a common name part becomes its
    Latin spelling; any other word, like every word written in Hebrew script, ends with
    ``ABJAD_MARK``: those scripts leave out short vowels, so such a word is compared with Latin
    spellings by its consonants.
    """
    text = clean(text)
    if text.isascii():
        return _split_latin(text)
    out: list[str] = []
    for word in text.split():
        if not _ARABIC_LETTER.search(word):
            parts = _split_latin(to_latin(word))
            if any(_is_abjad(ch) for ch in word):
                parts = [part + ABJAD_MARK for part in parts]
            out.extend(parts)
            continue
        for piece in _ARABIC_RUN.split(word):
            if not piece:
                continue
            if _ARABIC_LETTER.match(piece):
                for token, known in arabic_tokens(piece):
                    token = _NON_ALNUM.sub("", token)
                    if token:
                        out.append(token if known else token + ABJAD_MARK)
            else:
                out.extend(_split_latin(to_latin(piece)))
    return out


def strip_mark(token: str) -> str:
    """The token without its abjad mark."""
    return token[:-1] if token.endswith(ABJAD_MARK) else token


def reorder_last_first(name: str) -> str:
    """Turn a list's "LAST, First" into "First LAST" when there is exactly one comma."""
    if name.count(",") != 1:
        return name
    last, first = (part.strip() for part in name.split(","))
    if not last or not first or " ".join(tokenise(first)) in LEGAL_FORMS:
        # "Acme Trading, Ltd." is not a surname and a given name.
        return name
    return f"{first} {last}"


_LEGAL_WORDS = sorted({w for phrase in LEGAL_FORMS for w in phrase.split() if len(w) >= 5})
_LEGAL_INITIALS = frozenset(w[0] for w in _LEGAL_WORDS)
_LEGAL_SUFFIXES = tuple(sorted((w for w in _LEGAL_WORDS if len(w) >= 6), key=len, reverse=True))


@lru_cache(maxsize=65536)
def _legal_word(word: str) -> str:
    """A misspelt legal-form word ("compayn", "libility") is read as the word it misspells."""
    if len(word) < 4 or word in LEGAL_FORMS or word[0] not in _LEGAL_INITIALS:
        return word
    found = process.extractOne(word, _LEGAL_WORDS, scorer=OSA.distance, score_cutoff=2 if len(word) >= 9 else 1)
    if not found or found[0][0] != word[0] or word in LEGAL_SYNONYMS:
        return word
    # A four-letter word is read as a legal word only with one letter missing ("goup", "join").
    return found[0] if len(word) > 4 or len(found[0]) == 5 else word


# Legal-form codes that no word of a name ends (or, for the first four, opens) with.
_LEGAL_CODE_SUFFIXES = ("gmbh", "fzco", "ltd", "llc", "oao", "ooo", "jsc", "plc", "llp", "fze")
_LEGAL_CODE_PREFIXES = ("ooo", "oao", "llc", "jsc")
# Legal words that open no ordinary word ("Public" opens "Publicidad", "General" "Generalitat"):
# these split off whatever follows, the others only another legal word ("PUBLICJOINT").
_LEGAL_PREFIXES = frozenset(
    "company companies limited closed obshchestvo aktsionernoe tovarystvo corporation incorporated holding".split()
)
_LEGAL_WORD_SET = frozenset(_LEGAL_WORDS)


def _split_legal_suffix(word: str) -> list[str]:
    """ "GBDLIMITED" is "GBD LIMITED", "COMPANYENERGO" "COMPANY ENERGO" and "NAFTANOAO" "NAFTAN OAO":
    split a legal-form word written solid onto a name, before or after it."""
    if len(word) > 9 and (word.endswith(_LEGAL_SUFFIXES) or word.startswith(_LEGAL_SUFFIXES)):
        for legal in _LEGAL_SUFFIXES:
            if word.endswith(legal) and len(word) - len(legal) >= 3:
                return [word[: -len(legal)], legal]
            rest = word[len(legal) :]
            if word.startswith(legal) and len(rest) >= 4 and (legal in _LEGAL_PREFIXES or rest in _LEGAL_WORD_SET):
                return [legal, rest]
    if len(word) >= 5:
        if word.endswith(_LEGAL_CODE_SUFFIXES):
            for code in _LEGAL_CODE_SUFFIXES:
                if word.endswith(code) and len(word) - len(code) >= 3:
                    return [word[: -len(code)], code]
        if word.startswith(_LEGAL_CODE_PREFIXES):
            return [word[:3], word[3:]]
    return [word]


def _canonical_word(word: str) -> list[str]:
    zada = _ZADA_SUFFIX.match(word)
    if zada:
        # "Akhundzada" and "آخوند زاده" are one name: stem plus "zada" (son of), written apart or solid.
        return [*_canonical_word(zada.group(1)), "zada"]
    din = _DIN_SUFFIX.match(word)
    if din and word not in FAMILY:
        # "Saifuddin", "Salaheddine" and "سيف الدين" are one name: stem plus "din" (al-Din).
        return [*_canonical_word(din.group(1)), "din"]
    allah = _ALLAH_SUFFIX.match(word)
    if allah:
        # "Saifullah", "Saif Ullah" and "سيف الله" are one name: stem plus "allah".
        return [*_canonical_word(allah.group(1)), "allah"]
    if word in ABD_ASSIMILATED:
        # "Abdur Rehman", "Abdus Salam": "Abd al-" with the article assimilated, written apart.
        return ["abdul"]
    match = _ABD_PREFIX.match(word)
    if match and word not in FAMILY:
        # "Abdulrahman" is "Abd al-Rahman": split the servant-of prefix from the divine name.
        return ["abdul", word[match.end() :].removeprefix("ur").removeprefix("ar")]
    return [FAMILY.get(word, word)]


def _fold_legal_forms(tokens: list[str], written: list[str] | None = None) -> list[str]:
    """Replace legal-form phrases by their code; ``written`` gives each word as written, kept
    where no phrase was found (a word read as a misspelt legal word only counts as one inside a
    legal form: "Stork Holding" keeps "stork")."""
    written = written or tokens
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(_MAX_LEGAL_PHRASE, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i : i + size])
            code = LEGAL_FORMS.get(phrase)
            if code is None:
                continue
            edge = i == 0 or i + size == len(tokens)
            if size == 1 and phrase in AMBIGUOUS_LEGAL_WORDS and not edge:
                # "AS", "CO", "SA" inside a name are more often words or initials than legal forms.
                continue
            out.append(f"~{code}")
            i += size
            break
        else:
            out.append(written[i])
            i += 1
    return out


_ORDINAL_NUMBER = re.compile(r"^([0-9]+)(?:st|nd|rd|th)$")
# Digits typed for the letters they look like ("Ig0r Sech1n"), read back in a person's name.
_LOOKALIKE_DIGITS = str.maketrans("0134579", "oieastg")
# Every digit stands between two letters, and is one that looks like a letter.
_LOOKALIKE_WORD = re.compile(r"^[a-z]+(?:[0134579][a-z]+)+$")


def _lookalike_letters(word: str) -> str:
    """ "Sech1n" is "Sechin": in a word of four or more characters, a digit between two letters
    that looks like a letter (0 o, 1 i, 3 e, 4 a, 5 s, 7 t, 9 g) is read as that letter."""
    if len(word) < 4 or word.isalpha() or not _LOOKALIKE_WORD.match(word):
        return word
    return word.translate(_LOOKALIKE_DIGITS)


def _join_letters(words: list[str]) -> list[str]:
    """ "A.B.C. Company" is "ABC Company": a run of single letters in an organisation's name is one
    acronym, unless the letters spell a legal form ("S.A.", "B.V."), which is read as one."""
    out: list[str] = []
    i = 0
    while i < len(words):
        phrase = _legal_phrase_at(words, i)
        if phrase:
            out.extend(words[i : i + phrase])
            i += phrase
            continue
        j = i
        while j < len(words) and len(words[j]) == 1 and words[j].isalpha() and not _legal_phrase_at(words, j):
            j += 1
        if j - i >= 2:
            out.append("".join(words[i:j]))
            i = j
        else:
            out.append(words[i])
            i += 1
    return out


def _legal_phrase_at(words: list[str], i: int) -> int:
    """Length of the longest legal-form phrase of two or more words starting at ``i`` (0 if none)."""
    for n in range(min(_MAX_LEGAL_PHRASE, len(words) - i), 1, -1):
        if " ".join(words[i : i + n]) in LEGAL_FORMS:
            return n
    return 0


def _compound_numbers(words: list[str]) -> list[str]:
    """ "Forty-Four", "Forty 4" and "44" are one number, written as digits (a single number word
    stays a word: "Ten" is also a surname; ``compare`` reads it as its number)."""
    out: list[str] = []
    for word in words:
        unit = NUMBER_WORDS.get(word, int(word) if len(word) == 1 and word.isdigit() else None)
        if out and out[-1] in TENS_WORDS and unit is not None and 0 < unit < 10:
            out[-1] = str(TENS_WORDS[out[-1]] + unit)
        else:
            out.append(word)
    return out


def number_value(token: str) -> int | None:
    """The number a token writes, in digits ("14", "50th") or in words ("fourteen", "first")."""
    if token[:1].isdigit():
        found = _ORDINAL_NUMBER.match(token)
        return int(token) if token.isdigit() else int(found.group(1)) if found else None
    return NUMBER_WORDS.get(token, ORDINAL_WORDS.get(token, TENS_WORDS.get(token)))


def canonical_tokens(name: str, schema: str = "Any") -> tuple[str, ...]:
    """Normalise one name into canonical tokens for indexing and comparison."""
    return _canonical_tokens(name, schema)


@lru_cache(maxsize=65536)
def _canonical_tokens(name: str, schema: str) -> tuple[str, ...]:
    if schema in ("Person", "Any"):
        name = reorder_last_first(name)
    words = tokenise(name)
    if schema == "Person":
        words = [_lookalike_letters(word) for word in words]
    else:
        if schema in ORG_SCHEMAS:
            words = _join_letters(words)
        words = [part for word in _compound_numbers(words) for part in ORG_ABBREVIATIONS.get(word, (word,))]
        parts = [part for word in words for part in _split_legal_suffix(word)]
        read = [_legal_word(part) for part in parts]
        words = _fold_legal_forms([LEGAL_SYNONYMS.get(word, word) for word in read], parts)
    out: list[str] = []
    for word in words:
        if word.endswith(ABJAD_MARK):
            base = word[:-1]
            if base in FAMILY or base in PARTICLES or base in HONORIFICS or base in _ALLAH:
                # A known word ("mhmd", "bn", "qary") is read as its Latin spelling.
                word = base
        if word in HONORIFICS and len(words) > 1:
            continue
        if word in _ALLAH:
            if out and out[-1] == "al":
                out.pop()
            out.append("allah")
            continue
        out.extend(_canonical_word(word))
    if not out:
        # A name made only of titles ("Sheikh") is still a name; keep what was written.
        out = words
    elif "abdul" in out or "din" in out:
        out = _drop_inner_articles(out)
    return tuple(out)


# The article inside "Abd al-Rahman" and "Nur al-Din", however it is written (al, el, ud, ur...).
_INNER_ARTICLES = frozenset({*(p for p, c in PARTICLE_CLASSES.items() if c == "al"), "ud", "ur", "us", "un"})


def _drop_inner_articles(tokens: list[str]) -> list[str]:
    """Drop the article between "abdul" and a name, and before "din": "Abd al-Rahman" is written
    "Abdurrahman" and "Abdul Rahman" too, "Nur al-Din" "Nuruddin" (read as nur + din)."""
    last = len(tokens) - 1
    return [
        token
        for i, token in enumerate(tokens)
        if not (
            token in _INNER_ARTICLES
            and 0 < i < last
            and (tokens[i - 1] == "abdul" or tokens[i + 1] == "din")
            and not is_legal_form(tokens[i + 1])
        )
    ]


def names_an_organisation(name: str) -> bool:
    """True when a name carries a company's legal form that is not also a word of people's names
    ("Nelson Holdings GmbH", "Gay Group LLC"; not "Ghali Ag" or "Mohamed Sa")."""
    words = tokenise(name)
    for i, word in enumerate(words):
        word = LEGAL_SYNONYMS.get(word, word)
        if word in LEGAL_FORMS and word not in AMBIGUOUS_LEGAL_WORDS:
            return True
        if i + 1 < len(words) and " ".join(words[i : i + 2]) in LEGAL_FORMS:
            return True
    return False


def is_particle(token: str) -> bool:
    """True for name particles (al, bin, van, de...) that carry little identity."""
    return strip_mark(token) in PARTICLES


def is_legal_form(token: str) -> bool:
    """True for a canonical legal-form token (~llc, ~jsc...)."""
    return token.startswith("~")


# One left-to-right pass: the longest spelling at each position is replaced by its class letter.
_SKELETON_MAP: dict[str, str] = {
    **dict.fromkeys(("tsch", "sch", "dzh", "tch", "sh", "ch", "zh", "dj", "j", "x"), "j"),
    **dict.fromkeys(("kh", "gh", "ck", "q", "k", "g"), "k"),
    **dict.fromkeys(("ph", "f"), "f"),
    "th": "t",
    "dh": "d",
    **dict.fromkeys(("w", "v"), "v"),
    **dict.fromkeys(("ts", "tz", "z"), "s"),
    **dict.fromkeys(("ou", "oo", "o", "u"), "u"),
    **dict.fromkeys(("ee", "ie", "iy", "ii", "yi", "ey", "ei", "ay", "ai", "y", "i", "e"), "i"),
    "h": "",
}
_SKELETON_PATTERN = re.compile("|".join(sorted(map(re.escape, _SKELETON_MAP), key=len, reverse=True)) + "|c")
_DOUBLES = re.compile(r"(.)\1+")
_SKELETONS: dict[str, str] = {}


def _skeleton_letter(match: re.Match[str]) -> str:
    text = match.group(0)
    if text == "h" and match.start() == 0:
        return "h"  # an initial h is a consonant (Hasan, Husayn); elsewhere it is spelling (Ahmed/Amed)
    if text == "c":
        # A soft c (before e, i, y) sounds s; otherwise k.
        return "s" if match.end() < len(match.string) and match.string[match.end()] in "eiy" else "k"
    return _SKELETON_MAP[text]


def skeleton(token: str) -> str:
    """A loose spelling key: transliteration-equivalent letters collapse (kh/h, y/i, ou/u, doubles)."""
    found = _SKELETONS.get(token)
    if found is not None:
        return found
    if token.startswith("~") or token.isdigit():
        out = token
    else:
        base = strip_mark(token)
        out = _DOUBLES.sub(r"\1", _SKELETON_PATTERN.sub(_skeleton_letter, base)) or base
    if len(_SKELETONS) > 500_000:
        _SKELETONS.clear()
    _SKELETONS[token] = out
    return out


@lru_cache(maxsize=262144)
def consonants(token: str) -> str:
    """The consonant outline of a token, for names written in Arabic or Hebrew script without vowels."""
    outline = _VOWELS_Y.sub("", skeleton(strip_mark(token)).replace("v", ""))
    return _DOUBLES.sub(r"\1", outline) or token


def has_vowel(token: str) -> bool:
    """True when the token has a Latin vowel (a transliterated abjad name usually has none)."""
    return bool(_VOWELS.search(token))


def abjad_like(token: str) -> bool:
    """True for a token written in Arabic or Hebrew script (transliterated without short vowels)."""
    return token.endswith(ABJAD_MARK)


@lru_cache(maxsize=262144)
def phonetic(token: str) -> str:
    """Metaphone key (jellyfish) of a token, used to find sound-alike spellings."""
    token = strip_mark(token)
    if token.startswith("~") or token.isdigit() or len(token) < 3:
        return ""
    return jellyfish.metaphone(token)
