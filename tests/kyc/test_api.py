"""The kyc API: every endpoint answers 401 anonymous, 404 for another tenant, 400 on bad input, and works."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from kyc.models import Customer, Document, PartyIdentifier
from tests.kyc.conftest import PERSON, add_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_api(make_api_client: Callable[..., tuple[Any, str]]) -> APIClient:
    _, secret = make_api_client()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return client


@pytest.fixture
def customer(create_customer: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return create_customer()


def endpoints(customer: dict[str, Any]) -> list[tuple[str, str]]:
    cid = customer["id"]
    pid = customer["subject"]["id"]
    return [
        ("get", f"/api/v1/customers/{cid}/"),
        ("patch", f"/api/v1/customers/{cid}/"),
        ("post", f"/api/v1/customers/{cid}/submit/"),
        ("get", f"/api/v1/customers/{cid}/cases/"),
        ("get", f"/api/v1/customers/{cid}/parties/"),
        ("post", f"/api/v1/customers/{cid}/parties/"),
        ("get", f"/api/v1/customers/{cid}/parties/{pid}/"),
        ("patch", f"/api/v1/customers/{cid}/parties/{pid}/"),
        ("post", f"/api/v1/customers/{cid}/parties/{pid}/identifiers/"),
        ("get", f"/api/v1/customers/{cid}/relationships/"),
        ("post", f"/api/v1/customers/{cid}/relationships/"),
        ("get", f"/api/v1/customers/{cid}/documents/"),
        ("post", f"/api/v1/customers/{cid}/documents/"),
    ]


def test_anonymous_callers_get_401_everywhere(api: APIClient, customer: dict[str, Any]) -> None:
    for method, url in [*endpoints(customer), ("get", "/api/v1/customers/"), ("post", "/api/v1/customers/")]:
        response = getattr(api, method)(url, {}, format="json")
        assert response.status_code == 401, (method, url)
        assert response.json()["error"]["code"] == "not_authenticated"


def test_another_clients_customer_is_404_everywhere(other_api: APIClient, customer: dict[str, Any]) -> None:
    for method, url in endpoints(customer):
        response = getattr(other_api, method)(url, {}, format="json")
        assert response.status_code == 404, (method, url)
        assert response.json()["error"]["code"] == "not_found"
    assert other_api.get("/api/v1/customers/").json()["count"] == 0


def test_another_clients_case_is_404(
    other_api: APIClient, client_api: APIClient, customer: dict[str, Any], watchlist: Any
) -> None:
    case = client_api.post(f"/api/v1/customers/{customer['id']}/submit/").json()
    assert other_api.get(f"/api/v1/cases/{case['id']}/").status_code == 404
    assert client_api.get(f"/api/v1/cases/{case['id']}/").status_code == 200


def test_an_officer_session_is_not_an_api_client(officer_api: APIClient, customer: dict[str, Any]) -> None:
    response = officer_api.get("/api/v1/customers/")
    assert response.status_code == 403


def test_creating_an_individual_tokenises_identifiers_and_never_returns_them(client_api: APIClient) -> None:
    body = {
        "kind": "individual",
        "external_ref": "crm-42",
        "details": {**PERSON, "address": {"lines": ["1 High Street"], "city": "Leeds", "country": "GB"}},
        "identifiers": [{"type": "passport", "value": "X1234567", "country": "GBR"}],
    }
    response = client_api.post("/api/v1/customers/", body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["kind"] == "individual" and data["status"] == "draft" and data["external_ref"] == "crm-42"
    assert data["subject"]["display_name"] == "Alice Johnson"
    identifier = data["subject"]["identifiers"][0]
    assert identifier["identifier_type"] == "passport"
    assert "X1234567" not in response.content.decode()
    row = PartyIdentifier.objects.get()
    assert row.token.startswith("tok") or len(row.token) > 20
    assert "X1234567" not in row.token and "X1234567" not in row.masked
    customer = Customer.objects.get(pk=data["id"])
    assert customer.client == client_api.tenant
    assert AuditEvent.objects.filter(action="kyc.customer.created", target_id=str(customer.pk)).exists()


def test_creating_a_business_needs_its_legal_name(client_api: APIClient) -> None:
    response = client_api.post("/api/v1/customers/", {"kind": "business", "details": {}}, format="json")
    assert response.status_code == 400
    assert "legal_name" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "alien", "details": PERSON}, "kind"),
        ({"kind": "individual", "details": {**PERSON, "nationalities": ["gbr"]}}, "details"),
        ({"kind": "individual", "details": {**PERSON, "family_name": "Smith\x00"}}, "details"),
        ({"kind": "individual", "details": {**PERSON, "given_names": "V\u0456ktor"}}, "details"),  # Cyrillic і
        ({"kind": "individual", "details": {**PERSON, "family_name": "\U0001f600"}}, "details"),
        ({"kind": "individual", "details": {**PERSON, "birth_date": "yesterday"}}, "details"),
        ({"kind": "individual", "details": PERSON, "identifiers": [{"type": "iban", "value": "GB00XXXX"}]}, None),
    ],
)
def test_invalid_customers_are_refused_with_field_errors(client_api: APIClient, body: dict, field: str | None) -> None:
    response = client_api.post("/api/v1/customers/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    if field:
        assert field in error["fields"]
    assert "GB00XXXX" not in response.content.decode()
    assert Customer.objects.count() == 0


def test_an_invalid_identifier_names_the_failed_check_not_the_value(client_api: APIClient) -> None:
    body = {
        "kind": "individual",
        "details": PERSON,
        "identifiers": [{"type": "iban", "value": "GB82WEST12345698765433"}],
    }
    response = client_api.post("/api/v1/customers/", body, format="json")
    assert response.status_code == 400
    assert "iban" in str(response.json()["error"]["fields"])
    assert "GB82WEST12345698765433" not in response.content.decode()
    assert Customer.objects.count() == 0  # nothing half-created


def test_create_with_the_same_idempotency_key_creates_one_customer(client_api: APIClient) -> None:
    body = {"kind": "individual", "details": PERSON}
    headers = {"HTTP_IDEMPOTENCY_KEY": "create-alice-1"}
    first = client_api.post("/api/v1/customers/", body, format="json", **headers)
    second = client_api.post("/api/v1/customers/", body, format="json", **headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Customer.objects.count() == 1


def test_reusing_an_idempotency_key_for_another_request_is_refused(client_api: APIClient) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": "create-1"}
    client_api.post("/api/v1/customers/", {"kind": "individual", "details": PERSON}, format="json", **headers)
    other = {"kind": "individual", "details": {**PERSON, "given_names": "Bob"}}
    response = client_api.post("/api/v1/customers/", other, format="json", **headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Customer.objects.count() == 1


def test_idempotency_keys_are_scoped_per_client(client_api: APIClient, other_api: APIClient) -> None:
    body = {"kind": "individual", "details": PERSON}
    client_api.post("/api/v1/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = other_api.post("/api/v1/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 201
    assert Customer.objects.count() == 2


def test_listing_shows_only_the_clients_customers(
    client_api: APIClient, other_api: APIClient, create_customer: Callable[..., dict[str, Any]]
) -> None:
    mine = create_customer()
    create_customer(api=other_api)
    listing = client_api.get("/api/v1/customers/").json()
    assert [row["id"] for row in listing["results"]] == [mine["id"]]


def test_updating_a_customer_changes_its_details(client_api: APIClient, customer: dict[str, Any]) -> None:
    url = f"/api/v1/customers/{customer['id']}/"
    response = client_api.patch(url, {"details": {"residence_country": "FR"}, "external_ref": "x-1"}, format="json")
    assert response.status_code == 200
    assert response.json()["subject"]["residence_country"] == "FR"
    assert response.json()["external_ref"] == "x-1"
    bad = client_api.patch(url, {"details": {"residence_country": "France"}}, format="json")
    assert bad.status_code == 400


def test_a_customer_in_onboarding_cannot_be_changed(
    client_api: APIClient, customer: dict[str, Any], no_watchlist: Any, settings: Any
) -> None:
    from kyc.models import Case, CustomerStatus

    Customer.objects.filter(pk=customer["id"]).update(status=CustomerStatus.IN_REVIEW)
    Case.objects.create(customer_id=customer["id"], status="review")
    response = client_api.patch(f"/api/v1/customers/{customer['id']}/", {"details": {}}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "customer_locked"


def test_building_a_company_with_shareholders_at_several_levels(
    client_api: APIClient, create_customer: Callable[..., dict[str, Any]]
) -> None:
    company = create_customer(kind="business", details={"legal_name": "Harbour Holdings Ltd", "jurisdiction": "GB"})
    cid = company["id"]
    holdco = add_party(
        client_api,
        cid,
        kind="company",
        details={"legal_name": "Northwind Capital SA", "jurisdiction": "LU"},
        relationships=[{"role": "shareholder", "ownership_percentage": "60"}],
    )
    person = add_party(
        client_api,
        cid,
        kind="person",
        details={"given_names": "Sam", "family_name": "Okafor"},
        relationships=[
            {"of_party": holdco["id"], "role": "shareholder", "ownership_percentage": "100"},
            {"role": "director"},
        ],
    )
    relationships = client_api.get(f"/api/v1/customers/{cid}/relationships/").json()["results"]
    assert {(r["party"], r["role"]) for r in relationships} == {
        (holdco["id"], "shareholder"),
        (person["id"], "shareholder"),
        (person["id"], "director"),
    }
    # A second stake in the customer itself (multi-path ownership) through the relationships endpoint.
    response = client_api.post(
        f"/api/v1/customers/{cid}/relationships/",
        {"party": person["id"], "role": "shareholder", "ownership_percentage": "10"},
        format="json",
    )
    assert response.status_code == 201
    parties = client_api.get(f"/api/v1/customers/{cid}/parties/").json()
    assert parties["count"] == 3


@pytest.mark.parametrize(
    "relationship",
    [
        {"role": "shareholder"},  # no percentage
        {"role": "shareholder", "ownership_percentage": "101"},
        {"role": "director", "ownership_percentage": "5"},
        {"role": "shareholder", "ownership_percentage": "10", "of_party": str(uuid.uuid4())},
    ],
)
def test_invalid_relationships_are_refused(
    client_api: APIClient, create_customer: Callable[..., dict[str, Any]], relationship: dict
) -> None:
    company = create_customer(kind="business", details={"legal_name": "Harbour Holdings Ltd"})
    body = {"kind": "person", "details": {"family_name": "Okafor"}, "relationships": [relationship]}
    response = client_api.post(f"/api/v1/customers/{company['id']}/parties/", body, format="json")
    assert response.status_code == 400
    assert client_api.get(f"/api/v1/customers/{company['id']}/parties/").json()["count"] == 1


def test_declared_stakes_in_one_company_cannot_exceed_100_percent(
    client_api: APIClient, create_customer: Callable[..., dict[str, Any]]
) -> None:
    company = create_customer(kind="business", details={"legal_name": "Harbour Holdings Ltd"})
    rel = [{"role": "shareholder", "ownership_percentage": "70"}]
    add_party(client_api, company["id"], kind="person", details={"family_name": "One"}, relationships=rel)
    body = {"kind": "person", "details": {"family_name": "Two"}, "relationships": rel}
    response = client_api.post(f"/api/v1/customers/{company['id']}/parties/", body, format="json")
    assert response.status_code == 400
    assert "100%" in str(response.json()["error"]["fields"])


def test_a_person_cannot_own_a_person(client_api: APIClient, customer: dict[str, Any]) -> None:
    body = {"kind": "person", "details": {"family_name": "Parent"}, "relationships": [{"role": "signatory"}]}
    response = client_api.post(f"/api/v1/customers/{customer['id']}/parties/", body, format="json")
    assert response.status_code == 400


def test_removing_a_relationship(client_api: APIClient, create_customer: Callable[..., dict[str, Any]]) -> None:
    company = create_customer(kind="business", details={"legal_name": "Harbour Holdings Ltd"})
    add_party(
        client_api, company["id"], kind="person", details={"family_name": "Dir"}, relationships=[{"role": "director"}]
    )
    url = f"/api/v1/customers/{company['id']}/relationships/"
    rel = client_api.get(url).json()["results"][0]
    assert client_api.delete(f"{url}{rel['id']}/").status_code == 204
    assert client_api.get(url).json()["count"] == 0
    assert client_api.delete(f"{url}{rel['id']}/").status_code == 404


def test_party_details_and_identifiers(client_api: APIClient, customer: dict[str, Any]) -> None:
    cid, pid = customer["id"], customer["subject"]["id"]
    response = client_api.patch(
        f"/api/v1/customers/{cid}/parties/{pid}/", {"details": {"family_name": "Johnson-Smith"}}, format="json"
    )
    assert response.status_code == 200 and response.json()["family_name"] == "Johnson-Smith"
    url = f"/api/v1/customers/{cid}/parties/{pid}/identifiers/"
    response = client_api.post(url, {"identifiers": [{"type": "lei", "value": "5493001KJTIIGC8Y1R12"}]}, format="json")
    assert response.status_code == 201
    assert response.json()[0]["identifier_type"] == "lei"
    assert client_api.post(url, {"identifiers": []}, format="json").status_code == 400
    assert client_api.get(f"/api/v1/customers/{cid}/parties/{uuid.uuid4()}/").status_code == 404


MRZ_TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


def test_documents_keep_metadata_and_the_mrz_check_result_only(client_api: APIClient, customer: dict[str, Any]) -> None:
    url = f"/api/v1/customers/{customer['id']}/documents/"
    body = {
        "document_type": "passport",
        "mrz": MRZ_TD3,
        "issuing_country": "UTO",
        "expires_on": "2012-04-15",
        "file_sha256": "a" * 64,
        "file_reference": "s3://bucket/doc-1",
        "content_type": "image/jpeg",
        "size_bytes": 123456,
    }
    response = client_api.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["mrz_status"] == "valid" and data["number_masked"]
    assert "L898902C3" not in response.content.decode()
    document = Document.objects.get()
    assert "L898902C3" not in document.number_token
    broken = [MRZ_TD3[0], MRZ_TD3[1][:9] + "7" + MRZ_TD3[1][10:]]
    response = client_api.post(url, {"document_type": "passport", "mrz": broken}, format="json")
    assert response.status_code == 201
    assert response.json()["mrz_status"] == "invalid"
    assert response.json()["mrz_failed_check"].startswith("mrz.")
    listing = client_api.get(url).json()
    assert listing["count"] == 2
    detail = client_api.get(f"{url}{data['id']}/")
    assert detail.status_code == 200 and detail.json()["file_sha256"] == "a" * 64
    assert client_api.get(f"{url}{uuid.uuid4()}/").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"document_type": "selfie"},
        {"document_type": "passport", "file_sha256": "xyz"},
        {"document_type": "passport", "issued_on": "2020-01-01", "expires_on": "2019-01-01"},
        {"document_type": "passport", "mrz": ["one line"]},
    ],
)
def test_invalid_documents_are_refused(client_api: APIClient, customer: dict[str, Any], body: dict) -> None:
    response = client_api.post(f"/api/v1/customers/{customer['id']}/documents/", body, format="json")
    assert response.status_code == 400
    assert Document.objects.count() == 0


def test_submit_answers_202_with_the_case_and_refuses_a_second_active_case(
    client_api: APIClient, customer: dict[str, Any], no_watchlist: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = f"/api/v1/customers/{customer['id']}/submit/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_api.post(url)
    assert response.status_code == 202
    case = response.json()
    assert case["status"] == "open" and case["customer"] == customer["id"]
    assert len(callbacks) == 1  # the pipeline is enqueued once the transaction commits
    again = client_api.post(url)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "case_in_progress"
    assert again.json()["error"]["fields"]["case_id"] == case["id"]


def test_submit_with_an_idempotency_key_opens_one_case(
    client_api: APIClient, customer: dict[str, Any], watchlist: Any
) -> None:
    url = f"/api/v1/customers/{customer['id']}/submit/"
    first = client_api.post(url, HTTP_IDEMPOTENCY_KEY="submit-1")
    second = client_api.post(url, HTTP_IDEMPOTENCY_KEY="submit-1")
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    cases = client_api.get(f"/api/v1/customers/{customer['id']}/cases/").json()
    assert cases["count"] == 1


def test_webhook_endpoints_show_the_secret_once(client_api: APIClient, api: APIClient, settings: Any) -> None:
    response = client_api.post(
        "/api/v1/webhooks/endpoints/", {"url": "https://hooks.example.test/tillit", "events": ["case.decided"]}
    )
    assert response.status_code == 201
    secret = response.json()["secret"]
    assert secret.startswith("whsec_")
    listing = client_api.get("/api/v1/webhooks/endpoints/")
    assert secret not in listing.content.decode()
    assert listing.json()["results"][0]["secret_hint"] == secret[:10]
    assert client_api.post("/api/v1/webhooks/endpoints/", {"url": "http://plain.example.test/"}).status_code == 400
    for internal in ("https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://[::1]/hook", "https://localhost/x"):
        response = client_api.post("/api/v1/webhooks/endpoints/", {"url": internal})
        assert response.status_code == 400, internal
        assert "private" in str(response.json()["error"]["fields"]["url"])
    assert (
        client_api.post("/api/v1/webhooks/endpoints/", {"url": "https://x.test/", "events": ["nope"]}).status_code
        == 400
    )
    assert api.get("/api/v1/webhooks/endpoints/").status_code == 401
    assert client_api.get("/api/v1/webhooks/deliveries/").json()["count"] == 0


def test_idempotency_keys_are_forgotten_after_their_window(client_api: APIClient) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from kyc.idempotency import idempotency_records_prune
    from kyc.models import IdempotencyRecord

    body = {"kind": "individual", "details": PERSON}
    client_api.post("/api/v1/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="old-key")
    assert idempotency_records_prune() == 0
    assert idempotency_records_prune(now=timezone.now() + timedelta(hours=25)) == 1
    assert not IdempotencyRecord.objects.exists()
    again = client_api.post("/api/v1/customers/", body, format="json", HTTP_IDEMPOTENCY_KEY="old-key")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Customer.objects.count() == 2


def test_listing_customers_takes_a_fixed_number_of_queries(
    client_api: APIClient, create_customer: Callable[..., dict[str, Any]], django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        create_customer()
    with django_assert_max_num_queries(8):
        response = client_api.get("/api/v1/customers/")
    assert response.json()["count"] == 5
