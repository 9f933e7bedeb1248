"""What one chunk does: delta chunks screen list entries against the party index, full chunks screen parties.

Both end in the same forward check (the party screened against the screening runtime's index of
the active lists, exactly as onboarding screens it), so a delta alert carries the same score and
explanation that onboarding or a full rescreen would give, and a party whose name only resembles
an entry through the inverse lookup is never alerted on a score it would not reach forward.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from kyc import integrations
from kyc.models import HitStatus, Party, ScreeningHit
from kyc.services.pipeline import subject_of
from monitoring.party_index import entry_queries, holder, monitored_statuses
from monitoring.services.alerts import alert_raise, removal_annotate
from screening.engine import Match, Query
from screening.models import ListEntry, ListVersion
from screening.selectors import entry_from_data

log = logging.getLogger(__name__)

#: How far below the alert threshold the inverse lookup reaches for candidates (its scores are name-only).
CANDIDATE_MARGIN = 0.15
#: A listed name shared by more parties than this is screened forward against the rest in full rescreens.
CANDIDATE_LIMIT = 5000
FORWARD_LIMIT = 50


class StaleScreeningIndex(RuntimeError):
    """The screening index in this worker does not hold the list version yet (transient: retried)."""


@dataclass
class ChunkOutcome:
    """What a chunk did; its alerts and notes are counted from their rows (``jobs.chunk_process``)."""

    items: int = 0  # entries used as queries (delta) or parties screened (full)


def thresholds() -> Any:
    """The live release's thresholds (what a forward screening of a party alerts at)."""
    from screening.services.releases import release_plan

    return release_plan().live.thresholds


def forward_matches(snapshot: Any, party: Party, *, sources: Collection[str] | None, limit: int) -> list[Match]:
    """The party screened against the active lists, as kyc's onboarding screens it."""
    subject = subject_of(party)
    query = Query(
        name=subject.name,
        schema=subject.schema,
        birth_date=subject.birth_date,
        countries=tuple(c.lower() for c in subject.countries if len(c) == 2),
    )
    from screening.services.releases import screen_live

    matches, _ = screen_live(snapshot, query, sources=sources, limit=limit)
    return matches


def _holds(snapshot: Any, version: ListVersion) -> bool:
    held = snapshot.record.get(version.source.code)
    return held is not None and int(held["number"]) >= version.number


def _snapshot_holding(version: ListVersion) -> Any:
    """The screening index of the active lists, at least as new as ``version``."""
    from screening.runtime import runtime

    snapshot = integrations.screening_snapshot()
    if not _holds(snapshot, version):
        runtime.expire()  # this process has not heard of the activation yet: read the active set again
        snapshot = integrations.screening_snapshot()
    if not _holds(snapshot, version):
        raise StaleScreeningIndex(f"the screening index does not hold {version.source.code} v{version.number} yet")
    return snapshot


def monitored_party_rows(ids: Collection[Any]) -> QuerySet[Party]:
    return Party.objects.filter(pk__in=list(ids), customer__status__in=monitored_statuses()).select_related("customer")


def delta_chunk(chunk: Any, *, as_of: datetime) -> ChunkOutcome:
    """Annotate alerts of removed entries; screen added and changed entries against every monitored party."""
    payload = chunk.payload
    version = ListVersion.objects.select_related("source").get(pk=payload["version"])
    source = version.source.code
    outcome = ChunkOutcome()
    removed = [f"{source}:{ref}"[:200] for ref in payload.get("remove") or []]
    if removed:
        open_hits = ScreeningHit.objects.filter(
            entity__in=removed, status__in=[HitStatus.PENDING, HitStatus.CLEARING_PROPOSED]
        ).select_related("case")
        for hit in open_hits:
            removal_annotate(hit=hit, version=version, chunk=chunk)
    refs = payload.get("screen") or []
    outcome.items = len(refs)
    if not refs:
        return outcome
    changed_fields: dict[str, list[str]] = payload.get("changed") or {}
    parties_index = holder.current(as_of=as_of)
    floor = max(0.0, thresholds().minimum - CANDIDATE_MARGIN)
    wanted: dict[str, set[str]] = defaultdict(set)  # party id -> entities it may match
    rows = ListEntry.objects.filter(version=version, ref__in=refs).values_list("data", flat=True)
    for data in rows.iterator(chunk_size=1000):
        entry = entry_from_data(data)
        entity = f"{source}:{entry.ref}"
        for query in entry_queries(entry):
            found = parties_index.candidates(query, threshold=floor, limit=CANDIDATE_LIMIT)
            if len(found) >= CANDIDATE_LIMIT:
                log.warning("monitoring: a listed name matched the candidate limit", extra={"entity": entity})
            for party_id in found:
                wanted[party_id].add(entity)
    if not wanted:
        return outcome
    snapshot = _snapshot_holding(version)
    entities_changed = {f"{source}:{ref}": fields for ref, fields in changed_fields.items()}
    for party in monitored_party_rows(wanted):
        for match in forward_matches(snapshot, party, sources=[source], limit=FORWARD_LIMIT):
            if match.entity not in wanted[str(party.pk)]:
                continue
            alert_raise(
                party=party,
                match=match,
                list_versions=snapshot.record,
                chunk=chunk,
                changed_fields=list(entities_changed.get(match.entity, [])),
            )
    return outcome


def full_chunk(chunk: Any) -> ChunkOutcome:
    """Screen every monitored party of the chunk's customers against the active lists."""
    customers = chunk.payload.get("customers") or []
    outcome = ChunkOutcome()
    parties = list(
        Party.objects.filter(customer_id__in=customers, customer__status__in=monitored_statuses()).select_related(
            "customer"
        )
    )
    if not parties:
        return outcome
    snapshot = integrations.screening_snapshot()
    limit = int(getattr(settings, "TILLIT_MONITORING_FULL_MATCH_LIMIT", 10))
    for party in parties:
        outcome.items += 1
        for match in forward_matches(snapshot, party, sources=None, limit=limit):
            alert_raise(party=party, match=match, list_versions=snapshot.record, chunk=chunk, changed_fields=[])
    return outcome
