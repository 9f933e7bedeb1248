"""``screen``: the whole pipeline for one query (normalise → candidates → compare → evidence)."""

from __future__ import annotations

from collections.abc import Collection

from screening.engine.candidates import candidates
from screening.engine.compare import NameComparison, compare_names
from screening.engine.evidence import (
    birth_date_feature,
    country_feature,
    gender_feature,
    identifier_feature,
    schema_compatible,
)
from screening.engine.index import NAME_KIND_CODES, Index
from screening.engine.model import EMPTY_SUPPRESSIONS, Feature, Match, Query, Suppression
from screening.engine.normalise import canonical_tokens, names_an_organisation
from screening.engine.thresholds import DEFAULT_THRESHOLDS, Thresholds

DEFAULT_LIMIT = 10
WEAK_ALIAS_FACTOR = 0.95
_WEAK = NAME_KIND_CODES["weak_aka"]


def _name_score(comparison: NameComparison, weak: bool) -> float:
    return comparison.score * (WEAK_ALIAS_FACTOR if weak else 1.0)


def _name_feature(comparison: NameComparison, display: str, weak: bool) -> Feature:
    detail = f"name matches listed name '{display}' at {comparison.score:.0%}: {comparison.describe()}"
    if weak:
        detail += " (a low-quality alias: counted at 95%)"
    return Feature("name", _name_score(comparison, weak), detail)


def screen(
    index: Index,
    query: Query,
    *,
    threshold: float | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    sources: Collection[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    suppressed: frozenset[Suppression] = EMPTY_SUPPRESSIONS,
    stats: dict[str, int] | None = None,
) -> list[Match]:
    """Screen one subject; return the matches at or above the threshold, best first.

    ``threshold`` overrides every per-source/per-schema threshold when given. ``suppressed``
    holds officers' false-positive decisions: a match is dropped while the entry's content hash
    is the one the officer saw. ``stats``, when given, receives ``candidates`` (listed names
    scored) and ``entities`` (entries compared), for metrics.
    """
    tokens = canonical_tokens(query.name, query.schema)
    schema = query.schema
    if schema == "Any" and any(t[:1] == "~" for t in tokens) and names_an_organisation(query.name):
        # "Nelson Holdings GmbH" is a company's name, whatever kind the caller gave: no person
        # (Ben Nelson) or vessel is compared with it.
        schema = "Organization"
    best: dict[int, tuple[float, NameComparison, int]] = {}
    # The same listed name often appears on several lists: compare each spelling once per query.
    compared: dict[str, NameComparison] = {}
    weight = index.weight_lookup
    found = candidates(index, tokens, sources=sources, schema=schema)
    for name_id in found:
        entity = index.name_entity[name_id]
        if not schema_compatible(schema, index.entity_schema[entity]):
            continue
        if sources is not None and index.entity_source[entity] not in sources:
            continue
        listed = index.name_tokens[name_id]
        comparison = compared.get(listed)
        if comparison is None:
            comparison = compared[listed] = compare_names(tokens, tuple(listed.split(" ")), weight)
        score = _name_score(comparison, index.name_kind[name_id] == _WEAK)
        previous = best.get(entity)
        if previous is None or score > previous[0]:
            best[entity] = (score, comparison, name_id)
    if stats is not None:
        stats["candidates"] = len(found)
        stats["entities"] = len(best)
    floor = threshold if threshold is not None else thresholds.minimum
    matches: list[Match] = []
    for entity, (name_score, comparison, name_id) in best.items():
        evidence = [
            feature
            for feature in (
                birth_date_feature(query.birth_date, index.entity_births[entity]),
                country_feature(query.countries, index.entity_countries[entity]),
                identifier_feature(query.identifiers, index.entity_identifiers[entity]),
                gender_feature(query.gender, index.entity_gender[entity]),
            )
            if feature is not None
        ]
        score = min(1.0, max(0.0, sum((name_score, *(f.contribution for f in evidence)))))
        if score < floor:
            continue
        source = index.entity_source[entity]
        schema = index.entity_schema[entity]
        limit_score = threshold if threshold is not None else thresholds.for_entity(source, schema)
        if score < limit_score:
            continue
        entity_id = index.entity_ids[entity]
        content_hash = index.content_hash(entity)
        if suppressed and Suppression(query.id, entity_id, content_hash) in suppressed:
            continue
        # Described only now: most compared names fall below the threshold and need no explanation.
        weak = index.name_kind[name_id] == _WEAK
        features = [_name_feature(comparison, index.name_display[name_id], weak), *evidence]
        summary = "; ".join(
            f"{f.name} {f.contribution:+.2f}" if f.name != "name" else f"name {f.contribution:.2f}" for f in features
        )
        matches.append(
            Match(
                entity=entity_id,
                score=score,
                name=index.name_display[name_id],
                source=source,
                schema=schema,
                topics=index.entity_topics[entity],
                features=tuple(features),
                threshold=limit_score,
                content_hash=content_hash,
                summary=f"score {score:.2f} = {summary}",
            )
        )
    matches.sort(key=lambda m: (-m.score, m.entity))
    return matches[:limit]


def best_score(index: Index, query: Query, *, sources: Collection[str] | None = None) -> float:
    """Highest score any entry reaches for the query, whatever the threshold (for calibration)."""
    results = screen(index, query, threshold=0.0, sources=sources, limit=1)
    return results[0].score if results else 0.0


def compare_pair(index: Index, query_name: str, listed_name: str, schema: str = "Any") -> NameComparison:
    """Compare two names directly, with token rarity taken from the index (for benchmarks and review)."""
    query_schema = schema if schema in ("Person", "Any") else "Organization"
    tokens = canonical_tokens(query_name, query_schema)
    listed = canonical_tokens(listed_name, query_schema)
    return compare_names(tokens, listed, index.weight)
