"""Runnable algorithm versions, and how two results of one subject differ (for shadow releases).

A *matching release* (``screening.models.MatchingRelease``) names an algorithm version and a
thresholds configuration. Its algorithm version must be one this installation can run: one
registered here. The installed pipeline (``screening.engine.screen``) registers itself as
``ALGORITHM_NAME``/``ALGORITHM_VERSION``.

Keeping the previous version runnable beside new code: copy the previous engine package, as it
was at its release tag, to ``screening/engine/legacy/v<version>/`` (its own ``ALGORITHM_VERSION``
constant, so its disk cache key differs), and register it from ``screening/engine/legacy/__init__.py``::

    register(RunnableAlgorithm(
        name=legacy.ALGORITHM_NAME, version=legacy.ALGORITHM_VERSION,
        screen=legacy.screen, load_or_build=legacy.load_or_build,
        index_family=f"{legacy.ALGORITHM_NAME}/{legacy.ALGORITHM_VERSION}",
    ))

Two versions with the same ``index_family`` read one index (a scoring-only change); versions
with different families each build their own index of the same list versions. Drop the copy
once no release in the database needs it (``release_status`` lists them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from screening.engine.index import Index, load_or_build
from screening.engine.model import ALGORITHM_NAME, ALGORITHM_VERSION, EMPTY_SUPPRESSIONS, Match, Query, Suppression
from screening.engine.screen import screen
from screening.engine.thresholds import Thresholds
from screening.lists.scripts import letter_scripts


class ScreenFunction(Protocol):
    def __call__(
        self,
        index: Any,
        query: Query,
        *,
        threshold: float | None = ...,
        thresholds: Thresholds = ...,
        sources: Any = ...,
        limit: int = ...,
        suppressed: frozenset[Suppression] = ...,
        stats: dict[str, int] | None = ...,
    ) -> list[Match]: ...


class UnknownAlgorithm(LookupError):
    """An algorithm version this installation cannot run."""


@dataclass(frozen=True)
class RunnableAlgorithm:
    """An algorithm version this code can run: its screen function and how its index is made."""

    name: str
    version: str
    screen: ScreenFunction
    load_or_build: Callable[..., Any] = load_or_build
    index_family: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if not self.index_family:
            object.__setattr__(self, "index_family", f"{self.name}/{self.version}")

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.version)

    def run(
        self,
        index: Index,
        query: Query,
        *,
        threshold: float | None,
        thresholds: Thresholds,
        sources: Any,
        limit: int,
        suppressed: frozenset[Suppression] = EMPTY_SUPPRESSIONS,
        stats: dict[str, int] | None = None,
    ) -> list[Match]:
        """Screen with this version; every match is stamped with this version's name and number."""
        found = self.screen(
            index,
            query,
            threshold=threshold,
            thresholds=thresholds,
            sources=sources,
            limit=limit,
            suppressed=suppressed,
            stats=stats,
        )
        return [
            m
            if (m.algorithm, m.algorithm_version) == self.key
            else dataclasses.replace(m, algorithm=self.name, algorithm_version=self.version)
            for m in found
        ]


_registry: dict[tuple[str, str], RunnableAlgorithm] = {}

INSTALLED = RunnableAlgorithm(
    name=ALGORITHM_NAME,
    version=ALGORITHM_VERSION,
    screen=screen,
    load_or_build=load_or_build,
    description="the installed engine (screening.engine.screen)",
)


def register(algorithm: RunnableAlgorithm) -> RunnableAlgorithm:
    """Make an algorithm version runnable; registering a version twice is an error."""
    if algorithm.key in _registry:
        raise ValueError(f"{algorithm.name} {algorithm.version} is already registered")
    _registry[algorithm.key] = algorithm
    return algorithm


def unregister(name: str, version: str) -> None:
    """Forget a registered version (the installed one stays)."""
    if (name, version) == INSTALLED.key:
        raise ValueError("the installed algorithm version cannot be unregistered")
    _registry.pop((name, version), None)


def runnable(name: str, version: str) -> RunnableAlgorithm:
    """The registered algorithm of this name and version, or UnknownAlgorithm."""
    try:
        return _registry[(name, version)]
    except KeyError:
        raise UnknownAlgorithm(
            f"{name} {version} is not runnable here; runnable: "
            + ", ".join(f"{a.name} {a.version}" for a in runnable_versions())
        ) from None


def is_runnable(name: str, version: str) -> bool:
    return (name, version) in _registry


def runnable_versions() -> list[RunnableAlgorithm]:
    """Every runnable version, the installed one first."""
    return sorted(_registry.values(), key=lambda a: (a.key != INSTALLED.key, a.name, a.version))


def installed() -> RunnableAlgorithm:
    return INSTALLED


register(INSTALLED)


# --------------------------------------------------------------------------- kinds of names
# ISO 15924 code (``screening.lists.scripts``) -> writing system; any other is "Other".
_SCRIPT_GROUPS = {
    "Latn": "Latin",
    "Cyrl": "Cyrillic",
    "Grek": "Greek",
    "Arab": "Arabic",
    "Hebr": "Hebrew",
    "Hani": "CJK",
    "Jpan": "CJK",
    "Hang": "Korean",
    "Deva": "Indic",
    "Beng": "Indic",
    "Taml": "Indic",
    "Gujr": "Indic",
    "Guru": "Indic",
    "Thai": "Thai",
    "Geor": "Georgian",
    "Armn": "Armenian",
}


def name_script(name: str) -> str:
    """The writing system of a name (Latin, Cyrillic, Arabic, CJK, ...); "Mixed" when it has several."""
    found = {_SCRIPT_GROUPS.get(code or "", "Other") for code in letter_scripts(name)}
    if not found:
        return "Other"
    return found.pop() if len(found) == 1 else "Mixed"


def name_shape(name: str) -> str:
    """``single`` for a one-word name (a mononym, a CJK name without spaces), else ``multi``."""
    return "single" if len(name.split()) <= 1 else "multi"


# --------------------------------------------------------------------------- comparing two results
@dataclass(frozen=True)
class Alert:
    """One match of a result, reduced to what a comparison needs."""

    entity: str
    source: str
    schema: str
    score: float

    @classmethod
    def of(cls, match: Match | Mapping[str, Any] | Any) -> Alert:
        """From an engine Match, a stored match row (same attribute names) or their dict form."""
        if isinstance(match, Mapping):
            return cls(str(match["entity"]), str(match["source"]), str(match["schema"]), float(match["score"]))
        return cls(match.entity, match.source, match.schema, float(match.score))

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "source": self.source, "schema": self.schema, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Comparison:
    """How a candidate release's result for one subject differs from the live one."""

    gained: tuple[Alert, ...]  # alerts the candidate raises that live does not
    lost: tuple[Alert, ...]  # alerts live raises that the candidate does not
    changed: tuple[dict[str, Any], ...] = field(default=())  # both raise: {entity, source, live, shadow, delta}

    @property
    def identical(self) -> bool:
        return not self.gained and not self.lost and not any(c["delta"] for c in self.changed)


def compare_results(
    live: Iterable[Match | Mapping[str, Any]], shadow: Iterable[Match | Mapping[str, Any]]
) -> Comparison:
    """Alerts gained, lost and re-scored when ``shadow`` replaces ``live`` (ordered by entity)."""
    live_alerts = {a.entity: a for a in map(Alert.of, live)}
    shadow_alerts = {a.entity: a for a in map(Alert.of, shadow)}
    gained = tuple(shadow_alerts[e] for e in sorted(shadow_alerts.keys() - live_alerts.keys()))
    lost = tuple(live_alerts[e] for e in sorted(live_alerts.keys() - shadow_alerts.keys()))
    changed = tuple(
        {
            "entity": e,
            "source": live_alerts[e].source,
            "live": round(live_alerts[e].score, 4),
            "shadow": round(shadow_alerts[e].score, 4),
            "delta": round(shadow_alerts[e].score - live_alerts[e].score, 4),
        }
        for e in sorted(live_alerts.keys() & shadow_alerts.keys())
    )
    return Comparison(gained=gained, lost=lost, changed=changed)
