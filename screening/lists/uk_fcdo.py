"""FCDO UK Sanctions List (``UK-Sanctions-List.xml``, or the same list as ``UK-Sanctions-List.csv``).

One format name, ``uk-fcdo``, for both machine-readable files: ``parse`` reads the XML when the
file starts with ``<`` and the CSV otherwise (``screening.lists.uk_fcdo_csv``, whose docstring
gives the CSV's own quirks). Both give the same entries, so a version imported from one file and
the next from the other diff cleanly, and the same content in either creates no new version.

Since 28 January 2026 the UK publishes one list: the Foreign, Commonwealth & Development Office's
UK Sanctions List (https://www.gov.uk/government/publications/the-uk-sanctions-list, files at
``https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.{xml,csv,ods,...}``, same URL at every
refresh). OFSI's Consolidated List (``uk-csv``) is frozen; OFSI Group IDs live on in this list.
No real copy small enough was at hand (``../shared/watchlists/SOURCES.md`` §6 and §12), so the
layout was taken from public code that reads the real file and the tests use hand-written
fixtures in it. Sources checked (element names agree across all of them):

* OpenSanctions' crawler ``datasets/gb/fcdo_sanctions/crawler.py`` and its ``gb_fcdo_sanctions.yml``
  (opensanctions/opensanctions): element paths, ``NameType`` values, dates ``%d/%m/%Y`` and
  ``dd/mm/%Y``, ``Congo (Democratic Republic)``.
* moov-io/watchman ``pkg/sources/csl_uk`` (``download_uk.go``, ``reader_uk_test.go``): the CSV URL
  and its 58-column header under a ``Report Date: 13-Feb-2026`` line.
* Third-party readers quoting trimmed real designations (``AFG0001``, ``AFG0006``, ``DPR0075``) and
  counting quirks over the whole file (a Ruby adapter, "active_sanction", ``uk_sanctions_list``).
* gov.uk guidance "UK Sanctions List: change to the list's format" (February 2022): Name type
  (Primary name / Primary name variation / Alias), alias strength, Unique ID, Ship.

Layout: root ``<Designations>`` (``xmlns:xsi``/``xmlns:xsd`` declared, no default namespace), first
child ``<DateGenerated>dd/mm/yyyy</DateGenerated>`` (the publication date), then one
``<Designation>`` per listed party with ``LastUpdated``, ``DateDesignated``, ``UniqueID``,
``OFSIGroupID``, ``UNReferenceNumber``, ``Names/Name`` (``Name1``..``Name6``, ``NameType``,
``AliasStrength``), ``NonLatinNames/NonLatinName`` (``NameNonLatinScript``, ``NonLatinScriptType``,
``NonLatinScriptLanguage``), ``Titles/Title``, ``RegimeName``, ``IndividualEntityShip``,
``DesignationSource``, ``SanctionsImposed``, ``OtherInformation``, ``UKStatementofReasons``,
``Addresses/Address`` (``AddressLine1``..``6``, ``AddressPostalCode``, ``AddressCountry``),
``PhoneNumbers``, ``EmailAddresses``, ``Websites``, and per type ``IndividualDetails/Individual``
(``DOBs/DOB``, ``Nationalities/Nationality``, ``PassportDetails/Passport`` with ``PassportNumber``
and ``PassportAdditionalInformation``, ``NationalIdentifierDetails/NationalIdentifier`` with
``NationalIdentifierNumber`` and ``…AdditionalInformation``, ``BirthDetails/Location`` with
``TownOfBirth``/``CountryOfBirth``, ``Genders/Gender``, ``Positions/Position``),
``EntityDetails/Entity`` (``TypeOfEntities``, ``BusinessRegistrationNumbers``, ``ParentCompanies``,
``Subsidiaries``) or ``ShipDetails/Ship`` (``IMONumbers``, ``CurrentOwnerOperators``,
``PreviousOwnerOperators``, ``CurrentBelievedFlagOfShips``, ``PreviousFlags``, ``TypeOfShipDetails``,
``TonnageOfShipDetails``, ``LengthOfShipDetails``, ``YearsBuilt``, ``HullIdentificationNumbers``).

Quirks:

* The key is ``UniqueID`` (``RUS1234``: regime prefix + number), present on every designation.
  ``OFSIGroupID`` is kept as an identifier so a hit can be matched to OFSI records, but designations
  made since 28 January 2026 have none. ``UNReferenceNumber`` (``TAi.002``) is kept too.
* **Name1..Name5 are given names, Name6 the family name** (or the whole name of an entity or ship);
  a name reads ``Name1 … Name5 Name6``. (The CSV puts the ``Name 6`` column first: filing order,
  not reading order.) Some ``<Name>`` elements hold no part at all and are skipped.
* ``NameType`` comes in every casing (``Primary Name``, ``Primary name``, ``ALias``): matched
  case-folded. ``Primary name variation`` is a spelling of the primary name, filed as an aka.
  ``AliasStrength`` ``Low quality a.k.a`` makes a weak aka; it is often absent. A few designations
  carry two primary names (both kept); one with none gets its first name as primary.
* ``NonLatinName`` texts are original-script names, but some hold only Latin letters (a
  transliteration filed there): those become ordinary akas. The script is read from the characters,
  not from ``NonLatinScriptType``, which is often empty and sometimes wrong.
* **Unknown date parts are spelled out**: ``dd/mm/1962`` is a year, ``dd/07/1978`` a month,
  ``00/00/1975`` a year again; a DOB that is not a date at all (``15/08/19yy``) is kept in remarks.
* The XML repeats values (a passport once per birth date): every list is de-duplicated.
* IMO numbers appear as ``IMO9562233`` and as ``9562233``: stored as the seven digits.
* Countries and nationalities are English names (``Russia``, ``Congo (Democratic Republic)``),
  mapped to ISO alpha-2; a designation has one ``RegimeName``, the regulation's title.
* Element text is wrapped (a statement of reasons opens on a newline); every text is
  whitespace-collapsed. ``LastUpdated`` is not kept: a re-stamp alone is not a change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from screening.lists._common import (
    PathLike,
    XmlStream,
    add_unique,
    child_text,
    children,
    clean,
    exact_date,
    local,
    make_name,
    open_binary,
    promote_primary,
    uk_date,
)
from screening.lists.countries import to_iso2
from screening.lists.record import BirthDate, Entry, Identifier, ListMeta, Name, ParseError

FORMAT = "uk-fcdo"
SCHEMAS = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
PRIMARY = "primary name"
_IMO = re.compile(r"^IMO\s*(?=\d)", re.IGNORECASE)

# Labelled remarks, in the order they are written: (key, label).
REMARK_FIELDS = (
    ("title", "Title"),
    ("position", "Position"),
    ("source", "Designation source"),
    ("sanctions", "Sanctions imposed"),
    ("passport_info", "Passport details"),
    ("national_id_info", "National identifier details"),
    ("entity_type", "Type of entity"),
    ("parent", "Parent company"),
    ("subsidiary", "Subsidiary"),
    ("ship_type", "Type of ship"),
    ("flag", "Current believed flag"),
    ("previous_flag", "Previous flag"),
    ("owner", "Current owner/operator"),
    ("previous_owner", "Previous owner/operator"),
    ("tonnage", "Tonnage"),
    ("length", "Length"),
    ("year_built", "Year built"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("website", "Website"),
    ("script", "Non-Latin script"),
    ("bad_dob", "Date of birth as published"),
)


@dataclass
class Designation:
    """What one designation says, gathered from its XML element or from its CSV rows."""

    ref: str
    location: str
    names: list[tuple[str, str, str]] = field(default_factory=list)  # (name, name type, alias strength)
    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, value: str | None) -> None:
        text = clean(value)
        if text:
            add_unique(self.values.setdefault(key, []), text)

    def add_name(self, parts: list[str], name_type: str, strength: str) -> None:
        text = " ".join(p for p in (clean(x) for x in parts) if p)
        item = (text, clean(name_type).lower(), clean(strength).lower())
        if text and item not in self.names:
            self.names.append(item)

    def get(self, key: str) -> list[str]:
        return self.values.get(key, [])

    def first(self, key: str) -> str:
        return self.values.get(key, [""])[0]

    def entry(self, path: str) -> Entry:
        """The record contract's Entry; ParseError for a designation without a known type or a name."""
        type_ = self.first("type")
        schema = SCHEMAS.get(type_.lower())
        if schema is None:
            raise ParseError(
                f"designation {self.ref} has unknown type {type_[:20]!r} (Individual, Entity or Ship expected)",
                path=path,
                location=self.location,
            )
        primaries: list[Name] = []
        others: list[Name] = []
        for text, name_type, strength in self.names:
            if name_type == PRIMARY:
                kind = "primary"
            elif strength.startswith("low"):
                kind = "weak_aka"
            else:  # "primary name variation", "alias", and anything new
                kind = "aka"
            add_unique(primaries if kind == "primary" else others, make_name(text, kind))
        for text in self.get("non_latin"):
            name = make_name(text, "original_script")
            if name is not None and name.script in (None, "Latn"):
                name = Name(full=name.full, kind="aka", script=name.script)
            add_unique(others, name)
        if not promote_primary(primaries, others):
            raise ParseError(f"designation {self.ref} has no name", path=path, location=self.location)
        deduped: list[Name] = []
        seen: set[str] = set()
        for name in primaries + others:  # one spelling filed twice (variation and alias): the first kind wins
            if name.full not in seen:
                seen.add(name.full)
                deduped.append(name)

        birth_dates: list[BirthDate] = []
        bad_dobs: list[str] = []
        for text in self.get("dob"):
            date = uk_date(text)
            if date is None:
                bad_dobs.append(text)
            else:
                add_unique(birth_dates, date)
        for text in bad_dobs:
            self.add("bad_dob", text)
        identifiers: list[Identifier] = []
        for key, label in (("ofsi", "OFSI Group ID"), ("un_ref", "UN Reference Number")):
            for number in self.get(key):
                add_unique(identifiers, Identifier(type=label, number=number))
        for key, label in (
            ("passport", "Passport"),
            ("national_id", "National ID"),
            ("registration", "Business registration number"),
            ("hin", "Hull identification number"),
        ):
            for number in self.get(key):
                add_unique(identifiers, Identifier(type=label, number=number))
        for number in self.get("imo"):
            add_unique(identifiers, Identifier(type="IMO", number=_IMO.sub("", number)))
        countries: list[str] = []
        for country in self.get("address_country"):
            add_unique(countries, to_iso2(country))
        nationalities: list[str] = []
        for nationality in self.get("nationality"):
            add_unique(nationalities, to_iso2(nationality))
        gender = next((g.lower() for g in self.get("gender") if g.lower() in ("male", "female")), None)
        remarks = [*self.get("other"), *self.get("reasons")]
        for key, label in REMARK_FIELDS:
            values = self.get(key)
            if values:
                remarks.append(f"{label}: {'; '.join(values)}")
        designated = [d for d in (exact_date(uk_date(t)) for t in self.get("designated")) if d]
        return Entry(
            ref=self.ref,
            schema=schema,
            names=deduped,
            birth_dates=birth_dates if schema == "Person" else [],
            birth_places=list(self.get("birth_place")),
            nationalities=nationalities,
            countries=countries,
            identifiers=identifiers,
            addresses=list(self.get("address")),
            programs=list(self.get("regime")),
            topics=["sanction"],
            gender=gender,
            listed_on=min(designated) if designated else None,
            remarks=" ".join(remarks),
        )


def parse(path: PathLike) -> tuple[ListMeta, Iterator[Entry]]:
    """The XML or the CSV layout, told apart by the first character of the file."""
    with open_binary(path, fmt=FORMAT) as fh:
        head = fh.read(1024).removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        return parse_xml(path)
    from screening.lists.uk_fcdo_csv import parse_csv  # the CSV reader builds on this module

    return parse_csv(path)


def parse_xml(path: PathLike) -> tuple[ListMeta, Iterator[Entry]]:
    """Check the root and read ``DateGenerated`` now; stream the designations lazily."""
    stream = XmlStream(path, fmt=FORMAT, root_tags=("Designations",))
    stream.start()
    published: str | None = None
    for event, elem in stream.iter_events():
        tag = local(elem.tag)
        if event == "end" and tag == "DateGenerated":
            published = exact_date(uk_date(elem.text or ""))
            break
        if event == "start" and tag == "Designation":
            break  # no DateGenerated before the first designation
    return ListMeta(published_on=published), _entries(stream)


def _entries(stream: XmlStream) -> Iterator[Entry]:
    count = 0
    for elem in stream.records(("Designation",)):
        count += 1
        yield _designation(elem, stream).entry(stream.path)
    if count == 0:
        raise stream.error("no <Designation> in the file: the list is empty")


def _texts(elem: etree._Element, *path: str) -> list[str]:
    """Texts of the elements at ``path`` (local names, one per level) below ``elem``."""
    level = [elem]
    for name in path:
        level = [child for parent in level for child in children(parent, name)]
    return [clean(e.text) for e in level if clean(e.text)]


def _nodes(elem: etree._Element, *path: str) -> list[etree._Element]:
    level = [elem]
    for name in path:
        level = [child for parent in level for child in children(parent, name)]
    return level


def _designation(elem: etree._Element, stream: XmlStream) -> Designation:
    location = f"line {elem.sourceline}, <Designation>"
    ref = child_text(elem, "UniqueID")
    if not ref:
        raise stream.error("designation without a UniqueID", location)
    d = Designation(ref=ref, location=location)
    d.add("type", child_text(elem, "IndividualEntityShip"))
    for key, tag in (
        ("ofsi", "OFSIGroupID"),
        ("un_ref", "UNReferenceNumber"),
        ("regime", "RegimeName"),
        ("source", "DesignationSource"),
        ("other", "OtherInformation"),
        ("reasons", "UKStatementofReasons"),
        ("designated", "DateDesignated"),
    ):
        d.add(key, child_text(elem, tag))
    for imposed in child_text(elem, "SanctionsImposed").split("|"):
        d.add("sanctions", imposed)
    for name in _nodes(elem, "Names", "Name"):
        d.add_name(
            [child_text(name, f"Name{i}") for i in range(1, 7)],
            child_text(name, "NameType"),
            child_text(name, "AliasStrength"),
        )
    for non_latin in _nodes(elem, "NonLatinNames", "NonLatinName"):
        d.add("non_latin", child_text(non_latin, "NameNonLatinScript"))
        labels = [child_text(non_latin, "NonLatinScriptType"), child_text(non_latin, "NonLatinScriptLanguage")]
        d.add("script", " / ".join(p for p in labels if p))
    for title in _texts(elem, "Titles", "Title"):
        d.add("title", title)
    for address in _nodes(elem, "Addresses", "Address"):
        lines = [child_text(address, f"AddressLine{i}") for i in range(1, 7)]
        country = child_text(address, "AddressCountry")
        d.add("address", ", ".join(p for p in (*lines, child_text(address, "AddressPostalCode"), country) if p))
        d.add("address_country", country)
    for key, path in (("phone", ("PhoneNumbers", "PhoneNumber")), ("email", ("EmailAddresses", "EmailAddress"))):
        for value in _texts(elem, *path):
            d.add(key, value)
    for website in _texts(elem, "Websites", "Website"):
        d.add("website", website)
    for person in _nodes(elem, "IndividualDetails", "Individual"):
        _individual(person, d)
    for entity in _nodes(elem, "EntityDetails", "Entity"):
        for key, path in (
            ("entity_type", ("TypeOfEntities", "TypeOfEntity")),
            ("registration", ("BusinessRegistrationNumbers", "BusinessRegistrationNumber")),
            ("parent", ("ParentCompanies", "ParentCompany")),
            ("subsidiary", ("Subsidiaries", "Subsidiary")),
        ):
            for value in _texts(entity, *path):
                d.add(key, value)
    for ship in _nodes(elem, "ShipDetails", "Ship"):
        for key, path in (
            ("imo", ("IMONumbers", "IMONumber")),
            ("hin", ("HullIdentificationNumbers", "HullIdentificationNumber")),
            ("owner", ("CurrentOwnerOperators", "CurrentOwnerOperator")),
            ("previous_owner", ("PreviousOwnerOperators", "PreviousOwnerOperator")),
            ("flag", ("CurrentBelievedFlagOfShips", "CurrentBelievedFlagOfShip")),
            ("previous_flag", ("PreviousFlags", "PreviousFlag")),
            ("ship_type", ("TypeOfShipDetails", "TypeOfShip")),
            ("tonnage", ("TonnageOfShipDetails", "TonnageOfShip")),
            ("length", ("LengthOfShipDetails", "LengthOfShip")),
            ("year_built", ("YearsBuilt", "YearBuilt")),
        ):
            for value in _texts(ship, *path):
                d.add(key, value)
    return d


def _individual(person: etree._Element, d: Designation) -> None:
    for dob in _texts(person, "DOBs", "DOB"):
        d.add("dob", dob)
    for title in [child_text(person, "Title"), *_texts(person, "Titles", "Title")]:
        d.add("title", title)
    for nationality in _texts(person, "Nationalities", "Nationality"):
        d.add("nationality", nationality)
    for passport in _nodes(person, "PassportDetails", "Passport"):
        d.add("passport", child_text(passport, "PassportNumber"))
        d.add("passport_info", child_text(passport, "PassportAdditionalInformation"))
    for national in _nodes(person, "NationalIdentifierDetails", "NationalIdentifier"):
        d.add("national_id", child_text(national, "NationalIdentifierNumber"))
        d.add("national_id_info", child_text(national, "NationalIdentifierAdditionalInformation"))
    for place in _nodes(person, "BirthDetails", "Location"):
        parts = [child_text(place, "TownOfBirth"), child_text(place, "CountryOfBirth")]
        d.add("birth_place", ", ".join(p for p in parts if p))
    for gender in _texts(person, "Genders", "Gender"):
        d.add("gender", gender)
    for position in _texts(person, "Positions", "Position"):
        d.add("position", position)
