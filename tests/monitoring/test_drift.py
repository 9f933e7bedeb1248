"""Drift arithmetic on constructed distributions: PSI, rate comparisons, group disparities, scripts (no database)."""

from __future__ import annotations

import math

import pytest

from monitoring.drift import (
    Bounds,
    GroupRates,
    Tally,
    compare_rate,
    histogram,
    name_script,
    proportions,
    psi,
    score_drift,
)


def tally(hits: int, n: int) -> Tally:
    return Tally(n=n, hits=hits)


# --------------------------------------------------------------------------- PSI
def test_identical_distributions_have_a_psi_of_zero():
    assert psi([10, 20, 30], [1, 2, 3]) == pytest.approx(0.0, abs=1e-12)


def test_psi_of_a_50_50_split_moving_to_80_20_matches_the_hand_computed_value():
    # (0.8 - 0.5) ln(0.8/0.5) + (0.2 - 0.5) ln(0.2/0.5) = 0.3 ln 1.6 + 0.3 ln 2.5
    expected = 0.3 * math.log(1.6) + 0.3 * math.log(2.5)
    assert expected == pytest.approx(0.4158883, abs=1e-7)
    assert psi([50, 50], [80, 20]) == pytest.approx(expected, rel=1e-12)


def test_psi_is_symmetric_swapping_baseline_and_recent_gives_the_same_value():
    assert psi([70, 20, 10], [40, 40, 20]) == pytest.approx(psi([40, 40, 20], [70, 20, 10]), rel=1e-12)


def test_an_empty_bin_takes_epsilon_instead_of_zero_so_the_psi_stays_finite():
    # baseline [1.0, 0 -> 1e-4], recent [0.5, 0.5]:
    # (0.5 - 1) ln(0.5 / 1) + (0.5 - 1e-4) ln(0.5 / 1e-4)
    expected = -0.5 * math.log(0.5) + (0.5 - 1e-4) * math.log(0.5 / 1e-4)
    assert expected == pytest.approx(4.6043193, abs=1e-6)
    assert psi([100, 0], [50, 50], epsilon=1e-4) == pytest.approx(expected, rel=1e-12)
    assert proportions([100, 0], 1e-4) == [1.0, 1e-4]


def test_psi_refuses_bins_that_differ_or_a_side_with_no_observations():
    with pytest.raises(ValueError, match="same bins"):
        psi([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="no observations"):
        psi([0, 0], [1, 1])


def test_histogram_bins_are_left_closed_and_the_last_one_holds_its_right_edge():
    edges = (0.0, 0.5, 0.9, 1.0)
    assert histogram([0.0, 0.49, 0.5, 0.89, 0.9, 1.0, 1.2, -0.1], edges) == [3, 2, 3]


def test_score_drift_flags_a_psi_above_the_bound_and_not_one_at_or_below_it():
    bounds = Bounds(min_sample=10, score_bins=(0.0, 0.5, 1.0))
    shifted = score_drift([0.2] * 50 + [0.7] * 50, [0.2] * 80 + [0.7] * 20, bounds)
    assert shifted.psi == pytest.approx(0.415888, abs=1e-6) and shifted.flagged
    at_bound = score_drift(
        [0.2] * 50 + [0.7] * 50,
        [0.2] * 80 + [0.7] * 20,
        Bounds(min_sample=10, psi=psi([50, 50], [80, 20]), score_bins=(0.0, 0.5, 1.0)),
    )
    assert not at_bound.flagged


def test_score_drift_is_not_computed_below_the_minimum_sample():
    result = score_drift([0.9] * 49, [0.5] * 500, Bounds(min_sample=50))
    assert result.psi is None and not result.flagged
    assert "fewer than 50" in result.note
    assert result.baseline_n == 49 and result.recent_n == 500


# --------------------------------------------------------------------------- rates
def test_a_rate_beyond_both_bounds_is_flagged():
    result = compare_rate(tally(30, 100), tally(100, 1000), Bounds(min_sample=50))
    assert result.rate == 0.3 and result.reference_rate == 0.1
    assert result.difference == pytest.approx(0.2) and result.ratio == pytest.approx(3.0)
    assert result.flagged


def test_a_ratio_exactly_at_the_bound_is_not_flagged_and_just_above_it_is():
    bounds = Bounds(min_sample=8, ratio_high=1.25, min_difference=0.02)
    # 5/8 = 0.625 against 0.5: ratio exactly 1.25 (exact in binary floating point), difference 0.125.
    assert not compare_rate(tally(5, 8), tally(50, 100), bounds).flagged
    assert compare_rate(tally(51, 80), tally(50, 100), bounds).flagged  # 0.6375 / 0.5 = 1.275


def test_a_low_ratio_is_flagged_like_a_high_one():
    bounds = Bounds(min_sample=50)
    assert compare_rate(tally(10, 100), tally(50, 100), bounds).flagged  # 0.1 vs 0.5: ratio 0.2
    assert not compare_rate(tally(40, 100), tally(50, 100), bounds).flagged  # ratio 0.8: at the bound


def test_a_large_ratio_with_a_difference_at_or_below_the_absolute_bound_is_not_flagged():
    bounds = Bounds(min_sample=50, min_difference=0.02)
    # 3 % against 1 %: ratio 3, difference exactly 0.02 (not beyond it).
    assert not compare_rate(tally(3, 100), tally(10, 1000), bounds).flagged
    assert compare_rate(tally(4, 100), tally(10, 1000), bounds).flagged


def test_rates_with_fewer_observations_than_the_minimum_sample_are_never_flagged():
    bounds = Bounds(min_sample=50)
    small = compare_rate(tally(49, 49), tally(1, 1000), bounds)
    assert not small.flagged and small.difference is None and "fewer than 50" in small.note
    assert compare_rate(tally(50, 50), tally(1, 1000), bounds).flagged


def test_a_rate_against_a_zero_reference_is_flagged_on_its_difference():
    bounds = Bounds(min_sample=50)
    result = compare_rate(tally(10, 100), tally(0, 100), bounds)
    assert result.flagged and result.ratio is None
    assert not compare_rate(tally(0, 100), tally(0, 100), bounds).flagged


# --------------------------------------------------------------------------- groups
def test_group_rates_count_a_dual_national_in_both_groups_and_once_overall():
    rates = GroupRates()
    rates.add(["RU", "GB"], True)
    rates.add(["GB"], False)
    rates.add(["GB", "GB"], False)
    assert (rates.overall.n, rates.overall.hits) == (3, 1)
    assert (rates.groups["GB"].n, rates.groups["GB"].hits) == (3, 1)
    assert (rates.groups["RU"].n, rates.groups["RU"].hits) == (1, 1)


def test_a_group_far_above_the_overall_rate_is_flagged_but_a_tiny_one_is_not():
    rates = GroupRates()
    for _ in range(100):
        rates.add(["GB"], False)
    for i in range(60):
        rates.add(["IR"], i < 30)  # 50 % of 60
    for _ in range(5):
        rates.add(["KP"], True)  # 100 % of 5: below the minimum sample
    compared = rates.compare(Bounds(min_sample=50))
    # overall: 35 of 165
    assert compared["IR"].reference_rate == pytest.approx(35 / 165, abs=1e-6)
    assert compared["IR"].flagged
    assert compared["GB"].flagged  # 0 % against 21 %: too low is a disparity too
    assert not compared["KP"].flagged and compared["KP"].rate == 1.0
    assert list(compared) == ["GB", "IR", "KP"]  # largest groups first


# --------------------------------------------------------------------------- scripts
@pytest.mark.parametrize(
    ("name", "script"),
    [
        ("Oleg Primerov", "Latin"),
        ("José Ñúñez", "Latin"),
        ("Олег Примеров", "Cyrillic"),
        ("عينة قادر الخيالي", "Arabic"),
        ("王小明", "CJK"),
        ("김민준", "Hangul"),
        ("やまだ タロウ", "Kana"),
        ("ジョーンズ", "Kana"),
        ("Νίκος Παπαδάκης", "Greek"),
        ("דוד כהן", "Hebrew"),
        ("Ｏｌｅｇ", "Latin"),  # full-width letters
        ("Олег Smith-Примеров", "Cyrillic"),  # most letters
        ("12345 --", "Unknown"),
        ("", "Unknown"),
    ],
)
def test_the_script_of_a_name_is_the_script_of_most_of_its_letters(name, script):
    assert name_script(name) == script


def test_bounds_refuse_nonsense():
    with pytest.raises(ValueError, match="ratio"):
        Bounds(ratio_low=1.2)
    with pytest.raises(ValueError, match="score_bins"):
        Bounds(score_bins=(0.0, 0.5, 0.4))
    with pytest.raises(ValueError, match="min_sample"):
        Bounds(min_sample=0)
