"""Helpers shared by the parsers: text cleaning, names with their script, safe XML streaming, dates."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO

from lxml import etree

from screening.lists.record import BirthDate, Name, ParseError
from screening.lists.scripts import script_of

PathLike = str | os.PathLike[str]

MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}


def clean(value: str | None) -> str:
    """Collapse whitespace (lists wrap text and pad values) and strip; None becomes ''."""
    if not value:
        return ""
    # Same result as collapsing r"\s+" to one space and stripping (both use Unicode whitespace),
    # several times faster on the hot path of every parser.
    return " ".join(value.split())


def make_name(full: str | None, kind: str) -> Name | None:
    """A Name with its script detected, or None when the text is empty."""
    text = clean(full)
    if not text:
        return None
    return Name(full=text, kind=kind, script=script_of(text))


def iso_date(value: str | None) -> str | None:
    """Keep a date only if it is a real ISO date (YYYY-MM-DD, possibly with a time suffix)."""
    text = clean(value)[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        date.fromisoformat(text)
    except ValueError:
        return None
    return text


def partial_date(year: int, month: int | None = None, day: int | None = None) -> BirthDate | None:
    """BirthDate for a (possibly partial) date; None when the parts are not a real date."""
    if not 1000 <= year <= 2999:
        return None
    if month is None or not 1 <= month <= 12:
        return BirthDate(value=f"{year:04d}")
    if day is None or day == 0:
        return BirthDate(value=f"{year:04d}-{month:02d}")
    try:
        return BirthDate(value=date(year, month, day).isoformat())
    except ValueError:
        return BirthDate(value=f"{year:04d}-{month:02d}")


_UK_DATE = re.compile(r"(\d{1,2}|dd)/(\d{1,2}|mm)/(\d{4})", re.IGNORECASE)
_UK_MONTH_YEAR = re.compile(r"(\d{1,2}|mm)/(\d{4})", re.IGNORECASE)


def uk_date(text: str) -> BirthDate | None:
    """UK lists' dates: ``dd/mm/yyyy`` (``dd``, ``mm`` or ``00`` for an unknown part), ``mm/yyyy`` or ``yyyy``."""
    text = clean(text)
    if m := _UK_DATE.fullmatch(text):
        day = int(m[1]) if m[1].isdigit() else None
        month = int(m[2]) if m[2].isdigit() else None
        return partial_date(int(m[3]), month or None, day or None)
    if m := _UK_MONTH_YEAR.fullmatch(text):
        return partial_date(int(m[2]), int(m[1]) if m[1].isdigit() else None)
    if re.fullmatch(r"\d{4}", text):
        return partial_date(int(text))
    return None


def exact_date(date: BirthDate | None) -> str | None:
    """The ISO date of a complete date (YYYY-MM-DD); None for a partial date, a range or no date."""
    return date.value if date is not None and date.value and len(date.value) == 10 else None


def year_range(year_from: int, year_to: int) -> BirthDate | None:
    """A birth-year range; a one-year range collapses to that year."""
    if not (1000 <= year_from <= 2999 and 1000 <= year_to <= 2999):
        return None
    if year_from > year_to:
        year_from, year_to = year_to, year_from
    if year_from == year_to:
        return BirthDate(value=f"{year_from:04d}")
    return BirthDate(year_from=year_from, year_to=year_to)


def open_binary(path: PathLike, *, fmt: str) -> IO[bytes]:
    """Open a list file for reading, refusing a missing or empty one with a ParseError."""
    p = Path(path)
    if not p.is_file():
        raise ParseError(f"not a file (format {fmt})", path=str(path))
    if p.stat().st_size == 0:
        raise ParseError("the file is empty", path=str(path))
    return p.open("rb")


def local(tag: object) -> str:
    """Tag name without its namespace."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


class XmlStream:
    """Safe streaming over an XML list: no DTD, no entities, no network.

    ``start()`` reads up to the root element so its attributes (publication date) are known
    before any record is parsed; ``records(tag)`` then yields each complete record element and
    frees it afterwards so memory stays flat whatever the file size.
    """

    def __init__(self, path: PathLike, *, fmt: str, root_tags: tuple[str, ...]) -> None:
        self.path = str(path)
        self.fmt = fmt
        self.root_tags = root_tags
        self._fh = open_binary(path, fmt=fmt)
        self._events = etree.iterparse(
            self._fh,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        self.root: etree._Element | None = None

    def error(self, message: str, location: str | None = None) -> ParseError:
        return ParseError(message, path=self.path, location=location)

    def _next(self) -> tuple[str, etree._Element] | None:
        try:
            return next(self._events)
        except StopIteration:
            return None
        except etree.XMLSyntaxError as exc:
            self.close()
            line = getattr(exc, "lineno", None)
            raise self.error(f"not well-formed XML ({exc.msg})", f"line {line}" if line else None) from None
        except (UnicodeDecodeError, ValueError, LookupError) as exc:
            self.close()
            raise self.error(f"cannot decode the XML ({exc})") from None

    def start(self) -> etree._Element:
        item = self._next()
        if item is None:
            self.close()
            raise self.error("no XML root element")
        _, root = item
        if local(root.tag) not in self.root_tags:
            self.close()
            expected = " or ".join(f"<{t}>" for t in self.root_tags)
            raise self.error(
                f"root element is <{local(root.tag)}>, expected {expected}: not a {self.fmt} file",
                f"line {root.sourceline}",
            )
        self.root = root
        return root

    def iter_events(self) -> Iterator[tuple[str, etree._Element]]:
        while True:
            item = self._next()
            if item is None:
                return
            yield item

    def records(self, tags: tuple[str, ...]) -> Iterator[etree._Element]:
        """Yield each complete element whose local name is in ``tags`` and free it afterwards."""
        try:
            for event, elem in self.iter_events():
                if event != "end" or local(elem.tag) not in tags:
                    continue
                yield elem
                elem.clear(keep_tail=False)
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
        finally:
            self.close()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


def child_text(elem: etree._Element, name: str) -> str:
    """Cleaned text of the first direct child with local name ``name``."""
    for child in elem:
        if local(child.tag) == name:
            return clean(child.text)
    return ""


def children(elem: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in elem if local(child.tag) == name]


def values(elem: etree._Element, name: str) -> list[str]:
    """Texts of ``<name><VALUE>..</VALUE></name>`` (UN style) or of repeated ``<name>`` children."""
    out: list[str] = []
    for child in children(elem, name):
        inner = [clean(v.text) for v in child if local(v.tag) == "VALUE"]
        if inner:
            out.extend(v for v in inner if v)
        elif clean(child.text):
            out.append(clean(child.text))
    return out


def add_unique(items: list, item: object) -> None:
    if item and item not in items:
        items.append(item)


def promote_primary(primaries: list[Name], others: list[Name]) -> bool:
    """Without a primary name, the first other name (original script only if nothing else) becomes it.

    Moves the name from ``others`` to ``primaries``; False when there is no name at all.
    """
    if primaries:
        return True
    first = next((n for n in others if n.kind != "original_script"), None) or (others[0] if others else None)
    if first is None:
        return False
    others.remove(first)
    primaries.append(Name(full=first.full, kind="primary", script=first.script))
    return True


_OFAC_DATE_RE = re.compile(r"^(?:(?P<day>\d{1,2}) )?(?:(?P<month>[A-Za-z]{3}) )?(?P<year>\d{4})$")


def ofac_date(text: str) -> BirthDate | None:
    """OFAC date text: ``12 Jan 1970``, ``Jan 1970``, ``1970``, ``circa 1970``, ``1960 to 1962``."""
    text = text.strip().removeprefix("circa ").strip()
    text = text.strip().rstrip(".")
    if " to " in text:
        start, _, end = text.partition(" to ")
        a, b = _OFAC_DATE_RE.match(start.strip()), _OFAC_DATE_RE.match(end.strip())
        if a and b:
            return year_range(int(a["year"]), int(b["year"]))
        return None
    span = re.fullmatch(r"(\d{4})-(\d{4})", text)
    if span:
        return year_range(int(span[1]), int(span[2]))
    m = _OFAC_DATE_RE.match(text)
    if not m:
        return None
    month = MONTHS.get(m["month"].lower()) if m["month"] else None
    day = int(m["day"]) if m["day"] else None
    return partial_date(int(m["year"]), month, day)
