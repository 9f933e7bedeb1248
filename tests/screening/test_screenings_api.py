"""The screening REST API: authentication, tenancy, input errors, stored and explained results."""

from __future__ import annotations

import uuid

import pytest

from audit.models import AuditEvent
from screening.engine import ALGORITHM_NAME, ALGORITHM_VERSION, DEFAULT_THRESHOLD
from screening.models import Screening, ScreeningMatch
from tests.screening import screenings_support as support

fresh_runtime = support.fresh_runtime
make_screening_client = support.make_screening_client
sample_lists = support.sample_lists
screening_client = support.screening_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/screenings/"
PASSPORT = "X0000001"


def screen(client, **body):
    return client.post(URL, {"name": "Ivan Petrovich Obraztsov", **body}, format="json")


# A fixed id: parametrized test ids must be the same in every pytest-xdist worker.
UNKNOWN = uuid.UUID(int=0x5C12)


# --- authentication and tenancy ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", URL),
        ("get", URL),
        ("get", f"{URL}{UNKNOWN}/"),
        ("post", f"{URL}batch/"),
        ("get", f"{URL}batch/{UNKNOWN}/"),
        ("get", f"{URL}batch/{UNKNOWN}/results/"),
        ("post", f"{URL}{UNKNOWN}/matches/{UNKNOWN}/false-positive/"),
    ],
)
def test_every_screening_endpoint_answers_401_to_an_anonymous_caller(api, method, path):
    response = getattr(api, method)(path, {}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_an_api_client_without_the_screening_scope_is_refused(sample_lists, make_screening_client):
    client = make_screening_client(scopes=[])
    response = screen(client)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_client_cannot_read_another_clients_screening_and_gets_404(sample_lists, make_screening_client):
    owner, other = make_screening_client(), make_screening_client()
    screening_id = screen(owner).json()["id"]
    response = other.get(f"{URL}{screening_id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert owner.get(f"{URL}{screening_id}/").status_code == 200


def test_the_list_shows_a_client_only_its_own_screenings_while_officers_see_all(
    sample_lists, make_screening_client, officer_api
):
    owner, other = make_screening_client(), make_screening_client()
    mine = screen(owner).json()["id"]
    theirs = screen(other, name="Juana Muestra Garcia").json()["id"]
    assert [s["id"] for s in owner.get(URL).json()["results"]] == [mine]
    assert {s["id"] for s in officer_api.get(URL).json()["results"]} == {mine, theirs}


# --- invalid input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   \t "}, "name"),
        ({"name": "A" * 10_000}, "name"),
        ({"name": "Ivan\x07 Petrov"}, "name"),
        ({"name": "Ivan 😀 Petrov"}, "name"),
        ({"name": "Ivаn Petrov"}, "name"),  # Cyrillic "а" inside a Latin word
        ({"name": "Ivan\u200b Petrov"}, "name"),
        ({"name": "Ivan Petrov", "birth_date": "1965-13-01"}, "birth_date"),
        ({"name": "Ivan Petrov", "birth_date": "12/04/1965"}, "birth_date"),
        ({"name": "Ivan Petrov", "countries": ["Russia"]}, "countries"),
        ({"name": "Ivan Petrov", "schema": "Dog"}, "schema"),
        ({"name": "Ivan Petrov", "threshold": 1.5}, "threshold"),
        ({"name": "Ivan Petrov", "sources": ["nowhere_list"]}, "sources"),
        ({"name": "Ivan Petrov", "identifiers": [{"type": "passport"}]}, "identifiers"),
        ({}, "name"),
    ],
)
def test_bad_input_is_a_400_envelope_naming_the_field(screening_client, sample_lists, body, field):
    response = screening_client.post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert Screening.objects.count() == 0


def test_screening_before_any_list_is_loaded_is_a_503_not_a_clear_result(screening_client, fresh_runtime):
    response = screen(screening_client)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "watchlists_unavailable"
    assert Screening.objects.count() == 0


# --- happy path -------------------------------------------------------------------------------------
def test_a_screening_returns_stores_and_explains_its_matches(screening_client, sample_lists):
    response = screen(
        screening_client,
        reference="cust-42",
        schema="Person",
        birth_date="1965-04-12",
        countries=["RU"],
        identifiers=[{"type": "passport", "number": PASSPORT}],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["outcome"] == "potential_match"
    best = body["matches"][0]
    assert best["entity"] == "demo_un:KPi.901"
    assert best["name"] == "IVAN PETROVICH OBRAZTSOV"
    assert DEFAULT_THRESHOLD <= best["score"] <= 1.0
    explanation = best["explanation"]
    assert explanation["algorithm"] == ALGORITHM_NAME
    assert explanation["algorithm_version"] == ALGORITHM_VERSION
    assert {f["feature"] for f in explanation["features"]} >= {"name", "birth_date"}
    assert body["algorithm"] == {"name": ALGORITHM_NAME, "version": ALGORITHM_VERSION, "release": None}
    assert body["list_versions"] == {
        code: {"id": str(version.id), "number": version.number} for code, version in sample_lists.items()
    }
    assert body["thresholds"]["default"] == pytest.approx(DEFAULT_THRESHOLD)
    assert body["subject"]["identifiers"] == [{"type": "passport", "masked": "****0001"}]

    stored = Screening.objects.get(pk=body["id"])
    assert stored.api_client == screening_client.tenant
    assert stored.match_count == len(body["matches"])
    match = ScreeningMatch.objects.get(screening=stored, rank=1)
    assert match.list_entry.ref == "KPi.901"
    assert match.list_entry.version == sample_lists["demo_un"]
    assert screening_client.get(f"{URL}{body['id']}/").json() == body


def test_a_clear_screening_has_no_matches_and_says_clear(screening_client, sample_lists):
    response = screen(screening_client, name="Margaret Thistlewood")
    assert response.status_code == 201
    assert response.json()["outcome"] == "clear"
    assert response.json()["matches"] == []


def test_a_threshold_and_a_source_filter_narrow_the_matches(screening_client, sample_lists):
    everything = screen(screening_client, name="Petr Examplov").json()
    assert everything["matches"]
    only_un = screen(screening_client, name="Petr Examplov", sources=["demo_un"]).json()
    assert all(m["source"] == "demo_un" for m in only_un["matches"])
    assert screen(screening_client, name="Petr Examplov", threshold=1.0).json()["matches"] == [
        m for m in everything["matches"] if m["score"] >= 1.0
    ]


def test_each_screening_is_audited_with_tokens_and_masked_values_only(screening_client, sample_lists):
    body = screen(
        screening_client, birth_date="1965-04-12", identifiers=[{"type": "passport", "number": PASSPORT}]
    ).json()
    event = AuditEvent.objects.get(action="screening.subject.screened", target_id=body["id"])
    payload = event.payload
    text = str(payload)
    assert PASSPORT not in text
    assert "1965-04-12" not in text
    assert "Ivan Petrovich Obraztsov" not in text
    assert payload["subject"]["name_masked"] == "I*** P*** O***"
    assert payload["subject"]["birth_date_masked"] == "1965-**-**"
    assert payload["subject"]["identifiers_masked"][0]["identifier_token"].startswith("tok_v")
    assert payload["list_versions"] == body["list_versions"]
    assert payload["algorithm"]["algorithm_version"] == ALGORITHM_VERSION
    assert payload["matches"][0]["entity"] == body["matches"][0]["entity"]
    assert payload["matches"][0]["explanation"]["features"]
    assert payload["outcome"] == "potential_match"
    assert event.actor_type == "api_client"


def test_identifiers_are_stored_as_tokens_masks_and_a_sealed_copy_never_in_plaintext(screening_client, sample_lists):
    body = screen(screening_client, identifiers=[{"type": "passport", "number": PASSPORT}]).json()
    stored = Screening.objects.get(pk=body["id"])
    assert PASSPORT not in str(stored.identifiers)
    assert stored.identifiers[0]["token"].startswith("tok_v")
    assert PASSPORT.encode() not in bytes(stored.identifiers_sealed)


def test_an_idempotency_key_returns_the_first_screening_and_refuses_another_body(screening_client, sample_lists):
    first = screening_client.post(URL, {"name": "Ivan Obraztsov"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = screening_client.post(URL, {"name": "Ivan Obraztsov"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Screening.objects.count() == 1
    other = screening_client.post(URL, {"name": "Someone Else"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 400
    assert "idempotency_key" in other.json()["error"]["fields"]


def test_an_officer_can_screen_through_the_session_api(officer, login_api, sample_lists):
    response = screen(login_api(officer))
    assert response.status_code == 201
    stored = Screening.objects.get(pk=response.json()["id"])
    assert stored.owner_key == "staff"
    assert stored.api_client is None


def test_thresholds_per_source_come_from_settings_and_are_recorded(screening_client, sample_lists, settings):
    default = screen(screening_client, name="Ivan Obraztsov").json()
    listed = next(m for m in default["matches"] if m["entity"] == "demo_un:KPi.901")
    assert listed["score"] < 0.99
    settings.TILLIT_SCREENING_THRESHOLDS = {"default": 0.8, "by_source": {"demo_un": 0.99}}
    strict = screen(screening_client, name="Ivan Obraztsov").json()
    assert "demo_un:KPi.901" not in [m["entity"] for m in strict["matches"]]
    assert strict["thresholds"]["by_source"] == {"demo_un": 0.99}


def test_the_fast_response_renderer_matches_the_documented_output_serializer(screening_client, sample_lists):
    import json

    from rest_framework.utils.encoders import JSONEncoder

    from screening.screenings_api import ScreeningOutput, render_screening

    def as_json(data):
        return json.loads(json.dumps(data, cls=JSONEncoder))

    body = screen(screening_client, identifiers=[{"type": "passport", "number": PASSPORT}], threshold=0.7).json()
    stored = Screening.objects.get(pk=body["id"])
    assert stored.match_count >= 1
    assert as_json(render_screening(stored)) == as_json(ScreeningOutput(stored).data) == body


def test_the_list_filters_by_reference_and_outcome_and_refuses_a_bad_filter(screening_client, sample_lists):
    hit = screen(screening_client, reference="cust-1").json()["id"]
    clear = screen(screening_client, reference="cust-2", name="Margaret Thistlewood").json()["id"]
    assert [s["id"] for s in screening_client.get(URL, {"reference": "cust-1"}).json()["results"]] == [hit]
    assert [s["id"] for s in screening_client.get(URL, {"outcome": "clear"}).json()["results"]] == [clear]
    response = screening_client.get(URL, {"outcome": "maybe"})
    assert response.status_code == 400
    assert "outcome" in response.json()["error"]["fields"]
