"""Secondary evidence: birth date, country, identifiers, gender and schema.

Each function returns a ``Feature`` whose contribution is added to the name score, or None
when either side lacks the data (missing data is neutral). Agreement adds a little, conflict
takes away more, and an exact identifier match is strong evidence on its own.
"""

from __future__ import annotations

from screening.engine.index import normalise_identifier
from screening.engine.model import Feature, parse_partial_date

BIRTH_EXACT = 0.08
BIRTH_SWAPPED = 0.05
BIRTH_MONTH = 0.05
BIRTH_YEAR = 0.04
BIRTH_RANGE = 0.03
BIRTH_CONFLICT = -0.15
BIRTH_NEAR_CONFLICT = -0.04
COUNTRY_MATCH = 0.03
COUNTRY_CONFLICT = -0.05
IDENTIFIER_MATCH = 0.35
GENDER_CONFLICT = -0.1

_COMPATIBLE = {
    "Any": None,
    "Person": frozenset({"Person"}),
    "Organization": frozenset({"Organization", "Company", "LegalEntity"}),
    "Vessel": frozenset({"Vessel"}),
    "Aircraft": frozenset({"Aircraft"}),
}


def schema_compatible(query_schema: str, entity_schema: str) -> bool:
    """A person never matches a vessel: the query's kind must be the entry's kind (Any matches all)."""
    allowed = _COMPATIBLE.get(query_schema)
    return allowed is None or entity_schema in allowed


def birth_date_feature(query_date: str | None, listed: tuple[tuple[int, int, int, int], ...]) -> Feature | None:
    """Compare the query's birth date with every listed one and keep the best agreement."""
    if not query_date or not listed:
        return None
    year, month, day = parse_partial_date(query_date)
    best: Feature | None = None
    nearest = min(abs(year - min(max(year, low), high)) for low, high, _, _ in listed)
    for low, high, l_month, l_day in listed:
        if low != high:
            if low <= year <= high:
                candidate = Feature(
                    "birth_date", BIRTH_RANGE, f"birth year {year} is within the listed range {low}-{high}"
                )
            else:
                continue
        elif year != low:
            continue
        elif month and day and l_month and l_day:
            if (month, day) == (l_month, l_day):
                candidate = Feature("birth_date", BIRTH_EXACT, "birth date matches exactly")
            elif (month, day) == (l_day, l_month):
                candidate = Feature("birth_date", BIRTH_SWAPPED, "birth date matches with day and month swapped")
            else:
                candidate = Feature("birth_date", BIRTH_YEAR - 0.03, f"birth year {year} matches but not the day")
        elif month and l_month:
            if month == l_month:
                candidate = Feature("birth_date", BIRTH_MONTH, f"birth month {year}-{month:02d} matches")
            else:
                candidate = Feature("birth_date", BIRTH_YEAR - 0.03, f"birth year {year} matches but not the month")
        else:
            candidate = Feature("birth_date", BIRTH_YEAR, f"birth year {year} matches")
        if best is None or candidate.contribution > best.contribution:
            best = candidate
    if best is not None:
        return best
    listed_years = sorted({low for low, _, _, _ in listed})
    shown = ", ".join(str(y) for y in listed_years[:3])
    if nearest <= 1:
        return Feature("birth_date", BIRTH_NEAR_CONFLICT, f"birth year {year} is one year off the listed {shown}")
    return Feature("birth_date", BIRTH_CONFLICT, f"birth year {year} differs from the listed {shown}")


def country_feature(query_countries: tuple[str, ...], listed: frozenset[str]) -> Feature | None:
    """Nationality or country agreement; a conflict lowers the score a little (people move)."""
    if not query_countries or not listed:
        return None
    common = sorted(set(query_countries) & listed)
    if common:
        return Feature("country", COUNTRY_MATCH, f"country {', '.join(c.upper() for c in common)} matches")
    return Feature(
        "country",
        COUNTRY_CONFLICT,
        f"country {', '.join(c.upper() for c in query_countries)} is not among the listed "
        f"{', '.join(sorted(c.upper() for c in listed)[:5])}",
    )


def identifier_feature(query_identifiers: tuple, listed: frozenset[tuple[str, str]]) -> Feature | None:
    """An identical document or registration number is strong evidence (numbers never shown)."""
    if not query_identifiers or not listed:
        return None
    listed_numbers = {number: kind for kind, number in listed}
    for identifier in query_identifiers:
        number = normalise_identifier(identifier.number)
        if len(number) >= 4 and number in listed_numbers:
            kind = listed_numbers[number] or identifier.type or "identifier"
            return Feature("identifier", IDENTIFIER_MATCH, f"a {kind} number matches exactly")
    return None


def gender_feature(query_gender: str | None, listed: str | None) -> Feature | None:
    """Different recorded genders count against the match; equal genders prove little."""
    if not query_gender or not listed or query_gender == listed:
        return None
    return Feature("gender", GENDER_CONFLICT, f"gender {query_gender} differs from the listed {listed}")
