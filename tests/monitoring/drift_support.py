"""Stored screenings with chosen scores, countries, names and dates, for the drift and dashboard tests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone


def make_versions(code: str, count: int) -> list[Any]:
    """A source with ``count`` versions, the last one active."""
    from screening.models import ListVersion, Source

    source = Source.objects.create(code=code, name=code, format="ftm-json")
    return [
        ListVersion.objects.create(
            source=source,
            number=number,
            status="active" if number == count else "superseded",
            imported_at=timezone.now(),
        )
        for number in range(1, count + 1)
    ]


def screen(
    count: int,
    *,
    versions: dict[str, Any],
    scores: Sequence[float | None] = (),
    countries: tuple[str, ...] = ("gb",),
    name: str = "Alex Example",
    at: datetime | None = None,
    false_positive: Sequence[bool] = (),
    marked_by: Any = None,
) -> list[Any]:
    """``count`` stored screenings on ``versions``; screening i has one match of score ``scores[i]`` (None: clear)."""
    from screening.models import FalsePositive, Screening, ScreeningMatch

    record = {code: {"id": str(v.pk), "number": v.number} for code, v in versions.items()}
    source = next(iter(versions))
    made = []
    for i in range(count):
        score = scores[i] if i < len(scores) else None
        screening = Screening.objects.create(
            owner_key="staff",
            channel="api",
            subject_key=uuid.uuid4().hex,
            name=name,
            schema="Person",
            countries=list(countries),
            thresholds={},
            list_versions=record,
            algorithm="tillit-match",
            algorithm_version="test",
            outcome="clear" if score is None else "potential_match",
            match_count=0 if score is None else 1,
            duration_ms=1.0 + i,
        )
        if score is not None:
            match = ScreeningMatch.objects.create(
                screening=screening,
                rank=1,
                entity=f"{source}:e{i}",
                source=source,
                listed_name="Listed Example",
                schema="Person",
                score=score,
                threshold=0.8,
                explanation={},
                content_hash="c" * 64,
            )
            if i < len(false_positive) and false_positive[i]:
                FalsePositive.objects.create(
                    owner_key="staff",
                    subject_key=screening.subject_key,
                    entity=match.entity,
                    content_hash=match.content_hash,
                    screening=screening,
                    match=match,
                    marked_by=marked_by,
                    reason="different_person",
                )
        made.append(screening)
    if at is not None:
        ids = [s.pk for s in made]
        Screening.objects.filter(pk__in=ids).update(created_at=at)
        ScreeningMatch.objects.filter(screening__in=ids).update(created_at=at)
    return made
