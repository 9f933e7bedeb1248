"""OpenSanctions FollowTheMoney entities, JSON lines (``entities.ftm.json``).

Quirks of the format, all seen in real published files:

* One JSON object per line: ``id``, ``caption``, ``schema``, ``properties`` (every property
  is a **list of strings**), ``referents``, ``datasets``, ``first_seen``, ``last_seen``,
  ``last_change`` and ``target``.
* Only **targets** are screening entries (``target: true``; when a file carries no ``target``
  key at all, entities of a listable schema count as targets). Non-targets describe them:
  ``Sanction`` (``entity`` -> target id, ``program``/``programId``, ``authority``,
  ``startDate``/``listingDate``), ``Occupancy``, ``Address``, ``Ownership`` …
* Sanction records may come before or after their target, so the file is read **twice**:
  a first pass keeps only each Sanction's programme id and listing date per target (memory grows
  with the number of sanctions, not of entities) and the newest ``last_change`` (the
  publication date); the second pass streams the targets. Lines that cannot be Sanction
  records are not even JSON-decoded in the first pass.
* Names in every script: ``name`` (the ``caption`` is the primary name, other values are
  aliases), ``alias``, ``weakAlias``, ``previousName``; names not in Latin script are kept as
  ``original_script``.
* Dates are ISO and possibly partial (``1961``, ``1961-05``). Countries are lower-case ISO
  alpha-2 (plus OpenSanctions codes such as ``suhh`` for the USSR, kept only when two letters).
* ``topics`` (``sanction``, ``role.pep``, ``poi``, ``debarment``, ``crime`` …) are kept verbatim.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from screening.lists._common import PathLike, add_unique, clean, make_name, partial_date
from screening.lists.record import BirthDate, Entry, Identifier, ListMeta, Name, ParseError

FORMAT = "ftm-json"
SCHEMAS = {
    "Person": "Person",
    "Organization": "Organization",
    "Company": "Organization",
    "LegalEntity": "Organization",
    "PublicBody": "Organization",
    "Vessel": "Vessel",
    "Airplane": "Aircraft",
}
IDENTIFIER_PROPS = {
    "passportNumber": "Passport",
    "idNumber": "National ID",
    "innCode": "INN",
    "taxNumber": "Tax ID",
    "registrationNumber": "Registration Number",
    "ogrnCode": "OGRN",
    "leiCode": "LEI",
    "swiftBic": "SWIFT/BIC",
    "imoNumber": "IMO",
    "mmsi": "MMSI",
    "callSign": "Call Sign",
    "registrationNumberAircraft": "Aircraft Registration",
    "serialNumber": "Serial Number",
    "vatCode": "VAT",
    "uniqueEntityId": "Unique Entity ID",
    "ricCode": "RIC",
    "cryptoWallet": "Crypto Wallet",
}
_LAST_CHANGE = re.compile(r'"last_change"\s*:\s*"(\d{4}-\d{2}-\d{2})')
_SANCTION = re.compile(r'"schema"\s*:\s*"Sanction"')
_ISO_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def parse(path: PathLike) -> tuple[ListMeta, Iterator[Entry]]:
    """First pass now (sanction links, newest change); the targets stream lazily in a second pass."""
    p = Path(path)
    if not p.is_file():
        raise ParseError("not a file (format ftm-json)", path=str(path))
    if p.stat().st_size == 0:
        raise ParseError("the file is empty", path=str(path))
    sanctions: dict[str, tuple[list[str], list[str]]] = {}
    newest: str | None = None
    seen_any = False
    for number, line in _lines(p):
        if not seen_any:
            _check_first(p, number, line)
            seen_any = True
        if m := _LAST_CHANGE.search(line):
            newest = max(newest or m[1], m[1])
        if _SANCTION.search(line):
            record = _decode(p, number, line)
            props = record.get("properties") or {}
            if not isinstance(props, dict):
                raise ParseError("properties is not an object", path=str(p), location=f"line {number}")
            programs = _strings(props, "programId") or _strings(props, "program") or _strings(props, "authority")
            dates = [d for d in _strings(props, "listingDate") + _strings(props, "startDate") if _date(d)]
            for target in _strings(props, "entity"):
                known = sanctions.setdefault(target, ([], []))
                for program in programs:
                    add_unique(known[0], program)
                known[1].extend(dates)
    if not seen_any:
        raise ParseError("no entities in the file", path=str(p))
    return ListMeta(published_on=newest), _entries(p, sanctions)


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
        raise ParseError(
            f"not a JSON object ({exc.__class__.__name__}: {exc})", path=str(path), location=f"line {number}"
        ) from None
    if not isinstance(record, dict):
        raise ParseError("not a JSON object", path=str(path), location=f"line {number}")
    return record


def _check_first(path: Path, number: int, line: str) -> None:
    record = _decode(path, number, line)
    if "schema" not in record or "properties" not in record:
        raise ParseError(
            "first line has no 'schema' and 'properties': not a FollowTheMoney entities file",
            path=str(path),
            location=f"line {number}",
        )


def _strings(props: dict, key: str) -> list[str]:
    values = props.get(key)
    if not values:
        return []
    if isinstance(values, str):
        values = [values]
    elif not isinstance(values, list):
        return []
    out = []
    for value in values:
        if isinstance(value, str):
            text = clean(value)
            if text:
                out.append(text)
    return out


def _date(text: str) -> BirthDate | None:
    m = _ISO_PARTIAL.fullmatch(text[:10])
    if not m:
        return None
    return partial_date(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None)


def _is_target(record: dict) -> bool:
    if "target" in record:
        return record["target"] is True
    return record.get("schema") in SCHEMAS


def _entries(path: Path, sanctions: dict[str, tuple[list[str], list[str]]]) -> Iterator[Entry]:
    for number, line in _lines(path):
        record = _decode(path, number, line)
        if not _is_target(record):
            continue
        schema = SCHEMAS.get(str(record.get("schema")))
        if schema is None:
            continue  # a target of a schema we do not screen (e.g. a Security): skip, not an error
        entity_id = record.get("id")
        if not isinstance(entity_id, str) or not entity_id.strip():
            raise ParseError("target entity without an id", path=str(path), location=f"line {number}")
        props = record.get("properties")
        if not isinstance(props, dict):
            raise ParseError(
                f"entity {entity_id[:80]}: properties is not an object", path=str(path), location=f"line {number}"
            )
        yield _entry(entity_id.strip(), schema, record, props, sanctions.get(entity_id), path, number)


def _entry(
    entity_id: str,
    schema: str,
    record: dict,
    props: dict,
    sanction: tuple[list[str], list[str]] | None,
    path: Path,
    number: int,
) -> Entry:
    names: list[Name] = []
    caption = record.get("caption") if isinstance(record.get("caption"), str) else None
    all_names = _strings(props, "name")
    primary_text = caption if caption and caption in all_names else (all_names[0] if all_names else caption)
    add_unique(names, make_name(primary_text, "primary"))
    for prop, kind in (("name", "aka"), ("alias", "aka"), ("weakAlias", "weak_aka"), ("previousName", "fka")):
        for value in _strings(props, prop):
            name = make_name(value, kind)
            if name is None or name.full == primary_text:
                continue
            if kind in ("aka",) and name.script not in (None, "Latn"):
                name = Name(full=name.full, kind="original_script", script=name.script)
            add_unique(names, name)
    if not names:
        raise ParseError(f"entity {entity_id[:80]} has no name", path=str(path), location=f"line {number}")
    identifiers: list[Identifier] = []
    for prop, label in IDENTIFIER_PROPS.items():  # in this order: a set's order changes with each process
        if prop not in props:
            continue
        for value in _strings(props, prop):
            add_unique(identifiers, Identifier(type=label, number=value))
    birth_dates: list[BirthDate] = []
    for value in _strings(props, "birthDate"):
        add_unique(birth_dates, _date(value))
    nationalities = _countries(_strings(props, "nationality") + _strings(props, "citizenship"))
    countries = _countries(_strings(props, "country") + _strings(props, "jurisdiction"))
    gender = next((g for g in _strings(props, "gender") if g in ("male", "female")), None)
    programs = list(sanction[0]) if sanction else []
    for value in _strings(props, "programId"):
        add_unique(programs, value)
    listing = sorted(d[:10] for d in (sanction[1] if sanction else []) if len(d) >= 10 and _date(d))
    return Entry(
        ref=entity_id,
        schema=schema,
        names=names,
        birth_dates=birth_dates,
        birth_places=_strings(props, "birthPlace"),
        nationalities=nationalities,
        countries=countries,
        identifiers=identifiers,
        addresses=_strings(props, "address"),
        programs=programs,
        topics=_strings(props, "topics"),
        gender=gender,
        listed_on=listing[0] if listing else None,
        remarks=" ".join(_strings(props, "notes") + [f"Position: {p}" for p in _strings(props, "position")]),
    )


def _countries(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        if len(value) == 2 and value.isalpha():
            add_unique(out, value.upper())
    return out
