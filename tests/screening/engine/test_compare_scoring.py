"""Scoring rules of the name comparison (screening.engine.compare), on names with fixed token weights."""

from screening.engine.compare import compare_names
from screening.engine.normalise import canonical_tokens
from screening.engine.vocabulary import PARTICLES


def weight(token: str) -> float:
    # Every name part weighs the same, particles almost nothing: the rules, not rarity, decide.
    return 0.8 if token in PARTICLES else 5.0


def compare(query: str, listed: str, schema: str = "Person"):
    return compare_names(canonical_tokens(query, schema), canonical_tokens(listed, schema), weight)


def test_another_fathers_name_in_a_long_patronymic_chain_lowers_the_score_by_the_conflict_factor():
    same_length = compare("Tariq Anwar el Sayed Mohamed", "Tariq Anwar el Sayed Ahmed")
    assert same_length.conflict
    assert same_length.score < 0.825
    assert "each name has a part the other lacks" in same_length.describe()


def test_a_missing_name_part_is_not_a_conflict():
    shorter = compare("Tariq Anwar Mohamed", "Tariq Anwar el Sayed Mohamed")
    assert not shorter.conflict
    assert "each name has a part" not in shorter.describe()


def test_a_conflict_with_only_a_particle_left_over_is_not_counted():
    # "bin" left on one side says nothing about the person: no conflict factor.
    with_particle = compare("Hamadi bin Bouyehia Ali", "Hamadi Bouyehia Youssef")
    plain = compare("Hamadi Bouyehia Ali", "Hamadi Bouyehia Youssef")
    assert with_particle.conflict and plain.conflict
    assert not compare("Hamadi bin Bouyehia", "Hamadi Bouyehia Youssef").conflict


def test_son_and_father_swapped_around_bin_are_different_people():
    swapped = compare("Ahmad bin Hasan al-Ubaidi", "Hasan bin Ahmad al-Ubaidi")
    assert swapped.score < 0.7
    assert ("ahmad", "ahmad") not in {(pair.query, pair.listed) for pair in swapped.pairs}
    assert compare("Ahmad bin Hasan al-Ubaidi", "Ahmad bin Hasan al-Ubaidi").score == 1.0


def test_the_patronymic_order_is_not_read_when_a_name_opens_with_the_particle():
    # "Ben Ali" as written by a customer who put the family name first: the order is unknown.
    assert compare("Ben Ali Noureddine", "Noureddine Ben Ali").score == 1.0
