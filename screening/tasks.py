"""Celery tasks: sync watchlist sources on their own schedules (beat runs ``sync_due`` every 15 minutes)."""

from __future__ import annotations

from celery import Task, shared_task

from screening.models import Source
from screening.services import sync as sync_services


@shared_task(
    bind=True,
    name="screening.watchlists.sync_due",
    acks_late=True,
    soft_time_limit=120,
    time_limit=180,
)
def sync_due(self: Task) -> list[str]:
    """Queue a sync for every enabled source whose interval has elapsed; returns their codes."""
    # The per-source syncs go to the queue this task came from (a deployment may route
    # watchlist work to its own queue); eager calls have no delivery info and use the default.
    queue = (self.request.delivery_info or {}).get("routing_key") or None
    codes = [source.code for source in sync_services.sources_due()]
    for code in codes:
        sync_source.apply_async((code,), queue=queue)
    return codes


@shared_task(
    name="screening.watchlists.sync_source",
    acks_late=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def sync_source(code: str) -> str:
    """Sync one source (idempotent: identical content creates no version); returns the outcome."""
    source = Source.objects.filter(code=code, enabled=True).first()
    if source is None:
        return "skipped"
    return sync_services.source_sync(source=source, actor=None).outcome
