"""The one shape every watchlist parser yields, free of Django.

Parsers (one module per official format) stream ``Entry`` objects; the Django
side stores them as versioned entries and the screening engine indexes them.
Keep this module small and stable: parsers, models, the engine adapter and the
benchmarks all depend on it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

SCHEMAS = ("Person", "Organization", "Vessel", "Aircraft")
NAME_KINDS = ("primary", "aka", "fka", "weak_aka", "original_script")


@dataclass(frozen=True, slots=True)
class Name:
    """One name of an entry; ``kind`` is one of NAME_KINDS."""

    full: str
    kind: str = "primary"
    script: str | None = None  # ISO 15924 code where known (Latn, Cyrl, Arab...)


@dataclass(frozen=True, slots=True)
class BirthDate:
    """Exact date (YYYY-MM-DD), partial date (YYYY or YYYY-MM), or a year range."""

    value: str | None = None
    year_from: int | None = None
    year_to: int | None = None


@dataclass(frozen=True, slots=True)
class Identifier:
    """A document or registration number as published (type free text, country ISO2)."""

    type: str
    number: str
    country: str | None = None


@dataclass(slots=True)
class Entry:
    """One listed party, keyed by the source's own stable reference."""

    ref: str
    schema: str
    names: list[Name]
    birth_dates: list[BirthDate] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)  # ISO 3166 alpha-2
    countries: list[str] = field(default_factory=list)  # ISO 3166 alpha-2
    identifiers: list[Identifier] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)  # sanction, role.pep, debarment, crime...
    gender: str | None = None  # "male" | "female" | None
    listed_on: str | None = None  # ISO date
    remarks: str = ""

    @property
    def primary_name(self) -> str:
        for name in self.names:
            if name.kind == "primary":
                return name.full
        return self.names[0].full if self.names else ""

    def to_dict(self) -> dict:
        """The entry as plain JSON values, as ``dataclasses.asdict`` gives it (a test checks).

        Written out field by field: ``asdict`` deep-copies and dominated bulk imports. A new field
        must be added here too, or the test fails.
        """
        return {
            "ref": self.ref,
            "schema": self.schema,
            "names": [{"full": n.full, "kind": n.kind, "script": n.script} for n in self.names],
            "birth_dates": [
                {"value": b.value, "year_from": b.year_from, "year_to": b.year_to} for b in self.birth_dates
            ],
            "birth_places": list(self.birth_places),
            "nationalities": list(self.nationalities),
            "countries": list(self.countries),
            "identifiers": [{"type": i.type, "number": i.number, "country": i.country} for i in self.identifiers],
            "addresses": list(self.addresses),
            "programs": list(self.programs),
            "topics": list(self.topics),
            "gender": self.gender,
            "listed_on": self.listed_on,
            "remarks": self.remarks,
        }

    def canonical_json(self) -> str:
        """The canonical JSON form (sorted keys, no spaces, text unescaped): hashed, and stored as the entry data."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def content_hash(self) -> str:
        """SHA-256 over the canonical JSON form, so unchanged entries hash equal across versions."""
        return canonical_hash(self.canonical_json())


def canonical_hash(canonical: str) -> str:
    """The content hash (hex SHA-256) of an entry's canonical JSON form."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ListMeta:
    """What a file says about itself (publication date, record count), where it carries it."""

    published_on: str | None = None
    declared_count: int | None = None


class ParseError(Exception):
    """A file cannot be imported; the message names the file, the line or element, and why."""

    def __init__(self, message: str, *, path: str | None = None, location: str | None = None) -> None:
        self.path = path
        self.location = location
        where = ", ".join(p for p in (path, location) if p)
        super().__init__(f"{where}: {message}" if where else message)
