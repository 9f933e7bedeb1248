"""UN Security Council Consolidated List, XML (``consolidated.xml`` from scsanctions.un.org).

Quirks of the format, all seen in real published files:

* Root ``<CONSOLIDATED_LIST dateGenerated="...">`` holds ``INDIVIDUALS/INDIVIDUAL`` and
  ``ENTITIES/ENTITY``. The generation date is the only publication date; 2017/2020 files use
  US-Eastern offsets (``-04:00``), 2025+ files UTC (``Z``). We keep its calendar date.
* Entries are keyed by ``REFERENCE_NUMBER`` (``QDi.001``), unique in every real file and what
  the UN cites in press releases; ``DATAID`` is kept as an identifier. ``VERSIONNUM`` is always
  1 and useless for change detection.
* ``FIRST_NAME`` … ``FOURTH_NAME`` are name *parts* in published order, not first/last
  semantics; the primary name is their space-joined concatenation. Entities use FIRST_NAME only.
* Aliases carry ``QUALITY`` ``Good`` (strong aka) or ``Low`` (weak aka); empty placeholder
  aliases (``<ALIAS_NAME/>``) are skipped. ``NAME_ORIGINAL_SCRIPT`` holds Arabic, Cyrillic, etc.
* ``INDIVIDUAL_DATE_OF_BIRTH`` has ``TYPE_OF_DATE`` EXACT / APPROXIMATELY / BETWEEN / empty
  with either ``DATE``, ``YEAR`` or ``FROM_YEAR``+``TO_YEAR``.
* Countries are English names ("Iran (Islamic Republic of)"), mapped to ISO alpha-2.
* Older serialisations put whole records on one line, wrap COMMENTS1/NOTE with hard line
  breaks and pad values with spaces: every text is whitespace-collapsed.
* Rare elements (``SUBMITTED_BY``, ``SUBMITTED_ON``, ``INTERPOL_LINK``) are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from screening.lists._common import (
    PathLike,
    XmlStream,
    add_unique,
    child_text,
    children,
    clean,
    iso_date,
    make_name,
    partial_date,
    values,
    year_range,
)
from screening.lists.countries import to_iso2
from screening.lists.record import BirthDate, Entry, Identifier, ListMeta, Name, ParseError

FORMAT = "un-xml"


def parse(path: PathLike) -> tuple[ListMeta, Iterator[Entry]]:
    """Read the list header now and stream its entries lazily."""
    stream = XmlStream(path, fmt=FORMAT, root_tags=("CONSOLIDATED_LIST",))
    root = stream.start()
    generated = clean(root.get("dateGenerated"))
    meta = ListMeta(published_on=iso_date(generated))
    return meta, _entries(stream)


def _entries(stream: XmlStream) -> Iterator[Entry]:
    for elem in stream.records(("INDIVIDUAL", "ENTITY")):
        yield _entry(elem, stream)


def _birth_date(elem: etree._Element) -> BirthDate | None:
    kind = child_text(elem, "TYPE_OF_DATE").upper()
    if kind == "BETWEEN" or child_text(elem, "FROM_YEAR"):
        try:
            return year_range(int(child_text(elem, "FROM_YEAR")), int(child_text(elem, "TO_YEAR")))
        except ValueError:
            return None
    exact = iso_date(child_text(elem, "DATE"))
    if exact:
        return BirthDate(value=exact)
    year = child_text(elem, "YEAR")
    if year.isdigit():
        return partial_date(int(year))
    return None


def _join(*parts: str) -> str:
    return ", ".join(p for p in parts if p)


def _entry(elem: etree._Element, stream: XmlStream) -> Entry:
    is_person = elem.tag == "INDIVIDUAL" or str(elem.tag).endswith("}INDIVIDUAL")
    prefix = "INDIVIDUAL" if is_person else "ENTITY"
    ref = child_text(elem, "REFERENCE_NUMBER") or child_text(elem, "DATAID")
    if not ref:
        raise stream.error("record has neither REFERENCE_NUMBER nor DATAID", f"line {elem.sourceline}, <{prefix}>")
    primary = " ".join(p for p in (child_text(elem, f"{n}_NAME") for n in ("FIRST", "SECOND", "THIRD", "FOURTH")) if p)
    names: list[Name] = []
    add_unique(names, make_name(primary, "primary"))
    add_unique(names, make_name(child_text(elem, "NAME_ORIGINAL_SCRIPT"), "original_script"))
    birth_dates: list[BirthDate] = []
    birth_places: list[str] = []
    for alias in children(elem, f"{prefix}_ALIAS"):
        quality = child_text(alias, "QUALITY").lower()
        name = make_name(child_text(alias, "ALIAS_NAME"), "weak_aka" if quality == "low" else "aka")
        if name is not None:
            names.append(name)
    if not names:
        raise stream.error(f"{ref} has no name", f"line {elem.sourceline}, <{prefix}>")
    for dob in children(elem, "INDIVIDUAL_DATE_OF_BIRTH"):
        add_unique(birth_dates, _birth_date(dob))
    for pob in children(elem, "INDIVIDUAL_PLACE_OF_BIRTH"):
        add_unique(
            birth_places,
            _join(child_text(pob, "CITY"), child_text(pob, "STATE_PROVINCE"), child_text(pob, "COUNTRY")),
        )
    addresses: list[str] = []
    countries: list[str] = []
    for addr in children(elem, f"{prefix}_ADDRESS"):
        country = child_text(addr, "COUNTRY")
        add_unique(
            addresses,
            _join(
                child_text(addr, "STREET"),
                child_text(addr, "CITY"),
                child_text(addr, "STATE_PROVINCE"),
                child_text(addr, "ZIP_CODE"),
                country,
            ),
        )
        add_unique(countries, to_iso2(country))
    nationalities: list[str] = []
    for nat in values(elem, "NATIONALITY"):
        add_unique(nationalities, to_iso2(nat))
    identifiers: list[Identifier] = []
    dataid = child_text(elem, "DATAID")
    if dataid:
        identifiers.append(Identifier(type="UN DATAID", number=dataid))
    for doc in children(elem, "INDIVIDUAL_DOCUMENT"):
        number = child_text(doc, "NUMBER")
        if not number:
            continue
        doc_type = " / ".join(
            t for t in (child_text(doc, "TYPE_OF_DOCUMENT"), child_text(doc, "TYPE_OF_DOCUMENT2")) if t
        )
        issuer = to_iso2(child_text(doc, "ISSUING_COUNTRY") or child_text(doc, "COUNTRY_OF_ISSUE"))
        add_unique(identifiers, Identifier(type=doc_type or "Document", number=number, country=issuer))
    gender = child_text(elem, "GENDER").lower() or None
    remarks = " ".join(
        p
        for p in (
            *(f"Title: {t}" for t in values(elem, "TITLE")),
            *(f"Designation: {d}" for d in values(elem, "DESIGNATION")),
            child_text(elem, "COMMENTS1"),
        )
        if p
    )
    programs = [p for p in (child_text(elem, "UN_LIST_TYPE"),) if p]
    try:
        return Entry(
            ref=ref,
            schema="Person" if is_person else "Organization",
            names=names,
            birth_dates=birth_dates,
            birth_places=birth_places,
            nationalities=nationalities,
            countries=countries,
            identifiers=identifiers,
            addresses=addresses,
            programs=programs,
            topics=["sanction"],
            gender=gender if gender in ("male", "female") else None,
            listed_on=iso_date(child_text(elem, "LISTED_ON")),
            remarks=remarks,
        )
    except (TypeError, ValueError) as exc:  # pragma: no cover - defensive, dataclass has no validation
        raise ParseError(str(exc), path=stream.path, location=f"line {elem.sourceline}") from None
