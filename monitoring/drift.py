"""Drift and bias arithmetic: population stability index, rate comparisons, group disparities, name scripts.

Free of Django so that it can be tested and reused alone; ``monitoring.services.drift`` feeds it
what the database holds and stores what it returns.

**Population stability index (PSI)** of a recent distribution against a baseline, over fixed bins::

    p_i = max(count_i / total, EPSILON)            for each bin i, on each side
    PSI = sum_i (recent_i - baseline_i) * ln(recent_i / baseline_i)

A bin that is empty on one side gets the proportion ``EPSILON`` instead of 0, so the logarithm stays
finite (an empty bin then weighs heavily, as it should: a whole part of the distribution appeared or
vanished); the proportions are not renormalised. The usual reading: below 0.1 no material change,
0.1 to 0.25 a moderate shift, above 0.25 a significant one (the default bound).

**Rates** (alert rate: subjects with an alert / subjects screened; false-positive rate: alerts
cleared as false positives / alerts reviewed) are compared with a reference rate. A comparison is
flagged when both sides have at least ``min_sample`` observations, the rates differ by more than
``min_difference`` (absolute) *and* their ratio lies outside ``[ratio_low, ratio_high]`` (the
default 0.8 to 1.25 is the "four-fifths" rule used for disparate impact). Values exactly at a bound
are not flagged. The minimum sample keeps a group of three people from raising a flag; the absolute
difference keeps two tiny rates (0.1 % against 0.3 %) from doing so on their ratio alone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from screening.lists.scripts import letter_scripts

EPSILON = 1e-4
#: Fixed score bins (left-closed; the last bin also holds 1.0). Matches are stored at or above their
#: threshold (0.825 by default), so the bins are finest where the scores are.
SCORE_BINS: tuple[float, ...] = (0.0, 0.7, 0.8, 0.85, 0.875, 0.9, 0.925, 0.95, 0.975, 1.0)


@dataclass(frozen=True)
class Bounds:
    """What counts as drift or disparity (``TILLIT_DRIFT`` overrides any of these)."""

    psi: float = 0.25
    ratio_low: float = 0.8
    ratio_high: float = 1.25
    min_difference: float = 0.02
    min_sample: int = 50
    epsilon: float = EPSILON
    score_bins: tuple[float, ...] = SCORE_BINS

    def __post_init__(self) -> None:
        edges = self.score_bins
        if len(edges) < 3 or any(b <= a for a, b in pairwise(edges)):
            raise ValueError("score_bins must be at least three increasing edges")
        if not 0 < self.ratio_low <= 1 <= self.ratio_high:
            raise ValueError("ratio bounds must satisfy 0 < ratio_low <= 1 <= ratio_high")
        if self.psi <= 0 or self.min_difference < 0 or self.min_sample < 1 or not 0 < self.epsilon < 0.01:
            raise ValueError("psi > 0, min_difference >= 0, min_sample >= 1 and 0 < epsilon < 0.01")


# --------------------------------------------------------------------------- distributions
def histogram(values: Iterable[float], edges: Sequence[float] = SCORE_BINS) -> list[int]:
    """Counts per bin ``[edge_i, edge_i+1)``; the last bin includes its right edge; values outside are clamped."""
    counts = [0] * (len(edges) - 1)
    last = len(counts) - 1
    for value in values:
        index = last
        for i in range(len(counts)):
            if value < edges[i + 1]:
                index = i
                break
        counts[index] += 1
    return counts


def proportions(counts: Sequence[int], epsilon: float = EPSILON) -> list[float]:
    """Each bin's share of the total, ``epsilon`` for an empty bin (no renormalisation)."""
    total = sum(counts)
    if total <= 0:
        raise ValueError("no observations")
    return [max(count / total, epsilon) for count in counts]


def psi(baseline: Sequence[int], recent: Sequence[int], epsilon: float = EPSILON) -> float:
    """Population stability index of ``recent`` against ``baseline`` bin counts (same bins)."""
    if len(baseline) != len(recent):
        raise ValueError("both distributions need the same bins")
    expected, actual = proportions(baseline, epsilon), proportions(recent, epsilon)
    return sum((a - e) * math.log(a / e) for e, a in zip(expected, actual, strict=True))


@dataclass(frozen=True)
class ScoreDrift:
    """PSI of two score samples, or why it was not computed."""

    baseline_n: int
    recent_n: int
    baseline_bins: list[int]
    recent_bins: list[int]
    psi: float | None
    flagged: bool
    note: str = ""


def score_drift(baseline: Sequence[float], recent: Sequence[float], bounds: Bounds) -> ScoreDrift:
    """Histogram both score samples on the fixed bins and flag a PSI above the bound."""
    base_bins, recent_bins = histogram(baseline, bounds.score_bins), histogram(recent, bounds.score_bins)
    if min(len(baseline), len(recent)) < bounds.min_sample:
        return ScoreDrift(
            len(baseline),
            len(recent),
            base_bins,
            recent_bins,
            None,
            False,
            f"fewer than {bounds.min_sample} scores on a side",
        )
    value = psi(base_bins, recent_bins, bounds.epsilon)
    return ScoreDrift(len(baseline), len(recent), base_bins, recent_bins, round(value, 6), value > bounds.psi)


# --------------------------------------------------------------------------- rates
@dataclass
class Tally:
    """``hits`` out of ``n`` (subjects alerted out of subjects screened, alerts cleared out of reviewed)."""

    n: int = 0
    hits: int = 0

    def add(self, hit: bool) -> None:
        self.n += 1
        self.hits += 1 if hit else 0

    @property
    def rate(self) -> float | None:
        return self.hits / self.n if self.n else None


@dataclass(frozen=True)
class RateComparison:
    """A rate against a reference rate, with the verdict."""

    n: int
    hits: int
    rate: float | None
    reference_n: int
    reference_rate: float | None
    difference: float | None
    ratio: float | None
    flagged: bool
    note: str = ""


def compare_rate(tally: Tally, reference: Tally, bounds: Bounds) -> RateComparison:
    """Flag ``tally``'s rate when it differs from ``reference``'s beyond both bounds (see the module doc)."""
    rate, ref = tally.rate, reference.rate
    if rate is None or ref is None or min(tally.n, reference.n) < bounds.min_sample:
        return RateComparison(
            tally.n,
            tally.hits,
            rate,
            reference.n,
            ref,
            None,
            None,
            False,
            f"fewer than {bounds.min_sample} observations",
        )
    difference = rate - ref
    ratio = rate / ref if ref > 0 else (math.inf if rate > 0 else 1.0)
    flagged = abs(difference) > bounds.min_difference and not (bounds.ratio_low <= ratio <= bounds.ratio_high)
    return RateComparison(
        tally.n,
        tally.hits,
        round(rate, 6),
        reference.n,
        round(ref, 6),
        round(difference, 6),
        None if math.isinf(ratio) else round(ratio, 6),
        flagged,
    )


@dataclass
class GroupRates:
    """Rates per group (nationality, script ...) against the overall rate of the same population."""

    overall: Tally = field(default_factory=Tally)
    groups: dict[str, Tally] = field(default_factory=dict)

    def add(self, groups: Iterable[str], hit: bool) -> None:
        """One observation counted once overall and once in each of its groups (a dual national in both)."""
        self.overall.add(hit)
        for group in set(groups):
            self.groups.setdefault(group, Tally()).add(hit)

    def compare(self, bounds: Bounds) -> dict[str, RateComparison]:
        """Every group's rate against the overall rate, largest groups first."""
        ordered = sorted(self.groups.items(), key=lambda item: (-item[1].n, item[0]))
        return {group: compare_rate(tally, self.overall, bounds) for group, tally in ordered}


# --------------------------------------------------------------------------- scripts
#: ISO 15924 code (``screening.lists.scripts``) -> the label shown; any other script is Other.
SCRIPT_LABELS = {
    "Latn": "Latin",
    "Cyrl": "Cyrillic",
    "Arab": "Arabic",
    "Hani": "CJK",
    "Jpan": "Kana",
    "Hang": "Hangul",
    "Grek": "Greek",
    "Hebr": "Hebrew",
    "Deva": "Devanagari",
    "Beng": "Bengali",
    "Thai": "Thai",
    "Geor": "Georgian",
    "Armn": "Armenian",
    "Ethi": "Ethiopic",
    "Taml": "Tamil",
}
UNKNOWN_SCRIPT = "Unknown"
OTHER_SCRIPT = "Other"


def name_script(name: str) -> str:
    """The script most of a name's letters are written in (ties: the first met); Unknown without letters.

    Full-width and modifier letters count as their script (``Ｏｌｅｇ`` is Latin).
    """
    counts: Counter[str] = Counter()
    for code, letters in letter_scripts(name, forms=True).items():
        counts[SCRIPT_LABELS.get(code or "", OTHER_SCRIPT)] += letters
    return counts.most_common(1)[0][0] if counts else UNKNOWN_SCRIPT
