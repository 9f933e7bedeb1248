"""What goes into the engine (Query) and what comes out (Match), with input validation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from screening.lists.record import Identifier

ALGORITHM_NAME = "tillit-name-match"
# 1.0.0: first release.
# 1.1.0: Arabic-script names read through a table of common name parts (arabic.py) and long
#        vowels, abjad outlines must open like the Latin name; particles bin/ben/ibn, al/el/ar
#        compare equal; -allah, -uddin and -zada compounds split; misspelt family variants compared
#        through the family's spellings; initials match names of any length (at 0.9); Latin token
#        matches from 0.75; shared generic business words weigh little; misspelt legal words only
#        inside legal forms; organisations alert from 0.85. Scores change, so the index cache key
#        (which holds this version) changes too.
# 1.2.0: a transliteration of Arabic-script words learned from the ar2en train split
#        (transliteration.py), the Persian reading of ث/ذ, the article joined to a Latin name
#        (Essabar) and inside Abd al-X / X al-Din; a different name part on each side multiplies
#        the score by 0.92; patronymic chains pair only within their links; Chinese syllables,
#        numbers, organisation abbreviations and solid legal forms; an Any query with a legal
#        form is screened as an organisation.
ALGORITHM_VERSION = "1.2.0"

QUERY_SCHEMAS = ("Person", "Organization", "Vessel", "Aircraft", "Any")
MAX_NAME_LENGTH = 300
MAX_IDENTIFIERS = 20
MAX_COUNTRIES = 20
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_ISO2 = re.compile(r"^[A-Za-z]{2}$")
# Joiners that legitimately occur inside names (Persian ZWNJ, Indic ZWJ).
_ALLOWED_FORMAT = {"\u200c", "\u200d"}
# Scripts whose letters look alike: a word mixing them is a spoofing attempt, not a name.
_CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})


class InvalidQuery(ValueError):
    """A screening query cannot be screened; ``field`` names the offending input."""

    def __init__(self, message: str, *, field: str = "name") -> None:
        self.field = field
        super().__init__(message)


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


def validate_name(name: Any) -> str:
    """Return the name stripped, or raise InvalidQuery saying what is wrong with it."""
    if not isinstance(name, str):
        raise InvalidQuery("name must be a string")
    name = name.strip()
    if not name:
        raise InvalidQuery("name is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidQuery(f"name is longer than {MAX_NAME_LENGTH} characters ({len(name)})")
    for ch in name:
        category = unicodedata.category(ch)
        if category == "Cc":
            raise InvalidQuery(f"name contains a control character (U+{ord(ch):04X})")
        if category in ("Cf", "Cs", "Co", "Cn") and ch not in _ALLOWED_FORMAT:
            raise InvalidQuery(f"name contains an invisible or unassigned character (U+{ord(ch):04X})")
        if category == "So" or 0x1F000 <= ord(ch) <= 0x1FAFF:
            raise InvalidQuery(f"name contains a symbol or emoji (U+{ord(ch):04X})")
    if not any(ch.isalnum() for ch in name):
        raise InvalidQuery("name has no letters or digits")
    for word in name.split():
        scripts = {_script(ch) for ch in word if ch.isalpha()} & _CONFUSABLE_SCRIPTS
        if len(scripts) > 1:
            raise InvalidQuery(
                "name mixes look-alike scripts inside one word (" + "/".join(sorted(scripts)).lower() + ")"
            )
    return name


def parse_partial_date(value: str, *, field: str = "birth_date") -> tuple[int, int, int]:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD into (year, month or 0, day or 0)."""
    match = _DATE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise InvalidQuery(f"{field} must be YYYY, YYYY-MM or YYYY-MM-DD", field=field)
    year, month, day = (int(part) if part else 0 for part in match.groups())
    try:
        if day:
            date(year, month, day)
        elif month and not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        raise InvalidQuery(f"{field} is not a real date", field=field) from None
    if not 1800 <= year <= 2100:
        raise InvalidQuery(f"{field} year is out of range", field=field)
    return year, month, day


@dataclass(frozen=True, slots=True)
class Query:
    """One subject to screen. Everything but the name is optional; missing data is neutral."""

    name: str
    id: str = ""
    schema: str = "Any"
    birth_date: str | None = None
    countries: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    gender: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", validate_name(self.name))
        if self.schema not in QUERY_SCHEMAS:
            raise InvalidQuery(f"schema must be one of {', '.join(QUERY_SCHEMAS)}", field="schema")
        if self.birth_date is not None:
            parse_partial_date(self.birth_date)
        countries = tuple(self.countries)
        if len(countries) > MAX_COUNTRIES:
            raise InvalidQuery(f"at most {MAX_COUNTRIES} countries", field="countries")
        for country in countries:
            if not isinstance(country, str) or not _ISO2.match(country):
                raise InvalidQuery("countries must be ISO 3166 alpha-2 codes", field="countries")
        object.__setattr__(self, "countries", tuple(c.lower() for c in countries))
        identifiers = tuple(self.identifiers)
        if len(identifiers) > MAX_IDENTIFIERS:
            raise InvalidQuery(f"at most {MAX_IDENTIFIERS} identifiers", field="identifiers")
        for identifier in identifiers:
            if not isinstance(identifier, Identifier) or not identifier.number.strip():
                raise InvalidQuery("each identifier needs a type and a number", field="identifiers")
        object.__setattr__(self, "identifiers", identifiers)
        if self.gender not in (None, "male", "female"):
            raise InvalidQuery("gender must be male or female", field="gender")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Query:
        """Build a query from one CLI/API input record (the issue's JSON line contract)."""
        if not isinstance(data, Mapping):
            raise InvalidQuery("each input record must be an object", field="record")
        identifiers = []
        raw_identifiers = data.get("identifiers") or []
        if not isinstance(raw_identifiers, list):
            raise InvalidQuery("identifiers must be a list", field="identifiers")
        for item in raw_identifiers:
            if not isinstance(item, Mapping) or not isinstance(item.get("number"), str):
                raise InvalidQuery("each identifier needs a type and a number", field="identifiers")
            identifiers.append(
                Identifier(type=str(item.get("type") or ""), number=item["number"], country=item.get("country"))
            )
        countries = data.get("countries") or []
        if isinstance(countries, str):
            countries = [c for c in re.split(r"[;, ]+", countries) if c]
        if not isinstance(countries, list):
            raise InvalidQuery("countries must be a list", field="countries")
        birth_date = data.get("birth_date") or None
        if birth_date is not None and not isinstance(birth_date, str):
            raise InvalidQuery("birth_date must be a string", field="birth_date")
        raw_id = data.get("id", "")
        return cls(
            id="" if raw_id is None else str(raw_id),
            name=data.get("name"),  # type: ignore[arg-type]  # validated in __post_init__
            schema=data.get("schema") or "Any",
            birth_date=birth_date,
            countries=tuple(countries),
            identifiers=tuple(identifiers),
            gender=data.get("gender") or None,
        )


@dataclass(frozen=True, slots=True)
class Feature:
    """One piece of evidence and what it added to (or took from) the score, in plain words."""

    name: str
    contribution: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.name, "contribution": round(self.contribution, 4), "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Match:
    """A list entry that scored at or above the threshold for a query."""

    entity: str  # "<source code>:<source reference>"
    score: float
    name: str  # the listed name that matched best
    source: str
    schema: str
    topics: tuple[str, ...]
    features: tuple[Feature, ...]
    threshold: float
    content_hash: str
    algorithm: str = ALGORITHM_NAME
    algorithm_version: str = ALGORITHM_VERSION
    summary: str = ""

    @property
    def explanation(self) -> dict[str, Any]:
        """Per-feature contributions plus the algorithm version and threshold, for the officer."""
        return {
            "algorithm": self.algorithm,
            "algorithm_version": self.algorithm_version,
            "threshold": self.threshold,
            "summary": self.summary,
            "features": [feature.to_dict() for feature in self.features],
        }

    def to_dict(self) -> dict[str, Any]:
        """The CLI/API output contract for one match."""
        return {
            "entity": self.entity,
            "score": round(self.score, 4),
            "name": self.name,
            "source": self.source,
            "topics": list(self.topics),
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class Suppression:
    """An officer's false-positive decision: holds while the entry's content hash is unchanged."""

    subject: str
    entity: str
    content_hash: str


SuppressionSet = frozenset[Suppression]
EMPTY_SUPPRESSIONS: SuppressionSet = frozenset()
