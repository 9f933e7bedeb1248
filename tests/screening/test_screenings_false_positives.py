"""False positives: an officer's decision suppresses a (subject, entry) pair until the entry's content changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.models import AuditEvent
from screening.models import FalsePositive
from tests.screening import screenings_support as support

fresh_runtime = support.fresh_runtime
make_screening_client = support.make_screening_client
sample_lists = support.sample_lists
screening_client = support.screening_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/screenings/"
SUBJECT = {"reference": "cust-7", "name": "Sample Qadir al-Fictioni", "schema": "Person"}
ENTITY = "demo_un:QDi.901"


@pytest.fixture
def decider(officer, login_api, totp):
    """A CSRF-free session of an officer who stepped up for clearing alerts."""
    seed = totp.enrol(officer)  # before logging in: enrolling a factor ends the person's other sessions
    client = login_api(officer)
    totp.step_up(client, officer, seed, "alert.clear")
    return client


def screen(client, **extra):
    response = client.post(URL, {**SUBJECT, **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def match_of(body, entity=ENTITY):
    return next(m for m in body["matches"] if m["entity"] == entity)


def mark(client, body, **extra):
    url = f"{URL}{body['id']}/matches/{match_of(body)['id']}/false-positive/"
    return client.post(url, {"reason_code": "different_birth_date", **extra}, format="json")


def edited_un_sample(tmp_path: Path, old: str, new: str) -> Path:
    text = support.UN_SAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "consolidated.xml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_marked_false_positive_is_suppressed_for_the_same_subject_and_tenant(
    screening_client, make_screening_client, decider, sample_lists
):
    first = screen(screening_client)
    response = mark(decider, first, note="born 1990 per passport")
    assert response.status_code == 201, response.json()
    assert response.json()["entity"] == ENTITY

    again = screen(screening_client)
    assert ENTITY not in [m["entity"] for m in again["matches"]]
    assert again["suppressed"] == [{"entity": ENTITY, "content_hash": match_of(first)["content_hash"]}]
    # Another tenant screening the same person is not covered by this tenant's decision.
    assert ENTITY in [m["entity"] for m in screen(make_screening_client())["matches"]]
    # Another subject (different name) of the same tenant is not covered either.
    other = screen(screening_client, name="Sample Qadir Al Fictioni", reference="cust-8")
    assert ENTITY in [m["entity"] for m in other["matches"]]


def test_the_suppression_survives_a_new_list_version_with_the_entry_unchanged(
    screening_client, decider, sample_lists, tmp_path
):
    first = screen(screening_client)
    assert mark(decider, first).status_code == 201
    # A new version in which only another entry changed.
    support.import_list("demo_un", "un-xml", edited_un_sample(tmp_path, "1965-04-12", "1965-04-13"))
    again = screen(screening_client)
    assert again["list_versions"]["demo_un"]["number"] == 2
    assert ENTITY not in [m["entity"] for m in again["matches"]]


def test_the_suppression_ends_when_the_entrys_content_changes(screening_client, decider, sample_lists, tmp_path):
    first = screen(screening_client)
    assert mark(decider, first).status_code == 201
    changed = edited_un_sample(tmp_path, "<TO_YEAR>1973</TO_YEAR>", "<TO_YEAR>1974</TO_YEAR>")
    support.import_list("demo_un", "un-xml", changed)
    again = screen(screening_client)
    assert again["list_versions"]["demo_un"]["number"] == 2
    reappeared = match_of(again)
    assert reappeared["content_hash"] != match_of(first)["content_hash"]
    assert again["suppressed"] == []


def test_marking_is_audited_and_marking_twice_keeps_one_decision(screening_client, decider, sample_lists):
    first = screen(screening_client)
    assert mark(decider, first).status_code == 201
    assert mark(decider, first).status_code == 201
    assert FalsePositive.objects.count() == 1
    event = AuditEvent.objects.get(action="screening.false_positive.marked")
    assert event.payload["entity"] == ENTITY
    assert event.payload["reason_code"] == "different_birth_date"
    assert event.actor_type == "user"


def test_marking_needs_a_fresh_second_factor(screening_client, officer, login_api, sample_lists):
    response = mark(login_api(officer), screen(screening_client))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "step_up_required"
    assert FalsePositive.objects.count() == 0


def test_an_api_client_cannot_mark_false_positives(screening_client, sample_lists):
    response = mark(screening_client, screen(screening_client))
    assert response.status_code == 403
    assert FalsePositive.objects.count() == 0


def test_an_unknown_reason_or_an_unexplained_other_is_a_400(screening_client, decider, sample_lists):
    body = screen(screening_client)
    assert mark(decider, body, reason_code="looks_fine").status_code == 400
    response = mark(decider, body, reason_code="other")
    assert response.status_code == 400
    assert "note" in response.json()["error"]["fields"]
    assert FalsePositive.objects.count() == 0


def test_a_match_of_an_unknown_screening_is_404(decider, sample_lists):
    import uuid

    response = decider.post(
        f"{URL}{uuid.uuid4()}/matches/{uuid.uuid4()}/false-positive/", {"reason_code": "other"}, format="json"
    )
    assert response.status_code == 404
