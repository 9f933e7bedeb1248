"""Delta rescreening: a new list version is screened against every monitored party, and only what changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.monitoring.conftest import BASELINE, SOURCE, entry

pytestmark = pytest.mark.django_db


def hits_for(customer: Any, entity: str) -> list[Any]:
    from kyc.models import ScreeningHit

    return list(ScreeningHit.objects.filter(party__customer=customer, entity=entity))


def delta_job(version: Any) -> Any:
    from monitoring.models import MonitoringJob

    return MonitoringJob.objects.get(key=f"delta:{version.pk}")


def test_a_new_list_version_listing_a_customer_raises_exactly_one_alert(lists, onboard, webhook_endpoint):
    from kyc.models import WebhookDelivery

    lists.activate(BASELINE)
    listed = onboard("Radomir", "Vasquez-Lindqvist", birth_date="1970-03-04")
    bystander = onboard("Alice", "Johnson", birth_date="1985-02-17")
    assert hits_for(listed, f"{SOURCE}:mon-radomir") == []

    version = lists.activate([*BASELINE, entry("mon-radomir", "Radomir Vasquez-Lindqvist", birthDate=["1970-03-04"])])

    job = delta_job(version)
    assert job.status == "completed"
    assert (job.entries_screened, job.alerts_raised) == (1, 1)
    [hit] = hits_for(listed, f"{SOURCE}:mon-radomir")
    assert hit.status == "pending" and hit.kind == "sanction"
    assert hit.case.status == "review"
    assert hits_for(bystander, f"{SOURCE}:mon-radomir") == []
    deliveries = WebhookDelivery.objects.filter(event_type="customer.alert_raised", payload__data__hit_id=str(hit.pk))
    assert deliveries.count() == 1
    assert deliveries.get().payload["data"]["customer_id"] == str(listed.pk)


def _clear(hit: Any, make_user: Any) -> Any:
    from kyc.services.review import hit_clear

    officer = make_user("officer")
    return hit_clear(hit=hit, rationale="Different person: other birth year.", actor=officer, step_up_verified=True)


def test_a_changed_entry_re_alerts_a_previously_cleared_pair(lists, onboard, make_user):
    pep = entry("mon-yara", "Yara Okonkwo-Delacroix", topics=("role.pep",))
    lists.activate([*BASELINE, pep])
    customer = onboard("Yara", "Okonkwo-Delacroix")
    [hit] = hits_for(customer, f"{SOURCE}:mon-yara")  # raised at onboarding
    cleared = _clear(hit, make_user)
    assert cleared.status == "cleared"

    # Another entry changes: the cleared pair stays cleared.
    version = lists.activate([*BASELINE[:2], entry("mon-tarkhov", "Innokenty Tarkhovich", topics=("crime",)), pep])
    assert delta_job(version).alerts_raised == 0
    [hit] = hits_for(customer, f"{SOURCE}:mon-yara")
    assert hit.status == "cleared"

    # The cleared entry itself changes: the officer has to look again.
    changed = entry("mon-yara", "Yara Okonkwo-Delacroix", topics=("role.pep",), position=["Minister of Finance"])
    version = lists.activate([*BASELINE, changed])
    job = delta_job(version)
    assert (job.entries_screened, job.alerts_raised) == (2, 1)
    [hit] = hits_for(customer, f"{SOURCE}:mon-yara")
    assert hit.status == "pending"
    assert hit.content_hash != cleared.content_hash
    assert hit.case.notes.filter(text__contains="has changed").exists()


def test_an_open_alert_is_updated_not_duplicated_when_its_entry_changes(lists, onboard):
    lists.activate([*BASELINE, entry("mon-zeno", "Zenobia Harkavy-Munteanu")])
    customer = onboard("Zenobia", "Harkavy-Munteanu")
    [before] = hits_for(customer, f"{SOURCE}:mon-zeno")
    version = lists.activate([*BASELINE, entry("mon-zeno", "Zenobia Harkavy-Munteanu", country=["ro"])])
    job = delta_job(version)
    assert (job.alerts_raised, job.alerts_updated) == (0, 1)
    [after] = hits_for(customer, f"{SOURCE}:mon-zeno")
    assert after.pk == before.pk and after.status == "pending"
    assert after.content_hash != before.content_hash


def test_a_removed_entry_annotates_its_open_alert(lists, onboard):
    lists.activate([*BASELINE, entry("mon-lucan", "Lucan Abernathy-Szabo")])
    customer = onboard("Lucan", "Abernathy-Szabo")
    [hit] = hits_for(customer, f"{SOURCE}:mon-lucan")
    assert hit.status == "pending"

    version = lists.activate(BASELINE)

    job = delta_job(version)
    assert job.status == "completed" and job.annotations == 1
    note = hit.case.notes.get(text__contains="was removed")
    assert f"{SOURCE}:mon-lucan" in note.text and f"version {version.number}" in note.text
    hit.refresh_from_db()
    assert hit.status == "pending"  # an officer closes it; monitoring only says why it can be


def test_the_same_list_version_processed_twice_changes_nothing(lists, onboard):
    from kyc.models import CaseNote, ScreeningHit, WebhookDelivery
    from monitoring.services.jobs import delta_job_create, job_rerun
    from screening.services.watchlists import diff_versions

    lists.activate(BASELINE)
    onboard("Radomir", "Vasquez-Lindqvist")
    version = lists.activate([entry("mon-radomir", "Radomir Vasquez-Lindqvist"), *BASELINE[1:]])
    first = delta_job(version)
    assert (first.alerts_raised, first.annotations) == (1, 0)
    state = (ScreeningHit.objects.count(), CaseNote.objects.count(), WebhookDelivery.objects.count())

    again = delta_job_create(version=version, diff=diff_versions(version.previous, version), actor=None)
    assert again.pk == first.pk
    with lists.capture(execute=True):
        rerun = job_rerun(job=first, actor=None)
    rerun.refresh_from_db()
    assert rerun.status == "completed"
    assert (rerun.entries_screened, rerun.alerts_raised, rerun.alerts_updated) == (1, 0, 0)
    assert (ScreeningHit.objects.count(), CaseNote.objects.count(), WebhookDelivery.objects.count()) == state


def test_a_customer_added_after_the_party_index_was_built_is_matched(lists, onboard):
    from monitoring.party_index import holder

    lists.activate(BASELINE)
    onboard("Alice", "Johnson")
    lists.activate([*BASELINE, entry("mon-one", "Alice Johnson-Whitcombe")])  # builds the base index
    base = holder.peek()
    assert base is not None

    latecomer = onboard("Ferdinand", "Quesnel-Abramowicz")
    version = lists.activate([*BASELINE, entry("mon-late", "Ferdinand Quesnel-Abramowicz")])

    assert holder.peek().base is base.base  # not rebuilt: the new party came through the delta index
    assert str(latecomer.subject.pk) in holder.peek().delta_ids
    assert delta_job(version).alerts_raised == 1
    assert len(hits_for(latecomer, f"{SOURCE}:mon-late")) == 1


def test_a_rejected_customer_is_not_monitored(lists, onboard):
    from kyc.models import Customer

    lists.activate(BASELINE)
    customer = onboard("Radomir", "Vasquez-Lindqvist")
    Customer.objects.filter(pk=customer.pk).update(status="rejected")
    version = lists.activate([*BASELINE, entry("mon-radomir", "Radomir Vasquez-Lindqvist")])
    assert delta_job(version).alerts_raised == 0


def test_a_delta_job_counts_the_entries_it_screened_not_those_it_removed_from_one_read_of_its_chunks(lists, onboard):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from monitoring.services.jobs import job_settle

    lists.activate([*BASELINE, entry("mon-lucan", "Lucan Abernathy-Szabo")])
    onboard("Lucan", "Abernathy-Szabo")
    version = lists.activate([*BASELINE, entry("mon-zeno", "Zenobia Harkavy-Munteanu")])  # one added, one removed
    job = delta_job(version)
    assert job.chunks.count() == 2 and (job.entries_screened, job.annotations) == (1, 1)

    with CaptureQueriesContext(connection) as queries:
        settled = job_settle(job_id=job.pk)
    assert settled.entries_screened == 1
    assert sum("monitoring_monitoringchunk" in q["sql"] for q in queries.captured_queries) == 1
