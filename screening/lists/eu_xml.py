"""EU Financial Sanctions Files (FSF), XML 1.1 ``export/sanctionEntity`` layout.

Published by the European Commission (``xmlFullSanctionsList_1_1``). No real copy small
enough was at hand, so this parser follows the published schema (XSD ``export`` namespace
``http://eu.europa.ec/fpi/fsd/export``) and is tested on fixtures written from it.

Quirks of the format:

* Root ``<export generationDate="2024-05-10T17:37:46.571+02:00" globalFileId="…">``; the
  generation date is the publication date.
* Everything is in attributes, not text. ``sanctionEntity@logicalId`` is the stable key;
  ``euReferenceNumber`` (``EU.27.28``) and ``unitedNationId`` are kept as identifiers.
* ``subjectType@code`` is ``person`` or ``enterprise`` (``classificationCode`` P / E).
* ``nameAlias`` has ``wholeName`` (or first/middle/last), ``strong`` (``false`` = weak
  alias), ``nameLanguage`` (ISO 639-1, upper case, empty for the main spelling), ``gender``
  (M/F) and ``function``/``title``. There is no primary flag: the first alias without a
  language is the primary name; spellings in other scripts become ``original_script``.
* ``birthdate`` carries ``birthdate`` (full ISO date) or ``year``/``monthOfYear``/``dayOfMonth``,
  or ``yearRangeFrom``/``yearRangeTo``, with ``circa``, ``city``, ``place``, ``countryIso2Code``.
* ``countryIso2Code="00"`` means unknown. ``citizenship@countryIso2Code`` gives nationality.
* ``identification`` has ``number``, ``identificationTypeCode`` (passport, id, regnumber …),
  ``identificationTypeDescription``, ``countryIso2Code``.
* ``regulation@programme`` (``UKR``, ``SYR``, ``TAQA`` …) gives the regimes; the oldest
  ``regulation@publicationDate`` (or ``sanctionEntity@designationDate``) the listing date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from screening.lists._common import (
    PathLike,
    XmlStream,
    add_unique,
    children,
    clean,
    iso_date,
    make_name,
    partial_date,
    year_range,
)
from screening.lists.record import BirthDate, Entry, Identifier, ListMeta, Name

FORMAT = "eu-xml"
SUBJECTS = {"person": "Person", "enterprise": "Organization", "p": "Person", "e": "Organization"}


def parse(path: PathLike) -> tuple[ListMeta, Iterator[Entry]]:
    """Read the root's generation date now and stream ``sanctionEntity`` elements lazily."""
    stream = XmlStream(path, fmt=FORMAT, root_tags=("export",))
    root = stream.start()
    return ListMeta(published_on=iso_date(root.get("generationDate"))), _entries(stream)


def _entries(stream: XmlStream) -> Iterator[Entry]:
    for elem in stream.records(("sanctionEntity",)):
        yield _entry(elem, stream)


def _attr(elem: etree._Element, name: str) -> str:
    return clean(elem.get(name))


def _country(elem: etree._Element) -> str | None:
    code = _attr(elem, "countryIso2Code").upper()
    return code if len(code) == 2 and code.isalpha() else None


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _birth_date(elem: etree._Element) -> BirthDate | None:
    full = iso_date(_attr(elem, "birthdate"))
    if full:
        return BirthDate(value=full)
    start, end = _int(_attr(elem, "yearRangeFrom")), _int(_attr(elem, "yearRangeTo"))
    if start and end:
        return year_range(start, end)
    year = _int(_attr(elem, "year"))
    if year:
        return partial_date(year, _int(_attr(elem, "monthOfYear")), _int(_attr(elem, "dayOfMonth")))
    return None


def _alias_text(elem: etree._Element) -> str:
    whole = _attr(elem, "wholeName")
    if whole:
        return whole
    return " ".join(p for p in (_attr(elem, k) for k in ("firstName", "middleName", "lastName")) if p)


def _entry(elem: etree._Element, stream: XmlStream) -> Entry:
    location = f"line {elem.sourceline}, <sanctionEntity>"
    ref = _attr(elem, "logicalId")
    if not ref:
        raise stream.error("sanctionEntity without logicalId", location)
    subject = children(elem, "subjectType")
    code = (_attr(subject[0], "code") or _attr(subject[0], "classificationCode")).lower() if subject else ""
    schema = SUBJECTS.get(code, "Organization")
    names: list[Name] = []
    gender: str | None = None
    primary_done = False
    for alias in children(elem, "nameAlias"):
        language = _attr(alias, "nameLanguage")
        weak = _attr(alias, "strong").lower() == "false"
        name = make_name(_alias_text(alias), "aka")
        if name is None:
            continue
        if not primary_done and not language and not weak:
            name = Name(full=name.full, kind="primary", script=name.script)
            primary_done = True
        elif name.script not in (None, "Latn"):
            name = Name(full=name.full, kind="original_script", script=name.script)
        elif weak:
            name = Name(full=name.full, kind="weak_aka", script=name.script)
        add_unique(names, name)
        sex = _attr(alias, "gender").upper()
        if sex in ("M", "F") and gender is None:
            gender = "male" if sex == "M" else "female"
    if not names:
        raise stream.error(f"sanctionEntity {ref} has no name", location)
    if not primary_done:
        names[0] = Name(full=names[0].full, kind="primary", script=names[0].script)
    birth_dates: list[BirthDate] = []
    birth_places: list[str] = []
    for birth in children(elem, "birthdate"):
        add_unique(birth_dates, _birth_date(birth))
        place = ", ".join(
            p for p in (_attr(birth, "city"), _attr(birth, "place"), _attr(birth, "countryDescription")) if p
        )
        add_unique(birth_places, place if place.upper() != "UNKNOWN" else "")
    nationalities: list[str] = []
    for citizenship in children(elem, "citizenship"):
        add_unique(nationalities, _country(citizenship))
    identifiers: list[Identifier] = []
    for key, label in (("euReferenceNumber", "EU Reference Number"), ("unitedNationId", "UN Reference Number")):
        if _attr(elem, key):
            identifiers.append(Identifier(type=label, number=_attr(elem, key)))
    for ident in children(elem, "identification"):
        number = _attr(ident, "number") or _attr(ident, "latinNumber")
        if number:
            label = _attr(ident, "identificationTypeDescription") or _attr(ident, "identificationTypeCode") or "ID"
            add_unique(identifiers, Identifier(type=label, number=number, country=_country(ident)))
    addresses: list[str] = []
    countries: list[str] = []
    for address in children(elem, "address"):
        parts = [
            _attr(address, k) for k in ("street", "poBox", "city", "zipCode", "region", "place", "countryDescription")
        ]
        add_unique(addresses, ", ".join(p for p in parts if p and p.upper() != "UNKNOWN"))
        add_unique(countries, _country(address))
    programs: list[str] = []
    dates: list[str] = []
    for regulation in children(elem, "regulation"):
        add_unique(programs, _attr(regulation, "programme"))
        if published := iso_date(_attr(regulation, "publicationDate")):
            dates.append(published)
    if designated := iso_date(_attr(elem, "designationDate")):
        dates.append(designated)
    remarks = " ".join(clean(r.text) for r in children(elem, "remark") if clean(r.text))
    details = _attr(elem, "designationDetails")
    if details:
        remarks = f"{remarks} {details}".strip()
    return Entry(
        ref=ref,
        schema=schema,
        names=names,
        birth_dates=birth_dates if schema == "Person" else [],
        birth_places=birth_places,
        nationalities=nationalities,
        countries=countries,
        identifiers=identifiers,
        addresses=addresses,
        programs=programs,
        topics=["sanction"],
        gender=gender,
        listed_on=min(dates) if dates else None,
        remarks=re.sub(r"\s+", " ", remarks),
    )
