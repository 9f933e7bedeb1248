"""OFAC SDN.XML schema (``sdn.xml``, and ``consolidated.xml`` for the non-SDN list).

Quirks of the format, all seen in real published files:

* Default namespace (changed over the years: ``http://tempuri.org/sdnList.xsd``, now
  ``https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML``); elements
  are matched by local name so both work. No encoding declaration (UTF-8).
* ``sdnList/publshInformation/{Publish_Date, Record_Count}`` - OFAC's own misspelling
  "publsh" - with the date as ``MM/DD/YYYY``. The declared count is checked by the importer.
* ``sdnEntry/uid`` is the same number as ``ent_num`` in the legacy CSV, so entries keep the
  same key in both formats. ``sdnType`` is Individual / Entity / Vessel / Aircraft.
* Individuals carry ``lastName`` + ``firstName``; entities put the whole name in ``lastName``.
  Names are rendered ``LAST, First`` like the legacy CSV.
* ``akaList/aka`` has ``type`` (a.k.a. / f.k.a. / n.k.a.) and ``category`` (strong / weak).
* ``idList/id`` mixes real identifiers with non-identifying facts (``Secondary sanctions
  risk:``, ``Target Type``, ``Website``, ``Executive Order … Directive``, ``Gender``); the latter
  go to remarks (and gender) instead of identifiers.
* ``dateOfBirthItem/dateOfBirth`` uses the legacy text forms (``12 Feb 1962``, ``1962``,
  ``circa 1962``, ``1960 to 1962``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from screening.lists._common import (
    PathLike,
    XmlStream,
    add_unique,
    child_text,
    children,
    clean,
    local,
    make_name,
    ofac_date,
)
from screening.lists.countries import to_iso2
from screening.lists.record import BirthDate, Entry, Identifier, ListMeta, Name

FORMAT = "ofac-xml"
SCHEMAS = {"individual": "Person", "entity": "Organization", "vessel": "Vessel", "aircraft": "Aircraft"}
AKA_KINDS = {"a.k.a.": "aka", "f.k.a.": "fka", "n.k.a.": "aka"}
NOT_IDENTIFIERS = (
    "Secondary sanctions risk",
    "Target Type",
    "Website",
    "Executive Order",
    "Additional Sanctions Information",
    "Transactions Prohibited",
    "Organization Established Date",
    "Organization Type",
    "Gender",
    "Issuer Name",
    "Effective Date",
    "Listing Date",
    "Purchase/Sales For",
    "CAATSA Section",
    "Equity Ticker",
    "ISIN",
    "Nationality of Registration",
    "Other Vessel Flag",
    "Other Vessel Call Sign",
    "Other Vessel Type",
    "Vessel Year of Build",
    "Aircraft Manufacture Date",
    "Aircraft Model",
    "Aircraft Operator",
    "Previous Aircraft Tail Number",
    "Aircraft Mode S Transponder Code",
    "Aircraft Manufacturer",
)


def parse(path: PathLike) -> tuple[ListMeta, Iterator[Entry]]:
    """Read ``publshInformation`` now (it precedes the entries) and stream ``sdnEntry`` lazily."""
    stream = XmlStream(path, fmt=FORMAT, root_tags=("sdnList",))
    stream.start()
    published: str | None = None
    count: int | None = None
    # publshInformation is the first child; an sdnEntry start means there is none. Records
    # are taken on their "end" event, so consuming this "start" loses nothing.
    for event, elem in stream.iter_events():
        if event == "end" and local(elem.tag) == "publshInformation":
            published = _us_date(child_text(elem, "Publish_Date"))
            declared = child_text(elem, "Record_Count")
            count = int(declared) if declared.isdigit() else None
            break
        if event == "start" and local(elem.tag) == "sdnEntry":
            break
    return ListMeta(published_on=published, declared_count=count), _entries(stream)


def _us_date(text: str) -> str | None:
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if not m:
        return None
    month, day, year = int(m[1]), int(m[2]), int(m[3])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _entries(stream: XmlStream) -> Iterator[Entry]:
    for elem in stream.records(("sdnEntry",)):
        yield _entry(elem, stream)


def _full_name(last: str, first: str) -> str:
    return f"{last}, {first}" if last and first else last or first


def _list_items(elem: etree._Element, list_name: str, item_name: str) -> list[etree._Element]:
    return [item for lst in children(elem, list_name) for item in children(lst, item_name)]


def _entry(elem: etree._Element, stream: XmlStream) -> Entry:
    uid = child_text(elem, "uid")
    location = f"line {elem.sourceline}, <sdnEntry>"
    if not uid.isdigit():
        raise stream.error(f"sdnEntry uid {uid[:20]!r} is not a number", location)
    type_ = child_text(elem, "sdnType").lower()
    if type_ not in SCHEMAS:
        raise stream.error(f"unknown sdnType {type_[:20]!r} for uid {uid}", location)
    names: list[Name] = []
    add_unique(names, make_name(_full_name(child_text(elem, "lastName"), child_text(elem, "firstName")), "primary"))
    if not names:
        raise stream.error(f"uid {uid} has no name", location)
    for aka in _list_items(elem, "akaList", "aka"):
        kind = AKA_KINDS.get(child_text(aka, "type").lower(), "aka")
        if child_text(aka, "category").lower() == "weak":
            kind = "weak_aka"
        name = make_name(_full_name(child_text(aka, "lastName"), child_text(aka, "firstName")), kind)
        if name is not None:
            names.append(name)
    remarks_parts = [child_text(elem, "remarks")]
    identifiers: list[Identifier] = []
    gender: str | None = None
    for item in _list_items(elem, "idList", "id"):
        id_type = child_text(item, "idType")
        number = child_text(item, "idNumber")
        if id_type == "Gender":
            gender = number.lower() if number.lower() in ("male", "female") else None
        elif id_type.startswith(NOT_IDENTIFIERS):
            add_unique(remarks_parts, f"{id_type} {number}".strip())
        elif number:
            add_unique(
                identifiers,
                Identifier(type=id_type or "ID", number=number, country=to_iso2(child_text(item, "idCountry"))),
            )
    call_sign = ""
    for info in children(elem, "vesselInfo"):
        call_sign = child_text(info, "callSign")
    if call_sign:
        identifiers.append(Identifier(type="Call Sign", number=call_sign))
    birth_dates: list[BirthDate] = []
    for item in _list_items(elem, "dateOfBirthList", "dateOfBirthItem"):
        add_unique(birth_dates, ofac_date(child_text(item, "dateOfBirth")))
    birth_places: list[str] = []
    for item in _list_items(elem, "placeOfBirthList", "placeOfBirthItem"):
        add_unique(birth_places, child_text(item, "placeOfBirth"))
    nationalities: list[str] = []
    for tag in ("nationality", "citizenship"):
        for item in _list_items(elem, f"{tag}List", tag):
            add_unique(nationalities, to_iso2(child_text(item, "country")))
    addresses: list[str] = []
    countries: list[str] = []
    for item in _list_items(elem, "addressList", "address"):
        parts = [
            child_text(item, field)
            for field in (
                "address1",
                "address2",
                "address3",
                "city",
                "stateOrProvince",
                "postalCode",
                "country",
            )
        ]
        add_unique(addresses, ", ".join(p for p in parts if p))
        add_unique(countries, to_iso2(child_text(item, "country")))
    programs = [
        clean(p.text) for lst in children(elem, "programList") for p in children(lst, "program") if clean(p.text)
    ]
    return Entry(
        ref=str(int(uid)),
        schema=SCHEMAS[type_],
        names=names,
        birth_dates=birth_dates,
        birth_places=birth_places,
        nationalities=nationalities,
        countries=countries,
        identifiers=identifiers,
        addresses=addresses,
        programs=programs,
        topics=["sanction"],
        gender=gender,
        listed_on=None,
        remarks="; ".join(p for p in remarks_parts if p),
    )
