"""Small hand-made watchlist for engine tests (no database, no ../shared)."""

from __future__ import annotations

import pytest

from screening.engine import Index, build_index
from screening.lists.record import BirthDate, Entry, Identifier, Name


def person(ref: str, *names: str, **kwargs) -> Entry:
    return Entry(
        ref=ref,
        schema="Person",
        names=[Name(n, "primary" if i == 0 else "aka") for i, n in enumerate(names)],
        topics=["sanction"],
        **kwargs,
    )


def organisation(ref: str, *names: str, **kwargs) -> Entry:
    return Entry(
        ref=ref,
        schema="Organization",
        names=[Name(n, "primary" if i == 0 else "aka") for i, n in enumerate(names)],
        topics=["sanction"],
        **kwargs,
    )


def watchlist() -> list[tuple[str, Entry]]:
    entries = [
        (
            "ofac",
            person(
                "35096",
                "PUTIN, Vladimir Vladimirovich",
                birth_dates=[BirthDate("1952-10-07")],
                nationalities=["RU"],
                gender="male",
            ),
        ),
        (
            "ofac",
            person(
                "6365",
                "BIN LADIN, Usama bin Muhammad bin Awad",
                "BIN LADEN, Osama",
                birth_dates=[BirthDate(year_from=1956, year_to=1958)],
            ),
        ),
        ("ofac", person("9001", "HABBASH, George", birth_dates=[BirthDate("1926")])),
        (
            "un",
            person(
                "QDi.001",
                "AYMAN MUHAMMED RABI AL-ZAWAHIRI",
                birth_dates=[BirthDate("1951-06-19")],
                identifiers=[Identifier("Passport", "1084010", "EG")],
                nationalities=["EG"],
            ),
        ),
        ("un", organisation("QDe.004", "USAMA BIN LADEN ORGANIZATION")),
        ("ofac", organisation("100", "GAZPROMBANK JOINT STOCK COMPANY", "GAZPROMBANK AO")),
        ("ofac", organisation("101", "ROSOBORONEXPORT OOO")),
        ("ofac", Entry(ref="200", schema="Vessel", names=[Name("VLADIMIR PUTIN")], topics=["sanction"])),
        ("uk", person("RUS1", "Yevgeny Viktorovich PRIGOZHIN", gender="male")),
    ]
    # Very common tokens: thousands of entries sharing "Muhammad" and "Ali".
    entries += [("bulk", person(f"B{i}", f"MUHAMMAD ALI KHAN{i:05d}")) for i in range(3000)]
    return entries


@pytest.fixture(scope="session")
def index() -> Index:
    return build_index(watchlist(), versions={"ofac": "2023-12-28", "un": "2026-02-27", "uk": "1", "bulk": "1"})
