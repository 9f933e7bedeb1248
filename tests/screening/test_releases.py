"""Matching releases: the live one's thresholds screen, releases in shadow are compared on traffic and replays."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils import timezone

from audit.models import AuditEvent
from screening.engine import ALGORITHM_NAME, ALGORITHM_VERSION, DEFAULT_THRESHOLD
from screening.models import MatchingRelease, ReleaseStatus, Screening, ShadowResult
from screening.releases_selectors import release_report
from screening.services import releases as services
from screening.services import screenings as screening_services
from tests.screening import screenings_support as support

fresh_runtime = support.fresh_runtime
make_screening_client = support.make_screening_client
sample_lists = support.sample_lists
screening_client = support.screening_client

pytestmark = pytest.mark.django_db

IVAN = "demo_un:KPi.901"
STRICT_UN = {"default": DEFAULT_THRESHOLD, "by_source": {"demo_un": 0.99}}


def screen(name: str, **extra: object) -> Screening:
    subject = screening_services.parse_subject({"name": name, **extra})
    return screening_services.screening_run(actor=None, subject=subject, channel="cli")


def shadow_release(label: str = "strict UN", thresholds: dict | None = None) -> MatchingRelease:
    release = services.release_create(actor=None, label=label, thresholds=thresholds or STRICT_UN)
    return services.release_shadow_start(release=release, actor=None)


def live_release() -> MatchingRelease:
    return MatchingRelease.objects.get(status=ReleaseStatus.LIVE)


# --- what screens live ---------------------------------------------------------------------------------
def test_without_any_release_screenings_use_the_configured_thresholds_and_reference_none(sample_lists, settings):
    settings.TILLIT_SCREENING_THRESHOLDS = {"default": 0.9}
    screening = screen("Ivan Obraztsov")
    assert screening.release is None
    assert screening.thresholds["default"] == 0.9
    assert (screening.algorithm, screening.algorithm_version) == (ALGORITHM_NAME, ALGORITHM_VERSION)
    assert not MatchingRelease.objects.exists()


def test_the_first_release_records_what_screens_today_as_the_initial_live_release(settings):
    settings.TILLIT_SCREENING_THRESHOLDS = {"default": 0.9, "by_source": {"demo_ofac": 0.95}}
    draft = services.release_create(actor=None, label="lower", thresholds={"default": 0.8})
    initial = live_release()
    assert initial.thresholds["default"] == 0.9
    assert initial.thresholds["by_source"] == {"demo_ofac": 0.95}
    assert initial.algorithm_version == ALGORITHM_VERSION
    assert draft.status == ReleaseStatus.DRAFT
    assert AuditEvent.objects.filter(action="screening.release.created").count() == 2


def test_screenings_use_the_live_release_thresholds_and_reference_it(sample_lists, settings):
    assert IVAN in [m.entity for m in screen("Ivan Obraztsov").matches.all()]
    settings.TILLIT_RELEASE_MIN_SHADOW_SCREENINGS = 0
    release = services.release_promote(release=shadow_release(), actor=None)
    settings.TILLIT_SCREENING_THRESHOLDS = {"default": 0.1}  # the live release wins over the setting now
    screening = screen("Ivan Obraztsov")
    assert IVAN not in [m.entity for m in screening.matches.all()]
    assert screening.release == release
    assert screening.thresholds["by_source"] == {"demo_un": 0.99}
    assert services.release_plan().live.thresholds.for_entity("demo_un", "Person") == 0.99


def test_only_one_release_can_be_live():
    services.release_ensure_live(actor=None)
    with pytest.raises(IntegrityError):
        MatchingRelease.objects.create(
            label="second", algorithm=ALGORITHM_NAME, algorithm_version=ALGORITHM_VERSION, thresholds={}, status="live"
        )


def test_a_release_needs_a_runnable_algorithm_version_and_valid_thresholds():
    with pytest.raises(services.ReleaseError, match="not runnable"):
        services.release_create(actor=None, label="x", thresholds={}, algorithm_version="0.0.1")
    with pytest.raises(services.ReleaseError, match="outside"):
        services.release_create(actor=None, label="x", thresholds={"default": 1.5})
    assert not MatchingRelease.objects.filter(label="x").exists()


# --- shadow on real traffic ----------------------------------------------------------------------------
def test_a_release_in_shadow_is_compared_after_each_api_screening_without_changing_the_live_result(
    screening_client, sample_lists, django_capture_on_commit_callbacks
):
    release = shadow_release()
    with django_capture_on_commit_callbacks(execute=True):
        response = screening_client.post("/api/v1/screenings/", {"name": "Ivan Obraztsov"}, format="json")
    assert response.status_code == 201, response.json()
    assert IVAN in [m["entity"] for m in response.json()["matches"]]  # live unchanged
    result = ShadowResult.objects.get(release=release)
    assert str(result.screening_id) == response.json()["id"]
    assert result.origin == "traffic"
    assert [a["entity"] for a in result.lost] == [IVAN]
    assert result.gained == []
    assert result.live_outcome == "potential_match"
    assert (result.subject_schema, result.name_script, result.name_shape) == ("Any", "Latin", "multi")
    assert result.baseline == "stored"
    assert result.screening.release == live_release()


def test_a_lower_threshold_in_shadow_shows_the_alerts_it_would_gain(sample_lists, django_capture_on_commit_callbacks):
    release = shadow_release("lenient", {"default": 0.5})
    with django_capture_on_commit_callbacks(execute=True):
        screening = screen("Ivan Sample")
    result = ShadowResult.objects.get(release=release, screening=screening)
    live = {m.entity for m in screening.matches.all()}
    assert result.gained
    assert {a["entity"] for a in result.gained}.isdisjoint(live)
    assert {a["entity"] for a in result.shadow_matches} >= live
    assert all(a["score"] >= 0.5 for a in result.gained)


def test_batch_and_cli_screenings_are_compared_in_shadow_too(
    screening_client, sample_lists, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.TILLIT_SCREENING_BATCH_CHUNK = 2
    release = shadow_release()
    names = ["Ivan Obraztsov", "Juana Muestra", "X Y"]
    subjects = [{"reference": f"r{i}", "name": name} for i, name in enumerate(names)]
    with django_capture_on_commit_callbacks(execute=True):
        response = screening_client.post("/api/v1/screenings/batch/", {"subjects": subjects}, format="json")
    assert response.status_code == 202
    batch_screenings = Screening.objects.filter(batch_id=response.json()["id"])
    assert batch_screenings.count() == 3
    assert ShadowResult.objects.filter(release=release, screening__in=batch_screenings).count() == 3

    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "c1", "name": "Ivan Obraztsov"}) + "\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("screen", "--input", str(source), "--output", str(tmp_path / "out.jsonl"), stdout=StringIO())
    cli = Screening.objects.get(channel="cli")
    assert ShadowResult.objects.get(release=release, screening=cli).lost[0]["entity"] == IVAN


def test_a_screening_is_compared_once_per_release_however_often_the_task_runs(sample_lists):
    release = shadow_release()
    screening = screen("Ivan Obraztsov")
    assert services.shadow_evaluate_screenings(screening_ids=[str(screening.pk)]) == 1
    assert services.shadow_evaluate_screenings(screening_ids=[str(screening.pk)]) == 0
    assert ShadowResult.objects.filter(release=release).count() == 1


def test_a_release_taken_out_of_shadow_is_no_longer_evaluated(sample_lists, django_capture_on_commit_callbacks):
    release = services.release_shadow_stop(release=shadow_release(), actor=None)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        screen("Ivan Obraztsov")
    assert [c.__module__ for c in callbacks] == ["screening.metrics"]  # metrics only: no shadow task queued
    assert not ShadowResult.objects.filter(release=release).exists()


# --- replay --------------------------------------------------------------------------------------------
def test_the_replay_command_compares_recent_stored_screenings_once_and_is_audited(sample_lists):
    recent = [screen("Ivan Obraztsov", identifiers=[{"type": "passport", "number": "7000000001"}]), screen("Nobody")]
    old = screen("Ivan Petrovich Obraztsov")
    Screening.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    release = shadow_release()
    out = StringIO()
    call_command("release_shadow_replay", release.label, "--days", "7", stdout=out)
    assert "2 screening(s) replayed" in out.getvalue()
    assert "-1 lost" in out.getvalue()
    results = ShadowResult.objects.filter(release=release)
    assert {r.screening_id for r in results} == {s.pk for s in recent}
    assert {r.origin for r in results} == {"replay"}
    event = AuditEvent.objects.get(action="screening.release.replayed")
    assert event.payload["evaluated"] == 2

    again = StringIO()
    call_command("release_shadow_replay", str(release.pk), "--days", "60", "--limit", "5", stdout=again)
    assert "1 screening(s) replayed" in again.getvalue()  # only the old one was left


def test_the_replay_command_refuses_a_release_that_is_not_in_shadow(sample_lists):
    draft = services.release_create(actor=None, label="draft", thresholds=STRICT_UN)
    with pytest.raises(CommandError, match="start its shadow run first"):
        call_command("release_shadow_replay", "draft", stdout=StringIO())
    with pytest.raises(CommandError, match="no matching release"):
        call_command("release_shadow_replay", "nothing-like-it", stdout=StringIO())
    assert not ShadowResult.objects.filter(release=draft).exists()


def test_a_replay_reruns_live_when_the_stored_screening_was_made_with_other_thresholds(sample_lists, settings):
    settings.TILLIT_SCREENING_THRESHOLDS = {"default": 0.5}
    screening = screen("Ivan Sample")  # made before releases, with a lenient default
    settings.TILLIT_SCREENING_THRESHOLDS = {}
    release = shadow_release("same as live", {"default": DEFAULT_THRESHOLD})  # live: the engine default
    services.release_shadow_replay(release=release, actor=None, days=1, limit=10)
    result = ShadowResult.objects.get(release=release, screening=screening)
    assert result.baseline == "rerun"
    assert result.gained == [] and result.lost == []  # same configuration as live today: nothing changes


# --- the comparison report -----------------------------------------------------------------------------
def test_the_report_groups_alerts_gained_and_lost_by_list_and_by_kind_of_name(sample_lists):
    for name, schema in [
        ("Ivan Obraztsov", "Person"),
        ("Иван Образцов", "Person"),
        ("Obraztsov", "Any"),
        ("Fictional Shipping LLC", "Organization"),
    ]:
        screen(name, schema=schema)
    release = shadow_release()
    services.release_shadow_replay(release=release, actor=None, days=1, limit=100)
    report = release_report(release)
    totals = report["totals"]
    results = list(ShadowResult.objects.filter(release=release))
    assert totals["screenings"] == 4 == totals["replay"]
    assert totals["lost"] == sum(len(r.lost) for r in results) >= 1
    assert totals["gained"] == 0
    assert report["by_source"]["demo_un"]["lost"] == totals["lost"]
    assert report["by_source"]["demo_un"]["shadow_alerts"] == 0
    assert report["by_source"].get("demo_ofac", {"lost": 0})["lost"] == 0
    assert set(report["by_schema"]) == {"Person", "Any", "Organization"}
    assert report["by_script"]["Cyrillic"]["screenings"] == 1
    assert report["by_shape"]["single"]["screenings"] == 1
    assert sum(g["lost"] for g in report["by_script"].values()) == totals["lost"]
    assert totals["to_clear"] == sum(1 for r in results if r.live_outcome != r.shadow_outcome)
    example = report["examples"]["lost"][0]
    assert example["source"] == "demo_un" and example["score"] < 0.99
    assert "name" not in example  # the subject's name never leaves the screening


def test_the_report_command_prints_totals_and_json(sample_lists):
    screen("Ivan Obraztsov")
    release = shadow_release()
    services.release_shadow_replay(release=release, actor=None, days=1, limit=10)
    out = StringIO()
    call_command("release_report", release.label, stdout=out)
    assert "by_source:" in out.getvalue() and "demo_un" in out.getvalue()
    out = StringIO()
    call_command("release_report", release.label, "--json", stdout=out)
    assert json.loads(out.getvalue())["totals"]["lost"] == 1
    status = StringIO()
    call_command("release_status", stdout=status)
    assert "shadow" in status.getvalue() and "live" in status.getvalue()


# --- promotion and rollback ----------------------------------------------------------------------------
def test_promotion_needs_enough_shadow_results_unless_forced_with_a_reason(sample_lists, settings):
    settings.TILLIT_RELEASE_MIN_SHADOW_SCREENINGS = 2
    release = shadow_release()
    screen("Ivan Obraztsov")
    services.release_shadow_replay(release=release, actor=None, days=1, limit=10)
    with pytest.raises(services.ReleaseError, match="1 screening"):
        services.release_promote(release=release, actor=None)
    with pytest.raises(services.ReleaseError):
        services.release_promote(release=release, actor=None, force=True, reason="  ")
    previous = live_release()
    promoted = services.release_promote(release=release, actor=None, force=True, reason="regulator deadline")
    assert promoted.status == ReleaseStatus.LIVE
    assert promoted.previous == previous
    previous.refresh_from_db()
    assert previous.status == ReleaseStatus.RETIRED
    payload = AuditEvent.objects.get(action="screening.release.promoted").payload
    assert payload["forced"] is True
    assert payload["reason"] == "regulator deadline"
    assert payload["shadow_screenings"] == 1
    assert payload["alerts_lost"] == 1


def test_only_a_release_in_shadow_can_be_promoted(settings):
    settings.TILLIT_RELEASE_MIN_SHADOW_SCREENINGS = 0
    draft = services.release_create(actor=None, label="draft", thresholds=STRICT_UN)
    with pytest.raises(services.ReleaseError, match="only a release in shadow"):
        services.release_promote(release=draft, actor=None)


def test_a_rollback_returns_to_the_release_the_live_one_replaced_and_is_audited(sample_lists, settings):
    settings.TILLIT_RELEASE_MIN_SHADOW_SCREENINGS = 0
    with pytest.raises(services.ReleaseError, match="no earlier live release"):
        services.release_rollback(actor=None, reason="test")
    strict = services.release_promote(release=shadow_release(), actor=None)
    initial = strict.previous
    with pytest.raises(services.ReleaseError, match="say why"):
        services.release_rollback(actor=None, reason="")
    restored = services.release_rollback(actor=None, reason="too many lost UN alerts")
    assert restored == initial
    assert live_release() == initial
    strict.refresh_from_db()
    assert strict.status == ReleaseStatus.RETIRED
    assert IVAN in [m.entity for m in screen("Ivan Obraztsov").matches.all()]
    payload = AuditEvent.objects.get(action="screening.release.rolled_back").payload
    assert payload["rolled_back_release_id"] == str(strict.pk)
    assert payload["reason"] == "too many lost UN alerts"


def test_a_shadow_sample_rate_evaluates_a_stable_share_of_live_screenings(
    sample_lists, settings, django_capture_on_commit_callbacks
):
    settings.TILLIT_RELEASE_SHADOW_SAMPLE = 0.5
    release = shadow_release()
    with django_capture_on_commit_callbacks(execute=True):
        screenings = [screen(f"Ivan Obraztsov {n}") for n in range(40)]
    evaluated = set(ShadowResult.objects.filter(release=release).values_list("screening_id", flat=True))
    assert evaluated == {s.pk for s in screenings if services.sampled(s.pk, 0.5)}
    assert 5 <= len(evaluated) <= 35
    assert not any(services.sampled(s.pk, 0.0) for s in screenings)
    # The choice is a fixed function of the id (so a redelivered task chooses the same).
    low, high = uuid.UUID(int=0), uuid.UUID(int=(1 << 128) - 1)
    assert services.sampled(low, 0.5) and not services.sampled(high, 0.5)
    assert services.sampled(high, 1.0) and not services.sampled(low, 0.0)
    assert services.shadow_evaluate_screenings(screening_ids=[str(pk) for pk in evaluated]) == 0  # never twice
    assert set(ShadowResult.objects.filter(release=release).values_list("screening_id", flat=True)) == evaluated


def test_live_screenings_are_compared_in_shadow_by_a_real_celery_worker(
    celery_worker, fresh_runtime, make_screening_client
):
    import time

    support.import_list("demo_un", "un-xml", support.UN_SAMPLE)
    release = shadow_release()
    client = make_screening_client()
    response = client.post("/api/v1/screenings/", {"name": "Ivan Obraztsov"}, format="json")
    assert response.status_code == 201
    assert IVAN in [m["entity"] for m in response.json()["matches"]]
    deadline = time.monotonic() + 60
    while not ShadowResult.objects.filter(release=release).exists() and time.monotonic() < deadline:
        time.sleep(0.3)
    result = ShadowResult.objects.filter(release=release).first()
    assert result is not None, celery_worker.read_text()[-3000:]
    assert str(result.screening_id) == response.json()["id"]
    assert [a["entity"] for a in result.lost] == [IVAN]


@pytest.fixture
def legacy_version():
    """A previous algorithm version kept runnable beside the installed one (same index, stricter scoring)."""
    from screening.engine import Thresholds, screen
    from screening.engine import releases as registry

    def strict(index, query, **kwargs):
        kwargs["thresholds"] = Thresholds(default=0.99)
        return screen(index, query, **kwargs)

    legacy = registry.register(
        registry.RunnableAlgorithm(
            name=ALGORITHM_NAME, version="0.9.0", screen=strict, index_family=registry.installed().index_family
        )
    )
    yield legacy
    registry.unregister(ALGORITHM_NAME, "0.9.0")


def test_a_live_release_of_a_previous_version_screens_with_it_and_its_screenings_replay(
    sample_lists, settings, legacy_version
):
    settings.TILLIT_RELEASE_MIN_SHADOW_SCREENINGS = 0
    release = services.release_create(actor=None, label="legacy", thresholds={}, algorithm_version="0.9.0")
    services.release_promote(release=services.release_shadow_start(release=release, actor=None), actor=None)
    screening = screen("Ivan Obraztsov")
    assert (screening.algorithm_version, screening.release_id) == ("0.9.0", release.pk)
    assert IVAN not in [m.entity for m in screening.matches.all()]  # the legacy scoring ran, not the installed one
    assert screening_services.screening_replay(screening=screening).identical


def test_a_live_release_whose_version_is_no_longer_installed_falls_back_to_the_installed_one(sample_lists):
    MatchingRelease.objects.create(
        label="gone", algorithm=ALGORITHM_NAME, algorithm_version="0.0.1", thresholds={"default": 0.99}, status="live"
    )
    screening = screen("Ivan Obraztsov")
    assert screening.algorithm_version == ALGORITHM_VERSION
    assert screening.release is None  # not attributed to a release that did not run
    assert screening.thresholds["default"] == 0.99  # its thresholds still hold


def test_a_rollback_to_a_version_no_longer_installed_is_refused(sample_lists, settings, legacy_version):
    from screening.engine import releases as registry

    settings.TILLIT_RELEASE_MIN_SHADOW_SCREENINGS = 0
    old = services.release_create(actor=None, label="legacy", thresholds={}, algorithm_version="0.9.0")
    services.release_promote(release=services.release_shadow_start(release=old, actor=None), actor=None)
    services.release_promote(release=shadow_release(), actor=None)
    registry.unregister(ALGORITHM_NAME, "0.9.0")
    try:
        with pytest.raises(services.ReleaseError, match="cannot run"):
            services.release_rollback(actor=None, reason="regression")
    finally:
        registry.register(legacy_version)
    assert live_release().label == "strict UN"


def test_onboarding_and_monitoring_screen_with_the_live_release(sample_lists, settings):
    from kyc import integrations
    from kyc.models import Party, PartyKind
    from monitoring.services import rescreen

    subject = integrations.Subject(name="Ivan Obraztsov", schema="Person", birth_date=None, countries=())
    party = Party(kind=PartyKind.PERSON, given_names="Ivan", family_name="Obraztsov")

    def monitoring_finds() -> list[str]:
        snapshot = integrations.screening_snapshot()
        return [m.entity for m in rescreen.forward_matches(snapshot, party, sources=None, limit=10)]

    assert IVAN in [hit.entity for hit in integrations.screen_subject(subject).hits]
    assert IVAN in monitoring_finds()
    settings.TILLIT_RELEASE_MIN_SHADOW_SCREENINGS = 0
    services.release_promote(release=shadow_release(), actor=None)
    outcome = integrations.screen_subject(subject)
    assert IVAN not in [hit.entity for hit in outcome.hits]
    assert outcome.algorithm_version == ALGORITHM_VERSION
    assert rescreen.thresholds().for_entity("demo_un", "Person") == 0.99
    assert IVAN not in monitoring_finds()  # the monitoring rescreen of a party follows the promotion too


def test_the_screening_api_names_the_release_that_produced_a_screening(sample_lists, screening_client):
    release = services.release_ensure_live(actor=None)
    response = screening_client.post("/api/v1/screenings/", {"name": "Ivan Obraztsov"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["algorithm"]["release"] == str(release.pk)
    detail = screening_client.get(f"/api/v1/screenings/{response.json()['id']}/")
    assert detail.json()["algorithm"]["release"] == str(release.pk)


def test_a_thresholds_setting_without_per_kind_values_keeps_the_engines_organisation_default(settings):
    from screening.engine.thresholds import ORGANIZATION_THRESHOLD

    settings.TILLIT_SCREENING_THRESHOLDS = {"default": 0.83}
    configured = screening_services.configured_thresholds()
    assert configured.for_entity("any_list", "Person") == 0.83
    assert configured.for_entity("any_list", "Organization") == ORGANIZATION_THRESHOLD
    # A stored record names every part: an empty per-kind table reads back empty (faithful replay).
    stored = screening_services.thresholds_record(configured) | {"by_schema": {}}
    assert screening_services.thresholds_from_record(stored).for_entity("any_list", "Organization") == 0.83
