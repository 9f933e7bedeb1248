"""The screening request path keeps what it caches in step with the database and the settings.

The live release is parsed once per distinct release row and the hot queries are compiled once per
process (``common.prepared``): a promotion, a rollback, an edited release, a changed setting, a
revoked key or a new false positive must still take effect for the very next request.
"""

from __future__ import annotations

import pytest

from accounts import services as account_services
from screening.engine import ALGORITHM_NAME, ALGORITHM_VERSION, DEFAULT_THRESHOLD
from screening.models import MatchingRelease, ReleaseStatus, Screening
from screening.services import releases
from screening.services import screenings as services
from tests.screening import screenings_support as support

fresh_runtime = support.fresh_runtime
make_screening_client = support.make_screening_client
sample_lists = support.sample_lists
screening_client = support.screening_client

pytestmark = pytest.mark.django_db

IVAN = "demo_un:KPi.901"
STRICT_UN = {"default": DEFAULT_THRESHOLD, "by_source": {"demo_un": 0.99}}


def post(client, name: str = "Ivan Obraztsov") -> dict:
    response = client.post("/api/v1/screenings/", {"name": name}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def entities(body: dict) -> list[str]:
    return [match["entity"] for match in body["matches"]]


def promote(label: str, thresholds: dict) -> MatchingRelease:
    release = releases.release_create(actor=None, label=label, thresholds=thresholds)
    release = releases.release_shadow_start(release=release, actor=None)
    return releases.release_promote(release=release, actor=None, force=True, reason="test")


def test_a_promotion_screens_the_very_next_request(sample_lists, screening_client):
    initial = releases.release_ensure_live(actor=None)
    for _ in range(2):  # served (and parsed) under the initial release first
        first = post(screening_client)
        assert first["algorithm"]["release"] == str(initial.pk) and IVAN in entities(first)
    strict = promote("strict UN", STRICT_UN)
    after = post(screening_client)
    assert after["algorithm"]["release"] == str(strict.pk)
    assert IVAN not in entities(after)
    assert after["thresholds"]["by_source"] == {"demo_un": 0.99}


def test_a_rollback_screens_the_very_next_request(sample_lists, screening_client):
    initial = releases.release_ensure_live(actor=None)
    promote("strict UN", STRICT_UN)
    assert IVAN not in entities(post(screening_client))
    releases.release_rollback(actor=None, reason="too strict")
    after = post(screening_client)
    assert after["algorithm"]["release"] == str(initial.pk)
    assert IVAN in entities(after)


def test_a_live_release_row_changed_by_another_process_is_read_afresh(sample_lists, screening_client):
    live = releases.release_ensure_live(actor=None)
    assert IVAN in entities(post(screening_client))
    record = services.thresholds_record(services.thresholds_from_record(STRICT_UN))
    MatchingRelease.objects.filter(pk=live.pk).update(thresholds=record)  # no service: as a raw edit would
    after = post(screening_client)
    assert IVAN not in entities(after)
    assert after["thresholds"] == record


def test_without_a_release_a_changed_thresholds_setting_holds_for_the_next_request(
    sample_lists, screening_client, settings
):
    settings.TILLIT_SCREENING_THRESHOLDS = {"default": DEFAULT_THRESHOLD}
    assert IVAN in entities(post(screening_client))
    settings.TILLIT_SCREENING_THRESHOLDS = STRICT_UN
    after = post(screening_client)
    assert IVAN not in entities(after)
    assert after["thresholds"]["by_source"] == {"demo_un": 0.99}
    settings.TILLIT_SCREENING_THRESHOLDS = None
    assert post(screening_client)["thresholds"]["default"] == DEFAULT_THRESHOLD


def test_a_live_version_unregistered_after_it_served_falls_back_to_the_installed_one(sample_lists):
    from screening.engine import Thresholds, screen
    from screening.engine import releases as registry

    def strict(index, query, **kwargs):
        kwargs["thresholds"] = Thresholds(default=0.99)
        return screen(index, query, **kwargs)

    legacy = registry.RunnableAlgorithm(
        name=ALGORITHM_NAME, version="0.9.1", screen=strict, index_family=registry.installed().index_family
    )
    registry.register(legacy)
    try:
        MatchingRelease.objects.create(
            label="legacy", algorithm=ALGORITHM_NAME, algorithm_version="0.9.1", thresholds={}, status="live"
        )
        subject = services.parse_subject({"name": "Ivan Obraztsov"})
        assert services.screening_run(actor=None, subject=subject).algorithm_version == "0.9.1"
    finally:
        registry.unregister(ALGORITHM_NAME, "0.9.1")
    screening = services.screening_run(actor=None, subject=subject)
    assert (screening.algorithm_version, screening.release_id) == (ALGORITHM_VERSION, None)


def test_a_release_put_in_shadow_is_named_in_the_next_plan(sample_lists):
    releases.release_ensure_live(actor=None)
    assert releases.release_plan().shadow_ids == ()
    shadow = releases.release_shadow_start(
        release=releases.release_create(actor=None, label="candidate", thresholds=STRICT_UN), actor=None
    )
    assert releases.release_plan().shadow_ids == (shadow.pk,)
    releases.release_shadow_stop(release=shadow, actor=None)
    assert releases.release_plan().shadow_ids == ()
    assert MatchingRelease.objects.get(pk=shadow.pk).status == ReleaseStatus.DRAFT


def test_a_key_revoked_after_it_was_used_is_refused_on_the_next_request(sample_lists, screening_client):
    post(screening_client)
    account_services.api_key_revoke(key=screening_client.tenant.keys.get(), actor=None)
    response = screening_client.post("/api/v1/screenings/", {"name": "Ivan Obraztsov"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api_key_revoked"


def test_a_client_disabled_after_it_screened_is_refused_on_the_next_request(sample_lists, screening_client):
    post(screening_client)
    type(screening_client.tenant).objects.filter(pk=screening_client.tenant.pk).update(is_active=False)
    response = screening_client.post("/api/v1/screenings/", {"name": "Ivan Obraztsov"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api_client_disabled"


def test_a_false_positive_marked_after_a_screening_suppresses_the_next_one(sample_lists, screening_client, officer):
    first = post(screening_client)
    match = next(m for m in first["matches"] if m["entity"] == IVAN)
    row = Screening.objects.get(pk=first["id"]).matches.get(pk=match["id"])
    services.false_positive_mark(actor=officer, match=row, reason_code="different_person")
    after = post(screening_client)
    assert IVAN not in entities(after)
    assert {"entity": IVAN, "content_hash": match["content_hash"]} in after["suppressed"]


SUBJECTS = [
    {"name": "Ivan Obraztsov"},
    {"name": "Ivan Obraztsov", "schema": "Person", "birth_date": "1950", "countries": ["ru"], "threshold": 0.9},
    {"name": "ACME Ltd", "identifiers": [{"type": "lei", "number": "5299001234"}], "sources": ["demo_un"]},
    {"name": ""},
    {"name": "x" * 400},
    {"name": "Ivan", "schema": "Planet"},
    {"name": "Ivan", "countries": ["RUS"], "threshold": 2},
    {"name": "Ivan", "identifiers": [{"type": "passport"}]},
    {"name": "Ivan", "sources": ["no_such_list"]},
    {"name": "Ivan", "sources": []},
    {"name": "Ivan", "gender": "unknown"},
    {},
    ["not", "an", "object"],
    {"name": "Ivan Obraztsov", "reference": "customer-1"},
]


@pytest.mark.parametrize("repeat", [1, 2])
def test_the_reused_input_serializer_answers_exactly_as_a_fresh_one(sample_lists, repeat):
    from rest_framework import serializers

    from screening.screenings_api import ScreeningInput, validated_screening_input

    for _ in range(repeat):  # the second pass runs after errors on the same instance
        for data in SUBJECTS:
            fresh = ScreeningInput(data=data)
            if fresh.is_valid():
                assert validated_screening_input(data) == fresh.validated_data
            else:
                with pytest.raises(serializers.ValidationError) as raised:
                    validated_screening_input(data)
                assert raised.value.detail == fresh.errors


def test_invalid_input_answers_the_same_400_through_the_api(sample_lists, screening_client):
    response = screening_client.post("/api/v1/screenings/", {"name": "Ivan", "schema": "Planet"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert list(response.json()["error"]["fields"]) == ["schema"]
    assert post(screening_client)["subject"]["name"] == "Ivan Obraztsov"  # the next valid request is unaffected
