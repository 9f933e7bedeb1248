"""The dashboard's figures: alerts per day and list, case ages against the SLA, list freshness, latency percentiles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from monitoring.dashboard import selectors
from tests.monitoring.drift_support import make_versions, screen

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(tenant: Any) -> Any:
    from kyc.models import Customer

    def make() -> Any:
        return Customer.objects.create(client=tenant, kind="individual")

    return make


def open_case(customer: Any, *, age: timedelta, status: str = "review", overdue: bool = False) -> Any:
    from kyc.models import Case

    now = timezone.now()
    case = Case.objects.create(
        customer=customer, status=status, sla_due_at=now - timedelta(hours=1) if overdue else now + timedelta(hours=1)
    )
    Case.objects.filter(pk=case.pk).update(created_at=now - age)
    return case


def test_open_cases_are_bucketed_by_age_against_the_review_sla(customer, settings):
    settings.TILLIT_KYC_REVIEW_SLA = timedelta(hours=48)
    open_case(customer(), age=timedelta(hours=2))
    open_case(customer(), age=timedelta(hours=11, minutes=59))
    open_case(customer(), age=timedelta(hours=30))
    open_case(customer(), age=timedelta(hours=50), overdue=True)
    open_case(customer(), age=timedelta(days=10), overdue=True, status="escalated")
    open_case(customer(), age=timedelta(days=10), status="approved")  # closed: not counted

    ages = selectors.open_cases_by_age()

    assert ages["sla_hours"] == 48 and ages["open"] == 5 and ages["overdue"] == 2
    assert [(b["label"], b["count"], b["past_sla"]) for b in ages["buckets"]] == [
        ("0–12 h", 2, False),
        ("12–24 h", 0, False),
        ("24–36 h", 1, False),
        ("36–48 h", 0, False),
        ("48–96 h", 1, True),
        ("over 96 h", 1, True),
    ]


def test_a_list_not_checked_for_two_sync_intervals_is_stale():
    from screening.models import ListVersion, Source

    now = timezone.now()
    fresh = Source.objects.create(code="custom_fresh", name="fresh", format="ftm-json", last_sync_at=now)
    old = Source.objects.create(
        code="custom_old", name="old", format="ftm-json", sync_interval=timedelta(hours=6), last_sync_at=now
    )
    ListVersion.objects.create(source=fresh, number=1, status="active", imported_at=now - timedelta(hours=30))
    ListVersion.objects.create(source=old, number=3, status="active", imported_at=now - timedelta(hours=13))
    Source.objects.filter(pk=old.pk).update(last_sync_at=now - timedelta(hours=13))
    Source.objects.create(code="custom_never", name="never", format="ftm-json")

    rows = {row["source"]: row for row in selectors.list_freshness(now=now)}

    # A version 30 h old that syncs keep confirming is not stale; one not checked for 13 h (> 2 x 6 h) is.
    assert (rows["custom_fresh"]["age_hours"], rows["custom_fresh"]["stale"]) == (30.0, False)
    assert (rows["custom_old"]["version"], rows["custom_old"]["checked_hours"], rows["custom_old"]["stale"]) == (
        3,
        13.0,
        True,
    )
    assert rows["custom_never"]["version"] is None and rows["custom_never"]["stale"]


@pytest.mark.parametrize(("q", "expected"), [(50, 50), (95, 95), (99, 99), (100, 100), (1, 1), (0, 1)])
def test_percentiles_use_the_nearest_rank(q, expected):
    assert selectors.percentile([float(v) for v in range(1, 101)], q) == expected


def test_a_percentile_of_nothing_is_none():
    assert selectors.percentile([], 50) is None


def test_screening_latency_comes_from_stored_durations_per_day():
    from screening.models import Screening

    now = timezone.now()
    [version] = make_versions("custom_latency", 1)
    made = screen(20, versions={"custom_latency": version})  # durations 1..20 ms
    Screening.objects.filter(pk__in=[s.pk for s in made[:10]]).update(created_at=now - timedelta(days=1))

    latency = selectors.screening_latency(days=3, now=now)

    by_day = {row["day"]: row for row in latency["days"]}
    yesterday, today = by_day[(now - timedelta(days=1)).date()], by_day[now.date()]
    assert (yesterday["n"], yesterday["p50"], yesterday["p95"], yesterday["p99"]) == (10, 5.0, 10.0, 10.0)
    assert (today["n"], today["p50"]) == (10, 15.0)
    assert latency["overall"] == {"n": 20, "p50": 10.0, "p95": 19.0, "p99": 20.0}
    assert len(latency["days"]) == 3 and latency["days"][0]["n"] == 0


def test_alerts_are_counted_on_the_day_raised_and_on_the_day_cleared(make_user):
    from screening.models import FalsePositive

    [version] = make_versions("custom_days", 1)
    now = timezone.now()
    screen(
        3,
        versions={"custom_days": version},
        scores=[0.9, 0.9, 0.9],
        false_positive=[True, False, False],
        marked_by=make_user("officer"),
        at=now - timedelta(days=2),
    )
    FalsePositive.objects.update(created_at=now - timedelta(days=1))

    rows = {row["day"]: row for row in selectors.alerts_per_day(days=7, now=now)}

    assert len(rows) == 7
    two_days_ago, yesterday = (now - timedelta(days=2)).date(), (now - timedelta(days=1)).date()
    assert (rows[two_days_ago]["raised"], rows[two_days_ago]["cleared"]) == (3, 0)
    assert (rows[yesterday]["raised"], rows[yesterday]["cleared"]) == (0, 1)
    [row] = selectors.alerts_per_list(days=7, now=now)
    assert (row.source, row.api_matches, row.cleared, row.reviewed, row.false_positive_rate) == (
        "custom_days",
        3,
        1,
        3,
        pytest.approx(1 / 3),
    )
