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
from pathlib import Path
from types import ModuleType

from screening.lists.record import BirthDate, Entry, Identifier, ListMeta, Name, ParseError

FORMATS: dict[str, str] = {
    "ofac-csv": "screening.lists.ofac_csv",
    "ofac-xml": "screening.lists.ofac_xml",
    "un-xml": "screening.lists.un_xml",
    "eu-xml": "screening.lists.eu_xml",
    "uk-csv": "screening.lists.uk_csv",
    "uk-fcdo": "screening.lists.uk_fcdo",
    "ca-xml": "screening.lists.ca_xml",
    "bis-dpl": "screening.lists.bis_dpl",
    "ftm-json": "screening.lists.ftm_json",
    "senzing-json": "screening.lists.senzing_json",
}

# The hand-made samples (screening/lists/samples/, fictional content) per format, for demos
# and fresh clones without ../shared.
SAMPLES: dict[str, tuple[str, ...]] = {
    "ofac-csv": ("ofac",),
    "ofac-xml": ("ofac_xml/sdn.xml",),
    "un-xml": ("un/consolidated.xml",),
    "eu-xml": ("eu/eu_fsf.xml",),
    "uk-csv": ("uk/conlist_legacy.csv", "uk/conlist_2022.csv"),
    "uk-fcdo": ("uk_fcdo/UK-Sanctions-List.xml",),
    "ca-xml": ("canada/sema-lmes.xml",),
    "bis-dpl": ("bis/dpl.txt",),
    "ftm-json": ("opensanctions/entities.ftm.json",),
    "senzing-json": ("opensanctions/senzing.json",),
}
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"

__all__ = [
    "FORMATS",
    "SAMPLES",
    "SAMPLES_DIR",
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
        raise ParseError(f"unknown list format {fmt!r}; known formats: {', '.join(sorted(FORMATS))}") from None
    return importlib.import_module(module_path)


def parse(fmt: str, path: str) -> tuple[ListMeta, Iterator[Entry]]:
    """Parse ``path`` as format ``fmt``; see the module docstring for the contract."""
    return parser_for(fmt).parse(path)
