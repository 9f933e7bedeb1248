"""The onboarding pipeline end to end through the API (tasks run in-process here; see test_worker for a real one)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from kyc.models import Case, PartyScreening, RiskRating, ScreeningHit
from kyc.services.pipeline import case_run_pipeline
from tests.kyc.conftest import add_party

pytestmark = pytest.mark.django_db

PASSPORT = {"document_type": "passport", "issuing_country": "GBR", "expires_on": "2031-01-01"}


@pytest.fixture
def submit(client_api: APIClient, django_capture_on_commit_callbacks: Any) -> Callable[[str], dict[str, Any]]:
    """Submit a customer and run the pipeline (as the worker would, once the request commits)."""

    def run(customer_id: str) -> dict[str, Any]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_api.post(f"/api/v1/customers/{customer_id}/submit/")
        assert response.status_code == 202, response.json()
        case = client_api.get(f"/api/v1/cases/{response.json()['id']}/")
        assert case.status_code == 200
        return case.json()

    return run


def reason_codes(case: dict[str, Any]) -> set[str]:
    return {reason["code"] for reason in case["risk"]["reasons"]}


def test_a_clean_individual_is_approved_automatically(
    client_api: APIClient, create_customer: Callable[..., dict], submit: Callable, watchlist: Any
) -> None:
    customer = create_customer()
    client_api.post(f"/api/v1/customers/{customer['id']}/documents/", PASSPORT, format="json")
    case = submit(customer["id"])
    assert case["status"] == "approved"
    assert case["risk"]["level"] == "low" and case["risk"]["rules_version"]
    assert case["decision"]["outcome"] == "approve" and case["decision"]["automated"] is True
    assert client_api.get(f"/api/v1/customers/{customer['id']}/").json()["status"] == "approved"
    transitions = AuditEvent.objects.filter(action="kyc.case.transitioned", target_id=case["id"]).order_by("sequence")
    assert [(e.payload["from_status"], e.payload["to_status"]) for e in transitions] == [
        ("open", "screening"),
        ("screening", "approved"),
    ]


def test_a_listed_person_is_caught_under_a_misspelt_name(
    client_api: APIClient, create_customer: Callable[..., dict], submit: Callable, watchlist: Any
) -> None:
    customer = create_customer(details={"given_names": "Victor", "family_name": "Zarenkov", "birth_date": "1961-04-12"})
    case = submit(customer["id"])
    assert case["status"] == "review"
    assert case["decision"] is None
    assert case["hits"] == [{"kind": "sanction", "open": 1, "total": 1}]
    assert "sanctions_hit" in reason_codes(case)
    hit = ScreeningHit.objects.get()
    assert hit.entity == "custom_kyc_tests:kyc-test-zarenko" and hit.listed_name == "Viktor Zarenko"
    assert hit.explanation["features"]
    assert hit.list_versions == {"custom_kyc_tests": {"id": str(watchlist.pk), "number": watchlist.number}}
    assert client_api.get(f"/api/v1/customers/{customer['id']}/").json()["status"] == "in_review"


def test_a_company_owned_30_and_25_percent_by_listed_persons_through_holdings_is_blocked(
    client_api: APIClient, create_customer: Callable[..., dict], submit: Callable, watchlist: Any
) -> None:
    company = create_customer(kind="business", details={"legal_name": "Harbour Freight Ltd", "jurisdiction": "GB"})
    cid = company["id"]
    first = add_party(
        client_api,
        cid,
        kind="company",
        details={"legal_name": "Northwind Capital SA", "jurisdiction": "LU"},
        relationships=[{"role": "shareholder", "ownership_percentage": "30"}],
    )
    second = add_party(
        client_api,
        cid,
        kind="company",
        details={"legal_name": "Bluewater Investments BV", "jurisdiction": "NL"},
        relationships=[{"role": "shareholder", "ownership_percentage": "25"}],
    )
    add_party(
        client_api,
        cid,
        kind="person",
        details={"given_names": "Viktor", "family_name": "Zarenko"},
        relationships=[{"of_party": first["id"], "role": "shareholder", "ownership_percentage": "100"}],
    )
    add_party(
        client_api,
        cid,
        kind="person",
        details={"given_names": "Marta", "family_name": "Kolesnikova-Brandt"},
        relationships=[{"of_party": second["id"], "role": "shareholder", "ownership_percentage": "100"}],
    )
    add_party(
        client_api,
        cid,
        kind="person",
        details={"given_names": "Jane", "family_name": "Clean"},
        relationships=[{"role": "shareholder", "ownership_percentage": "45"}, {"role": "director"}],
    )
    case = submit(cid)
    assert case["status"] == "review"
    assert case["risk"]["level"] == "prohibited"
    ofac = [r for r in case["risk"]["reasons"] if r["code"] == "ofac_50_percent"]
    customer_reason = next(r for r in ofac if r["detail"].startswith("the customer"))
    assert "55%" in customer_reason["detail"]
    assert "Viktor Zarenko -100%-> Northwind Capital SA -30%-> Harbour Freight Ltd = 30%" in customer_reason["detail"]
    assert (
        "Marta Kolesnikova-Brandt -100%-> Bluewater Investments BV -25%-> Harbour Freight Ltd"
        in (customer_reason["detail"])
    )
    rating = RiskRating.objects.get(case_id=case["id"])
    assert rating.ownership["ofac_50"]["blocked"]["the customer"]["aggregate"] == pytest.approx(0.55)


def test_a_pep_is_routed_to_review(
    client_api: APIClient, create_customer: Callable[..., dict], submit: Callable, watchlist: Any
) -> None:
    customer = create_customer(details={"given_names": "Elena", "family_name": "Stoyanova", "nationalities": ["BG"]})
    case = submit(customer["id"])
    assert case["status"] == "review"
    assert case["hits"] == [{"kind": "pep", "open": 1, "total": 1}]
    assert "pep" in reason_codes(case)


def test_a_director_on_a_list_sends_the_company_to_review(
    client_api: APIClient, create_customer: Callable[..., dict], submit: Callable, watchlist: Any
) -> None:
    company = create_customer(kind="business", details={"legal_name": "Quiet Ventures Ltd", "jurisdiction": "GB"})
    add_party(
        client_api,
        company["id"],
        kind="person",
        details={"given_names": "Viktor", "family_name": "Zarenko"},
        relationships=[{"role": "director"}],
    )
    case = submit(company["id"])
    assert case["status"] == "review"
    assert ScreeningHit.objects.get().party.display_name == "Viktor Zarenko"
    assert PartyScreening.objects.filter(case_id=case["id"]).count() == 2


def test_high_risk_jurisdictions_and_industries_are_reasons(
    client_api: APIClient, create_customer: Callable[..., dict], submit: Callable, watchlist: Any
) -> None:
    company = create_customer(
        kind="business",
        details={"legal_name": "Lantern Exchange Ltd", "jurisdiction": "KP", "industry": "crypto_assets"},
    )
    case = submit(company["id"])
    assert case["status"] == "review"
    assert {"high_risk_jurisdiction", "high_risk_industry", "owners_missing"} - reason_codes(case) == {"owners_missing"}
    assert {p["code"] for p in case["validation_problems"]} >= {"owners_missing", "directors_missing"}


def test_expired_documents_and_failed_mrz_raise_the_risk(
    client_api: APIClient, create_customer: Callable[..., dict], submit: Callable, watchlist: Any
) -> None:
    customer = create_customer()
    url = f"/api/v1/customers/{customer['id']}/documents/"
    mrz = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<19"]
    client_api.post(url, {**PASSPORT, "expires_on": "2020-01-01", "mrz": mrz}, format="json")
    case = submit(customer["id"])
    assert {"document_expired", "document_mrz_invalid"} <= reason_codes(case)
    assert case["status"] == "review"


def test_with_no_watchlist_the_case_goes_to_officers_after_retries(
    create_customer: Callable[..., dict], submit: Callable, no_watchlist: Any
) -> None:
    customer = create_customer()
    case = submit(customer["id"])
    assert case["status"] == "review"
    assert "screening_unavailable" in reason_codes(case)
    assert Case.objects.get(pk=case["id"]).screening_attempts == 5


def test_confirmed_sanctions_matches_are_rejected_when_the_deployment_says_so(
    create_customer: Callable[..., dict], submit: Callable, watchlist: Any, settings: Any
) -> None:
    settings.TILLIT_KYC_AUTO_REJECT_SANCTIONS = True
    customer = create_customer(details={"given_names": "Viktor", "family_name": "Zarenko"})
    case = submit(customer["id"])
    assert case["status"] == "rejected"
    assert case["decision"]["reason_codes"] == ["sanctions_confirmed"]


def test_running_the_pipeline_again_changes_nothing(
    create_customer: Callable[..., dict], submit: Callable, watchlist: Any
) -> None:
    customer = create_customer(details={"given_names": "Viktor", "family_name": "Zarenko"})
    case = submit(customer["id"])
    events = AuditEvent.objects.count()
    for _ in range(2):
        assert case_run_pipeline(case_id=case["id"]).status == "review"
    assert ScreeningHit.objects.count() == 1
    assert RiskRating.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_redelivered_task_resumes_after_the_last_finished_step(
    create_customer: Callable[..., dict], watchlist: Any
) -> None:
    from kyc.models import Customer
    from kyc.services.cases import case_submit
    from kyc.services.pipeline import case_screen, case_validate

    customer = Customer.objects.get(
        pk=create_customer(details={"family_name": "Zarenko", "given_names": "Viktor"})["id"]
    )
    case = case_submit(customer=customer, actor=None)  # on_commit never fires here: we drive the steps
    case_validate(case_id=case.pk)
    case_screen(case_id=case.pk)  # the worker "dies" after screening
    assert case_run_pipeline(case_id=case.pk).status == "review"
    assert ScreeningHit.objects.count() == 1


def test_an_alert_after_onboarding_opens_a_case_straight_for_review(
    create_customer: Callable[..., dict], submit: Callable, watchlist: Any
) -> None:
    from kyc.integrations import Hit
    from kyc.models import Customer, Party
    from kyc.services.cases import CaseInProgress, case_open_for_review
    from kyc.services.pipeline import hit_raise

    customer = create_customer()
    submit(customer["id"])  # approved at onboarding
    row = Customer.objects.get(pk=customer["id"])
    case = case_open_for_review(customer=row, summary="monitoring: newly listed", trigger="monitoring")
    assert case.status == "review" and Customer.objects.get(pk=row.pk).status == "in_review"
    with pytest.raises(CaseInProgress):
        case_open_for_review(customer=row, summary="again", trigger="monitoring")
    found = Hit(
        entity="custom_kyc_tests:kyc-test-zarenko",
        source="custom_kyc_tests",
        listed_name="Viktor Zarenko",
        schema="Person",
        topics=("sanction",),
        score=0.91,
        threshold=0.8,
        explanation={"features": []},
        content_hash="0" * 64,
        algorithm_version="1.0.0",
    )
    hit = hit_raise(case=case, party=Party.objects.get(customer=row), found=found, list_versions={})
    assert hit.kind == "sanction" and hit.status == "pending"
    assert AuditEvent.objects.filter(action="kyc.hit.raised", target_id=str(hit.pk)).exists()


def test_monitored_customers_are_listed_with_their_latest_risk_level(
    create_customer: Callable[..., dict], submit: Callable, watchlist: Any
) -> None:
    from kyc.selectors import monitoring_risk_levels

    approved = create_customer()
    submit(approved["id"])
    in_review = create_customer(details={"given_names": "Elena", "family_name": "Stoyanova"})
    submit(in_review["id"])
    create_customer(details={"family_name": "Draft"})  # never submitted: not monitored
    rows = {str(pk): (level, onboarded) for pk, level, onboarded in monitoring_risk_levels()}
    assert set(rows) == {approved["id"], in_review["id"]}
    assert rows[approved["id"]][0] == "low" and rows[approved["id"]][1] is not None
    assert rows[in_review["id"]] == ("medium", None)


def test_a_party_the_engine_cannot_screen_keeps_the_case_from_auto_approval(
    create_customer: Callable[..., dict], watchlist: Any
) -> None:
    from kyc.models import Customer, Party
    from kyc.services.cases import case_submit

    customer = Customer.objects.get(pk=create_customer()["id"])
    Party.objects.filter(customer=customer).update(family_name="Sm\u0456th")  # written around the API's check
    case = case_run_pipeline(case_id=case_submit(customer=customer, actor=None).pk)
    assert case.status == "review"
    assert [p["code"] for p in case.validation_problems] == ["party_unscreenable"]
    assert "screening_unavailable" in {r["code"] for r in case.latest_rating.reasons}
