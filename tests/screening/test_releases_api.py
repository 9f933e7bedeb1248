"""The read-only release API: who may read releases and a release's comparison report."""

from __future__ import annotations

import uuid

import pytest

from screening.services import releases as services
from screening.services import screenings as screening_services
from tests.screening import screenings_support as support

fresh_runtime = support.fresh_runtime
sample_lists = support.sample_lists

pytestmark = pytest.mark.django_db

URL = "/api/v1/matching-releases/"


@pytest.fixture
def candidate():
    release = services.release_create(actor=None, label="strict UN", thresholds={"by_source": {"demo_un": 0.99}})
    return services.release_shadow_start(release=release, actor=None)


def test_anonymous_callers_are_refused(api, candidate):
    assert api.get(URL).status_code == 401
    assert api.get(f"{URL}{candidate.pk}/report/").status_code == 401


def test_officers_and_api_clients_may_not_read_releases(make_user, login_api, client_api, candidate):
    assert login_api(make_user("officer")).get(URL).status_code == 403
    assert client_api.get(f"{URL}{candidate.pk}/report/").status_code == 403
    assert login_api(make_user("officer")).get(f"{URL}{candidate.pk}/report/").status_code == 403
    assert client_api.get(URL).status_code == 403


def test_an_auditor_lists_releases_with_their_shadow_counts(make_user, login_api, sample_lists, candidate):
    auditor = login_api(make_user("auditor"))
    body = auditor.get(URL).json()
    by_label = {r["label"]: r for r in body["results"]}
    assert by_label["strict UN"]["status"] == "shadow"
    assert by_label["strict UN"]["shadow_count"] == 0
    assert any(r["status"] == "live" for r in body["results"])
    screening_services.screening_run(
        actor=None, subject=screening_services.parse_subject({"name": "Ivan Obraztsov"}), channel="cli"
    )
    services.release_shadow_replay(release=candidate, actor=None)
    after = {r["label"]: r for r in auditor.get(URL).json()["results"]}
    assert after["strict UN"]["shadow_count"] == 1


def test_the_report_of_an_unknown_release_is_404(make_user, login_api):
    assert login_api(make_user("administrator")).get(f"{URL}{uuid.uuid4()}/report/").status_code == 404


def test_an_administrator_reads_the_comparison_report(make_user, login_api, sample_lists, candidate):
    subject = screening_services.parse_subject({"name": "Ivan Obraztsov"})
    screening = screening_services.screening_run(actor=None, subject=subject)
    services.release_shadow_replay(release=candidate, actor=None, days=1, limit=10)
    report = login_api(make_user("administrator")).get(f"{URL}{candidate.pk}/report/").json()
    assert report["totals"]["lost"] == 1
    assert report["by_source"]["demo_un"]["lost"] == 1
    assert report["examples"]["lost"][0]["screening_id"] == str(screening.pk)
