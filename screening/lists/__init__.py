"""Official sanctions and PEP list formats, parsed without Django.

One module per format; every module exposes the same streaming API::

    parse(path) -> tuple[ListMeta, Iterator[Entry]]

``path`` is a file, or for ``ofac-csv`` a folder holding the four files of the set.
``parse`` reads what the file says about itself (publication date, declared count) and
checks that the file is of the expected format *before* returning; the entries are then
produced lazily, one at a time, so memory does not grow with the size of the list.

Every problem with the input (missing or empty file, wrong format, wrong encoding,
truncated or malformed content, a record without a key or a name) raises
``screening.lists.record.ParseError`` - either from ``parse`` or while iterating - with
the file, the line or element, and the reason. Callers (the import service) must treat
an iteration that raised as a failed import and keep nothing of it.

``FORMATS`` maps the format name used on the command line to the parser module;
``parse(fmt, path)`` here dispatches to it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

from screening.lists.record import BirthDate, Entry, Identifier, ListMeta, Name, ParseError

FORMATS: dict[str, str] = {
    "ofac-csv": "screening.lists.ofac_csv",
    "un-xml": "screening.lists.un_xml",
}

__all__ = [
    "FORMATS",
    "BirthDate",
    "Entry",
    "Identifier",
    "ListMeta",
    "Name",
    "ParseError",
    "parse",
    "parser_for",
]


def parser_for(fmt: str) -> ModuleType:
    """The parser module for a format name; ParseError for an unknown name."""
    try:
        module_path = FORMATS[fmt]
    except KeyError:
        raise ParseError(
            f"unknown list format {fmt!r}; known formats: {', '.join(sorted(FORMATS))}"
        ) from None
    return importlib.import_module(module_path)


def parse(fmt: str, path: str) -> tuple[ListMeta, Iterator[Entry]]:
    """Parse ``path`` as format ``fmt``; see the module docstring for the contract."""
    return parser_for(fmt).parse(path)
