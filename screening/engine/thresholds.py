"""Alert thresholds per source and per subject type.

``DEFAULT_THRESHOLD`` (0.825) was chosen from the engine threshold sweep that
``benchmarks/engine/quality.py`` prints (see benchmarks/engine/RESULTS.md): it is the lowest
threshold at which yente's negatives_global alert on at most 0.5 % of names against the UN list
and near misses (a listed person's given names with another surname, a listed company's
distinctive word with generic words) name the listed entry in at most 2 % of cases. Lower
thresholds buy less than a point of recall for two to four times the false alerts.

Organisations (``DEFAULT_SCHEMA_THRESHOLDS``) alert from 0.85: company names share generic words
and legal forms, so an ordinary company whose one distinctive word is a letter away from a listed
one ("Alba Logistics Ltd" / "ALFA LOGISTICS FZCO") reaches scores a person's name would not. The
value was calibrated on development samples of the benchmark (``quality.py --seed 1`` and
``--seed 2``, not the reported seed): from 0.825 to 0.85 the ordinary company names that alert fell
from 2.0-2.7 % to 1.3-1.7 % for 0.7-1.7 points of recall on perturbed listed organisations
(0.875 would halve the alerts again but cost 2.5-5 points). Deployments can set their own
(``Thresholds(by_source=..., by_schema=..., by_source_schema=...)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_THRESHOLD = 0.825
ORGANIZATION_THRESHOLD = 0.85
DEFAULT_SCHEMA_THRESHOLDS: dict[str, float] = dict.fromkeys(("Organization", "Company"), ORGANIZATION_THRESHOLD)


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
