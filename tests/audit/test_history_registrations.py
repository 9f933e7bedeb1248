"""The production models keep a field-level history (django-auditlog) without secrets or plaintext identifiers."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import ApiClient, ApiKey, TotpDevice, User
from accounts.stepup import CODE_FIELD
from kyc.models import (
    Case,
    CaseStatus,
    Customer,
    Decision,
    Document,
    Party,
    PartyIdentifier,
    Relationship,
    RiskRating,
    ScreeningHit,
    WebhookEndpoint,
)
from kyc.services.cases import case_submit
from kyc.services.pipeline import case_run_pipeline
from screening.models import FalsePositive, MatchingRelease, Screening, Source
from screening.services import watchlists as watchlist_services
from tests.kyc import conftest as kyc_fixtures
from tests.mfa import mark_mfa_verified
from tests.screening import screenings_support as support

vault_keys = kyc_fixtures.vault_keys  # autouse: a fresh vault key file per test
screening_runtime = kyc_fixtures.screening_runtime
watchlist = kyc_fixtures.watchlist
fresh_runtime = support.fresh_runtime
make_screening_client = support.make_screening_client
sample_lists = support.sample_lists
screening_client = support.screening_client

pytestmark = pytest.mark.django_db

REGISTERED = [
    Customer,
    Party,
    Relationship,
    PartyIdentifier,
    Document,
    Case,
    Decision,
    RiskRating,
    ScreeningHit,
    WebhookEndpoint,
    Source,
    MatchingRelease,
    FalsePositive,
    User,
    ApiClient,
    ApiKey,
    TotpDevice,
]
HOT_PATH = [
    ("screening", "Screening"),
    ("screening", "ScreeningMatch"),
    ("screening", "ShadowResult"),
    ("screening", "BatchChunk"),
    ("screening", "ListEntry"),
    ("screening", "EntryChange"),
    ("audit", "AuditEvent"),
    ("kyc", "IdempotencyRecord"),
    ("kyc", "WebhookDelivery"),
    ("kyc", "WebhookAttempt"),
]
PERSON = {"given_names": "Marguerite", "family_name": "Oyelaran-Haste", "birth_date": "1979-06-03"}
PASSPORT = "K7319048"
IBAN = "GB29NWBK60161331926819"
MRZ_TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


def entries_for(model: type, **filters: Any) -> list[LogEntry]:
    content_type = ContentType.objects.get_for_model(model)
    return list(LogEntry.objects.filter(content_type=content_type, **filters).order_by("timestamp", "id"))


def every_change() -> str:
    """Everything the history tables hold, as one string to search."""
    return "\n".join(str(changes) for changes in LogEntry.objects.values_list("changes", flat=True)) + str(
        list(LogEntry.objects.values())
    )


def admin_session(user: User) -> Client:
    client = Client()
    client.force_login(user)
    mark_mfa_verified(client, user)
    return client


def create_customer(api: APIClient, **body: Any) -> dict[str, Any]:
    payload = {"kind": "individual", "details": dict(PERSON), **body}
    response = api.post("/api/v1/customers/", payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_every_model_compliance_reviews_is_registered_and_no_hot_path_table_is():
    for model in REGISTERED:
        assert auditlog.contains(model), model._meta.label
    for app_label, name in HOT_PATH:
        assert not auditlog.contains(apps.get_model(app_label, name)), name


def test_a_customer_update_through_the_api_records_which_details_changed_without_their_values(client_api):
    customer = create_customer(client_api, external_ref="crm-55120")
    url = f"/api/v1/customers/{customer['id']}/"
    response = client_api.patch(
        url,
        {"details": {"family_name": "Oyelaran", "residence_country": "FR"}, "external_ref": "crm-55121"},
        format="json",
    )
    assert response.status_code == 200, response.json()

    subject = Party.objects.get(customer_id=customer["id"], is_subject=True)
    update = [e for e in entries_for(Party, object_pk=str(subject.pk)) if e.action == LogEntry.Action.UPDATE]
    assert len(update) == 1
    assert update[0].changes_dict["family_name"] == ["***", "***"]
    assert update[0].changes_dict["residence_country"] == ["", "FR"]
    assert update[0].object_repr == f"kyc.party {subject.pk}"
    assert update[0].actor is None  # an API client is not a person: the hash-chained event names it
    created = entries_for(Party, object_pk=str(subject.pk), action=LogEntry.Action.CREATE)[0]
    assert created.changes_dict["given_names"] == ["None", "***"]
    assert created.changes_dict["birth_date"] == ["None", "***"]
    customer_update = entries_for(Customer, action=LogEntry.Action.UPDATE)
    assert customer_update[0].changes_dict == {"external_ref": ["***", "***"]}
    everything = every_change()
    for plaintext in ("Marguerite", "Oyelaran", "1979-06-03", "crm-5512"):
        assert plaintext not in everything


def test_an_officer_rejecting_a_case_is_the_actor_of_the_case_and_decision_history(client_api, watchlist, make_user):
    created = create_customer(client_api, details={"given_names": "Elena", "family_name": "Stoyanova"})
    customer = Customer.objects.get(pk=created["id"])
    case = case_run_pipeline(case_id=case_submit(customer=customer, actor=None).pk)
    assert case.status == CaseStatus.REVIEW
    officer = make_user("officer", email="rejecting.officer@example.test")

    response = admin_session(officer).post(
        f"/admin/kyc/case/{case.pk}/act/decide/",
        {"outcome": "reject", "rationale": "Declined: Elena Stoyanova is outside our risk appetite."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED

    moved = [e for e in entries_for(Case, object_pk=str(case.pk)) if "status" in e.changes_dict]
    assert moved[-1].changes_dict["status"] == ["review", "rejected"]
    assert moved[-1].actor == officer
    assert moved[-1].actor_email == "r***@example.test"  # never the officer's address in clear
    decision = Decision.objects.get(case=case)
    created = entries_for(Decision, object_pk=str(decision.pk), action=LogEntry.Action.CREATE).pop()
    assert created.actor == officer
    assert created.changes_dict["outcome"] == ["None", "reject"]
    assert created.changes_dict["rationale"] == ["None", "***"]
    assert entries_for(RiskRating) and entries_for(ScreeningHit)  # the pipeline's rows have a history too
    everything = every_change()
    for plaintext in ("Elena", "Stoyanova", "rejecting.officer"):
        assert plaintext not in everything


def test_a_watchlist_source_edit_in_the_admin_is_recorded_with_the_administrator_and_a_hidden_url(make_user, totp):
    source = watchlist_services.source_ensure(code="un_sc", actor=None)
    administrator = make_user("administrator")
    administrator.is_superuser = True
    administrator.save()
    seed = totp.enrol(administrator)
    client = admin_session(administrator)
    form = {
        "name": source.name,
        "url": "https://lists.example.test/un.xml?access_token=tok-93d1e",
        "local_path": source.local_path,
        "enabled": "on",
        "sync_interval": "06:00:00",
        "max_shrink_ratio": 0.9,
        "_save": "Save",
        CODE_FIELD: totp.fresh(administrator, seed),
    }
    response = client.post(f"/admin/screening/source/{source.pk}/change/", {k: v for k, v in form.items() if v != ""})
    assert response.status_code == 302

    entry = entries_for(Source, object_pk=str(source.pk), action=LogEntry.Action.UPDATE).pop()
    assert entry.actor == administrator
    assert entry.changes_dict["max_shrink_ratio"] == ["0.5", "0.9"]
    assert entry.changes_dict["url"] == ["***", "***"]
    assert "tok-93d1e" not in every_change()


def test_secrets_key_hashes_seeds_and_identifier_tokens_never_reach_the_history(
    client_api, make_user, totp, make_api_client
):
    # A person with a TOTP device, and a code verified with it.
    person = make_user("officer", email="seed.holder@example.test")
    seed = totp.enrol(person)
    assert account_services.totp_verify(user=person, code=totp.fresh(person, seed)).ok
    # An API client's key, rotated and revoked.
    tenant, key_secret = make_api_client()
    _, rotated_secret = account_services.api_key_rotate(client=tenant, actor=person)
    account_services.api_key_revoke(key=ApiKey.objects.filter(client=tenant).latest("created_at"), actor=person)
    # A webhook endpoint (its secret is shown once).
    response = client_api.post("/api/v1/webhooks/endpoints/", {"url": "https://hooks.example.test/tillit?sig=u7"})
    assert response.status_code == 201
    webhook_secret = response.json()["secret"]
    # A customer with identifiers and a passport document.
    customer = create_customer(
        client_api,
        identifiers=[{"type": "passport", "value": PASSPORT, "country": "GBR"}, {"type": "iban", "value": IBAN}],
    )
    response = client_api.post(
        f"/api/v1/customers/{customer['id']}/documents/",
        {"document_type": "passport", "mrz": MRZ_TD3, "issuing_country": "UTO", "file_reference": "s3://b/kyc-77"},
        format="json",
    )
    assert response.status_code == 201, response.json()

    device = TotpDevice.objects.get(user=person)
    keys = list(ApiKey.objects.filter(client=tenant))
    endpoint = WebhookEndpoint.objects.get()
    identifiers = list(PartyIdentifier.objects.filter(party__customer_id=customer["id"]))
    document = Document.objects.get()
    assert entries_for(TotpDevice, object_pk=str(device.pk))
    assert all(entries_for(ApiKey, object_pk=str(key.pk)) for key in keys)
    assert entries_for(WebhookEndpoint, object_pk=str(endpoint.pk))
    assert all(entries_for(PartyIdentifier, object_pk=str(i.pk)) for i in identifiers)
    assert entries_for(Document, object_pk=str(document.pk))
    for entry in entries_for(TotpDevice):
        assert not {"secret", "pending_secret"} & set(entry.changes_dict)
    for entry in entries_for(ApiKey):
        assert "key_hash" not in entry.changes_dict
    for entry in entries_for(WebhookEndpoint):
        assert not {"secret_sealed", "secret_hint"} & set(entry.changes_dict)
        assert entry.changes_dict.get("url", ["None", "***"])[1] == "***"
    for entry in entries_for(PartyIdentifier):
        assert entry.changes_dict["token"] == ["None", "***"]

    for entry in LogEntry.objects.all():  # concrete fields only, never a reverse relation
        model = entry.content_type.model_class()
        assert set(entry.changes_dict) <= {field.name for field in model._meta.concrete_fields}, model

    base32 = base64.b32encode(seed).decode().rstrip("=")
    forbidden = [
        seed.hex(),
        base32,
        base32.lower(),
        key_secret,
        key_secret.split("_", 2)[2],
        rotated_secret.split("_", 2)[2],
        *(key.key_hash for key in keys),
        webhook_secret,
        endpoint.secret_hint,
        "sig=u7",
        person.password,
        "seed.holder",
        PASSPORT,
        IBAN,
        "L898902C3",
        "kyc-77",
        *(i.token for i in identifiers),
        document.number_token,
    ]
    everything = every_change()
    for value in forbidden:
        assert value and value not in everything, value


def test_the_hot_path_tables_write_no_history_while_a_false_positive_does(
    screening_client, officer, login_api, totp, sample_lists, tmp_path: Path
):
    seed = totp.enrol(officer)
    decider = login_api(officer)
    totp.step_up(decider, officer, seed, "alert.clear")
    subject = {"reference": "cust-7", "name": "Sample Qadir al-Fictioni", "schema": "Person"}
    body = screening_client.post("/api/v1/screenings/", subject, format="json").json()
    match = next(m for m in body["matches"] if m["entity"] == "demo_un:QDi.901")
    response = decider.post(
        f"/api/v1/screenings/{body['id']}/matches/{match['id']}/false-positive/",
        {"reason_code": "different_birth_date", "note": "Qadir born 1990 per passport"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    text = support.UN_SAMPLE.read_text(encoding="utf-8").replace("1965-04-12", "1965-04-13")
    (tmp_path / "consolidated.xml").write_text(text, encoding="utf-8")
    support.import_list("demo_un", "un-xml", tmp_path / "consolidated.xml")  # entries and entry changes
    assert Screening.objects.exists()

    for app_label, name in HOT_PATH:
        assert not entries_for(apps.get_model(app_label, name)), name
    marked = entries_for(FalsePositive, action=LogEntry.Action.CREATE).pop()
    assert marked.actor == officer
    assert marked.changes_dict["reason"] == ["None", "***"]
    assert "Qadir" not in every_change()


def test_the_history_admin_lists_and_shows_entries_to_an_administrator(client_api, make_user):
    create_customer(client_api)
    administrator = make_user("administrator")
    administrator.is_superuser = True
    administrator.save()
    client = admin_session(administrator)

    listing = client.get("/admin/auditlog/logentry/")
    assert listing.status_code == 200
    entry = entries_for(Party, action=LogEntry.Action.CREATE).pop()
    page = client.get(f"/admin/auditlog/logentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert b"***" in page.content
    for plaintext in (b"Marguerite", b"1979-06-03"):
        assert plaintext not in listing.content
        assert plaintext not in page.content


def test_the_history_admin_search_answers(make_user):
    administrator = make_user("administrator")
    administrator.is_superuser = True
    administrator.save()
    response = admin_session(administrator).get("/admin/auditlog/logentry/", {"q": "kyc.party"})
    assert response.status_code == 200


def test_the_history_admin_is_closed_to_staff_outside_the_audit_readers(make_user):
    analyst = make_user("analyst")
    assert admin_session(analyst).get("/admin/auditlog/logentry/").status_code == 403
    auditor = make_user("auditor")
    assert admin_session(auditor).get("/admin/auditlog/logentry/").status_code == 200


def test_a_change_made_after_a_request_is_not_attributed_to_that_requests_person(make_user):
    officer = make_user("officer")
    assert admin_session(officer).get("/admin/").status_code == 200  # auditlog's middleware saw the officer
    source = watchlist_services.source_ensure(code="un_sc", actor=None)
    watchlist_services.source_update(source=source, changes={"max_shrink_ratio": 0.7}, actor=None)
    entry = entries_for(Source, action=LogEntry.Action.UPDATE).pop()
    assert entry.actor is None and entry.actor_email is None
