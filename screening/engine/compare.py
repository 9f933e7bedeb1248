"""Name comparison: token similarity, token alignment and the weighted name score.

The name score is the share of identity weight that the two names have in common:
every aligned pair of tokens counts with its similarity times the weight of both tokens
(rare tokens weigh more than common ones), and every token left over on either side
counts against the match, the query's own leftovers more than the listed name's (lists
often carry patronymics and extra given names that a customer record omits). A name part on
each side with no counterpart is a different name part, not a missing one: the score is then
multiplied by ``CONFLICT_FACTOR``, however common the two parts are (a father's name of
Muhammad instead of Ahmad is as much a difference as a rare one). Around "bin"/"ben"/"ibn" the
order says who is who: "Ahmad bin Hasan" never pairs Ahmad with the Ahmad of "Hasan bin Ahmad".
A company known by one short word that differs ("Avila Group" / "Avia Group") counts that
word's similarity twice.

Token similarity (``token_similarity``) is exact, the same spelling skeleton, an edit-distance
similarity from ``MIN_TOKEN_SIMILARITY``, the consonant outline for Arabic- and Hebrew-script
words (which must open like the Latin name: both with a vowel or with the same consonant), or an
initial for the name it abbreviates. When the outlines differ, an Arabic-script word is also read
the Persian way (ث as s, ذ as z), by a transliteration model learned from real name pairs
(``transliteration``: "العوادي" / Aouadi), and against a Latin name with the article joined to it
("الصبار" / Essabar). Chinese syllables match only as the same syllable or its Wade-Giles
spelling (Xu is not Zhu), and numbers by their value ("Fourteen" is "14"). A generic business
word shared by two company names weighs little; left over on one side it still counts in full.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Indel

from screening.engine.arabic import persian_reading
from screening.engine.normalise import (
    ABJAD_MARK,
    PINYIN_SYLLABLES,
    consonants,
    is_legal_form,
    number_value,
    pinyin_initial,
    skeleton,
    strip_mark,
)
from screening.engine.transliteration import learned_similarity
from screening.engine.vocabulary import (
    FAMILY_SPELLINGS,
    GENERIC_ORG_WORDS,
    NUMBER_WORDS,
    ORDINAL_WORDS,
    PARTICLE_CLASSES,
    TENS_WORDS,
)

MIN_TOKEN_SIMILARITY = 0.75
# Outlines of Arabic- or Hebrew-script words are looser by nature: they count from a lower floor.
MIN_OUTLINE_SIMILARITY = 0.72
INITIAL_SIMILARITY = 0.9
# A misspelt family variant compared through the family's spellings counts this much of it.
FAMILY_SPELLING_FACTOR = 0.95
# An identical consonant outline (Arabic "mzlum" / Latin "mazloom") counts this much; an outline
# of two consonants ("sr": Isra, Sierra, Suri) is weaker evidence.
OUTLINE_FACTOR = 0.88
SHORT_OUTLINE_FACTOR = 0.85
_ONSET_VOWELS = frozenset("aiu")
LEARNED_OUTLINE_GATE = 0.5
# A Latin name that opens with an assimilated article (Essabar, Errahmane, Elsseid) is also compared
# without it, at this share of that similarity.
_ASSIMILATED_ARTICLE = re.compile(r"^[ae]l?([tdrzsn])\1(?=[a-z]{2})")
ASSIMILATED_FACTOR = 0.95
# How much a leftover token of each side weighs against the match (1 = as much as a match).
QUERY_LEFTOVER_PENALTY = 0.75
LIST_LEFTOVER_PENALTY = 0.4
CONFLICT_PENALTY = 0.8
# A different name part on each side (another father's name in a patronymic chain) is evidence
# of another person however many parts agree: the score is multiplied by this.
CONFLICT_FACTOR = 0.92
# Two short names (three letters or fewer) with the same spelling key must share this many letters.
SHORT_SKELETON_MIN = 0.4
# A name whose only identifying word has at most this many letters and matches only approximately.
SHORT_WORD_LETTERS = 4
# Weight cap of a generic business word (as much as a descriptive legal form such as "Group").
GENERIC_WORD_WEIGHT = 2.0
# Two names written without spaces must be this similar to count as the same name.
SOLID_MIN = 0.8


@lru_cache(maxsize=262144)
def token_similarity(a: str, b: str, learn: bool = True) -> float:
    """Similarity of two canonical tokens in [0, 1]: exact, same spelling skeleton, or edit distance.

    A token that is the canonical spelling of a family (Yusuf for Youssef, Yousef...) is also
    compared through every spelling of the family, at ``FAMILY_SPELLING_FACTOR``: a misspelt
    variant ("Yousesf") is close to "Youssef", not to "Yusuf". Two different families never match
    this way (Hasan is not Husayn).

    ``learn=False`` leaves out the learned reading of an Arabic-script word (``_learned``): finding
    candidates compares a query token with hundreds of vocabulary tokens, and the outline is cheaper.
    """
    best = _similarity(a, b, learn)
    if best >= FAMILY_SPELLING_FACTOR:
        return best
    for known, other in ((a, b), (b, a)):
        spellings = FAMILY_SPELLINGS.get(known)
        if spellings is not None and strip_mark(other) not in FAMILY_SPELLINGS and not is_legal_form(other):
            through = _family_similarity(other, known, spellings) * FAMILY_SPELLING_FACTOR
            if through >= MIN_TOKEN_SIMILARITY:
                best = max(best, through)
    return best


# Per family: each spelling with its length and its skeleton's length (filled on first use).
_SPELLING_LENGTHS: dict[str, tuple[tuple[str, int, int], ...]] = {}


def _family_similarity(token: str, family: str, spellings: tuple[str, ...]) -> float:
    """Best similarity of ``token`` to a family's spellings.

    Only through a spelling can it reach ``MIN_TOKEN_SIMILARITY / FAMILY_SPELLING_FACTOR``
    (0.79) whose length, or whose skeleton's length, is close enough to the token's: an edit
    similarity of 0.79 allows a length difference of at most 21% of both lengths together, the
    skeleton similarity (0.92 of it) one of 14%. A spelling of another length would score below
    that floor, so skipping it changes nothing but the time taken (about a quarter of new pairs
    involve a family's canonical spelling, compared through twenty-odd spellings).
    """
    if token[-1:] == ABJAD_MARK or len(token) == 1 or token in PARTICLE_CLASSES:
        # An Arabic-script word is read by the learned model against the family's canonical
        # spelling only; against its twenty-odd other spellings, by outline.
        return max(_similarity(token, spelling, False) for spelling in spellings)
    lengths = _SPELLING_LENGTHS.get(family)
    if lengths is None:
        lengths = _SPELLING_LENGTHS[family] = tuple((s, len(s), len(skeleton(s))) for s in spellings)
    size, skeleton_size = len(token), len(skeleton(token))
    best = 0.0
    for spelling, length, skeleton_length in lengths:
        if abs(size - length) <= 0.22 * (size + length) or abs(skeleton_size - skeleton_length) <= 0.15 * (
            skeleton_size + skeleton_length
        ):
            sim = _similarity(token, spelling)
            if sim > best:
                best = sim
    return best


def _similarity(a: str, b: str, learn: bool = True) -> float:
    # The helpers (is_legal_form, abjad_like, strip_mark, skeleton) are inlined: this runs for
    # every new token pair a query brings, and the calls were most of its time.
    if a == b:
        return 1.0
    if a[:1] == "~" or b[:1] == "~":  # a legal form matches only itself
        return 0.0
    marked_a, marked_b = a[-1:] == ABJAD_MARK, b[-1:] == ABJAD_MARK
    plain_a = a[:-1] if marked_a else a
    plain_b = b[:-1] if marked_b else b
    outline = 0.0
    abjad_pair = marked_a != marked_b
    if abjad_pair:
        if plain_a == plain_b:
            return 0.98
        reading, latin = (plain_a, plain_b) if marked_a else (plain_b, plain_a)
        # Arabic and Hebrew script leave out short vowels: compare consonant outlines (inlined
        # ``_abjad_outline``: this runs for every new Arabic-script pair; the marked token's
        # outline and skeleton are cached since the index was built).
        marked = a if marked_a else b
        ca, cb = consonants(marked), consonants(latin)
        vowel_a, vowel_b = skeleton(marked)[0] in _ONSET_VOWELS, skeleton(latin)[0] in _ONSET_VOWELS
        final = True
        if vowel_a != vowel_b or not (vowel_a or ca[0] == cb[0]):
            outline = 0.0
        elif (shortest := min(len(ca), len(cb))) < 2:
            long_enough = min(len(reading), len(latin)) >= 4
            outline = 0.95 if long_enough and skeleton(reading) == skeleton(latin) else 0.0
        elif shortest == 2 and ca != cb:
            final = False
        else:
            final = False
            outline = (OUTLINE_FACTOR if shortest >= 3 else SHORT_OUTLINE_FACTOR) * Indel.normalized_similarity(ca, cb)
        if outline < SHORT_OUTLINE_FACTOR and (
            learn or "th" in reading or "dh" in reading or (latin[0] in "ae" and _ASSIMILATED_ARTICLE.match(latin))
        ):
            # (without the model, only a Persian reading or an article joined to the name may help)
            outline, final = _other_readings(reading, latin, outline, final, learn)
        if final:
            return outline
    a, b = plain_a, plain_b
    if a == b:
        return 0.98
    particle = PARTICLE_CLASSES.get(a)
    if particle is not None and particle == PARTICLE_CLASSES.get(b):
        # "bin"/"ben"/"ibn", "al"/"el"/"ar": one particle written two ways.
        return 0.95
    if a in _SYLLABLES_OR_NUMBERS or a[0] in _DIGITS:
        if not abjad_pair and a in PINYIN_SYLLABLES and b in PINYIN_SYLLABLES:
            return _syllable_similarity(a, b)
        if (a[0] in _DIGITS or a in _NUMBER_NAMES) and (b[0] in _DIGITS or b in _NUMBER_NAMES):
            # "Fourteen" and "14", "First" and "1st" are one number; Brigade 4 is not Brigade 44.
            # (Two longer numbers, "2006" and "2007", are compared as spellings.)
            value_a, value_b = number_value(a), number_value(b)
            if (
                value_a is not None
                and value_b is not None
                and not (value_a > 9 and value_b > 9 and a.isdigit() and b.isdigit())
            ):
                return 0.98 if value_a == value_b else 0.0
    len_a, len_b = len(a), len(b)
    short = len_a if len_a < len_b else len_b
    if short == 1:
        # An initial matches the name it abbreviates, however long; the rest of that name,
        # unconfirmed, is counted as a leftover by the alignment.
        return INITIAL_SIMILARITY if a[0] == b[0] else 0.0
    if (len_a if len_a > len_b else len_b) > 2 * short + 1:
        return outline if outline >= MIN_OUTLINE_SIMILARITY else 0.0
    if short <= 4 and (a + "g" == b or b + "g" == a) and a[-1] in "gn":
        # Romanised Chinese and Korean syllables in -n and -ng are different names (Chen/Cheng, Jin/Jing).
        return 0.0
    sa, sb = skeleton(a), skeleton(b)
    if sa == sb:
        # Two short names must also share letters: Lee is Li and Jo is Cho, but Gay is not Qi.
        return 0.95 if short > 3 or Indel.normalized_similarity(a, b) >= SHORT_SKELETON_MIN else 0.0
    indel = Indel.normalized_similarity(a, b)
    osa = OSA.normalized_similarity(a, b)
    best = indel if indel > osa else osa
    if outline > best:
        best = outline
    if len_a == len_b and osa == 1.0 - 1.0 / len_a and sorted(a) == sorted(b):
        # Two neighbouring letters swapped ("Sko"/"Sok", "Emna"/"Mena") is a typing slip: OSA
        # distance 1 between anagrams.
        return best if best > 0.85 else 0.85
    if short <= 3:
        # Short tokens (Kim, Ri, Ali) must be spelled alike; one letter changes a short name.
        return best if best >= 0.85 or (outline and best == outline) else 0.0
    best = max(best, 0.92 * Indel.normalized_similarity(sa, sb))
    if a[0] != b[0] and sa[0] != sb[0] and best > outline:
        # Different first sounds are a stronger sign of a different name than a late typo.
        best -= 0.05
    return best if best >= (MIN_OUTLINE_SIMILARITY if abjad_pair else MIN_TOKEN_SIMILARITY) else 0.0


def _abjad_outline(reading: str, latin: str) -> tuple[float, bool]:
    """Consonant-outline similarity of an Arabic- or Hebrew-script word (its reading) and a Latin
    token, and whether that is the final word on the pair.

    Those scripts leave out short vowels: compare consonant outlines. The names must open alike
    (both with a vowel, or with the same consonant), and an outline of one consonant ("ly", "sh")
    says too little to match anything but the same spelling skeleton of a longer word.
    """
    ca, cb = consonants(reading), consonants(latin)
    vowel_a, vowel_b = skeleton(reading)[0] in _ONSET_VOWELS, skeleton(latin)[0] in _ONSET_VOWELS
    if vowel_a != vowel_b or not (vowel_a or ca[0] == cb[0]):
        return 0.0, True
    shortest = min(len(ca), len(cb))
    if shortest < 2:
        # "awad"/"awwad"
        long_enough = min(len(reading), len(latin)) >= 4
        return (0.95 if long_enough and skeleton(reading) == skeleton(latin) else 0.0), True
    if shortest == 2 and ca != cb:
        return 0.0, False
    factor = OUTLINE_FACTOR if shortest >= 3 else SHORT_OUTLINE_FACTOR
    return factor * Indel.normalized_similarity(ca, cb), False


def _other_readings(reading: str, latin: str, outline: float, final: bool, learn: bool) -> tuple[float, bool]:
    """When the outlines differ, other ways the Latin token may write the word: the Persian
    reading, the learned model, and a Latin name with the article joined to it."""
    persian = persian_reading(reading)
    if persian is not None:
        # Persian and Urdu read ث as s and ذ as z (Ghiass, Nazir): the outline of that reading too.
        other, other_final = _abjad_outline(persian, latin)
        if other > outline:
            outline, final = other, other_final
    if learn and outline < SHORT_OUTLINE_FACTOR:
        # Maghreb and French spellings ("العوادي" / Aouadi): ask the learned model.
        learned = _learned(reading, latin)
        if learned > outline:
            outline = learned
    assimilated = _ASSIMILATED_ARTICLE.match(latin) if outline < SHORT_OUTLINE_FACTOR else None
    if assimilated:
        # "Essabar", "Errahmane", "Elsseid": the article joined to the name and assimilated to
        # its first letter (es-Sabar); the Arabic script writes it apart ("الصبار": al + sbar).
        rest = latin[assimilated.end() - 1 :]
        joined = _abjad_outline(reading, rest)[0]
        if learn:
            joined = max(joined, _learned(reading, rest))
        joined *= ASSIMILATED_FACTOR
        if joined > outline:
            outline, final = joined, False
    return outline, final


def _learned(reading: str, latin: str) -> float:
    """The learned transliteration model's similarity of an Arabic-script word and a Latin token.

    It says how likely the Latin token is as a writing of the word (Amor of "عمر", Aouadi of
    "العوادي"). It is slower than the outline, so it reads only a pair whose consonant outlines
    share at least half their letters.
    """
    if Indel.normalized_similarity(consonants(reading), consonants(latin)) < LEARNED_OUTLINE_GATE:
        return 0.0
    return learned_similarity(reading, latin)


# Tokens that may write a number: digits, and "one"... "ninety", "first"... "tenth".
_DIGITS = frozenset("0123456789")
_NUMBER_NAMES = frozenset((*NUMBER_WORDS, *ORDINAL_WORDS, *TENS_WORDS))
_SYLLABLES_OR_NUMBERS = PINYIN_SYLLABLES | _NUMBER_NAMES

# Wade-Giles writes one letter for two pinyin initials ("Chang" is Zhang or Chang, "Kang" Gang or
# Kang), and English writes pinyin x as it sounds ("Shi" for Xi): these initials may stand for each other.
_ROMANISED_INITIALS = frozenset(
    frozenset(pair)
    for pair in (("ch", "zh"), ("ch", "j"), ("ch", "q"), ("k", "g"), ("p", "b"), ("t", "d"), ("x", "sh"))
)


def _syllable_similarity(a: str, b: str) -> float:
    """Two Chinese syllables are the same only when spelled alike or romanised otherwise: Xu is not
    Zhu, Shen is not Chen, Mai is not Mei, although a looser spelling key would make them equal."""
    initial_a, initial_b = pinyin_initial(a), pinyin_initial(b)
    if a[len(initial_a) :] == b[len(initial_b) :] and frozenset((initial_a, initial_b)) in _ROMANISED_INITIALS:
        return 0.95
    return 0.0


@dataclass(frozen=True, slots=True)
class Pair:
    query: str
    listed: str
    similarity: float
    weight: float


def _abjad_wording(pair: Pair) -> str:
    """How an Arabic- or Hebrew-script word matched a Latin one, in words."""
    latin = pair.listed if pair.query[-1:] == ABJAD_MARK else pair.query
    return f"written in Arabic or Hebrew script, can be read '{latin}', {pair.similarity:.0%}"


@dataclass(frozen=True, slots=True)
class NameComparison:
    """Outcome of comparing a query name with one listed name."""

    score: float
    pairs: tuple[Pair, ...]
    query_leftovers: tuple[str, ...]
    listed_leftovers: tuple[str, ...]
    conflict: bool = False
    short_word: bool = False
    repeated: tuple[str, ...] = ()

    def describe(self) -> str:
        """The comparison in words an officer can check."""
        parts = []
        for pair in self.pairs:
            if pair.similarity >= 0.999:
                how = "same"
            elif pair.similarity >= 0.94:
                how = "spelling variant"
            elif (pair.query[-1:] == ABJAD_MARK) != (pair.listed[-1:] == ABJAD_MARK):
                how = _abjad_wording(pair)
            elif len(pair.query) == 1 or len(pair.listed) == 1:
                how = "initial"
            else:
                how = f"similar {pair.similarity:.0%}"
            parts.append(f"'{pair.query}' ~ '{pair.listed}' ({how})")
        text = "; ".join(parts) if parts else "no name parts in common"
        if self.query_leftovers:
            text += "; not in listed name: " + ", ".join(f"'{t}'" for t in self.query_leftovers)
        if self.listed_leftovers:
            text += "; listed name parts not given: " + ", ".join(f"'{t}'" for t in self.listed_leftovers)
        if self.repeated:
            text += "; written twice, counted once: " + ", ".join(f"'{t}'" for t in self.repeated)
        if self.conflict:
            text += f" (each name has a part the other lacks: counted at {CONFLICT_FACTOR:.0%})"
        if self.short_word:
            text += " (the name rests on one short word that differs: its similarity counted twice)"
        return text


def _merge_adjacent(tokens: list[str], others: list[str]) -> list[str]:
    """Join adjacent tokens when the join is a token of the other name ("bin laden" / "binladen")."""
    if len(tokens) < 2:
        return tokens
    other = set(others)
    # Skeletons are taken only for a pair that may join: most pairs have a token of the other name.
    other_skeletons: set[str] | None = None
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and tokens[i] not in other and tokens[i + 1] not in other:
            joined = tokens[i] + tokens[i + 1]
            if len(joined) == 2 and i + 2 < len(tokens) and len(tokens[i + 2]) == 1:
                # "A. B. C." and "ABC": a run of three or more initials written as one word.
                j = i + 2
                while j < len(tokens) and len(tokens[j]) == 1:
                    j += 1
                if "".join(tokens[i:j]) in other:
                    out.append("".join(tokens[i:j]))
                    i = j
                    continue
            if joined not in other and other_skeletons is None:
                other_skeletons = {skeleton(o) for o in others if len(o) > 3}
            if joined in other or (other_skeletons and skeleton(joined) in other_skeletons):
                out.append(joined)
                i += 2
                continue
        out.append(tokens[i])
        i += 1
    return out


def compare_names(
    query: tuple[str, ...],
    listed: tuple[str, ...],
    weight: Callable[[str], float],
) -> NameComparison:
    """Align the tokens of two names and score the share of identity weight they share.

    A generic business word ("Trading", "Logistics", "International") that both names share
    weighs at most ``GENERIC_WORD_WEIGHT``, however rare it is in the lists: it describes the
    business without identifying it, so "Alba Logistics" is not "Alfa Logistics" because both
    trade in logistics. Left over on one side it still counts in full against the match.
    """
    plain = _align(list(query), list(listed), weight)
    if not (plain.query_leftovers or plain.listed_leftovers):
        return plain
    q = _merge_adjacent(list(query), list(listed))
    c = _merge_adjacent(list(listed), q)
    if len(q) == len(query) and len(c) == len(listed):
        return plain
    merged = _align(q, c, weight)
    return merged if merged.score > plain.score else plain


# Looked up as a token, this gives the weight of a name part the lists never use.
_UNSEEN = "\x00\x00"


def _names_left(tokens: tuple[str, ...], weight: Callable[[str], float]) -> bool:
    """True when a left-over token is a name part the lists use (not a particle, legal form or a
    spelling they never use, which may be a misspelling of the other side's part: "Iabd" / "Abdul")."""
    unseen = weight(_UNSEEN)
    return any(t[:1] != "~" and 1.0 <= weight(t) < unseen for t in tokens)


_SON_OF = frozenset(word for word, kind in PARTICLE_CLASSES.items() if kind == "bin")


def _short_identity(pairs: list[Pair], query_left: tuple[str, ...], weight: Callable[[str], float]) -> Pair | None:
    """The one identifying pair of a name known by a single short word, when it matches only
    approximately ("Avila Group OOO" / "AVIA GROUP LLC"): with four letters, one letter is most of
    the identity, so its similarity counts once more. None for any other name."""
    found = None
    for pair in pairs:
        if _identifying(pair.query, weight) and _identifying(pair.listed, weight):
            if found is not None:
                return None
            found = pair
    if (
        found is None
        or found.similarity >= 0.95
        or min(len(found.query), len(found.listed)) > SHORT_WORD_LETTERS
        or len(pairs) < 2
        or any(_identifying(token, weight) for token in query_left)
    ):
        return None
    return found


def _identifying(token: str, weight: Callable[[str], float]) -> bool:
    """A word that identifies a name: not a legal form, generic business word, particle or initial."""
    return token[:1] != "~" and len(token) > 1 and token not in GENERIC_ORG_WORDS and weight(token) >= 1.0


def _unrepeated(left: tuple[str, ...], tokens: list[str], used: set[int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The leftovers without the repetitions of a matched part, and those repetitions."""
    matched = {tokens[i] for i in used}
    return tuple(t for t in left if t not in matched), tuple(t for t in left if t in matched)


def _patronymic_split(tokens: list[str]) -> int:
    """Position of the first "bin"/"ben"/"ibn" of a patronymic chain ("Ahmad bin Hasan al-Ubaidi");
    0 when the name opens with one or has none followed by two more parts: "Youssef Ben Azza" may
    be written "Ben Azza Youssef" or "Azza Ben Youssef", a family name that starts with Ben."""
    for i in range(len(tokens) - 1):
        if tokens[i] in _SON_OF:
            return i if i + 2 < len(tokens) else 0
    return 0


def _align(q: list[str], c: list[str], weight: Callable[[str], float]) -> NameComparison:
    candidates = []
    # "Ahmad bin Hasan" is Ahmad, son of Hasan; "Hasan bin Ahmad" is his father or his son. When
    # both names have the particle, a part before it never pairs with a part after it.
    split_q = split_c = 0
    if not _SON_OF.isdisjoint(q) and not _SON_OF.isdisjoint(c):
        # Only when both chains have as many links: a chain written with one "bin" fewer
        # ("Tarak Taher ben Faleh" / "Tarak ben Taher ben Faleh") has lost its order.
        split_q = _patronymic_split(q)
        if split_q and sum(t in _SON_OF for t in q) == sum(t in _SON_OF for t in c):
            split_c = _patronymic_split(c)
            if not split_c:
                split_q = 0
    for i, qt in enumerate(q):
        for j, ct in enumerate(c):
            if split_c and (i < split_q) != (j < split_c):
                continue
            sim = token_similarity(qt, ct)
            if sim > 0.0:
                candidates.append((sim, -abs(i - j), i, j))
    candidates.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs: list[Pair] = []
    matched = 0.0
    total = 0.0
    lowest = 1.0
    for sim, _, i, j in candidates:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        wq, wc = weight(q[i]), weight(c[j])
        if q[i] in GENERIC_ORG_WORDS or c[j] in GENERIC_ORG_WORDS:
            wq, wc = min(wq, GENERIC_WORD_WEIGHT), min(wc, GENERIC_WORD_WEIGHT)
        if (len(q[i]) == 1) != (len(c[j]) == 1):
            # An initial only says the name starts with that letter: the rest of the name is unconfirmed.
            low = min(wq, wc)
            total += QUERY_LEFTOVER_PENALTY * (wq - low) + LIST_LEFTOVER_PENALTY * (wc - low)
            wq = wc = low
        pair_weight = wq + wc
        if sim < lowest:
            lowest = sim
        pairs.append(Pair(q[i], c[j], sim, pair_weight))
        matched += sim * pair_weight
        total += pair_weight
    query_left = tuple(t for i, t in enumerate(q) if i not in used_q)
    listed_left = tuple(t for j, t in enumerate(c) if j not in used_c)
    repeated: tuple[str, ...] = ()
    if bool(query_left) != bool(listed_left) and (len(set(q)) < len(q) or len(set(c)) < len(c)):
        # A part written twice ("Uthman Ahmad Uthman", "Shoigu Shoigu Sergey") whose first
        # occurrence is matched adds nothing: its repetition is not counted as a leftover (unless
        # the other name has a part of its own there, which makes it another name part).
        if query_left:
            query_left, repeated = _unrepeated(query_left, q, used_q)
        else:
            listed_left, repeated = _unrepeated(listed_left, c, used_c)
    query_left_weight = sum(weight(t) for t in query_left)
    listed_left_weight = sum(weight(t) for t in listed_left)
    total += QUERY_LEFTOVER_PENALTY * query_left_weight + LIST_LEFTOVER_PENALTY * listed_left_weight
    # A part on each side with no counterpart is a different name part (another surname), not a
    # missing one: that conflict counts on top of the omissions.
    total += CONFLICT_PENALTY * min(query_left_weight, listed_left_weight)
    score = matched / total if total else 0.0
    conflict = bool(query_left and listed_left) and _names_left(query_left, weight) and _names_left(listed_left, weight)
    if conflict:
        score *= CONFLICT_FACTOR
    if query_left and listed_left:
        # Spaces in other places ("Arefullaha Ref" / "Arefullah Aref"): the leftovers of both sides,
        # written solid in their order, may still be the same letters.
        solid_q, solid_c = "".join(query_left), "".join(listed_left)
        solid = Indel.normalized_similarity(solid_q, solid_c)
        if solid >= SOLID_MIN and min(len(solid_q), len(solid_c)) >= 6:
            pair_weight = query_left_weight + listed_left_weight
            pairs.append(Pair(" ".join(query_left), " ".join(listed_left), solid, pair_weight))
            matched += solid * pair_weight
            total = sum(p.weight for p in pairs)
            score = matched / total if total else 0.0
            return NameComparison(score, tuple(pairs), (), ())
    short_word = _short_identity(pairs, query_left, weight) if lowest < 0.95 and len(pairs) > 1 else None
    if short_word is not None:
        score *= short_word.similarity
    return NameComparison(score, tuple(pairs), query_left, listed_left, conflict, short_word is not None, repeated)
