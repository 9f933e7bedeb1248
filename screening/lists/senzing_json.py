"""OpenSanctions Senzing export, JSON lines (``senzing.json``).

Quirks of the format, all seen in real published files:

* One record per line: ``DATA_SOURCE``, ``RECORD_ID`` (the OpenSanctions entity id, used as
  the key), ``RECORD_TYPE`` (``PERSON`` / ``ORGANIZATION``; **null** for non-target records
  such as the positions a PEP holds, which are skipped), ``NAMES``, ``DATES``, ``COUNTRIES``,
  ``RISKS``, ``RELATIONSHIPS``, ``IDENTIFIERS``, ``ADDRESSES``, ``URL``, ``LAST_CHANGE``.
* ``NAMES[]`` have ``NAME_TYPE`` (``PRIMARY`` / ``ALIAS``) and either ``NAME_FULL``,
  ``NAME_ORG`` or ``NAME_FIRST``/``NAME_MIDDLE``/``NAME_LAST``.
* ``DATES[]`` hold ``DATE_OF_BIRTH`` (ISO, possibly partial) and ``DATE_OF_DEATH``.
* ``COUNTRIES[]`` hold ``NATIONALITY``, ``CITIZENSHIP`` or ``REGISTRATION_COUNTRY`` as
  lower-case ISO alpha-2; ``RISKS[].TOPIC`` carries the FtM topics (``role.pep``, ``sanction``).
* ``IDENTIFIERS[]`` mix ``TRUSTED_ID_TYPE``/``NUMBER`` (Wikidata ids), ``OTHER_ID_*``,
  ``PASSPORT_NUMBER``/``PASSPORT_COUNTRY``, ``NATIONAL_ID_NUMBER``, ``TAX_ID_NUMBER``.
* The newest ``LAST_CHANGE`` is taken as the publication date, which needs a pass over the
  file: the first pass only regex-scans lines, the second streams the records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from screening.lists._common import PathLike, add_unique, clean, make_name, partial_date
from screening.lists.record import BirthDate, Entry, Identifier, ListMeta, Name, ParseError

FORMAT = "senzing-json"
SCHEMAS = {"PERSON": "Person", "ORGANIZATION": "Organization"}
_LAST_CHANGE = re.compile(r'"LAST_CHANGE"\s*:\s*"(\d{4}-\d{2}-\d{2})')
_ISO_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
ID_FIELDS = (
    ("PASSPORT_NUMBER", "PASSPORT_COUNTRY", "Passport"),
    ("NATIONAL_ID_NUMBER", "NATIONAL_ID_COUNTRY", "National ID"),
    ("TAX_ID_NUMBER", "TAX_ID_COUNTRY", "Tax ID"),
)


def parse(path: PathLike) -> tuple[ListMeta, Iterator[Entry]]:
    """Scan for the newest LAST_CHANGE now; stream the records lazily."""
    p = Path(path)
    if not p.is_file():
        raise ParseError("not a file (format senzing-json)", path=str(path))
    if p.stat().st_size == 0:
        raise ParseError("the file is empty", path=str(path))
    newest: str | None = None
    first = True
    for number, line in _lines(p):
        if first:
            record = _decode(p, number, line)
            if "RECORD_ID" not in record or "DATA_SOURCE" not in record:
                raise ParseError(
                    "first line has no RECORD_ID and DATA_SOURCE: not a Senzing JSON file",
                    path=str(p),
                    location=f"line {number}",
                )
            first = False
        if m := _LAST_CHANGE.search(line):
            newest = max(newest or m[1], m[1])
    if first:
        raise ParseError("no records in the file", path=str(p))
    return ListMeta(published_on=newest), _entries(p)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                raise ParseError("not UTF-8 text", path=str(path), location=f"line {number}") from None
            if line:
                yield number, line


def _decode(path: Path, number: int, line: str) -> dict:
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise ParseError(f"not a JSON object ({exc})", path=str(path), location=f"line {number}") from None
    if not isinstance(record, dict):
        raise ParseError("not a JSON object", path=str(path), location=f"line {number}")
    return record


def _items(record: dict, key: str) -> list[dict]:
    items = record.get(key) or []
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _text(item: dict, key: str) -> str:
    value = item.get(key)
    return clean(value) if isinstance(value, str) else ""


def _entries(path: Path) -> Iterator[Entry]:
    for number, line in _lines(path):
        record = _decode(path, number, line)
        schema = SCHEMAS.get(str(record.get("RECORD_TYPE")).upper())
        if schema is None:
            continue
        ref = _text(record, "RECORD_ID")
        if not ref:
            raise ParseError("record without RECORD_ID", path=str(path), location=f"line {number}")
        names: list[Name] = []
        for item in _items(record, "NAMES"):
            full = _text(item, "NAME_FULL") or _text(item, "NAME_ORG")
            if not full:
                full = " ".join(p for p in (_text(item, f"NAME_{k}") for k in ("FIRST", "MIDDLE", "LAST")) if p)
            kind = "primary" if _text(item, "NAME_TYPE").upper() == "PRIMARY" else "aka"
            name = make_name(full, kind)
            if name is not None and kind == "aka" and name.script not in (None, "Latn"):
                name = Name(full=name.full, kind="original_script", script=name.script)
            add_unique(names, name)
        if not names:
            raise ParseError(f"record {ref[:80]} has no name", path=str(path), location=f"line {number}")
        if not any(n.kind == "primary" for n in names):
            names[0] = Name(full=names[0].full, kind="primary", script=names[0].script)
        birth_dates: list[BirthDate] = []
        for item in _items(record, "DATES"):
            m = _ISO_PARTIAL.fullmatch(_text(item, "DATE_OF_BIRTH")[:10])
            if m:
                add_unique(
                    birth_dates, partial_date(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None)
                )
        nationalities: list[str] = []
        countries: list[str] = []
        for item in _items(record, "COUNTRIES"):
            for key, target in (
                ("NATIONALITY", nationalities),
                ("CITIZENSHIP", nationalities),
                ("REGISTRATION_COUNTRY", countries),
            ):
                code = _text(item, key)
                if len(code) == 2 and code.isalpha():
                    add_unique(target, code.upper())
        identifiers: list[Identifier] = []
        for item in _items(record, "IDENTIFIERS"):
            for number_key, country_key, label in ID_FIELDS:
                if _text(item, number_key):
                    country = _text(item, country_key).upper()
                    add_unique(
                        identifiers,
                        Identifier(
                            type=label, number=_text(item, number_key), country=country if len(country) == 2 else None
                        ),
                    )
            for prefix in ("TRUSTED_ID", "OTHER_ID"):
                if _text(item, f"{prefix}_NUMBER"):
                    add_unique(
                        identifiers,
                        Identifier(
                            type=_text(item, f"{prefix}_TYPE") or prefix, number=_text(item, f"{prefix}_NUMBER")
                        ),
                    )
        addresses = [a for a in (_text(i, "ADDR_FULL") for i in _items(record, "ADDRESSES")) if a]
        topics: list[str] = []
        for item in _items(record, "RISKS"):
            add_unique(topics, _text(item, "TOPIC"))
        yield Entry(
            ref=ref,
            schema=schema,
            names=names,
            birth_dates=birth_dates,
            nationalities=nationalities,
            countries=countries,
            identifiers=identifiers,
            addresses=addresses,
            programs=[_text(record, "DATA_SOURCE")] if _text(record, "DATA_SOURCE") else [],
            topics=topics,
        )
