"""Celery tasks of matching releases: shadow evaluation of live screenings, and replays."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from screening.runtime import NoActiveLists


@shared_task(
    name="screening.release.shadow_evaluate",
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
    autoretry_for=(OperationalError, NoActiveLists),
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=5,
)
def shadow_evaluate_task(screening_ids: list[str]) -> dict[str, object]:
    """Evaluate the releases in shadow on these stored screenings; idempotent (one result per pair)."""
    from screening.services.releases import shadow_evaluate_screenings

    stored = shadow_evaluate_screenings(screening_ids=screening_ids)
    return {"screenings": len(screening_ids), "stored": stored}


@shared_task(name="screening.release.shadow_replay", acks_late=True, soft_time_limit=3300, time_limit=3600)
def shadow_replay_task(release_id: str, days: int, limit: int, actor_id: str | None = None) -> dict[str, object]:
    """Replay recent screenings under a release in shadow (the admin's "replay" action); idempotent."""
    from django.contrib.auth import get_user_model

    from screening.models import MatchingRelease
    from screening.services.releases import ReleaseError, release_shadow_replay

    release = MatchingRelease.objects.filter(pk=release_id).first()
    if release is None:
        return {"status": "missing"}
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        summary = release_shadow_replay(release=release, actor=actor, days=days, limit=limit)
    except ReleaseError as exc:
        return {"status": "refused", "reason": str(exc)}
    return {"status": "done", "considered": summary.considered, "evaluated": summary.evaluated}
