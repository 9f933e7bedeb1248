"""The release admin: administrators record releases and run them in shadow; promotion and rollback need a step-up."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.stepup import CODE_FIELD
from audit.models import AuditEvent
from screening.models import MatchingRelease, ReleaseStatus
from screening.services import releases as services
from tests.mfa import mark_mfa_verified
from tests.screening import screenings_support as support

fresh_runtime = support.fresh_runtime
sample_lists = support.sample_lists

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/screening/matchingrelease/"


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)
    mark_mfa_verified(client, user)
    return client


def action(name: str, release: MatchingRelease, **extra: str) -> dict[str, object]:
    return {"action": name, "_selected_action": [str(release.pk)], "index": "0", "reason": "", **extra}


@pytest.fixture
def administrator(make_user, totp):
    user = make_user("administrator")
    user.seed = totp.enrol(user)
    return user


@pytest.fixture
def candidate(settings) -> MatchingRelease:
    settings.TILLIT_RELEASE_MIN_SHADOW_SCREENINGS = 0
    release = services.release_create(actor=None, label="strict UN", thresholds={"by_source": {"demo_un": 0.99}})
    return services.release_shadow_start(release=release, actor=None)


def test_an_administrator_promotes_only_after_a_step_up_and_the_promotion_is_audited(administrator, totp, candidate):
    client = login(administrator)
    prompt = client.post(CHANGELIST, action("promote", candidate))
    assert prompt.status_code == 200
    assert CODE_FIELD.encode() in prompt.content  # the step-up prompt; nothing promoted yet
    candidate.refresh_from_db()
    assert candidate.status == ReleaseStatus.SHADOW
    refused = AuditEvent.objects.get(action="accounts.step_up.refused")
    assert refused.payload["step_up_action"] == "screening.release.promote"

    done = client.post(
        CHANGELIST, {**action("promote", candidate), CODE_FIELD: totp.fresh(administrator, administrator.seed)}
    )
    assert done.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == ReleaseStatus.LIVE
    event = AuditEvent.objects.get(action="screening.release.promoted")
    assert event.actor_id == str(administrator.pk)
    assert event.payload["release_id"] == str(candidate.pk)


def test_a_senior_officer_reads_releases_but_cannot_promote_or_roll_back(make_user, totp, candidate):
    senior = make_user("senior_officer")
    seed = totp.enrol(senior)
    client = login(senior)
    assert client.get(CHANGELIST).status_code == 200
    page = client.get(f"{CHANGELIST}{candidate.pk}/change/")
    assert page.status_code == 200
    assert b"Comparison with live" in page.content
    # Even with a valid second factor and a reason, the role is refused.
    for name in ("promote", "promote_forced"):
        client.post(CHANGELIST, action(name, candidate, reason="why not", **{CODE_FIELD: totp.fresh(senior, seed)}))
    candidate.refresh_from_db()
    assert candidate.status == ReleaseStatus.SHADOW
    assert not AuditEvent.objects.filter(action__in=["screening.release.promoted", "screening.release.rolled_back"])
    live = services.release_promote(release=candidate, actor=None)  # now there is a release to roll back to
    client.post(CHANGELIST, action("rollback", live, reason="why not", **{CODE_FIELD: totp.fresh(senior, seed)}))
    live.refresh_from_db()
    assert live.status == ReleaseStatus.LIVE
    assert not AuditEvent.objects.filter(action="screening.release.rolled_back")


def test_an_officer_cannot_even_see_releases(make_user, candidate):
    officer = make_user("officer")
    officer.is_superuser = True  # model permissions do not open a business action
    officer.save()
    client = login(officer)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{candidate.pk}/report.json").status_code == 403


def test_a_rollback_needs_a_step_up_and_a_reason_and_is_audited(administrator, totp, candidate):
    initial = services.release_promote(release=candidate, actor=None).previous
    client = login(administrator)
    assert (
        CODE_FIELD.encode() in client.post(CHANGELIST, action("rollback", candidate, reason="lost UN alerts")).content
    )
    candidate.refresh_from_db()
    assert candidate.status == ReleaseStatus.LIVE

    code = totp.fresh(administrator, administrator.seed)
    client.post(CHANGELIST, {**action("rollback", candidate), CODE_FIELD: code})  # granted, but no reason
    candidate.refresh_from_db()
    assert candidate.status == ReleaseStatus.LIVE

    client.post(CHANGELIST, action("rollback", candidate, reason="lost UN alerts"))  # the grant holds 5 minutes
    candidate.refresh_from_db()
    initial.refresh_from_db()
    assert (candidate.status, initial.status) == (ReleaseStatus.RETIRED, ReleaseStatus.LIVE)
    event = AuditEvent.objects.get(action="screening.release.rolled_back")
    assert event.payload["reason"] == "lost UN alerts"


def test_an_administrator_records_a_draft_release_in_the_admin_without_a_step_up(administrator):
    client = login(administrator)
    form = client.get(f"{CHANGELIST}add/")
    assert form.status_code == 200
    assert b"algorithm_key" in form.content
    from screening.engine import ALGORITHM_NAME, ALGORITHM_VERSION

    response = client.post(
        f"{CHANGELIST}add/",
        {
            "label": "OFAC at 0.80",
            "algorithm_key": f"{ALGORITHM_NAME}|{ALGORITHM_VERSION}",
            "thresholds": '{"default": 0.825, "by_source": {"ofac": 0.8}}',
            "notes": "more OFAC recall",
        },
    )
    assert response.status_code == 302
    release = MatchingRelease.objects.get(label="OFAC at 0.80")
    assert release.status == ReleaseStatus.DRAFT
    assert release.thresholds["by_source"] == {"ofac": 0.8}
    assert release.created_by == administrator
    assert AuditEvent.objects.filter(action="screening.release.created", payload__label="OFAC at 0.80").exists()

    client.post(CHANGELIST, action("start_shadow", release))
    release.refresh_from_db()
    assert release.status == ReleaseStatus.SHADOW


def test_the_release_page_and_its_json_show_the_comparison_report(administrator, sample_lists, candidate):
    from screening.services import screenings as screening_services

    screening_services.screening_run(actor=None, subject=screening_services.parse_subject({"name": "Ivan Obraztsov"}))
    services.release_shadow_replay(release=candidate, actor=None, days=1, limit=10)
    client = login(administrator)
    page = client.get(f"{CHANGELIST}{candidate.pk}/change/")
    assert b"By list" in page.content and b"demo_un:KPi.901" in page.content
    report = client.get(f"{CHANGELIST}{candidate.pk}/report.json").json()
    assert report["totals"]["lost"] == 1
    assert report["by_source"]["demo_un"]["lost"] == 1


def test_the_replay_action_queues_a_replay_of_recent_screenings(
    administrator, sample_lists, candidate, django_capture_on_commit_callbacks
):
    from screening.models import ShadowResult
    from screening.services import screenings as screening_services

    screening_services.screening_run(actor=None, subject=screening_services.parse_subject({"name": "Ivan Obraztsov"}))
    client = login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, action("replay_recent", candidate, days="2", limit="50"))
    assert response.status_code == 302
    assert ShadowResult.objects.filter(release=candidate, origin="replay").count() == 1
    event = AuditEvent.objects.get(action="screening.release.replayed")
    assert (event.payload["days"], event.payload["limit"], event.actor_id) == (2, 50, str(administrator.pk))


def test_the_add_form_refuses_thresholds_out_of_range_with_a_field_error(administrator):
    from screening.engine import ALGORITHM_NAME, ALGORITHM_VERSION

    response = login(administrator).post(
        f"{CHANGELIST}add/",
        {"label": "bad", "algorithm_key": f"{ALGORITHM_NAME}|{ALGORITHM_VERSION}", "thresholds": '{"default": 2}'},
    )
    assert response.status_code == 200
    assert "outside [0, 1]" in response.content.decode()
    assert not MatchingRelease.objects.filter(label="bad").exists()


def test_a_screening_page_names_the_release_that_produced_it(make_user, sample_lists, candidate):
    from screening.services import screenings as screening_services

    services.release_promote(release=candidate, actor=None)
    screening = screening_services.screening_run(
        actor=None, subject=screening_services.parse_subject({"name": "Ivan Obraztsov"})
    )
    page = login(make_user("senior_officer")).get(f"/admin/screening/screening/{screening.pk}/change/")
    assert page.status_code == 200
    assert "strict UN" in page.content.decode()
