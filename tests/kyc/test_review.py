"""Officers in the admin: queues, the case page, dispositions, four eyes and step-up (real TOTP step-ups)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from kyc import integrations
from kyc.models import Case, CaseStatus, Customer, Decision, HitStatus, ScreeningHit
from kyc.services import review
from kyc.services.cases import case_submit
from kyc.services.pipeline import case_run_pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def later() -> Any:
    """Run after the enrolment's TOTP step, so that the first fresh code is not a replay."""
    with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=False) as traveller:
        yield traveller


def _case_for(create_customer: Callable[..., dict], **details: Any) -> Case:
    customer = Customer.objects.get(pk=create_customer(details=details)["id"])
    case = case_submit(customer=customer, actor=None)
    return case_run_pipeline(case_id=case.pk)


@pytest.fixture
def sanctions_case(create_customer: Callable[..., dict], watchlist: Any) -> Case:
    case = _case_for(create_customer, given_names="Victor", family_name="Zarenkov")
    assert case.status == CaseStatus.REVIEW
    return case


@pytest.fixture
def pep_case(create_customer: Callable[..., dict], watchlist: Any) -> Case:
    case = _case_for(create_customer, given_names="Elena", family_name="Stoyanova")
    assert case.status == CaseStatus.REVIEW
    return case


class Officer:
    """A person with a TOTP app and an admin session."""

    def __init__(self, user: Any, seed: bytes, session: APIClient, totp: Any) -> None:
        self.user, self.seed, self.session, self.totp = user, seed, session, totp

    def step_up(self, action: str) -> None:
        self.totp.step_up(self.session, self.user, self.seed, action)

    def act(self, case: Case, act: str, **data: Any) -> Any:
        return self.session.post(f"/admin/kyc/case/{case.pk}/act/{act}/", data, format="multipart")


@pytest.fixture
def people(make_user: Callable, login_api: Callable, totp: Any) -> dict[str, Officer]:
    found = {}
    for name, role in (("first", "officer"), ("second", "senior_officer"), ("third", "senior_officer")):
        user = make_user(role)
        found[name] = Officer(user, totp.enrol(user), login_api(user), totp)
    return found


RATIONALE = "Different birth date and nationality from the listed person."


def test_clearing_a_sanctions_hit_and_approving_takes_two_officers_with_fresh_step_ups(
    sanctions_case: Case, people: dict[str, Officer], later: Any
) -> None:
    first, second = people["first"], people["second"]
    hit = ScreeningHit.objects.get(case=sanctions_case)

    # No step-up: the admin shows the prompt and nothing changes.
    response = first.act(sanctions_case, "hit_clear", hit=hit.pk, rationale=RATIONALE)
    assert response.status_code == 200 and b"authenticator" in response.content
    assert ScreeningHit.objects.get(pk=hit.pk).status == HitStatus.PENDING

    first.step_up(integrations.ACTION_CLEAR_HIT)
    first.act(sanctions_case, "hit_clear", hit=hit.pk, rationale=RATIONALE)
    assert ScreeningHit.objects.get(pk=hit.pk).status == HitStatus.CLEARING_PROPOSED

    # The first officer may not second-approve (role), and an approval with the hit half-cleared is refused.
    first.act(sanctions_case, "hit_clear_review", hit=hit.pk, agree="yes", rationale=RATIONALE)
    assert ScreeningHit.objects.get(pk=hit.pk).status == HitStatus.CLEARING_PROPOSED
    first.act(sanctions_case, "decide", outcome="approve", rationale=RATIONALE)
    assert Decision.objects.filter(case=sanctions_case).count() == 0

    second.step_up(integrations.ACTION_CLEAR_HIT_SECOND)
    second.act(sanctions_case, "hit_clear_review", hit=hit.pk, agree="yes", rationale="Agree: different person.")
    assert ScreeningHit.objects.get(pk=hit.pk).status == HitStatus.CLEARED

    # Approving after a cleared sanctions hit is a proposal, and needs the first officer's step-up too.
    response = first.act(sanctions_case, "decide", outcome="approve", rationale=RATIONALE)
    assert response.status_code == 200 and b"authenticator" in response.content
    later.shift(timedelta(seconds=31))
    first.step_up(integrations.ACTION_APPROVE_HIGH_RISK)
    first.act(sanctions_case, "decide", outcome="approve", rationale=RATIONALE)
    sanctions_case.refresh_from_db()
    assert sanctions_case.status == CaseStatus.AWAITING_SECOND_APPROVAL
    proposal = Decision.objects.get(case=sanctions_case)
    assert proposal.status == "proposed" and proposal.requires_second_approval

    later.shift(timedelta(seconds=31))
    second.step_up(integrations.ACTION_APPROVE_HIGH_RISK_SECOND)
    second.act(sanctions_case, "decision_review", decision=proposal.pk, agree="yes", rationale="Agreed after review.")
    sanctions_case.refresh_from_db()
    assert sanctions_case.status == CaseStatus.APPROVED
    proposal.refresh_from_db()
    assert proposal.status == "final" and proposal.second_approver == second.user
    actions = list(
        AuditEvent.objects.filter(action__startswith="kyc.", payload__customer_id=str(sanctions_case.customer_id))
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    order = [
        "kyc.hit.clearing_proposed",
        "kyc.hit.dispositioned",
        "kyc.decision.proposed",
        "kyc.decision.second_approved",
    ]
    positions = [actions.index(action) for action in order]
    assert positions == sorted(positions)
    assert actions[-1] == "kyc.case.transitioned"


def test_the_same_officer_cannot_be_both_pairs_of_eyes(sanctions_case: Case, people: dict[str, Officer]) -> None:
    senior = people["second"].user
    hit = ScreeningHit.objects.get(case=sanctions_case)
    review.hit_clear(hit=hit, rationale=RATIONALE, actor=senior, step_up_verified=True)
    with pytest.raises(review.ReviewError) as caught:
        review.hit_clearing_review(hit=hit, agree=True, rationale=RATIONALE, actor=senior, step_up_verified=True)
    assert caught.value.code == "four_eyes"
    review.hit_clearing_review(
        hit=hit, agree=True, rationale=RATIONALE, actor=people["third"].user, step_up_verified=True
    )
    decision = review.case_decide(
        case=sanctions_case, outcome="approve", rationale=RATIONALE, actor=senior, step_up_verified=True
    )
    with pytest.raises(review.ReviewError) as caught:
        review.decision_second_review(
            decision=decision, agree=True, rationale=RATIONALE, actor=senior, step_up_verified=True
        )
    assert caught.value.code == "four_eyes"
    assert Case.objects.get(pk=sanctions_case.pk).status == CaseStatus.AWAITING_SECOND_APPROVAL


def test_no_step_up_no_decision(sanctions_case: Case, people: dict[str, Officer]) -> None:
    officer, senior = people["first"].user, people["second"].user
    hit = ScreeningHit.objects.get(case=sanctions_case)
    with pytest.raises(review.ReviewError) as caught:
        review.hit_clear(hit=hit, rationale=RATIONALE, actor=officer, step_up_verified=False)
    assert caught.value.code == "step_up_required"
    review.hit_clear(hit=hit, rationale=RATIONALE, actor=officer, step_up_verified=True)
    review.hit_clearing_review(hit=hit, agree=True, rationale=RATIONALE, actor=senior, step_up_verified=True)
    with pytest.raises(review.ReviewError) as caught:
        review.case_decide(case=sanctions_case, outcome="approve", rationale=RATIONALE, actor=officer)
    assert caught.value.code == "step_up_required"
    assert not Decision.objects.filter(case=sanctions_case).exists()
    decision = review.case_decide(
        case=sanctions_case, outcome="approve", rationale=RATIONALE, actor=officer, step_up_verified=True
    )
    with pytest.raises(review.ReviewError) as caught:
        review.decision_second_review(
            decision=decision, agree=True, rationale=RATIONALE, actor=senior, step_up_verified=False
        )
    assert caught.value.code == "step_up_required"


def test_a_second_officer_can_send_a_proposal_back(sanctions_case: Case, people: dict[str, Officer]) -> None:
    officer, senior = people["first"].user, people["second"].user
    hit = ScreeningHit.objects.get(case=sanctions_case)
    review.hit_clear(hit=hit, rationale=RATIONALE, actor=officer, step_up_verified=True)
    review.hit_clearing_review(hit=hit, agree=False, rationale="Same birth year, look again.", actor=senior,
                               step_up_verified=True)  # fmt: skip
    hit.refresh_from_db()
    assert hit.status == HitStatus.PENDING and hit.proposed_by is None


def test_a_rationale_is_mandatory(pep_case: Case, people: dict[str, Officer]) -> None:
    hit = ScreeningHit.objects.get(case=pep_case)
    with pytest.raises(review.ReviewError) as caught:
        review.hit_confirm(hit=hit, rationale="  ", actor=people["first"].user)
    assert caught.value.code == "rationale_required"


def test_an_open_hit_blocks_approval_but_not_rejection(pep_case: Case, people: dict[str, Officer]) -> None:
    officer = people["first"].user
    with pytest.raises(review.ReviewError) as caught:
        review.case_decide(case=pep_case, outcome="approve", rationale=RATIONALE, actor=officer)
    assert caught.value.code == "open_hits"
    decision = review.case_decide(case=pep_case, outcome="reject", rationale="Declined: risk appetite.", actor=officer)
    assert decision.status == "final"
    assert Case.objects.get(pk=pep_case.pk).status == CaseStatus.REJECTED


def test_a_cleared_pep_hit_lets_one_officer_approve_a_low_risk_customer(
    pep_case: Case, people: dict[str, Officer]
) -> None:
    officer = people["first"].user
    hit = ScreeningHit.objects.get(case=pep_case)
    review.hit_clear(hit=hit, rationale=RATIONALE, actor=officer, step_up_verified=True)
    assert ScreeningHit.objects.get(pk=hit.pk).status == HitStatus.CLEARED  # not a sanctions hit: one officer
    decision = review.case_decide(case=pep_case, outcome="approve", rationale=RATIONALE, actor=officer)
    assert decision.status == "final" and not decision.requires_second_approval
    assert Case.objects.get(pk=pep_case.pk).status == CaseStatus.APPROVED
    assert pep_case.ratings.count() == 2  # re-rated with the hit cleared before deciding


def test_an_analyst_cannot_decide(pep_case: Case, make_user: Callable) -> None:
    with pytest.raises(review.ReviewError) as caught:
        review.case_decide(case=pep_case, outcome="reject", rationale=RATIONALE, actor=make_user("analyst"))
    assert caught.value.code == "permission_denied"


def test_queues_list_the_cases_officers_work_on(
    sanctions_case: Case, pep_case: Case, people: dict[str, Officer]
) -> None:
    first = people["first"]
    first.act(sanctions_case, "assign_me")
    first.act(pep_case, "escalate", rationale="Needs the MLRO's view on this PEP.")
    changelist = first.session.get("/admin/kyc/case/?queue=mine")
    assert changelist.status_code == 200
    assert str(sanctions_case.pk)[:8] in changelist.content.decode()
    assert str(pep_case.pk)[:8] not in changelist.content.decode()
    escalated = first.session.get("/admin/kyc/case/?queue=escalated").content.decode()
    assert str(pep_case.pk)[:8] in escalated
    assert Case.objects.get(pk=pep_case.pk).status == CaseStatus.ESCALATED
    assert pep_case.notes.get().text.startswith("Escalated: Needs the MLRO")
    from kyc.selectors import case_queue, queue_counts

    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        assert set(case_queue(user=first.user, queue="overdue")) == {sanctions_case, pep_case}
        assert queue_counts(user=first.user) == {
            "mine": 1,
            "unassigned": 1,
            "escalated": 1,
            "awaiting_second": 0,
            "overdue": 2,
            "due_soon": 0,
        }


def test_the_case_page_shows_the_hit_beside_the_list_entry_and_the_explanation(
    sanctions_case: Case, people: dict[str, Officer]
) -> None:
    page = people["first"].session.get(f"/admin/kyc/case/{sanctions_case.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Victor Zarenkov" in html and "Viktor Zarenko" in html and "custom_kyc_tests:kyc-test-zarenko" in html
    assert "name matches listed name" in html  # the engine's explanation
    assert "1961-04-12" in html and "full list entry" in html  # the list entry's own details
    assert "kyc.case.transitioned" in html  # the audit trail panel
    people["first"].act(sanctions_case, "note", text="Called the client for a passport copy.")
    assert (
        "Called the client"
        in people["first"].session.get(f"/admin/kyc/case/{sanctions_case.pk}/change/").content.decode()
    )


def test_the_case_page_draws_the_ownership_tree(
    client_api: APIClient, create_customer: Callable[..., dict], watchlist: Any, people: dict[str, Officer]
) -> None:
    from tests.kyc.conftest import add_party

    company = create_customer(kind="business", details={"legal_name": "Harbour Freight Ltd"})
    hold = add_party(
        client_api,
        company["id"],
        kind="company",
        details={"legal_name": "Northwind Capital SA"},
        relationships=[{"role": "shareholder", "ownership_percentage": "60"}],
    )
    add_party(
        client_api,
        company["id"],
        kind="person",
        details={"given_names": "Sam", "family_name": "Okafor"},
        relationships=[
            {"of_party": hold["id"], "role": "shareholder", "ownership_percentage": "100", "is_nominee": True}
        ],
    )
    case = case_run_pipeline(case_id=case_submit(customer=Customer.objects.get(pk=company["id"]), actor=None).pk)
    html = people["first"].session.get(f"/admin/kyc/case/{case.pk}/change/").content.decode()
    assert "Northwind Capital SA" in html and "Sam Okafor" in html and "nominee" in html
    assert "margin-left: 48px" in html  # Sam sits two levels down


def test_officers_without_case_rights_do_not_see_cases(make_user: Callable, login_api: Callable) -> None:
    admin_user = login_api(make_user("administrator"))
    assert admin_user.get("/admin/kyc/case/").status_code == 403


def test_the_case_page_links_each_identifier_to_the_vaults_reveal_page(
    client_api: APIClient, watchlist: Any, people: dict[str, Officer]
) -> None:
    body = {
        "kind": "individual",
        "details": {"given_names": "Elena", "family_name": "Stoyanova"},
        "identifiers": [{"type": "passport", "value": "X1234567", "country": "GBR"}],
    }
    customer = Customer.objects.get(pk=client_api.post("/api/v1/customers/", body, format="json").json()["id"])
    case = case_run_pipeline(case_id=case_submit(customer=customer, actor=None).pk)
    html = people["first"].session.get(f"/admin/kyc/case/{case.pk}/change/").content.decode()
    assert "/admin/vault/storedidentifier/" in html and "/reveal/" in html
    assert "X1234567" not in html
