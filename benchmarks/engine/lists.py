"""Load the real lists in ../shared/watchlists through the project's parsers (screening.lists)."""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.machine import describe
from screening.lists import FORMATS, parse
from screening.lists.record import Entry

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("TILLIT_SHARED_DIR", REPO.parent / "shared"))
WATCHLISTS = SHARED / "watchlists"
MATCHING = WATCHLISTS / "matching"

# (source code, parser format, path under watchlists/). A list is loaded when its parser exists.
REAL_LISTS: tuple[tuple[str, str, str], ...] = (
    ("us_ofac_sdn", "ofac-csv", "ofac"),
    ("us_ofac_cons", "ofac-csv", "ofac_consolidated"),
    ("un_sc", "un-xml", "un/UN_consolidated.xml"),
    ("gb_ofsi", "uk-csv", "uk_current/UK_Sanctions_List.xlsx"),
    ("ca_sema", "ca-xml", "canada/cannada.xml"),
    ("us_bis_dpl", "bis-dpl", "us_bis/dpl.txt"),
    ("ve_pep", "ftm-json", "opensanctions/ve_asamblea_nacional/entities.ftm.json"),
    ("us_congress_pep", "senzing-json", "opensanctions/us_congress/us_congress_senzing.json"),
)


def available_lists(only: set[str] | None = None) -> list[tuple[str, str, Path]]:
    """The real lists whose parser exists (and, if given, whose code is in ``only``)."""
    out = []
    for code, fmt, rel in REAL_LISTS:
        if fmt in FORMATS and (only is None or code in only) and (WATCHLISTS / rel).exists():
            out.append((code, fmt, WATCHLISTS / rel))
    return out


def load_entries(only: set[str] | None = None) -> tuple[dict[str, str], list[tuple[str, Entry]]]:
    """Parse the available real lists; returns (versions, [(source code, entry)])."""
    versions: dict[str, str] = {}
    entries: list[tuple[str, Entry]] = []
    for code, fmt, path in available_lists(only):
        meta, stream = parse(fmt, str(path))
        items = list(stream)
        versions[code] = f"{meta.published_on or 'undated'}/{len(items)}"
        entries.extend((code, entry) for entry in items)
    return versions, entries


def machine() -> str:
    """CPU model, cores, RAM and Python version (benchmarks.machine), plus the load when the run started."""
    load = "/".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return f"{describe()}; load average {load} at start"
