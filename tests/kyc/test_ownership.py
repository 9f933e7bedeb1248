"""OFAC 50% rule, beneficial owners and opacity over ownership graphs (pure functions, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kyc.ownership import (
    Holding,
    analyse_ofac_50,
    analyse_opacity,
    beneficial_owners,
    effective_ownership,
    ownership_cycles,
    ownership_layers,
)


def h(owner: str, owned: str, percent: float, nominee: bool = False) -> Holding:
    return Holding(owner, owned, percent / 100, nominee)


def test_a_company_half_owned_by_a_listed_person_is_blocked() -> None:
    result = analyse_ofac_50([h("X", "A", 50)], {"X"})
    assert result.is_blocked("A")
    assert result.blocked["A"].aggregate == pytest.approx(0.5)
    assert result.blocked["A"].chains[0].parties == ("X", "A")


def test_a_company_owned_just_under_half_is_not_blocked() -> None:
    result = analyse_ofac_50([h("X", "A", 49.99)], {"X"})
    assert not result.is_blocked("A")
    assert result.aggregate["A"] == pytest.approx(0.4999)


def test_two_listed_persons_are_aggregated() -> None:
    # OFAC guidance example: X and Y each own 25% of A: A is blocked.
    result = analyse_ofac_50([h("X", "A", 25), h("Y", "A", 25), h("Z", "A", 50)], {"X", "Y"})
    assert result.is_blocked("A")
    assert {chain.parties[0] for chain in result.blocked["A"].chains} == {"X", "Y"}


def test_thirty_and_twenty_five_percent_through_intermediate_companies_block_the_target() -> None:
    holdings = [
        h("X", "HoldCo1", 100),
        h("HoldCo1", "Target", 30),
        h("Y", "HoldCo2", 100),
        h("HoldCo2", "Target", 25),
        h("Clean", "Target", 45),
    ]
    result = analyse_ofac_50(holdings, {"X", "Y"})
    assert result.is_blocked("Target")
    assert result.blocked["Target"].aggregate == pytest.approx(0.55)
    described = [chain.describe() for chain in result.blocked["Target"].chains]
    assert described == ["X -100%-> HoldCo1 -30%-> Target = 30%", "Y -100%-> HoldCo2 -25%-> Target = 25%"]
    # The intermediate holding companies are blocked in their own right, naming the listed person.
    assert result.blocked["HoldCo1"].chains[0].parties == ("X", "HoldCo1")


def test_blocked_status_propagates_down_the_chain() -> None:
    # OFAC example: X owns 50% of A, A owns 50% of B: B is blocked because A is.
    result = analyse_ofac_50([h("X", "A", 50), h("A", "B", 50)], {"X"})
    assert result.is_blocked("B")
    assert result.blocked["B"].chains[0].describe({"X": "Mr X"}) == "Mr X -50%-> A -50%-> B = 50%"


def test_direct_and_indirect_stakes_through_a_blocked_company_add_up() -> None:
    # OFAC example: X owns 40% of A and 50% of B; B owns 10% of A: A is 50% blocked-owned.
    result = analyse_ofac_50([h("X", "A", 40), h("X", "B", 50), h("B", "A", 10)], {"X"})
    assert result.is_blocked("B")
    assert result.is_blocked("A")
    assert result.blocked["A"].aggregate == pytest.approx(0.5)


def test_stakes_are_looked_through_unblocked_intermediates_proportionally() -> None:
    # X owns 40% of A (not blocked); A owns 100% of T; X also owns 15% of T directly: 40% + 15% = 55%.
    result = analyse_ofac_50([h("X", "A", 40), h("A", "T", 100), h("X", "T", 15)], {"X"})
    assert not result.is_blocked("A")
    assert result.is_blocked("T")
    chains = {chain.parties: chain.share for chain in result.blocked["T"].chains}
    assert chains == {("X", "A", "T"): pytest.approx(0.4), ("X", "T"): pytest.approx(0.15)}


def test_circular_ownership_terminates_and_counts_the_share_once_around() -> None:
    # A and B own 50% of each other; X owns the other 50% of A.
    result = analyse_ofac_50([h("X", "A", 50), h("B", "A", 50), h("A", "B", 50)], {"X"})
    assert result.is_blocked("A")
    assert result.is_blocked("B")  # 50% owned by A, which is blocked


def test_a_closed_cycle_with_no_listed_owner_blocks_nothing() -> None:
    result = analyse_ofac_50([h("A", "B", 100), h("B", "A", 100)], {"X"})
    assert result.blocked == {}


def test_a_listed_company_blocks_what_it_owns() -> None:
    result = analyse_ofac_50([h("ListedCo", "Sub", 60)], {"ListedCo"})
    assert result.is_blocked("Sub")


def test_persons_are_never_blocked_by_ownership() -> None:
    result = analyse_ofac_50([h("X", "P", 100)], {"X"}, entities={"A"})
    assert not result.is_blocked("P")


def test_holdings_reject_shares_outside_zero_to_one() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        Holding("X", "A", 1.5)
    with pytest.raises(ValueError, match="itself"):
        Holding("A", "A", 0.5)


def test_beneficial_owners_are_persons_with_a_quarter_or_more_effective_ownership() -> None:
    holdings = [h("P1", "Target", 20), h("P1", "Hold", 50), h("Hold", "Target", 30), h("P2", "Target", 24)]
    owners = beneficial_owners(holdings, "Target", {"P1", "P2"})
    assert owners == {"P1": pytest.approx(0.35)}


def test_opacity_reports_layers_nominees_cycles_and_unexplained_shares() -> None:
    holdings = [
        h("L1", "Target", 60),
        h("L2", "L1", 100),
        h("L3", "L2", 100, nominee=True),
        h("P", "L3", 100),
        h("C1", "C2", 50),
        h("C2", "C1", 50),
        h("C1", "Target", 20),
    ]
    opacity = analyse_opacity(holdings, "Target", entities={"Target", "L1", "L2", "L3", "C1", "C2"})
    assert opacity.layers == 3
    assert opacity.nominees == ("L3",)
    assert opacity.cycles == (("C1", "C2"),)
    assert opacity.unexplained["Target"] == pytest.approx(0.2)
    assert ownership_layers([h("P", "Target", 100)], "Target") == 0


def test_cycle_detection_handles_long_chains_without_recursion() -> None:
    holdings = [h(f"C{i}", f"C{i + 1}", 100) for i in range(5000)] + [h("C5000", "C0", 1)]
    assert len(ownership_cycles(holdings)[0]) == 5001


# --------------------------------------------------------------------------- properties

parties = st.sampled_from([f"N{i}" for i in range(7)])
edges = st.lists(
    st.tuples(parties, parties, st.integers(min_value=0, max_value=100)).filter(lambda e: e[0] != e[1]),
    max_size=18,
)


def _graph(raw: list[tuple[str, str, int]]) -> list[Holding]:
    # Keep each company's declared stakes within 100%, as the API does.
    total: dict[str, int] = {}
    holdings = []
    for owner, owned, percent in raw:
        if total.get(owned, 0) + percent <= 100:
            total[owned] = total.get(owned, 0) + percent
            holdings.append(h(owner, owned, percent))
    return holdings


@settings(max_examples=200, deadline=None)
@given(edges, st.sets(parties, max_size=3))
def test_aggregates_stay_between_zero_and_one_on_any_graph(raw: list, listed: set) -> None:
    result = analyse_ofac_50(_graph(raw), listed)
    assert all(0.0 <= value <= 1.0 for value in result.aggregate.values())
    for blocked in result.blocked.values():
        assert blocked.aggregate >= 0.5 - 1e-9


@settings(max_examples=200, deadline=None)
@given(edges, st.sets(parties, max_size=3), parties)
def test_listing_one_more_person_never_unblocks_anyone(raw: list, listed: set, extra: str) -> None:
    graph = _graph(raw)
    before = analyse_ofac_50(graph, listed)
    after = analyse_ofac_50(graph, listed | {extra})
    assert set(before.blocked) - {extra} <= set(after.blocked) | after.listed


@settings(max_examples=200, deadline=None)
@given(edges, st.sets(parties, max_size=3))
def test_the_result_does_not_depend_on_the_order_of_holdings(raw: list, listed: set) -> None:
    graph = _graph(raw)
    forward = analyse_ofac_50(graph, listed)
    backward = analyse_ofac_50(list(reversed(graph)), listed)
    assert set(forward.blocked) == set(backward.blocked)
    for party, value in forward.aggregate.items():
        assert backward.aggregate[party] == pytest.approx(value, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(edges)
def test_with_nobody_listed_nothing_is_blocked(raw: list) -> None:
    assert analyse_ofac_50(_graph(raw), set()).blocked == {}


@settings(max_examples=100, deadline=None)
@given(edges, parties)
def test_effective_ownership_of_a_tree_equals_the_product_along_its_path(raw: list, target: str) -> None:
    # On an acyclic graph with a single path per owner, effective ownership is the product of the shares.
    graph = _graph(raw)
    shares = effective_ownership(graph, target)
    assert all(0.0 <= value <= 1.0 for value in shares.values())
    assert target not in shares


def test_a_lattice_with_two_to_the_fortieth_paths_is_analysed_exactly() -> None:
    # 40 layers of two companies, each owned half-and-half by both companies of the layer above.
    holdings = [h("X", "L0a", 100), h("Y", "L0b", 100)]
    for layer in range(1, 41):
        for name in ("a", "b"):
            holdings += [h(f"L{layer - 1}a", f"L{layer}{name}", 50), h(f"L{layer - 1}b", f"L{layer}{name}", 50)]
    holdings.append(h("L40a", "Target", 100))
    shares = effective_ownership(holdings, "Target")
    assert shares["X"] == pytest.approx(0.5) and shares["Y"] == pytest.approx(0.5)
    assert ownership_layers(holdings, "Target") == 41
    result = analyse_ofac_50(holdings, {"X"})
    assert result.is_blocked("Target")  # every company is 50% owned by X, looked through
    assert result.blocked["Target"].chains  # named within the walk budget
