"""Scheduled full rescreening by risk, and operating jobs: pause, resume, re-run, retries that give up, the admin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.monitoring.conftest import BASELINE, SOURCE, entry

pytestmark = pytest.mark.django_db


def rate(customer: Any, level: str) -> None:
    """Give a customer's latest case a newer rating at ``level`` (as a re-rating would)."""
    from kyc.models import RiskRating

    RiskRating.objects.create(
        case=customer.cases.latest("created_at"), rules="test", rules_version="1", score=0, level=level, reasons=[]
    )


def test_customers_are_due_for_a_full_rescreen_by_their_risk_level(lists, onboard, settings):
    from monitoring.models import CustomerMonitoring
    from monitoring.services.jobs import customers_due

    settings.TILLIT_MONITORING_INTERVALS = {"high": 30, "low": 365}
    lists.activate(BASELINE)
    risky, calm, fresh = onboard("Ana", "Risky"), onboard("Bo", "Calm"), onboard("Cy", "Fresh")
    rate(risky, "high")
    rate(calm, "low")
    rate(fresh, "high")
    CustomerMonitoring.objects.create(customer=fresh, last_full_screen_at=timezone.now() + timedelta(days=20))

    due = customers_due(now=timezone.now() + timedelta(days=40))

    assert due == {"high": [str(risky.pk)]}
    later = customers_due(now=timezone.now() + timedelta(days=400))
    assert sorted(later["high"]) == sorted([str(risky.pk), str(fresh.pk)]) and later["low"] == [str(calm.pk)]


def test_a_scheduled_full_rescreen_alerts_what_no_delta_saw_and_records_when_each_customer_was_screened(
    lists, onboard, settings
):
    from kyc.models import ScreeningHit
    from monitoring.models import CustomerMonitoring, MonitoringJob
    from monitoring.services.jobs import full_jobs_schedule

    settings.TILLIT_MONITORING_FULL_CHUNK_SIZE = 1
    lists.activate(BASELINE)
    customers = [onboard("Radomir", "Vasquez-Lindqvist"), onboard("Alice", "Johnson")]
    settings.TILLIT_MONITORING_ENABLED = False  # this list update is missed by delta monitoring
    missed = lists.activate([*BASELINE, entry("mon-radomir", "Radomir Vasquez-Lindqvist")])
    assert not MonitoringJob.objects.filter(list_version=missed).exists()
    settings.TILLIT_MONITORING_ENABLED = True

    when = timezone.now() + timedelta(days=400)
    with lists.capture(execute=True):
        job = full_jobs_schedule(now=when)
    job.refresh_from_db()

    assert (job.kind, job.status, job.chunk_count) == ("full", "completed", 2)
    assert (job.parties_screened, job.alerts_raised) == (2, 1)
    assert ScreeningHit.objects.filter(party__customer=customers[0], entity=f"{SOURCE}:mon-radomir").count() == 1
    screened = dict(CustomerMonitoring.objects.values_list("customer_id", "last_job_id"))
    assert screened == {customers[0].pk: job.pk, customers[1].pk: job.pk}
    assert full_jobs_schedule(now=when) == job  # the beat firing twice in an hour starts one job
    assert full_jobs_schedule(now=timezone.now() + timedelta(days=1)) is None  # nobody is due for a while


def test_a_paused_job_hands_out_no_chunks_until_it_is_resumed(lists, onboard, make_user):
    from monitoring.models import MonitoringChunk
    from monitoring.services.jobs import full_job_create, job_pause, job_resume
    from monitoring.tasks import chunk_run, dispatch_pending_chunks

    lists.activate([*BASELINE, entry("mon-radomir", "Radomir Vasquez-Lindqvist")])
    customer = onboard("Radomir", "Vasquez-Lindqvist")
    operator = make_user("senior_officer")
    job = full_job_create(customer_ids=[customer.pk], actor=operator, key="full:test")  # not dispatched yet
    job = job_pause(job=job, actor=operator)
    chunk = MonitoringChunk.objects.get(job=job)

    assert dispatch_pending_chunks(str(job.pk)) == 0
    assert chunk_run(str(chunk.pk)) == "job paused"
    chunk.refresh_from_db()
    assert (chunk.status, chunk.attempts) == ("pending", 0)

    with lists.capture(execute=True):
        job_resume(job=job, actor=operator)
    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.parties_screened) == ("completed", 1, 1)


def test_a_chunk_that_keeps_failing_is_retried_then_surfaces_on_a_failed_job_that_resume_retries(
    lists, onboard, settings
):
    from kyc.models import Customer
    from monitoring.services.jobs import full_job_create, job_resume
    from tests.kyc.conftest import load_watchlist

    settings.TILLIT_MONITORING_CHUNK_RETRIES = 2
    customer = Customer.objects.get(pk=onboard("Viktor", "Zarenko").pk)  # no list active: onboarding can't screen
    with lists.capture(execute=True):
        job = full_job_create(customer_ids=[customer.pk], actor=None)
    job.refresh_from_db()
    chunk = job.chunks.get()

    assert job.status == "failed" and job.chunks_failed == 1
    assert "ScreeningUnavailable" in job.error and "ScreeningUnavailable" in chunk.error
    assert chunk.attempts == 3  # the first try and two retries

    from screening.runtime import runtime

    load_watchlist()  # the lists are back (imported without the signal, so no delta job raises the alert)
    runtime.expire()  # what the activation signal does in a process that hears it
    with lists.capture(execute=True):
        job_resume(job=job, actor=None)
    job.refresh_from_db()
    assert (job.status, job.chunks_failed, job.chunks_done, job.error) == ("completed", 0, 1, "")
    assert job.alerts_raised == 1


def test_a_job_that_has_not_finished_cannot_be_re_run(lists, onboard):
    from monitoring.services.jobs import JobStateError, full_job_create, job_rerun

    lists.activate(BASELINE)
    customer = onboard("Alice", "Johnson")
    job = full_job_create(customer_ids=[customer.pk], actor=None, key="full:pending")
    with pytest.raises(JobStateError):
        job_rerun(job=job, actor=None)


def test_the_admin_shows_jobs_with_progress_duration_entries_screened_and_alerts(lists, onboard, make_user, login_api):
    from monitoring.models import MonitoringJob

    lists.activate(BASELINE)
    onboard("Radomir", "Vasquez-Lindqvist")
    version = lists.activate([*BASELINE, entry("mon-radomir", "Radomir Vasquez-Lindqvist")])
    job = MonitoringJob.objects.get(list_version=version)

    jobs_before = MonitoringJob.objects.count()
    officer = login_api(make_user("officer"))
    page = officer.get("/admin/monitoring/monitoringjob/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{SOURCE} v{version.number}" in html and "100% (1 of 1 chunks)" in html
    detail = officer.get(f"/admin/monitoring/monitoringjob/{job.pk}/change/").content.decode()
    assert "Entries screened" in detail and "Alerts raised" in detail and "Duration" in detail

    # Officers read; only senior officers and administrators operate jobs.
    officer.post(
        "/admin/monitoring/monitoringjob/",
        {"action": "rerun", "index": 0, "_selected_action": [str(job.pk)]},
        format="multipart",
    )
    assert "does not allow" in officer.get("/admin/monitoring/monitoringjob/").content.decode()
    assert MonitoringJob.objects.count() == jobs_before
    senior = login_api(make_user("senior_officer"))
    senior.post(
        "/admin/monitoring/monitoringjob/",
        {"action": "rerun", "index": 0, "_selected_action": [str(job.pk)]},
        format="multipart",
    )
    assert MonitoringJob.objects.filter(rerun_of=job).count() == 1


def test_a_list_version_whose_delta_job_was_missed_is_caught_up_by_the_safety_net(lists, onboard):
    from kyc.models import ScreeningHit
    from monitoring.models import MonitoringJob
    from monitoring.tasks import resume_stalled

    lists.activate(BASELINE)
    customer = onboard("Radomir", "Vasquez-Lindqvist")
    missed = lists.activate([*BASELINE, entry("mon-radomir", "Radomir Vasquez-Lindqvist")], run_callbacks=False)
    assert not MonitoringJob.objects.filter(list_version=missed).exists()

    with lists.capture(execute=True):
        resume_stalled()

    job = MonitoringJob.objects.get(list_version=missed)
    assert (job.status, job.entries_screened, job.alerts_raised) == ("completed", 1, 1)
    assert ScreeningHit.objects.filter(party__customer=customer, entity=f"{SOURCE}:mon-radomir").count() == 1


def test_a_job_where_nothing_has_moved_for_a_while_has_its_chunks_sent_again(lists, onboard):
    import time_machine

    from monitoring.models import MonitoringJob
    from monitoring.services.jobs import full_job_create, pending_chunk_ids
    from monitoring.tasks import resume_stalled

    lists.activate([*BASELINE, entry("mon-radomir", "Radomir Vasquez-Lindqvist")])
    customer = onboard("Radomir", "Vasquez-Lindqvist")
    job = full_job_create(customer_ids=[customer.pk], actor=None, key="full:lost")
    pending_chunk_ids(job_id=job.pk)  # dispatched, but the message was lost: the job is running, nothing moves
    with lists.capture(execute=True):
        assert resume_stalled() == 0  # moving recently: left alone
    assert MonitoringJob.objects.get(pk=job.pk).status == "running"

    with time_machine.travel(timezone.now() + timedelta(minutes=20), tick=False), lists.capture(execute=True):
        assert resume_stalled() == 1
    job.refresh_from_db()
    assert (job.status, job.parties_screened, job.alerts_raised) == ("completed", 1, 0)


def test_a_late_message_for_a_deleted_job_does_nothing(lists, onboard):
    from monitoring.models import MonitoringChunk
    from monitoring.services.jobs import full_job_create
    from monitoring.tasks import chunk_run

    lists.activate(BASELINE)
    job = full_job_create(customer_ids=[onboard("Alice", "Johnson").pk], actor=None, key="full:deleted")
    chunk_id = str(MonitoringChunk.objects.get(job=job).pk)
    job.delete()
    assert chunk_run(chunk_id) == "gone"
