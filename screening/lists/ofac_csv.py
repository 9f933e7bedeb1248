"""OFAC legacy CSV set: a folder with ``sdn.csv``, ``add.csv``, ``alt.csv``, ``sdn_comments.csv``.

The same layout serves the SDN list and the consolidated non-SDN list (``cons_prim.csv``,
``cons_add.csv``, ``cons_alt.csv``, ``cons_comments.csv``); both file sets are recognised.

Quirks of the format, all seen in real published files:

* No header row; every text field double-quoted, ``ent_num`` unquoted; CRLF line ends (one
  real ``sdn_comments.csv`` uses LF); most files end with a single 0x1A (DOS EOF) byte after
  the last line, some do not. The 0x1A is dropped; anything else after it is an error.
* The null marker is the unquoted token ``-0- `` (with a trailing space), not an empty field.
  Entity rows have SDN_Type ``-0-``.
* Pure ASCII in practice; decoded as UTF-8 strictly so a mis-encoded file fails loudly.
* ``sdn.csv`` (12 columns): ent_num, name (``LAST, First`` for individuals), type
  (individual / vessel / aircraft / ``-0-`` for entities), programmes joined as
  ``IRAN] [SDGT`` (outer brackets stripped), title, call sign, vessel type, tonnage, GRT,
  vessel flag, vessel owner, remarks.
* Remarks are a ``;``-separated bag of facts: ``DOB 10 Dec 1948``, ``alt. DOB 1950 to 1952``,
  ``DOB circa 1960``, ``POB City, Country``, ``nationality X``, ``citizen X``, ``Gender Male``,
  ``Passport A123 (Country)``, ``National ID No. …``, ``a.k.a. 'X'`` (weak aliases live only
  here), ``Digital Currency Address - XBT …``, ``Linked To: …``. These are parsed out.
* Remarks longer than 1000 characters are cut mid-word; the rest is in ``sdn_comments.csv``
  and is appended without a separator.
* ``add.csv`` (6 columns): ent_num, add_num, address, city/state/postal, country, remarks.
  ``alt.csv`` (5 columns): ent_num, alt_num, type (aka / fka / nka), name, remarks.
* No publication date anywhere in the set: ``ListMeta.published_on`` is None.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from screening.lists._common import PathLike, add_unique, clean, make_name, ofac_date
from screening.lists.countries import to_iso2
from screening.lists.record import Entry, Identifier, ListMeta, Name, ParseError

FORMAT = "ofac-csv"
NULL = "-0-"
FILE_SETS = (
    ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"),
    ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"),
)
SCHEMAS = {"individual": "Person", "vessel": "Vessel", "aircraft": "Aircraft", "": "Organization"}
ALT_KINDS = {"aka": "aka", "fka": "fka", "nka": "aka"}

# Identifier labels OFAC writes in remarks, as "<label> <number> (<country>)".
ID_LABELS = (
    "Passport",
    "Diplomatic Passport",
    "National ID No.",
    "Personal ID Card",
    "Identification Number",
    "Tax ID No.",
    "Registration Number",
    "Registration ID",
    "Business Registration Number",
    "Commercial Registry Number",
    "Company Number",
    "Cedula No.",
    "NIT #",
    "RUC #",
    "RFC",
    "CURP #",
    "C.U.R.P. #",
    "C.U.R.P.",
    "C.U.I.T.",
    "D.N.I.",
    "SSN",
    "Driver's License No.",
    "Residency Number",
    "Birth Certificate Number",
    "Electoral Registry No.",
    "Citizen's Card Number",
    "Legal Entity Number",
    "Unified Social Credit Code (USCC)",
    "Economic Register Number (CBLS)",
    "Government Gazette Number",
    "Folio Mercantil No.",
    "C.R. No.",
    "Chamber of Commerce Number",
    "Trade License No.",
    "Public Registration Number",
    "Central Registration System Number",
    "UK Company Number",
    "Vessel Registration Identification",
    "MMSI",
    "Aircraft Tail Number",
    "Aircraft Manufacturer's Serial Number (MSN)",
    "Aircraft Construction Number (also called L/N or S/N or F/N)",
    "Matricula Mercantil No",
    "Kenyan ID No.",
    "SWIFT/BIC",
    "Email Address",
    "Phone Number",
)
_ID_RE = re.compile(
    r"^(?:alt\. )?(?P<label>"
    + "|".join(re.escape(label) for label in sorted(ID_LABELS, key=len, reverse=True))
    + r")\s*(?P<number>[^(),]+?)\s*(?:\((?P<country>[^()]*)\).*|,.*)?$"
)
_DCA_RE = re.compile(r"^(?:alt\. )?Digital Currency Address - (?P<currency>\w+)\s+(?P<number>\S+)")
_DOB_RE = re.compile(r"^(?:alt\. )?DOB (?:circa )?(?P<value>.+)$")
_AKA_RE = re.compile(r"(?:a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s+'([^']+)'")


def _split_csv(path: Path, expected_cols: int, *, required: bool) -> Iterator[tuple[int, list[str]]]:
    """Rows of one file of the set, after the DOS EOF byte is dropped and nulls become ''."""
    if not path.is_file():
        if required:
            raise ParseError("missing file of the OFAC CSV set", path=str(path))
        return
    raw = path.read_bytes()
    if raw.endswith(b"\x1a"):
        raw = raw[:-1]
    if b"\x1a" in raw:
        raise ParseError("unexpected 0x1A byte before the end of the file", path=str(path))
    if not raw.strip():
        if required:
            raise ParseError("the file is empty", path=str(path))
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParseError(
            "not UTF-8/ASCII text: wrong file or encoding", path=str(path), location=f"line {line}"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != expected_cols:
                raise ParseError(
                    f"expected {expected_cols} columns, found {len(row)}: not an OFAC legacy CSV file",
                    path=str(path),
                    location=f"line {reader.line_num}",
                )
            # Cells stay raw: a remark cut at 1000 characters may end in a space that matters
            # when its continuation is appended.
            yield reader.line_num, ["" if c.strip() == NULL else c for c in row]
    except csv.Error as exc:
        raise ParseError(f"malformed CSV ({exc})", path=str(path), location=f"line {reader.line_num}") from None


def _ent_num(value: str, path: Path, line: int) -> str:
    if not value.isdigit():
        raise ParseError(f"ent_num {value[:20]!r} is not a number", path=str(path), location=f"line {line}")
    return str(int(value))


def _files(folder: Path) -> tuple[Path, Path, Path, Path]:
    if not folder.is_dir():
        raise ParseError(
            "ofac-csv expects a folder holding sdn.csv, add.csv, alt.csv, sdn_comments.csv", path=str(folder)
        )
    for names in FILE_SETS:
        if (folder / names[0]).is_file():
            return tuple(folder / n for n in names)  # type: ignore[return-value]
    raise ParseError("no sdn.csv (or cons_prim.csv) in the folder", path=str(folder))


def parse(path: PathLike) -> tuple[ListMeta, Iterator[Entry]]:
    """Index the side files (addresses, aliases, remark continuations), then stream sdn.csv."""
    folder = Path(path)
    sdn, add, alt, comments = _files(folder)
    addresses: dict[str, list[tuple[str, str]]] = {}
    for line, raw_row in _split_csv(add, 6, required=True):
        row = [clean(c) for c in raw_row]
        ent = _ent_num(row[0], add, line)
        address = ", ".join(p for p in (row[2], row[3], row[4]) if p)
        addresses.setdefault(ent, []).append((address, row[4]))
    aliases: dict[str, list[Name]] = {}
    for line, raw_row in _split_csv(alt, 5, required=True):
        row = [clean(c) for c in raw_row]
        ent = _ent_num(row[0], alt, line)
        kind = ALT_KINDS.get(row[2].lower())
        if kind is None:
            raise ParseError(f"unknown alias type {row[2][:20]!r}", path=str(alt), location=f"line {line}")
        name = make_name(row[3], kind)
        if name is not None:
            aliases.setdefault(ent, []).append(name)
    continuations: dict[str, str] = {}
    for line, row in _split_csv(comments, 2, required=False):
        # Comment rows are not whitespace-cleaned at the joint: keep the raw continuation.
        continuations[_ent_num(row[0].strip(), comments, line)] = row[1]
    return ListMeta(), _entries(sdn, addresses, aliases, continuations)


def _entries(
    sdn: Path,
    addresses: dict[str, list[tuple[str, str]]],
    aliases: dict[str, list[Name]],
    continuations: dict[str, str],
) -> Iterator[Entry]:
    seen: set[str] = set()
    for line, raw_row in _split_csv(sdn, 12, required=True):
        ent = _ent_num(raw_row[0].strip(), sdn, line)
        if ent in seen:
            raise ParseError(f"ent_num {ent} appears twice", path=str(sdn), location=f"line {line}")
        seen.add(ent)
        yield _entry(ent, raw_row, addresses.get(ent, []), aliases.get(ent, []), continuations.get(ent, ""), sdn, line)


def _entry(
    ent: str,
    raw: list[str],
    addresses: list[tuple[str, str]],
    aliases: list[Name],
    continuation: str,
    path: Path,
    line: int,
) -> Entry:
    remarks = clean(raw[11] + continuation)
    row = [clean(c) for c in raw]
    type_ = row[2].lower()
    if type_ not in SCHEMAS:
        raise ParseError(f"unknown SDN type {row[2][:20]!r}", path=str(path), location=f"line {line}")
    primary = make_name(row[1], "primary")
    if primary is None:
        raise ParseError(f"ent_num {ent} has no name", path=str(path), location=f"line {line}")
    facts = parse_remarks(remarks)
    names = [primary, *aliases, *facts["names"]]
    identifiers: list[Identifier] = list(facts["identifiers"])
    if row[5]:
        identifiers.append(Identifier(type="Call Sign", number=row[5]))
    countries: list[str] = []
    address_texts: list[str] = []
    for text, country in addresses:
        add_unique(address_texts, text)
        add_unique(countries, to_iso2(country))
    add_unique(countries, to_iso2(row[9]))
    programs = [clean(p) for p in row[3].strip("[]").split("] [") if clean(p)]
    return Entry(
        ref=ent,
        schema=SCHEMAS[type_],
        names=names,
        birth_dates=facts["birth_dates"],
        birth_places=facts["birth_places"],
        nationalities=facts["nationalities"],
        countries=countries,
        identifiers=identifiers,
        addresses=address_texts,
        programs=programs,
        topics=["sanction"],
        gender=facts["gender"],
        listed_on=None,
        remarks=remarks,
    )


def parse_remarks(remarks: str) -> dict:
    """Facts OFAC hides in the Remarks column: dates and places of birth, nationality, IDs, weak akas."""
    facts: dict = {
        "birth_dates": [],
        "birth_places": [],
        "nationalities": [],
        "identifiers": [],
        "names": [],
        "gender": None,
    }
    for weak in _AKA_RE.findall(remarks):
        name = make_name(weak, "weak_aka")
        if name is not None and name not in facts["names"]:
            facts["names"].append(name)
    for part in remarks.split(";"):
        fact = clean(part)
        if not fact.endswith(" No."):
            fact = fact.rstrip(".")
        if not fact:
            continue
        if m := _DOB_RE.match(fact):
            add_unique(facts["birth_dates"], ofac_date(m["value"]))
        elif fact.startswith(("POB ", "alt. POB ")):
            add_unique(facts["birth_places"], fact.split("POB ", 1)[1].strip())
        elif fact.startswith(("nationality ", "alt. nationality ", "citizen ", "alt. citizen ")):
            add_unique(
                facts["nationalities"],
                to_iso2(fact.split(" ", 2)[-1] if fact.startswith("alt.") else fact.split(" ", 1)[1]),
            )
        elif fact in ("Gender Male", "Gender Female"):
            facts["gender"] = fact.split()[1].lower()
        elif m := _DCA_RE.match(fact):
            add_unique(
                facts["identifiers"],
                Identifier(type=f"Digital Currency Address - {m['currency']}", number=m["number"]),
            )
        elif m := _ID_RE.match(fact):
            number = clean(m["number"]).rstrip(",")
            if number and any(ch.isalnum() for ch in number):
                add_unique(
                    facts["identifiers"],
                    Identifier(
                        type=m["label"],
                        number=number,
                        country=to_iso2(m["country"]) if m["country"] else None,
                    ),
                )
    return facts
