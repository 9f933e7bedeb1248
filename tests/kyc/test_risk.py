"""Risk rating rules and automatic decisions (pure functions, no database)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kyc import decisioning
from kyc.risk import RULES_VERSION, DocumentSummary, HitSummary, Level, RiskInput, RiskRules, rate


def codes(data: RiskInput, rules: RiskRules | None = None) -> list[str]:
    return [reason.code for reason in rate(data, rules).reasons]


def test_a_clean_individual_is_low_risk_with_no_reasons() -> None:
    rating = rate(RiskInput(customer_kind="individual", countries={"the customer": ["GB"]}))
    assert rating.level is Level.LOW and rating.score == 0 and rating.reasons == ()
    assert rating.version == RULES_VERSION


def test_every_reason_names_its_party_and_adds_its_points() -> None:
    data = RiskInput(
        customer_kind="individual",
        hits=(HitSummary(party="p", party_label="the customer", kind="pep", score=0.91, pep_class="foreign"),),
    )
    rating = rate(data)
    (reason,) = rating.reasons
    assert reason.code == "pep" and "foreign PEP" in reason.detail and "91%" in reason.detail
    assert rating.score == reason.points == 40
    assert rating.level is Level.MEDIUM


def test_cleared_hits_do_not_count_and_confirmed_sanctions_prohibit() -> None:
    cleared = HitSummary(party="p", party_label="A", kind="sanction", score=0.9, status="cleared")
    confirmed = HitSummary(party="p", party_label="A", kind="sanction", score=0.9, status="confirmed")
    assert rate(RiskInput(customer_kind="individual", hits=(cleared,))).level is Level.LOW
    assert rate(RiskInput(customer_kind="individual", hits=(confirmed,))).level is Level.PROHIBITED


def test_relatives_and_close_associates_of_peps_have_their_own_code() -> None:
    hit = HitSummary(party="p", party_label="A", kind="pep_rca", score=0.85)
    assert codes(RiskInput(customer_kind="individual", hits=(hit,))) == ["pep_relative_or_close_associate"]


def test_the_ofac_50_percent_rule_prohibits_with_its_own_code() -> None:
    rating = rate(RiskInput(customer_kind="business", ofac_blocked=("the customer is owned 55% ...",)))
    assert rating.level is Level.PROHIBITED
    assert rating.codes == ["ofac_50_percent"]


def test_jurisdiction_lists_are_configurable() -> None:
    data = RiskInput(customer_kind="individual", countries={"the customer": ["IR"], "a director": ["VN"]})
    assert codes(data) == ["increased_monitoring_jurisdiction", "high_risk_jurisdiction"]
    custom = RiskRules(high_risk_countries=frozenset({"VN"}), monitored_countries=frozenset())
    assert codes(data, custom) == ["high_risk_jurisdiction"]


def test_ownership_opacity_is_explained() -> None:
    data = RiskInput(
        customer_kind="business",
        ownership_layers=4,
        nominees=("Nominee Ltd",),
        cycles=(("A Ltd", "B Ltd"),),
        unexplained={"the customer": 0.4},
        beneficial_owner_count=0,
    )
    assert codes(data) == [
        "ownership_layers",
        "ownership_nominee",
        "ownership_circular",
        "ownership_unexplained",
        "no_beneficial_owner",
    ]
    assert rate(data).level is Level.HIGH


def test_document_problems_are_reasons() -> None:
    data = RiskInput(
        customer_kind="individual",
        documents=(
            DocumentSummary(party_label="the customer", document_type="passport", expired=True, mrz_invalid=True),
        ),
        has_identity_document=False,
    )
    assert codes(data) == ["document_expired", "document_mrz_invalid", "document_missing"]


@given(
    st.lists(st.sampled_from(["sanction", "pep", "pep_rca", "other"]), max_size=5),
    st.lists(st.sampled_from(["GB", "IR", "VN", "FR", "KP"]), max_size=5),
    st.integers(min_value=0, max_value=6),
)
def test_the_score_is_the_sum_of_the_reasons_and_the_level_follows_it(
    kinds: list, countries: list, layers: int
) -> None:
    hits = tuple(HitSummary(party=str(i), party_label=f"P{i}", kind=kind, score=0.9) for i, kind in enumerate(kinds))
    rating = rate(RiskInput(customer_kind="business", hits=hits, countries={"x": countries}, ownership_layers=layers))
    assert rating.score == sum(reason.points for reason in rating.reasons)
    if rating.level is not Level.PROHIBITED:
        rules = RiskRules()
        expected = Level.HIGH if rating.score >= rules.high_from else Level.MEDIUM
        assert rating.level == (Level.LOW if rating.score < rules.medium_from else expected)


def test_nothing_found_and_low_risk_is_approved_automatically() -> None:
    rating = rate(RiskInput(customer_kind="individual"))
    assert decisioning.decide(rating, []).outcome == decisioning.APPROVE


def test_any_open_hit_goes_to_review_even_at_low_risk() -> None:
    hit = HitSummary(party="p", party_label="A", kind="other", score=0.8)
    rating = rate(RiskInput(customer_kind="individual"))
    decision = decisioning.decide(rating, [hit])
    assert decision.outcome == decisioning.REVIEW and "1 screening hit" in decision.summary


def test_strong_sanctions_matches_are_rejected_only_when_enabled() -> None:
    hit = HitSummary(party="p", party_label="A", kind="sanction", score=0.99)
    rating = rate(RiskInput(customer_kind="individual", hits=(hit,)))
    assert decisioning.decide(rating, [hit]).outcome == decisioning.REVIEW
    policy = decisioning.Policy(auto_reject_confirmed_sanctions=True)
    assert decisioning.decide(rating, [hit], policy).outcome == decisioning.REJECT
    weak = HitSummary(party="p", party_label="A", kind="sanction", score=0.85)
    assert decisioning.decide(rating, [weak], policy).outcome == decisioning.REVIEW


def test_four_eyes_applies_to_high_risk_approvals_and_cleared_sanctions_hits() -> None:
    assert decisioning.needs_second_approval(outcome="approve", risk_level="high", cleared_sanctions_hits=0)
    assert decisioning.needs_second_approval(outcome="approve", risk_level="low", cleared_sanctions_hits=1)
    assert not decisioning.needs_second_approval(outcome="approve", risk_level="medium", cleared_sanctions_hits=0)
    assert not decisioning.needs_second_approval(outcome="reject", risk_level="prohibited", cleared_sanctions_hits=2)


def test_a_configured_rule_set_has_its_own_version() -> None:
    assert RiskRules.configured().version == RULES_VERSION
    custom = RiskRules.configured(high_risk_countries=frozenset({"VN"}))
    assert custom.version.startswith(RULES_VERSION + "+cfg.") and custom.version != RULES_VERSION
    assert RiskRules.configured(high_risk_countries=frozenset({"VN"})).version == custom.version
    assert rate(RiskInput(customer_kind="individual"), custom).version == custom.version
