"""Canada: Consolidated Canadian Autonomous Sanctions List (SEMA), XML (``sema-lmes.xml``).

Quirks of the format, all seen in the real published file:

* Flat ``data-set/record`` structure with no identifier: a record is keyed by
  ``Country`` (the regulations' country, English part) + ``Schedule`` + ``Item``, e.g.
  ``Russia/1, Part 1/123``. Schedule spellings vary (``1, Part 3`` and ``1,Part 3``), so the
  key collapses whitespace after commas.
* Values are bilingual where text is translated: ``Russia / Russie``.
* Persons have ``LastName``/``GivenName``; entities and ships ``EntityOrShip`` (never both).
  ``TitleOrShip`` is a person's title or a ship's type; ``ShipIMONumber`` marks a ship.
* ``Aliases`` is free text: often several names in one string separated by ``,`` or ``;``,
  some prefixed by a language (``Belarusian: …, Russian: …``) with Cyrillic originals.
* ``DateOfBirthOrShipBuildDate``: ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, rarely two dates
  (``… or …``), a range ``YYYY-YYYY`` or prose (``born in the early 1960s``: kept in remarks).
* There is no publication date in the file; ``ListMeta.published_on`` is None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from screening.lists._common import PathLike, XmlStream, add_unique, child_text, make_name, partial_date, year_range
from screening.lists.record import BirthDate, Entry, Identifier, ListMeta, Name

FORMAT = "ca-xml"
_LANG_PREFIX = re.compile(r"^\s*[A-Z][a-z]+(?: [A-Z][a-z]+)?\s*:\s*")
_PERSON_SPLIT = re.compile(r"[;,/]")
_ENTITY_SPLIT = re.compile(r";|,\s*(?=[A-Z][a-z]+:)")


def parse(path: PathLike) -> tuple[ListMeta, Iterator[Entry]]:
    """Check the root now and stream the records lazily."""
    stream = XmlStream(path, fmt=FORMAT, root_tags=("data-set",))
    stream.start()
    return ListMeta(), _entries(stream)


def _entries(stream: XmlStream) -> Iterator[Entry]:
    for elem in stream.records(("record",)):
        yield _entry(elem, stream)


def _dates(text: str) -> list[BirthDate]:
    out: list[BirthDate] = []
    if m := re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", text):
        add_unique(out, year_range(int(m[1]), int(m[2])))
        return out
    for part in re.split(r"\s+or\s+", text, flags=re.IGNORECASE):
        if m := re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", part.strip()):
            add_unique(out, partial_date(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None))
    return out


def _aliases(text: str, *, person: bool) -> list[Name]:
    names: list[Name] = []
    for piece in (_PERSON_SPLIT if person else _ENTITY_SPLIT).split(text):
        name = make_name(_LANG_PREFIX.sub("", piece), "aka")
        if name is not None and len(name.full) > 1:
            if name.script not in (None, "Latn"):
                name = Name(full=name.full, kind="original_script", script=name.script)
            add_unique(names, name)
    return names


def _entry(elem: etree._Element, stream: XmlStream) -> Entry:
    country = child_text(elem, "Country")
    country_en = country.split(" / ")[0].strip()
    schedule = re.sub(r",\s*", ", ", child_text(elem, "Schedule"))
    item = child_text(elem, "Item")
    location = f"line {elem.sourceline}, <record>"
    if not (country_en and item):
        raise stream.error("record without Country or Item, so it has no key", location)
    ref = f"{country_en}/{schedule}/{item}"
    entity = child_text(elem, "EntityOrShip")
    person_name = " ".join(p for p in (child_text(elem, "GivenName"), child_text(elem, "LastName")) if p)
    imo = child_text(elem, "ShipIMONumber")
    if imo:
        schema = "Vessel"
    elif person_name and not entity:
        schema = "Person"
    else:
        schema = "Organization"
    primary = make_name(entity or person_name, "primary")
    if primary is None:
        raise stream.error(f"record {ref} has no name", location)
    names = [primary]
    for alias in _aliases(child_text(elem, "Aliases"), person=schema == "Person"):
        if alias.full != primary.full:
            add_unique(names, alias)
    dob_text = child_text(elem, "DateOfBirthOrShipBuildDate")
    dates = _dates(dob_text)
    remarks = []
    title = child_text(elem, "TitleOrShip")
    if title:
        remarks.append(f"{'Ship type' if schema == 'Vessel' else 'Title'}: {title}")
    if dob_text and not dates:
        remarks.append(f"Date of birth: {dob_text}")
    return Entry(
        ref=ref,
        schema=schema,
        names=names,
        birth_dates=dates if schema == "Person" else [],
        identifiers=[Identifier(type="IMO", number=imo)] if imo else [],
        programs=[f"SEMA {country_en}"],
        topics=["sanction"],
        listed_on=_iso(child_text(elem, "DateOfListing")),
        remarks="; ".join(remarks),
    )


def _iso(text: str) -> str | None:
    dates = _dates(text)
    return dates[0].value if dates and dates[0].value and len(dates[0].value) == 10 else None
