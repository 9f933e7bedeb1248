"""US Commerce BIS Denied Persons List (``dpl.txt``).

Quirks of the format, all seen in the real published file:

* Tab separated, every field double-quoted, one header row: ``Name, Street_Address, City,
  State, Country, Postal_Code, Effective_Date (MM/DD/YYYY), Expiration_Date, Standard_Order,
  Last_Update (YYYY-MM-DD), Action, FR_Citation``.
* **One party is several rows** (one per address or per order update) and there is no
  identifier: rows are grouped by the whitespace-collapsed, upper-cased name, which is also
  the entry key. Names carry leading spaces (``" I. ASH"``).
* Country is ISO alpha-2 and sometimes empty for US addresses.
* Dates are malformed now and then (``3033-09-30`` in Last_Update): a date that is not a real
  date is dropped rather than trusted. The newest plausible Last_Update (not in the future
  of the file) is the list's publication date.
* The list does not say whether a party is a person or a company; entries are published
  as ``Person`` only when the name has no company marker (INC, LTD, LLC, CO., GMBH, S.A. …),
  otherwise ``Organization``. Topic ``debarment`` (export privileges denied).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from screening.lists._common import PathLike, add_unique, clean, make_name
from screening.lists.countries import to_iso2
from screening.lists.record import Entry, ListMeta, ParseError

FORMAT = "bis-dpl"
HEADER = ("Name", "Street_Address", "City", "State", "Country", "Postal_Code", "Effective_Date")
_COMPANY = re.compile(
    r"\b(INC|INCORPORATED|LTD|LIMITED|LLC|L\.L\.C|CO|COMPANY|CORP|CORPORATION|GMBH|S\.A|SA|SRL|BV|AG|PLC|"
    r"ENTERPRISES?|INDUSTR(?:Y|IES)|TRADING|INTERNATIONAL|GROUP|TECHNOLOG(?:Y|IES)|SYSTEMS|AVIATION|"
    r"AIRLINES?|ELECTRONICS|IMPORTS?|EXPORTS?|SERVICES|PVT|FZE|FZCO|LLP|OOO|ZAO|OAO|JSC)\b\.?"
)


def _us_date(text: str) -> str | None:
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if not m:
        return None
    try:
        return date(int(m[3]), int(m[1]), int(m[2])).isoformat()
    except ValueError:
        return None


def _iso(text: str) -> str | None:
    try:
        return date.fromisoformat(text).isoformat() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


def parse(path: PathLike) -> tuple[ListMeta, Iterator[Entry]]:
    """Read and group the (small) file now; yield one entry per denied party."""
    p = Path(path)
    if not p.is_file():
        raise ParseError("not a file (format bis-dpl)", path=str(path))
    raw = p.read_bytes()
    if not raw.strip():
        raise ParseError("the file is empty", path=str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParseError("not UTF-8 text: wrong file or encoding", path=str(path), location=f"line {line}") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", strict=True)
    groups: dict[str, list[list[str]]] = {}
    try:
        header = [clean(c) for c in next(reader, [])]
        if tuple(header[: len(HEADER)]) != HEADER:
            raise ParseError("header is not the Denied Persons List header", path=str(path), location="line 1")
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise ParseError(
                    f"expected {len(header)} tab-separated fields, found {len(row)}",
                    path=str(path),
                    location=f"line {reader.line_num}",
                )
            cells = [clean(c) for c in row]
            key = cells[0].upper()
            if not key:
                raise ParseError("row without a name", path=str(path), location=f"line {reader.line_num}")
            groups.setdefault(key, []).append(cells)
    except csv.Error as exc:
        raise ParseError(f"malformed CSV ({exc})", path=str(path), location=f"line {reader.line_num}") from None
    if not groups:
        raise ParseError("no rows after the header: the list is empty", path=str(path))
    updates = [d for rows in groups.values() for r in rows if (d := _iso(r[9])) and d <= date.today().isoformat()]
    return ListMeta(published_on=max(updates) if updates else None), _entries(groups)


def _entries(groups: dict[str, list[list[str]]]) -> Iterator[Entry]:
    for key, rows in groups.items():
        addresses: list[str] = []
        countries: list[str] = []
        effective: list[str] = []
        remarks: list[str] = []
        for r in rows:
            add_unique(addresses, ", ".join(p for p in (r[1], r[2], r[3], r[5], r[4]) if p))
            add_unique(countries, to_iso2(r[4]))
            if d := _us_date(r[6]):
                effective.append(d)
            add_unique(remarks, "; ".join(p for p in (r[10], r[11]) if p))
        name = make_name(rows[0][0], "primary")
        assert name is not None  # grouped by a non-empty name
        yield Entry(
            ref=key,
            schema="Organization" if _COMPANY.search(key) else "Person",
            names=[name],
            countries=countries,
            addresses=addresses,
            programs=["US BIS Denied Persons"],
            topics=["debarment"],
            listed_on=min(effective) if effective else None,
            remarks=" | ".join(remarks),
        )
