"""Learn how the engine's letter-by-letter reading of an Arabic-script word is spelled in Latin.

    .venv/bin/python -m benchmarks.engine.train_transliteration          # rewrite the table
    .venv/bin/python -m benchmarks.engine.train_transliteration --check  # fail if it would change

Reads only the **train** split of Google's ar2en name pairs
(``../shared/watchlists/matching/google_transliteration_ar2en/ar2en-train.txt``, Apache-2.0;
the eval and test splits are what ``benchmarks.engine.arabic`` measures) and writes
``screening/engine/transliteration_table.py``: for each letter unit of the engine's reading
(``arabic.romanise``: "q", "th", "u"...) in its place in the word, the Latin spellings it takes,
with their probabilities. Nothing of the data itself is copied: only the counts of an alignment.

Method: each Arabic word is read as the engine reads it (marks and hamza carriers normalised, the
article split off, then ``romanise``) and cut into units (digraphs sh, th, dh, kh, gh, ch, zh);
each unit emits a Latin chunk of 0 to 4 letters (a consonant and the short vowels the Arabic
leaves out). Expectation-maximisation over every monotone segmentation of the Latin spelling
(forward-backward) estimates P(chunk | unit, context), where the context is the unit's place
(first, inside, last) and whether a vowel letter follows. Deterministic: the same input gives
the same table, byte for byte.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import defaultdict
from pathlib import Path

from benchmarks.engine.lists import MATCHING
from screening.engine.arabic import ARTICLE, normalise_word, romanise
from screening.engine.transliteration import MAX_CHUNK, context_units

TRAIN = MATCHING / "google_transliteration_ar2en" / "ar2en-train.txt"
TARGET = Path(__file__).resolve().parents[2] / "screening" / "engine" / "transliteration_table.py"
ITERATIONS = 12
# A chunk below this probability in its context is dropped from the table (it keeps the table small).
MIN_PROBABILITY = 0.001
# Additive smoothing of the counts, and the weight of the context-free distribution mixed into
# each context's (back-off for contexts seen rarely).
SMOOTHING = 0.01
BACKOFF = 0.2
_LATIN = re.compile(r"[^a-z]")
_ARABIC_LETTERS = re.compile("^[\u0621-\u064a\u0660-\u06ff]+$")


def training_pairs() -> list[tuple[str, str]]:
    """(engine reading, Latin spelling) of every usable train pair, article split off both sides."""
    pairs = []
    for line in TRAIN.read_text(encoding="utf-8").splitlines():
        arabic, _, latin = line.partition("\t")
        arabic = normalise_word(arabic.strip())
        latin = _LATIN.sub("", latin.strip().casefold())
        if not arabic or not latin or not _ARABIC_LETTERS.match(arabic):
            continue
        if arabic.startswith(ARTICLE) and len(arabic) > 3:
            # The engine splits the article off ("al", "el" or assimilated); so does the model.
            arabic = arabic[2:]
            for article in ("al", "el"):
                if latin.startswith(article) and len(latin) > 4:
                    latin = latin[2:]
                    break
        reading = romanise(arabic.replace("\u0649", "\u064a"))
        if reading and len(latin) <= MAX_CHUNK * len(context_units(reading)):
            pairs.append((reading, latin))
    return pairs


Table = dict[str, dict[str, float]]


def _emission(table: Table, context: str, chunk: str) -> float:
    return table.get(context, {}).get(chunk, 0.0)


def _expected_counts(pairs: list[tuple[str, str]], table: Table) -> tuple[dict[str, dict[str, float]], float]:
    counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    log_likelihood = 0.0
    for reading, latin in pairs:
        contexts = context_units(reading)
        n, m = len(contexts), len(latin)
        forward = [[0.0] * (m + 1) for _ in range(n + 1)]
        forward[0][0] = 1.0
        for i, context in enumerate(contexts):
            row, nxt = forward[i], forward[i + 1]
            for j in range(m + 1):
                if row[j] == 0.0:
                    continue
                for k in range(0, min(MAX_CHUNK, m - j) + 1):
                    p = _emission(table, context, latin[j : j + k])
                    if p:
                        nxt[j + k] += row[j] * p
        total = forward[n][m]
        if total <= 0.0:
            continue
        log_likelihood += math.log(total)
        backward = [[0.0] * (m + 1) for _ in range(n + 1)]
        backward[n][m] = 1.0
        for i in range(n - 1, -1, -1):
            context = contexts[i]
            for j in range(m + 1):
                acc = 0.0
                for k in range(0, min(MAX_CHUNK, m - j) + 1):
                    after = backward[i + 1][j + k]
                    if after:
                        p = _emission(table, context, latin[j : j + k])
                        if p:
                            share = forward[i][j] * p * after / total
                            if share > 1e-9:
                                counts[context][latin[j : j + k]] += share
                            acc += p * after
                backward[i][j] = acc
    return counts, log_likelihood


def _normalise(counts: dict[str, dict[str, float]]) -> Table:
    # Context-free distribution per unit (the context key is "unit|place|vowel-follows").
    by_unit: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for context, chunks in counts.items():
        unit = context.split("|", 1)[0]
        for chunk, count in chunks.items():
            by_unit[unit][chunk] += count
    table: Table = {}
    for context in sorted(counts):
        unit = context.split("|", 1)[0]
        general = by_unit[unit]
        general_total = sum(general.values())
        chunks = counts[context]
        total = sum(chunks.values()) + SMOOTHING * len(general)
        mixed = {
            chunk: (1 - BACKOFF) * (chunks.get(chunk, 0.0) + SMOOTHING) / total
            + BACKOFF * general[chunk] / general_total
            for chunk in general
        }
        kept = {c: p for c, p in mixed.items() if p >= MIN_PROBABILITY}
        norm = sum(kept.values())
        table[context] = {c: p / norm for c, p in sorted(kept.items())}
    return table


def _initial_table(pairs: list[tuple[str, str]]) -> Table:
    """Every chunk of up to MAX_CHUNK letters is possible for every seen context, equally."""
    chunks_seen: dict[str, set[str]] = defaultdict(set)
    for reading, latin in pairs:
        for context in context_units(reading):
            chunks_seen[context].update(latin[j : j + k] for j in range(len(latin) + 1) for k in range(MAX_CHUNK + 1))
    return {c: dict.fromkeys(sorted(s), 1.0 / len(s)) for c, s in sorted(chunks_seen.items())}


def train(pairs: list[tuple[str, str]], iterations: int = ITERATIONS) -> Table:
    """EM estimate of P(Latin chunk | unit in context)."""
    table = _initial_table(pairs)
    for iteration in range(iterations):
        counts, log_likelihood = _expected_counts(pairs, table)
        table = _normalise(counts)
        print(f"iteration {iteration + 1}: log-likelihood {log_likelihood:.1f}", file=sys.stderr)
    return table


def render(table: Table, pairs: int) -> str:
    """The table as a Python module (sorted, probabilities rounded: deterministic text)."""
    lines = [
        '"""Learned Latin spellings of the engine\'s Arabic-script letter units (generated, do not edit).',
        "",
        "Written by ``python -m benchmarks.engine.train_transliteration`` from the train split of Google's",
        f"ar2en transliteration pairs (google/transliteration, Apache-2.0; {pairs} pairs used): for each unit",
        "of ``arabic.romanise`` in its context (unit|place|vowel letter follows), the probability of",
        "each Latin chunk. Statistics of an alignment only; no name of the data set is stored here.",
        '"""',
        "",
        "# fmt: off",
        "CHUNKS: dict[str, dict[str, float]] = {",
    ]
    for context, chunks in table.items():
        lines.append(f'    "{context}": {{')
        line = "       "
        for item in (f'"{chunk}": {p:.4f},' for chunk, p in chunks.items() if round(p, 4) > 0):
            if len(line) + len(item) > 110:
                lines.append(line)
                line = "       "
            line += " " + item
        lines += [line, "    },"]
    lines += ["}", "# fmt: on", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed table differs")
    args = parser.parse_args()
    pairs = training_pairs()
    text = render(train(pairs), len(pairs))
    if args.check:
        same = TARGET.exists() and TARGET.read_text(encoding="utf-8") == text
        print("table up to date" if same else "table differs from a fresh training run")
        sys.exit(0 if same else 1)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET} from {len(pairs)} pairs")


if __name__ == "__main__":
    main()
