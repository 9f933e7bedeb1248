"""Selectors for the drift checks: what was screened and what alerted, as plain records without names.

Two streams feed them: ``screening.Screening`` (API, batch and command-line screenings, with their
``ScreeningMatch`` rows and officers' ``FalsePositive`` marks) and kyc onboarding (each
``PartyScreening`` of a case, with the ``ScreeningHit`` rows officers disposition). A name is read
only to find its script (``monitoring.drift.name_script``) and is not kept.

*Reviewed* alerts are the denominator of the false-positive rate: a kyc hit once an officer
cleared or confirmed it; an API match always (the API has no "confirm" step, an unmarked match
stands as a potential match), marked false positive when a ``FalsePositive`` row points at it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitoring.drift import name_script

CHUNK = 2000
ORIGIN_SCREENING, ORIGIN_KYC = "screening", "kyc"


@dataclass(frozen=True, slots=True)
class Screened:
    """One subject screened once."""

    at: datetime
    origin: str
    script: str
    countries: tuple[str, ...]
    versions: dict[str, str]  # source code -> list version id of the index used
    scope: frozenset[str] | None  # sources asked for; None = every source of the index
    alerted: frozenset[str]  # sources that produced at least one alert

    def screened_against(self, source: str) -> bool:
        return source in self.versions and (self.scope is None or source in self.scope)


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert (a stored match or a case hit) and its disposition."""

    at: datetime
    origin: str
    script: str
    countries: tuple[str, ...]
    source: str
    version: str | None
    score: float
    reviewed: bool
    false_positive: bool


class _Interned:
    """One shared object per distinct version record and country list (a year of screenings repeats few)."""

    def __init__(self) -> None:
        self.versions: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
        self.countries: dict[tuple[str, ...], tuple[str, ...]] = {}

    def versions_of(self, record: Any) -> dict[str, str]:
        if not isinstance(record, dict):
            return {}
        key = tuple(
            sorted(
                (code, str(item.get("id")))
                for code, item in record.items()
                if isinstance(item, dict) and item.get("id")
            )
        )
        return self.versions.setdefault(key, dict(key))

    def countries_of(self, values: Any) -> tuple[str, ...]:
        key = tuple(sorted({str(c).upper() for c in values or [] if isinstance(c, str) and c}))
        return self.countries.setdefault(key, key)


def screening_observations(*, start: datetime, end: datetime) -> Iterator[Screened | Alert]:
    """Screenings made in [start, end) and their matches."""
    from screening.models import FalsePositive, Screening, ScreeningMatch

    interned = _Interned()
    in_window = {"screening__created_at__gte": start, "screening__created_at__lt": end}
    matches: dict[Any, list[tuple[Any, str, float]]] = defaultdict(list)
    for pk, screening_id, source, score in (
        ScreeningMatch.objects.filter(**in_window).values_list("pk", "screening_id", "source", "score").iterator(CHUNK)
    ):
        matches[screening_id].append((pk, source, score))
    cleared = set(
        FalsePositive.objects.filter(**{f"match__{k}": v for k, v in in_window.items()}).values_list(
            "match_id", flat=True
        )
    )
    rows = (
        Screening.objects.filter(created_at__gte=start, created_at__lt=end)
        .values_list("pk", "created_at", "name", "countries", "list_versions", "sources")
        .iterator(CHUNK)
    )
    for pk, at, name, countries, list_versions, sources in rows:
        script, country_codes = name_script(name), interned.countries_of(countries)
        versions = interned.versions_of(list_versions)
        found = matches.pop(pk, [])
        yield Screened(
            at=at,
            origin=ORIGIN_SCREENING,
            script=script,
            countries=country_codes,
            versions=versions,
            scope=frozenset(sources) if isinstance(sources, list) else None,
            alerted=frozenset(source for _, source, _ in found),
        )
        for match_id, source, score in found:
            yield Alert(
                at=at,
                origin=ORIGIN_SCREENING,
                script=script,
                countries=country_codes,
                source=source,
                version=versions.get(source),
                score=score,
                reviewed=True,
                false_positive=match_id in cleared,
            )


def _party_facts(party_ids: set[Any], interned: _Interned) -> dict[Any, tuple[str, tuple[str, ...]]]:
    """{party id: (script of its name, its nationalities or jurisdiction)}."""
    from kyc.models import Party, PartyKind

    facts: dict[Any, tuple[str, tuple[str, ...]]] = {}
    ids = list(party_ids)
    fields = ["pk", "kind", "given_names", "family_name", "legal_name", "nationalities", "jurisdiction"]
    for i in range(0, len(ids), CHUNK):
        for party in Party.objects.filter(pk__in=ids[i : i + CHUNK]).only(*fields):
            countries = party.nationalities if party.kind == PartyKind.PERSON else [party.jurisdiction]
            facts[party.pk] = (name_script(party.display_name), interned.countries_of(countries))
    return facts


def kyc_observations(*, start: datetime, end: datetime) -> Iterator[Screened | Alert]:
    """Parties screened in cases in [start, end), and case hits raised in it (onboarding and monitoring)."""
    from kyc.models import HitStatus, PartyScreening, ScreeningHit

    hits = list(
        ScreeningHit.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
            "case_id", "party_id", "created_at", "source", "score", "status", "list_versions"
        )
    )
    screenings = list(
        PartyScreening.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
            "case_id", "party_id", "created_at", "list_versions"
        )
    )
    interned = _Interned()
    facts = _party_facts({row[1] for row in hits} | {row[1] for row in screenings}, interned)
    # A hit belongs to the party's onboarding screening when it ran on the same list versions
    # (hits raised later by ongoing monitoring carry the newer versions).
    by_screening: dict[tuple[Any, Any, str], set[str]] = defaultdict(set)
    for case_id, party_id, _, source, _, _, list_versions in hits:
        key = repr(sorted(interned.versions_of(list_versions).items()))
        by_screening[(case_id, party_id, key)].add(source)
    for case_id, party_id, at, list_versions in screenings:
        script, countries = facts.get(party_id, ("Unknown", ()))
        versions = interned.versions_of(list_versions)
        yield Screened(
            at=at,
            origin=ORIGIN_KYC,
            script=script,
            countries=countries,
            versions=versions,
            scope=None,
            alerted=frozenset(by_screening.get((case_id, party_id, repr(sorted(versions.items()))), ())),
        )
    for _, party_id, at, source, score, status, list_versions in hits:
        script, countries = facts.get(party_id, ("Unknown", ()))
        yield Alert(
            at=at,
            origin=ORIGIN_KYC,
            script=script,
            countries=countries,
            source=source,
            version=interned.versions_of(list_versions).get(source),
            score=score,
            reviewed=status in (HitStatus.CLEARED, HitStatus.CONFIRMED),
            false_positive=status == HitStatus.CLEARED,
        )


def observations(*, start: datetime, end: datetime) -> tuple[list[Screened], list[Alert]]:
    """Every subject screened and every alert raised in [start, end), from both streams."""
    screened: list[Screened] = []
    alerts: list[Alert] = []
    for stream in (screening_observations(start=start, end=end), kyc_observations(start=start, end=end)):
        for item in stream:
            (screened if isinstance(item, Screened) else alerts).append(item)
    return screened, alerts
