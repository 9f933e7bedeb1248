"""Monitoring reads: the customers the schedule considers and their risk levels."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Subquery

from monitoring.party_index import monitored_statuses


def monitoring_risk_levels() -> Iterator[tuple[Any, str | None, datetime]]:
    """(customer id, latest risk level or None, created at) of every monitored customer."""
    from kyc.models import Customer, RiskRating

    latest = RiskRating.objects.filter(case__customer=OuterRef("pk")).order_by("-created_at").values("level")[:1]
    rows = (
        Customer.objects.filter(status__in=monitored_statuses())
        .annotate(level=Subquery(latest))
        .values_list("pk", "level", "created_at")
    )
    yield from rows.iterator(chunk_size=5000)
