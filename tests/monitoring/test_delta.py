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
