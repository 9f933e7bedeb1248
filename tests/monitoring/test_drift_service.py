"""The drift check reads stored screenings and case hits, stores one run, and audits what crossed a bound."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone

from monitoring.models import DriftCheck
from monitoring.services.drift import drift_check_run, drift_config
from tests.monitoring.drift_support import make_versions, screen

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(db: None) -> Callable[[str, int], list[Any]]:
    return make_versions


FLAGGED = "monitoring.drift.flagged"


def flags_of(check: DriftCheck) -> set[tuple[str, str]]:
    return {(flag["check"], flag["about"]) for flag in check.flags}


def drift_events(check: DriftCheck) -> list[Any]:
    from audit.models import AuditEvent

    return list(AuditEvent.objects.filter(action=FLAGGED, target_id=str(check.pk)))


def test_scores_shifting_between_two_list_versions_are_flagged_and_audited(versions):
    v1, v2 = versions("custom_drift", 2)
    screen(60, versions={"custom_drift": v1}, scores=[0.86] * 60)
    screen(60, versions={"custom_drift": v2}, scores=[0.97] * 60)

    check = drift_check_run(actor=None, trigger="command")

    assert flags_of(check) == {("version_scores", "custom_drift")}
    compared = check.metrics["versions"]["custom_drift"]
    assert compared["previous"]["number"] == 1 and compared["latest"]["number"] == 2
    assert compared["scores"]["psi"] > 10  # every score moved from one bin to another (epsilon bins)
    assert compared["alert_rate"]["rate"] == 1.0 and not compared["alert_rate"]["flagged"]
    assert (check.subjects, check.alerts, check.flag_count) == (120, 120, 1)
    [event] = drift_events(check)
    assert event.payload["flag_count"] == 1
    assert event.payload["flags"][0]["check"] == "version_scores"


def test_unchanged_list_versions_raise_no_flag_and_write_no_audit_event(versions):
    v1, v2 = versions("custom_steady", 2)
    pattern = [0.86, 0.9, 0.95, None] * 20  # 60 scores and 80 subjects on each version
    screen(80, versions={"custom_steady": v1}, scores=pattern)
    screen(80, versions={"custom_steady": v2}, scores=pattern)

    check = drift_check_run(actor=None, trigger="command")

    assert check.flags == [] and check.flag_count == 0
    assert check.metrics["versions"]["custom_steady"]["scores"]["psi"] == pytest.approx(0.0, abs=1e-9)
    assert drift_events(check) == []


def test_an_alert_rate_jump_from_the_baseline_window_to_the_recent_one_is_flagged(versions):
    [v1] = versions("custom_window", 1)
    now = timezone.now()
    screen(100, versions={"custom_window": v1}, scores=[0.9] * 10, at=now - timedelta(days=20))
    screen(100, versions={"custom_window": v1}, scores=[0.9] * 40, at=now - timedelta(days=2))

    check = drift_check_run(actor=None, trigger="command", now=now)

    assert ("window_alert_rate", "all lists") in flags_of(check)
    assert ("window_alert_rate", "custom_window") in flags_of(check)
    window = check.metrics["windows"]["all lists"]["alert_rate"]
    assert (window["reference_rate"], window["rate"]) == (0.1, 0.4)
    assert check.metrics["versions"] == {}  # one version: nothing to compare


def test_screenings_older_than_the_windows_are_not_read(versions):
    [v1] = versions("custom_old", 1)
    now = timezone.now()
    screen(5, versions={"custom_old": v1}, scores=[0.9] * 5, at=now - timedelta(days=200))
    check = drift_check_run(actor=None, trigger="command", now=now)
    assert check.subjects == 0


def test_a_nationality_alerted_far_more_often_is_flagged_and_a_group_below_the_minimum_sample_is_not(versions):
    [v1] = versions("custom_bias", 1)
    on = {"custom_bias": v1}
    screen(100, versions=on, scores=[0.9] * 10, countries=("gb",))
    screen(60, versions=on, scores=[0.9] * 30, countries=("ir",))
    screen(5, versions=on, scores=[0.9] * 5, countries=("kp",))

    check = drift_check_run(actor=None, trigger="command")

    flagged = {about for kind, about in flags_of(check) if kind == "alert_rate_by_nationality"}
    assert "IR" in flagged and "KP" not in flagged
    groups = check.metrics["groups"]["alert_rate_by_nationality"]
    assert groups["overall"] == {"n": 165, "hits": 45, "rate": pytest.approx(45 / 165)}
    assert groups["groups"]["KP"]["rate"] == 1.0 and "fewer than 50" in groups["groups"]["KP"]["note"]
    assert not any(kind == "alert_rate_by_script" for kind, _ in flags_of(check))  # all Latin
    assert drift_events(check)


def test_false_positive_rates_are_compared_by_script_of_the_name(versions, make_user):
    [v1] = versions("custom_fp", 1)
    officer = make_user("officer")
    on = {"custom_fp": v1}
    screen(100, versions=on, scores=[0.9] * 100, false_positive=[i < 5 for i in range(100)], marked_by=officer)
    screen(
        60,
        versions=on,
        scores=[0.9] * 60,
        name="Олег Примеров",
        false_positive=[i < 30 for i in range(60)],
        marked_by=officer,
    )

    check = drift_check_run(actor=None, trigger="command")

    by_script = check.metrics["groups"]["false_positive_rate_by_script"]["groups"]
    assert by_script["Cyrillic"]["rate"] == 0.5 and by_script["Cyrillic"]["flagged"]
    assert by_script["Latin"]["rate"] == 0.05
    assert ("false_positive_rate_by_script", "Cyrillic") in flags_of(check)


def test_case_hits_count_as_false_positives_once_an_officer_clears_them(lists, onboard, make_user, settings):
    from kyc.models import HitStatus
    from kyc.services import review
    from tests.monitoring.conftest import BASELINE

    lists.activate(BASELINE, run_callbacks=False)
    cleared_customer = onboard("Bohuslav", "Ostravsky", nationalities=("CZ",))
    confirmed_customer = onboard("Innokenty", "Tarkhovich", nationalities=("RU",))
    officer, senior = make_user("officer"), make_user("senior_officer")
    hit = cleared_customer.cases.get().hits.get()
    hit = review.hit_clear(hit=hit, rationale="Different person entirely.", actor=officer, step_up_verified=True)
    if hit.status == HitStatus.CLEARING_PROPOSED:
        review.hit_clearing_review(
            hit=hit, agree=True, rationale="Agreed, not the same.", actor=senior, step_up_verified=True
        )
    review.hit_confirm(
        hit=confirmed_customer.cases.get().hits.get(), rationale="Same person, same dates.", actor=officer
    )

    check = drift_check_run(actor=None, trigger="command", overrides={"min_sample": 1})

    by_country = check.metrics["groups"]["false_positive_rate_by_nationality"]["groups"]
    assert (by_country["CZ"]["n"], by_country["CZ"]["rate"]) == (1, 1.0)
    assert (by_country["RU"]["n"], by_country["RU"]["rate"]) == (1, 0.0)
    alerted = check.metrics["groups"]["alert_rate_by_nationality"]["groups"]
    assert alerted["CZ"]["hits"] == 1 and alerted["RU"]["hits"] == 1
    assert check.metrics["subjects_by_origin"] == {"kyc": 2}


def test_bounds_and_windows_come_from_settings_and_bad_values_are_configuration_errors(settings):
    settings.TILLIT_DRIFT = {"psi": 0.1, "recent_days": 3, "score_bins": [0, 0.5, 1]}
    config = drift_config()
    assert (config.bounds.psi, config.recent_days, config.baseline_days) == (0.1, 3, 28)
    assert config.bounds.score_bins == (0.0, 0.5, 1.0)
    settings.TILLIT_DRIFT = {"psy": 0.1}
    with pytest.raises(ImproperlyConfigured, match="unknown keys"):
        drift_config()
    settings.TILLIT_DRIFT = {"ratio_low": 2}
    with pytest.raises(ImproperlyConfigured, match="ratio"):
        drift_config()


def test_the_daily_task_runs_once_when_delivered_twice():
    from monitoring.tasks import drift_check

    first, second = drift_check.delay().get(), drift_check.delay().get()
    assert first == second
    assert DriftCheck.objects.filter(trigger="schedule").count() == 1


# --------------------------------------------------------------------------- the command
def test_the_command_prints_a_clean_run(versions):
    out = io.StringIO()
    call_command("drift_check", stdout=out)
    assert "Nothing beyond the bounds." in out.getvalue()
    assert DriftCheck.objects.get().trigger == "command"


def test_the_command_lists_flags_and_fails_on_them_when_asked(versions):
    v1, v2 = versions("custom_cmd", 2)
    screen(60, versions={"custom_cmd": v1}, scores=[0.86] * 60)
    screen(60, versions={"custom_cmd": v2}, scores=[0.97] * 60)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("drift_check", "--fail-on-flag", "--recent-days", "3", stdout=out)
    assert exit_info.value.code == 3
    assert "FLAG version_scores · custom_cmd: psi" in out.getvalue()
    assert DriftCheck.objects.get().parameters["recent_days"] == 3


def test_the_command_reports_a_bad_setting_as_an_error(settings):
    settings.TILLIT_DRIFT = {"min_sample": 0}
    with pytest.raises(CommandError, match="min_sample"):
        call_command("drift_check", stdout=io.StringIO())
    assert not DriftCheck.objects.exists()


def two_lists() -> tuple[list[Any], list[Any], Any]:
    """Screenings and alerts on lists a and b, before (old) and after (new) a split; one screening asked for b only."""
    from monitoring.observations import Alert, Screened

    new, old = timezone.now(), timezone.now() - timedelta(days=10)

    def screened(at: Any, versions: dict[str, str], alerted: set[str], scope: set[str] | None = None) -> Screened:
        return Screened(at, "screening", "Latin", (), versions, frozenset(scope) if scope else None, frozenset(alerted))

    def alert(at: Any, source: str, version: str | None, score: float) -> Alert:
        return Alert(at, "screening", "Latin", (), source, version, score, False, False)

    subjects = [
        screened(new, {"a": "a2", "b": "b2"}, {"a"}),
        screened(new, {"a": "a2", "b": "b2"}, {"b"}, scope={"b"}),  # not screened against a
        screened(old, {"a": "a1", "b": "b1"}, set()),
        screened(old, {"a": "a1"}, {"a"}),
    ]
    alerts = [
        alert(new, "a", "a2", 0.9),
        alert(new, "b", "b2", 0.95),
        alert(old, "a", "a1", 0.85),
        alert(old, "a", None, 0.99),  # no version recorded: only in the time windows
        alert(old, "b", "b0", 0.9),  # an older version: only in the time windows
    ]
    return subjects, alerts, new - timedelta(days=1)


def counts(compared: dict[str, Any]) -> tuple[int, int, int, int, int]:
    rate, scores = compared["alert_rate"], compared["scores"]
    return rate["n"], rate["hits"], rate["reference_n"], scores["recent_n"], scores["baseline_n"]


def test_each_list_is_compared_on_its_own_versions_screenings_in_its_scope_and_its_alerts():
    from monitoring.services.drift import compare_versions

    subjects, alerts, _ = two_lists()
    versions = {"a": [("a2", 2), ("a1", 1)], "b": [("b2", 2), ("b1", 1)]}
    out, _ = compare_versions(subjects, alerts, versions, drift_config({"min_sample": 1}))
    # (screened on latest, alerted, screened on previous, alert scores on latest, on previous)
    assert counts(out["a"]) == (1, 1, 2, 1, 1)
    assert counts(out["b"]) == (2, 1, 1, 1, 0)
    assert out["a"]["alert_rate"]["reference_rate"] == 0.5


def test_the_time_windows_compare_all_lists_together_then_each_list():
    from monitoring.services.drift import compare_windows

    subjects, alerts, split = two_lists()
    out, _ = compare_windows(subjects, alerts, split=split, config=drift_config({"min_sample": 1}))
    assert list(out) == ["all lists", "a", "b"]
    # (screened recently, alerted, screened before, alert scores recently, before)
    assert counts(out["all lists"]) == (2, 2, 2, 2, 3)
    assert counts(out["a"]) == (1, 1, 2, 1, 2)
    assert counts(out["b"]) == (2, 1, 1, 1, 1)
