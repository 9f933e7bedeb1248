"""Arabic-script name tokens against their Latin spelling (Google ar2en eval and test splits).

    .venv/bin/python -m benchmarks.engine.arabic

Each pair of ``../shared/watchlists/matching/google_transliteration_ar2en/ar2en-{eval,test}.txt``
is one Arabic-script name token and the Latin spelling Wikipedia gives it (mostly non-Arabic
names written in Arabic script, so a hard set for a table of Arabic name parts). The train split
is not read here: it is what the engine's learned transliteration (``transliteration_table``) was
trained on (``benchmarks.engine.train_transliteration``), so these two splits stay unseen.
Reported for the engine's token similarity and for plain anyascii + rapidfuzz ratio:
* recall: share of pairs whose similarity reaches 0.72 (the lowest match of an Arabic-script token) / 0.85;
* false matches: the same for each Arabic token against the Latin spelling of another pair
  (a fixed derangement), i.e. how often an unrelated Latin name would count as the same token.
"""

from __future__ import annotations

import random
import time

from anyascii import anyascii
from rapidfuzz.distance import Indel

from benchmarks.engine.lists import MATCHING, machine
from screening.engine.compare import MIN_OUTLINE_SIMILARITY, token_similarity
from screening.engine.normalise import canonical_tokens

SPLITS = ("ar2en-eval.txt", "ar2en-test.txt")
SEED = 20261129


def _pairs() -> list[tuple[str, str]]:
    pairs = []
    for split in SPLITS:
        path = MATCHING / "google_transliteration_ar2en" / split
        for line in path.read_text(encoding="utf-8").splitlines():
            arabic, _, latin = line.partition("\t")
            if arabic and latin:
                pairs.append((arabic.strip(), latin.strip()))
    return pairs


def engine_similarity(arabic: str, latin: str) -> float:
    """Best token similarity between the canonical tokens of both sides (article dropped)."""
    left = [t for t in canonical_tokens(arabic, "Person") if t != "al"] or ["?"]
    right = [t for t in canonical_tokens(latin, "Person") if t != "al"] or ["?"]
    if len(left) > 1 and len(right) == 1:
        left = ["".join(t.rstrip("_") for t in left) + "_"]
    return max(token_similarity(a, b) for a in left for b in right)


def plain_similarity(arabic: str, latin: str) -> float:
    """The baseline: anyascii transliteration and Indel similarity."""
    return Indel.normalized_similarity(anyascii(arabic).lower().replace("'", ""), latin.lower())


def main() -> None:
    pairs = _pairs()
    rng = random.Random(SEED)
    shifted = list(range(len(pairs)))
    rng.shuffle(shifted)
    others = {shifted[i]: shifted[(i + 1) % len(shifted)] for i in range(len(shifted))}
    print(f"# Arabic-script tokens vs Latin spellings - {machine()}")
    print(f"google ar2en eval+test: {len(pairs)} pairs (the engine learned from the train split only)")
    for label, function in (("engine token_similarity", engine_similarity), ("anyascii + Indel", plain_similarity)):
        started = time.process_time()
        same = [function(a, latin) for a, latin in pairs]
        other = [function(pairs[i][0], pairs[others[i]][1]) for i in range(len(pairs))]
        cpu = time.process_time() - started
        for cut in (MIN_OUTLINE_SIMILARITY, 0.85):
            recall = sum(s >= cut for s in same) / len(same)
            false = sum(s >= cut for s in other) / len(other)
            print(f"{label:<24} >= {cut:.2f}: recall {recall:6.1%}   false matches {false:6.2%}")
        print(f"{label:<24} CPU {cpu:.2f} s")


if __name__ == "__main__":
    main()
