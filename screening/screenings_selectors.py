"""Screening reads, scoped by the caller: an API client reaches only its own screenings and batches.

People (officers, analysts, auditors) read every screening; anything a caller may not see is a 404,
so that a client cannot learn that another tenant's screening exists.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from screening.models import BatchScreening, Screening, ScreeningMatch
from screening.services.screenings import requester_for


def _owner_filter(actor: Any) -> dict[str, str]:
    requester = requester_for(actor)
    return {"owner_key": requester.owner_key} if requester.api_client is not None else {}


def _uuid(value: Any) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise Http404("not found") from None


def screening_list(
    *, actor: Any, batch: BatchScreening | None = None, reference: str | None = None, outcome: str | None = None
) -> QuerySet[Screening]:
    """Screenings the caller may read, newest first (in line order for a batch), with their matches."""
    queryset = Screening.objects.filter(**_owner_filter(actor)).prefetch_related(
        Prefetch("matches", queryset=ScreeningMatch.objects.order_by("rank"))
    )
    if reference is not None:
        queryset = queryset.filter(reference=reference)
    if outcome is not None:
        queryset = queryset.filter(outcome=outcome)
    if batch is not None:
        return queryset.filter(batch=batch).order_by("batch_line")
    return queryset.order_by("-created_at")


def screening_get(*, actor: Any, screening_id: Any) -> Screening:
    """One screening the caller may read, or 404."""
    screening = screening_list(actor=actor).filter(pk=_uuid(screening_id)).first()
    if screening is None:
        raise Http404("no such screening")
    return screening


def match_get(*, actor: Any, screening_id: Any, match_id: Any) -> ScreeningMatch:
    """One match of a screening the caller may read, or 404."""
    screening = screening_get(actor=actor, screening_id=screening_id)
    match = ScreeningMatch.objects.filter(screening=screening, pk=_uuid(match_id)).select_related("screening").first()
    if match is None:
        raise Http404("no such match")
    return match


def batch_get(*, actor: Any, batch_id: Any) -> BatchScreening:
    """One batch the caller may read, or 404."""
    batch = BatchScreening.objects.filter(pk=_uuid(batch_id), **_owner_filter(actor)).first()
    if batch is None:
        raise Http404("no such batch")
    return batch


def batch_errors(*, batch: BatchScreening) -> list[dict[str, Any]]:
    """Every per-line error of a batch (refused at submission or while screening), in line order."""
    errors = list(batch.errors)
    for chunk_errors in batch.chunks.values_list("errors", flat=True):
        errors.extend(chunk_errors)
    return sorted(errors, key=lambda e: e["line"])
