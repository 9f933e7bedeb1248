"""Screening and watchlist metrics for Prometheus (served at /metrics by ``common.metrics``).

* ``tillit_screenings_total{channel, outcome}`` and ``tillit_screening_alerts_total{source}``: the alert
  rate per list is ``rate(alerts{source=s}) / rate(screenings)``;
* ``tillit_screening_duration_seconds{channel}``: engine time plus lookups of each stored screening
  (the ``duration_ms`` stored with it; the HTTP histogram has the whole request);
* ``tillit_screening_candidates{channel}``: listed names the engine scored per screening;
* ``tillit_screening_match_score{source}``: the score distribution of the matches reported;
* ``tillit_watchlist_active_version_age_seconds{source}`` and ``tillit_watchlist_last_sync_age_seconds``,
  read from the database at scrape time.

Observations are made when the screening's transaction commits, so a rolled-back screening counts
for nothing. Onboarding and monitoring screenings (``screen_live``) are not stored as screenings and
are not counted here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from common.metrics import register_scrape_collector

SCREENINGS = Counter("tillit_screenings_total", "Subjects screened and stored.", ["channel", "outcome"])
ALERTS = Counter("tillit_screening_alerts_total", "Matches reported at or above the threshold, per list.", ["source"])
DURATION = Histogram(
    "tillit_screening_duration_seconds",
    "Engine time plus lookups of one screening.",
    ["channel"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 2),
)
CANDIDATES = Histogram(
    "tillit_screening_candidates",
    "Listed names the engine scored for one screening.",
    ["channel"],
    buckets=(0, 1, 2, 4, 8, 16, 32, 64),
)
MATCH_SCORE = Histogram(
    "tillit_screening_match_score",
    "Scores of the matches reported, per list.",
    ["source"],
    buckets=(0.7, 0.75, 0.8, 0.825, 0.85, 0.875, 0.9, 0.925, 0.95, 0.975, 1.0),
)


def screening_observed(screening: Any, *, matches: Sequence[Any], candidates: int) -> None:
    """Count one stored screening and its matches (ScreeningMatch rows) once its transaction commits."""
    channel, outcome, seconds = screening.channel, screening.outcome, screening.duration_ms / 1000
    scored = [(row.source, row.score) for row in matches]

    def observe() -> None:
        SCREENINGS.labels(channel, outcome).inc()
        DURATION.labels(channel).observe(seconds)
        CANDIDATES.labels(channel).observe(candidates)
        for source, score in scored:
            ALERTS.labels(source).inc()
            MATCH_SCORE.labels(source).observe(score)

    transaction.on_commit(observe)


class WatchlistAgeCollector(Collector):
    """Age of each source's active version and of its last sync, read at scrape time."""

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        version_age = GaugeMetricFamily(
            "tillit_watchlist_active_version_age_seconds",
            "Seconds since the active version of a list became active.",
            labels=["source"],
        )
        sync_age = GaugeMetricFamily(
            "tillit_watchlist_last_sync_age_seconds", "Seconds since a list was last synced.", labels=["source"]
        )
        return version_age, sync_age

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The metric names, without reading the database (registration happens at start-up)."""
        yield from self._families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from screening.models import ListVersion, Source
        from screening.models.watchlists import VersionStatus

        now = timezone.now()
        version_age, sync_age = self._families()
        try:
            active = ListVersion.objects.filter(status=VersionStatus.ACTIVE, imported_at__isnull=False)
            for code, imported_at in active.values_list("source__code", "imported_at"):
                version_age.add_metric([code], (now - imported_at).total_seconds())
            synced = Source.objects.filter(enabled=True, last_sync_at__isnull=False)
            for code, last_sync_at in synced.values_list("code", "last_sync_at"):
                sync_age.add_metric([code], (now - last_sync_at).total_seconds())
        except Exception:  # a database outage shows in /readyz; the scrape still answers
            return
        yield version_age
        yield sync_age


register_scrape_collector(WatchlistAgeCollector())
