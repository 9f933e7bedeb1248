"""Synthetic customers and list entries for the monitoring benchmarks (deterministic, fictional names).

Names are built from generated syllables so that there are tens of thousands of distinct family
names (as in a real customer base) and collisions between customers and listed names happen at a
realistic, small rate, not never and not always.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from screening.lists.record import BirthDate, Entry, Name

ONSETS = ["b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "kr", "st", "tr", "sh"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ei", "ou"]
CODAS = ["", "", "n", "r", "s", "l", "k", "m"]
COUNTRIES = ["GB", "FR", "DE", "ES", "IT", "NL", "PL", "SE", "US", "CA", "BR", "IN", "NG", "ZA", "JP"]


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables)).capitalize()


@dataclass(frozen=True)
class Person:
    given: str
    family: str
    birth: str
    country: str

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"


class Names:
    """A fixed pool of given and family names, and people drawn from it."""

    def __init__(self, seed: int = 7, given: int = 3000, family: int = 60000) -> None:
        rng = random.Random(seed)
        self.given = sorted({_word(rng, rng.choice((2, 2, 3))) for _ in range(given)})
        self.family = sorted({_word(rng, rng.choice((2, 3, 3, 4))) for _ in range(family)})

    def people(self, count: int, *, seed: int) -> Iterator[Person]:
        rng = random.Random(seed)
        for _ in range(count):
            yield Person(
                given=rng.choice(self.given),
                family=rng.choice(self.family),
                birth=f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                country=rng.choice(COUNTRIES),
            )


def party_entry(ref: str, person: Person) -> Entry:
    """A customer as the monitoring party index sees it (what ``monitoring.party_index.party_record`` builds)."""
    return Entry(
        ref=ref,
        schema="Person",
        names=[Name(person.name)],
        birth_dates=[BirthDate(value=person.birth)],
        nationalities=[person.country],
    )


def list_line(ref: str, person: Person, *, topics: tuple[str, ...] = ("sanction",), note: str = "") -> dict:
    """One FollowTheMoney JSON line of a listed person."""
    props = {
        "name": [person.name],
        "birthDate": [person.birth],
        "nationality": [person.country.lower()],
        "topics": list(topics),
    }
    if note:
        props["notes"] = [note]
    return {"id": ref, "caption": person.name, "schema": "Person", "properties": props, "target": True}
