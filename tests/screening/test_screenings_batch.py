"""Batch screening: up to 10,000 subjects in chunked Celery tasks, per-line errors, progress and results."""

from __future__ import annotations

import time
import uuid

import pytest

from audit.models import AuditEvent
from screening.models import BatchChunk, BatchScreening, Screening
from screening.services import screenings as services
from tests.screening import screenings_support as support

fresh_runtime = support.fresh_runtime
make_screening_client = support.make_screening_client
sample_lists = support.sample_lists
screening_client = support.screening_client

URL = "/api/v1/screenings/batch/"
SUBJECTS = [
    {"reference": "b1", "name": "Ivan Petrovich Obraztsov", "birth_date": "1965"},
    {"reference": "b2", "name": ""},
    {"reference": "b3", "name": "Margaret Thistlewood"},
    {"reference": "b4", "name": "Juana Muestra Garcia", "identifiers": [{"type": "curp", "number": "MUGJ600101"}]},
    {"reference": "b5", "name": "Ivan 🙂"},
    {"reference": "b6", "name": "Fictional Shipping LLC", "schema": "Organization"},
    "not an object",
]


@pytest.fixture
def small_chunks(settings):
    settings.TILLIT_SCREENING_BATCH_CHUNK = 2


def submit(client, subjects=SUBJECTS, **extra):
    return client.post(URL, {"subjects": subjects, **extra}, format="json")


@pytest.mark.django_db
def test_a_batch_is_screened_in_chunks_with_per_line_errors_and_polled_to_completion(
    screening_client, sample_lists, small_chunks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(screening_client)
    assert response.status_code == 202, response.json()
    batch_id = response.json()["id"]
    assert BatchChunk.objects.filter(batch_id=batch_id).count() == 2  # 4 valid subjects, 2 per chunk

    body = screening_client.get(f"{URL}{batch_id}/").json()
    assert body["status"] == "completed"
    assert body["progress"] == {"total": 7, "screened": 4, "failed": 3, "pending": 0}
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(2, "name"), (5, "name"), (7, "subject")]

    results = screening_client.get(f"{URL}{batch_id}/results/").json()["results"]
    assert [r["batch_line"] for r in results] == [1, 3, 4, 6]
    by_ref = {r["subject"]["reference"]: r for r in results}
    assert by_ref["b1"]["matches"][0]["entity"] == "demo_un:KPi.901"
    assert by_ref["b3"]["outcome"] == "clear"
    assert by_ref["b4"]["subject"]["identifiers"] == [{"type": "curp", "masked": "****0101"}]
    assert by_ref["b6"]["matches"][0]["entity"] == "demo_ofac:990002"
    assert all(r["channel"] == "batch" for r in results)
    assert AuditEvent.objects.filter(action="screening.subject.screened").count() == 4
    assert AuditEvent.objects.filter(action="screening.batch.completed").count() == 1
    assert not BatchChunk.objects.filter(batch_id=batch_id).exclude(subjects_sealed=None).exists()


@pytest.mark.django_db
def test_a_redelivered_chunk_task_screens_nothing_twice(screening_client, sample_lists, small_chunks):
    response = submit(screening_client)  # on-commit hooks not run: the tasks were never sent
    chunk = BatchChunk.objects.filter(batch_id=response.json()["id"]).order_by("number").first()
    services.screening_batch_chunk_process(chunk_id=str(chunk.pk))
    BatchChunk.objects.filter(pk=chunk.pk).update(done=False)  # as if the worker died before acknowledging
    services.screening_batch_chunk_process(chunk_id=str(chunk.pk))
    assert Screening.objects.filter(batch_id=response.json()["id"]).count() == chunk.size


@pytest.mark.django_db
def test_a_batch_of_only_bad_lines_completes_at_once(screening_client, sample_lists):
    response = submit(screening_client, subjects=[{"name": ""}, {"name": "\x00"}])
    assert response.status_code == 202
    assert response.json()["status"] == "completed"
    assert response.json()["progress"]["failed"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subjects": []}, "subjects"),
        ({"subjects": "Ivan"}, "subjects"),
        ({"subjects": [{"name": "A"}] * 10_001}, "subjects"),
        ({"subjects": [{"name": "Ivan"}], "threshold": -1}, "threshold"),
        ({"subjects": [{"name": "Ivan"}], "sources": ["nowhere"]}, "sources"),
        ({}, "subjects"),
    ],
)
def test_a_malformed_batch_is_a_400_naming_the_field(screening_client, sample_lists, body, field):
    response = screening_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert BatchScreening.objects.count() == 0


@pytest.mark.django_db
def test_another_client_cannot_see_a_batch_or_its_results(screening_client, make_screening_client, sample_lists):
    batch_id = submit(screening_client).json()["id"]
    other = make_screening_client()
    assert other.get(f"{URL}{batch_id}/").status_code == 404
    assert other.get(f"{URL}{batch_id}/results/").status_code == 404
    assert other.get(f"{URL}{uuid.uuid4()}/").status_code == 404


@pytest.mark.django_db
def test_a_repeated_idempotency_key_returns_the_first_batch(screening_client, sample_lists):
    first = screening_client.post(URL, {"subjects": SUBJECTS}, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    again = screening_client.post(URL, {"subjects": SUBJECTS}, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json()["id"] == again.json()["id"]
    assert BatchScreening.objects.count() == 1


def test_a_batch_runs_through_a_real_celery_worker(celery_worker, fresh_runtime, make_screening_client, settings):
    settings.TILLIT_SCREENING_BATCH_CHUNK = 20
    support.import_list("demo_un", "un-xml", support.UN_SAMPLE)
    support.import_list("demo_ofac", "ofac-csv", support.OFAC_SAMPLE)
    client = make_screening_client()
    names = ["Ivan Petrovich Obraztsov" if i % 10 == 0 else f"Person {i}" for i in range(60)]
    subjects = [{"reference": f"r{i}", "name": name} for i, name in enumerate(names)]
    subjects[7] = {"reference": "bad", "name": "  "}
    response = submit(client, subjects=subjects)
    assert response.status_code == 202
    batch_id = response.json()["id"]
    deadline = time.monotonic() + 90
    body = client.get(f"{URL}{batch_id}/").json()
    while body["status"] != "completed" and time.monotonic() < deadline:
        time.sleep(0.5)
        body = client.get(f"{URL}{batch_id}/").json()
    assert body["status"] == "completed", (body, celery_worker.read_text()[-3000:])
    assert body["progress"] == {"total": 60, "screened": 59, "failed": 1, "pending": 0}
    assert body["errors"] == [{"line": 8, "field": "name", "message": "name is empty"}]
    hits = Screening.objects.filter(batch_id=batch_id, outcome="potential_match")
    assert {s.reference for s in hits} >= {f"r{i}" for i in range(0, 60, 10)}
    assert hits.first().matches.first().explanation["features"]
