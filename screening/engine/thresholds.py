"""Alert thresholds per source and per subject type.

``DEFAULT_THRESHOLD`` (0.825) was chosen from the engine threshold sweep that
``benchmarks/engine/quality.py`` prints (see benchmarks/engine/RESULTS.md): it is the lowest
threshold at which yente's negatives_global alert on at most 0.5 % of names against the UN list
and near misses (a listed person's given names with another surname, a listed company's
distinctive word with generic words) name the listed entry in at most 2 % of cases. Lower
thresholds buy less than a point of recall for two to four times the false alerts. No per-source
or per-schema default differs yet: the sweep gives no evidence for one; deployments can set them
(``Thresholds(by_source=..., by_schema=..., by_source_schema=...)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_THRESHOLD = 0.825
DEFAULT_SCHEMA_THRESHOLDS: dict[str, float] = {}


@dataclass(frozen=True)
class Thresholds:
    """Lookup order: (source, schema), then source, then schema, then the default."""

    default: float = DEFAULT_THRESHOLD
    by_source: Mapping[str, float] = field(default_factory=dict)
    by_schema: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SCHEMA_THRESHOLDS))
    by_source_schema: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        values = [self.default, *self.by_source.values(), *self.by_schema.values(), *self.by_source_schema.values()]
        for value in values:
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"threshold {value} is outside [0, 1]")

    def for_entity(self, source: str, schema: str) -> float:
        """The threshold a match against this source's entry of this schema must reach."""
        value = self.by_source_schema.get((source, schema))
        if value is None:
            value = self.by_source.get(source)
        if value is None:
            value = self.by_schema.get(schema)
        return self.default if value is None else value

    @property
    def minimum(self) -> float:
        return min([self.default, *self.by_source.values(), *self.by_schema.values(), *self.by_source_schema.values()])


DEFAULT_THRESHOLDS = Thresholds()
