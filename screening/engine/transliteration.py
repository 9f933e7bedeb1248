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


def _log_table() -> dict[str, dict[str, float]]:
    return {context: {c: math.log(p) for c, p in chunks.items()} for context, chunks in CHUNKS.items()}


_LOG = _log_table()
_BEST = {context: max(chunks.values()) for context, chunks in _LOG.items()}


@lru_cache(maxsize=65536)
def _contexts(reading: str) -> tuple[tuple[dict[str, float], float], ...] | None:
    out = []
    for context in context_units(reading):
        chunks = _LOG.get(context)
        if chunks is None:
            return None
        out.append((chunks, _BEST[context]))
    return tuple(out)


def reading_score(reading: str, latin: str) -> float:
    """Mean log-probability per unit that ``latin`` is a writing of ``reading``, relative to the
    reading's most likely writing (0 for that writing, more negative for rarer ones; -inf when
    the model cannot produce ``latin`` at all)."""
    contexts = _contexts(reading)
    if not contexts:
        return -math.inf
    m = len(latin)
    if m > MAX_CHUNK * len(contexts):
        return -math.inf
    minus_inf = -math.inf
    row = [minus_inf] * (m + 1)
    row[0] = 0.0
    for chunks, best in contexts:
        nxt = [minus_inf] * (m + 1)
        for j, value in enumerate(row):
            if value == minus_inf:
                continue
            value -= best
            for k in range(min(MAX_CHUNK, m - j) + 1):
                total = value + chunks.get(latin[j : j + k], UNSEEN)
                if total > nxt[j + k]:
                    nxt[j + k] = total
        row = nxt
    return row[m] / len(contexts) if row[m] != minus_inf else minus_inf


# How a reading score becomes a token similarity: the most likely writing counts as a spelling
# variant, each unit of log-probability less costs ``LEARNED_SLOPE``; below ``LEARNED_FLOOR``
# (a writing the model finds unlikely) the model gives no evidence.
LEARNED_TOP = 0.95
LEARNED_SLOPE = 0.1
LEARNED_FLOOR = -2.3


def learned_similarity(reading: str, latin: str) -> float:
    """Similarity of an Arabic-script word (its engine reading) and a Latin token, from the model."""
    score = reading_score(reading, latin)
    if score < LEARNED_FLOOR:
        return 0.0
    return LEARNED_TOP + LEARNED_SLOPE * score
