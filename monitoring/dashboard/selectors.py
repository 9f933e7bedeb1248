"""Reads for the compliance dashboard: alert volumes, false positives, case ages, list freshness, latency.

Alerts come from two places: case hits (``kyc.ScreeningHit``, raised by onboarding and by ongoing
monitoring, dispositioned by officers as cleared or confirmed) and stored matches of API, batch and
command-line screenings (``screening.ScreeningMatch``, marked false positive by an officer with a
``FalsePositive`` row). The false-positive rate is cleared / reviewed, where a case hit is reviewed
once cleared or confirmed and an API match always is (the API has no "confirm" step): the same
definition the drift checks use (``monitoring.observations``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from monitoring.drift import Tally
from monitoring.models import DriftCheck


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _per_day(queryset: QuerySet, field: str, since: datetime) -> dict[date, int]:
    rows = (
        queryset.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return {day: n for day, n in rows}


def alerts_per_day(*, days: int = 30, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per day of the last ``days``: alerts raised, cleared as false positives, and confirmed."""
    from kyc.models import HitStatus, ScreeningHit
    from screening.models import FalsePositive, ScreeningMatch

    now = now or timezone.now()
    since = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    raised = defaultdict(int)
    for source in (
        _per_day(ScreeningHit.objects, "created_at", since),
        _per_day(ScreeningMatch.objects, "created_at", since),
    ):
        for day, n in source.items():
            raised[day] += n
    cleared = defaultdict(int)
    hits_cleared = _per_day(ScreeningHit.objects.filter(status=HitStatus.CLEARED), "decided_at", since)
    for source in (hits_cleared, _per_day(FalsePositive.objects, "created_at", since)):
        for day, n in source.items():
            cleared[day] += n
    confirmed = _per_day(ScreeningHit.objects.filter(status=HitStatus.CONFIRMED), "decided_at", since)
    return [
        {"day": day, "raised": raised[day], "cleared": cleared[day], "confirmed": confirmed.get(day, 0)}
        for day in _days(since.date(), now.date())
    ]


@dataclass
class ListAlerts:
    """Alerts of one list raised in the window, and where they stand now."""

    source: str
    case_hits: int = 0
    api_matches: int = 0
    case_cleared: int = 0
    api_cleared: int = 0
    confirmed: int = 0
    open: int = 0

    @property
    def raised(self) -> int:
        return self.case_hits + self.api_matches

    @property
    def cleared(self) -> int:
        return self.case_cleared + self.api_cleared

    @property
    def reviewed(self) -> int:
        return self.case_cleared + self.confirmed + self.api_matches

    @property
    def false_positive_rate(self) -> float | None:
        return Tally(n=self.reviewed, hits=self.cleared).rate  # the drift checks' definition


def alerts_per_list(*, days: int = 30, now: datetime | None = None) -> list[ListAlerts]:
    """Per list: alerts raised in the last ``days`` (case hits and API matches) and their dispositions."""
    from kyc.models import HitStatus, ScreeningHit
    from screening.models import ScreeningMatch

    since = (now or timezone.now()) - timedelta(days=days)
    rows: dict[str, ListAlerts] = {}

    def row(source: str) -> ListAlerts:
        return rows.setdefault(source, ListAlerts(source=source))

    hits = (
        ScreeningHit.objects.filter(created_at__gte=since)
        .values("source")
        .annotate(
            n=Count("pk"),
            cleared=Count("pk", filter=Q(status=HitStatus.CLEARED)),
            confirmed=Count("pk", filter=Q(status=HitStatus.CONFIRMED)),
        )
    )
    for item in hits:
        entry = row(item["source"])
        entry.case_hits += item["n"]
        entry.case_cleared += item["cleared"]
        entry.confirmed += item["confirmed"]
        entry.open += item["n"] - item["cleared"] - item["confirmed"]
    matches = (
        ScreeningMatch.objects.filter(created_at__gte=since)
        .values("source")
        .annotate(n=Count("pk", distinct=True), marked=Count("false_positives__pk", distinct=True))
    )
    for item in matches:
        entry = row(item["source"])
        entry.api_matches += item["n"]
        entry.api_cleared += item["marked"]
    return sorted(rows.values(), key=lambda r: (-r.raised, r.source))


def false_positive_summary(rows: Sequence[ListAlerts]) -> dict[str, Any]:
    """All lists together: cleared, confirmed, reviewed and the false-positive rate."""
    cleared = sum(r.cleared for r in rows)
    reviewed = sum(r.reviewed for r in rows)
    return {
        "raised": sum(r.raised for r in rows),
        "cleared": cleared,
        "confirmed": sum(r.confirmed for r in rows),
        "open": sum(r.open for r in rows),
        "reviewed": reviewed,
        "rate": Tally(n=reviewed, hits=cleared).rate,
    }


#: Age buckets of open cases, in multiples of the SLA: [from, to).
AGE_BUCKETS = ((0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1), (1, 2), (2, math.inf))


def open_cases_by_age(*, now: datetime | None = None) -> dict[str, Any]:
    """Open cases bucketed by age against the review SLA, and how many are past their SLA due time."""
    from kyc.models.cases import ACTIVE_STATUSES, Case
    from kyc.services.cases import review_sla

    now = now or timezone.now()
    sla = review_sla()
    hours = sla / timedelta(hours=1)
    counts = [0] * len(AGE_BUCKETS)
    open_count = overdue = 0
    for created_at, due in Case.objects.filter(status__in=ACTIVE_STATUSES).values_list("created_at", "sla_due_at"):
        open_count += 1
        overdue += 1 if due is not None and due < now else 0
        share = (now - created_at) / sla
        for i, (low, high) in enumerate(AGE_BUCKETS):
            if low <= share < high:
                counts[i] += 1
                break

    def label(low: float, high: float) -> str:
        if math.isinf(high):
            return f"over {low * hours:g} h"
        return f"{low * hours:g}–{high * hours:g} h"

    buckets = [
        {"label": label(low, high), "count": counts[i], "past_sla": low >= 1}
        for i, (low, high) in enumerate(AGE_BUCKETS)
    ]
    return {"sla_hours": hours, "open": open_count, "overdue": overdue, "buckets": buckets}


def list_freshness(*, now: datetime | None = None) -> list[dict[str, Any]]:
    """Each enabled list: its active version's age against its sync interval, and when it was last checked."""
    from screening.selectors import active_version, freshness, source_list

    now = now or timezone.now()
    out = []
    for source in source_list():
        version = active_version(source=source)
        if not source.enabled and version is None:
            continue
        fresh = freshness(source=source, version=version)
        checked = fresh.get("last_checked_at")
        out.append(
            {
                "source": source.code,
                "version": version.number if version else None,
                "entries": version.entry_count if version else 0,
                "age_hours": fresh["age_hours"],
                "interval_hours": round(source.sync_interval / timedelta(hours=1), 1),
                "checked_hours": round((now - checked) / timedelta(hours=1), 1) if checked else None,
                "stale": fresh["stale"],
            }
        )
    return out


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100) of an ascending sequence; None when empty."""
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


QUANTILES = (50, 95, 99)


def _latency_in_database(since: datetime) -> tuple[dict[date, dict[str, Any]], dict[str, Any]]:
    """PostgreSQL: per-day and overall percentiles computed by the server (``percentile_disc`` = nearest rank)."""
    from django.db import connection

    from screening.models import Screening

    table = connection.ops.quote_name(Screening._meta.db_table)
    columns = ", ".join(f"percentile_disc({q / 100}) WITHIN GROUP (ORDER BY duration_ms)" for q in QUANTILES)
    keys = [f"p{q}" for q in QUANTILES]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (created_at AT TIME ZONE %s)::date, count(*), {columns} FROM {table} "  # noqa: S608 - constants
            "WHERE created_at >= %s GROUP BY 1",
            [settings.TIME_ZONE, since],
        )
        days = {row[0]: {"n": row[1], **dict(zip(keys, row[2:], strict=True))} for row in cursor.fetchall()}
        cursor.execute(f"SELECT count(*), {columns} FROM {table} WHERE created_at >= %s", [since])  # noqa: S608
        row = cursor.fetchone()
    return days, {"n": row[0], **dict(zip(keys, row[1:], strict=True))}


def _latency_in_python(since: datetime) -> tuple[dict[date, dict[str, Any]], dict[str, Any]]:
    """Other databases (SQLite in embedded mode): the durations are read and sorted here."""
    from screening.models import Screening

    per_day: dict[date, list[float]] = defaultdict(list)
    for created_at, duration in Screening.objects.filter(created_at__gte=since).values_list(
        "created_at", "duration_ms"
    ):
        per_day[timezone.localdate(created_at)].append(duration)

    def summary(values: list[float]) -> dict[str, Any]:
        values.sort()
        return {"n": len(values), **{f"p{q}": percentile(values, q) for q in QUANTILES}}

    everything = [v for values in per_day.values() for v in values]
    return {day: summary(values) for day, values in per_day.items()}, summary(everything)


def screening_latency(*, days: int = 14, now: datetime | None = None) -> dict[str, Any]:
    """p50, p95 and p99 of stored screening durations (engine time plus lookups), per day and overall."""
    from django.db import connection

    now = now or timezone.now()
    since = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    read = _latency_in_database if connection.vendor == "postgresql" else _latency_in_python
    per_day, overall = read(since)
    empty = {"n": 0, **{f"p{q}": None for q in QUANTILES}}
    return {
        "days": [{"day": day, **per_day.get(day, empty)} for day in _days(since.date(), now.date())],
        "overall": overall,
    }


def latest_drift_check() -> DriftCheck | None:
    """The most recent drift and bias check, if any has run."""
    return DriftCheck.objects.select_related("requested_by").order_by("-created_at").first()
