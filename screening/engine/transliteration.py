"""Learned reading of an Arabic-script word in Latin letters (a model of transliteration practice).

``arabic.romanise`` writes an Arabic-script word letter by letter ("عمر" -> "amr", "غياث" ->
"ghiath"); lists write the same word in many ways (Omar, Amor, Ghiass, Ghyas). Which Latin
letters each of those reading's units takes, in its place in the word, was learned from real name
pairs (``transliteration_table``, trained by ``benchmarks.engine.train_transliteration`` on the
train split of Google's ar2en set, Apache-2.0). ``reading_score`` says how likely a Latin spelling
is as a writing of the word, relative to its most likely writing.
"""

from __future__ import annotations

import math
from functools import lru_cache

from screening.engine.transliteration_table import CHUNKS

# A unit of the reading is written with at most this many Latin letters (a consonant and vowels).
MAX_CHUNK = 4
_DIGRAPHS = frozenset({"sh", "th", "dh", "kh", "gh", "ch", "zh"})
_VOWEL_UNITS = frozenset("aiue")
_LATIN_VOWELS = frozenset("aeiouy")
# Log-probability of a chunk the table does not list for a unit (a spelling not seen in training).
UNSEEN = math.log(0.0005)


def units(reading: str) -> list[str]:
    """The letter units of a reading: digraphs (sh, th, dh, kh, gh, ch, zh) or single letters."""
    out: list[str] = []
    i = 0
    while i < len(reading):
        if reading[i : i + 2] in _DIGRAPHS:
            out.append(reading[i : i + 2])
            i += 2
        else:
            out.append(reading[i])
            i += 1
    return out


def context_units(reading: str) -> list[str]:
    """Each unit with its context: "unit|place|next", place b(egin)/m(iddle)/e(nd), next v(owel)/c/-."""
    parts = units(reading)
    last = len(parts) - 1
    out = []
    for i, unit in enumerate(parts):
        place = "b" if i == 0 else ("e" if i == last else "m")
        following = "-" if i == last else ("v" if parts[i + 1] in _VOWEL_UNITS else "c")
        out.append(f"{unit}|{place}|{following}")
    return out


# Per context: the seen chunks by first letter (chunk, its length, relative log-probability), the
# relative log-probability of writing nothing (or None), and that of an unseen chunk.
Context = tuple[dict[str, tuple[tuple[str, int, float], ...]], float | None, float]


def _doubling_rate() -> float:
    """How often a consonant chunk is written doubled ("s"/"ss"), where the table has both."""
    doubled = single = 0.0
    for chunks in CHUNKS.values():
        for chunk, p in chunks.items():
            if chunk and chunk[-1] not in _LATIN_VOWELS and chunk + chunk[-1] in chunks:
                doubled += chunks[chunk + chunk[-1]]
                single += p
    return doubled / single if single else 0.0


def _with_doubles(chunks: dict[str, float], rate: float) -> dict[str, float]:
    """The chunks, plus each consonant chunk written doubled where training never saw it doubled
    (Ghiass, Mekki: a doubled consonant is a spelling habit, not a letter of the word)."""
    out = dict(chunks)
    for chunk, p in chunks.items():
        if chunk and chunk[-1] not in _LATIN_VOWELS and len(chunk) < MAX_CHUNK and chunk + chunk[-1] not in chunks:
            out[chunk + chunk[-1]] = p * rate
    return out


def _relative_table() -> dict[str, Context]:
    """Per context: each chunk's log-probability less the context's best, grouped by first letter."""
    out: dict[str, Context] = {}
    rate = _doubling_rate()
    for context, seen in CHUNKS.items():
        chunks = _with_doubles(seen, rate)
        best = math.log(max(chunks.values()))
        by_first: dict[str, list[tuple[str, int, float]]] = {}
        for chunk, p in chunks.items():
            if chunk:
                by_first.setdefault(chunk[0], []).append((chunk, len(chunk), math.log(p) - best))
        empty = math.log(chunks[""]) - best if "" in chunks else None
        out[context] = ({k: tuple(v) for k, v in by_first.items()}, empty, UNSEEN - best)
    return out


_RELATIVE = _relative_table()


@lru_cache(maxsize=65536)
def _contexts(reading: str) -> tuple[Context, ...] | None:
    out = []
    for context in context_units(reading):
        found = _RELATIVE.get(context)
        if found is None:
            return None
        out.append(found)
    return tuple(out)


def reading_score(reading: str, latin: str, floor: float = -math.inf) -> float:
    """Mean log-probability per unit that ``latin`` is a writing of ``reading``, relative to the
    reading's most likely writing (0 for that writing, more negative for rarer ones; -inf when
    the model cannot produce ``latin`` at all, or when the score would be below ``floor``).

    Viterbi over the ways to cut ``latin`` into one chunk per unit; every step can only lower the
    running score, so a partial reading already below ``floor`` is dropped (exact, and fast for
    unrelated pairs).
    """
    contexts = _contexts(reading)
    if not contexts:
        return -math.inf
    m = len(latin)
    if m > MAX_CHUNK * len(contexts):
        return -math.inf
    bound = floor * len(contexts)
    minus_inf = -math.inf
    row = [minus_inf] * (m + 1)
    row[0] = 0.0
    for by_first, empty, unseen in contexts:
        nxt = [minus_inf] * (m + 1)
        alive = False
        for j, value in enumerate(row):
            if value == minus_inf:
                continue
            if empty is not None and value + empty > nxt[j] and value + empty >= bound:
                nxt[j] = value + empty
                alive = True
            total = value + unseen
            if total >= bound:
                # An unseen chunk of any length: possible only when the rest is well read.
                for k in range(min(MAX_CHUNK, m - j) + 1):
                    if total > nxt[j + k]:
                        nxt[j + k] = total
                        alive = True
            if j < m:
                for chunk, size, logp in by_first.get(latin[j], ()):
                    end = j + size
                    total = value + logp
                    if end <= m and total >= bound and total > nxt[end] and latin.startswith(chunk, j):
                        nxt[end] = total
                        alive = True
        if not alive:
            return minus_inf
        row = nxt
    return row[m] / len(contexts) if row[m] != minus_inf else minus_inf


# How a reading score becomes a token similarity: the most likely writing counts as a spelling
# variant, each unit of log-probability less costs ``LEARNED_SLOPE``; below ``LEARNED_FLOOR``
# (a writing the model finds unlikely) the model gives no evidence.
LEARNED_TOP = 0.95
LEARNED_SLOPE = 0.1
LEARNED_FLOOR = -1.3


def learned_similarity(reading: str, latin: str) -> float:
    """Similarity of an Arabic-script word (its engine reading) and a Latin token, from the model."""
    score = reading_score(reading, latin, LEARNED_FLOOR)
    if score < LEARNED_FLOOR:
        return 0.0
    return LEARNED_TOP + LEARNED_SLOPE * score
