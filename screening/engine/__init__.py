"""Tillit's screening engine: explainable fuzzy name matching against watchlists, free of Django.

Typical use::

    from screening.engine import Query, build_index, screen
    index = build_index((("un", entry) for entry in entries), versions={"un": "2026-02-27"})
    matches = screen(index, Query(name="Usama bin Ladin", birth_date="1957"))

See ``benchmarks/engine`` for how well and how fast it works.
"""

from screening.engine.index import Index, build_index, cache_key, load_index, load_or_build, save_index
from screening.engine.model import (
    ALGORITHM_NAME,
    ALGORITHM_VERSION,
    Feature,
    InvalidQuery,
    Match,
    Query,
    Suppression,
)
from screening.engine.screen import best_score, screen
from screening.engine.thresholds import DEFAULT_THRESHOLD, DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "ALGORITHM_NAME",
    "ALGORITHM_VERSION",
    "DEFAULT_THRESHOLD",
    "DEFAULT_THRESHOLDS",
    "Feature",
    "Index",
    "InvalidQuery",
    "Match",
    "Query",
    "Suppression",
    "Thresholds",
    "best_score",
    "build_index",
    "cache_key",
    "load_index",
    "load_or_build",
    "save_index",
    "screen",
]
