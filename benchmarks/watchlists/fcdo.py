"""A synthetic FCDO UK Sanctions List of real size, in both layouts, from the hand-made sample.

No real copy of the list is at hand (``../shared/watchlists/SOURCES.md``), so the five fictional
designations of ``screening/lists/samples/uk_fcdo`` are repeated with new Unique IDs until the
file holds as many designations as the published list (6,334 in September 2026). The CSV keeps
the sample's cartesian product of repeated values, so it grows like the real one (about 87 rows
per designation here; the real file averages 9).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from screening.lists import SAMPLES_DIR

SAMPLE = SAMPLES_DIR / "uk_fcdo" / "UK-Sanctions-List"
_UNIQUE_ID = re.compile(r"<UniqueID>([A-Z]{3})\d+</UniqueID>")


def write_synthetic_fcdo(folder: Path, designations: int) -> tuple[Path, Path]:
    """Write ``UK-Sanctions-List.xml`` and ``.csv`` with ``designations`` designations; return both paths."""
    xml = SAMPLE.with_suffix(".xml").read_text(encoding="utf-8")
    start, end = xml.index("  <Designation>"), xml.rindex("</Designations>")
    blocks = re.findall(r"  <Designation>.*?</Designation>\n", xml[start:end], flags=re.DOTALL)
    xml_path = folder / "UK-Sanctions-List.xml"
    with xml_path.open("w", encoding="utf-8") as out:
        out.write(xml[:start])
        for n in range(designations):
            block = blocks[n % len(blocks)]
            out.write(_UNIQUE_ID.sub(lambda m, n=n: f"<UniqueID>{m[1]}{n:05d}</UniqueID>", block))
        out.write(xml[end:])

    lines = list(csv.reader(io.StringIO(SAMPLE.with_suffix(".csv").read_text(encoding="utf-8"), newline="")))
    report, header, rows = lines[0], lines[1], lines[2:]
    column = header.index("Unique ID")
    by_ref: dict[str, list[list[str]]] = {}
    for row in rows:
        by_ref.setdefault(row[column], []).append(row)
    refs = list(by_ref)
    csv_path = folder / "UK-Sanctions-List.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(report)
        writer.writerow(header)
        for n in range(designations):
            ref = refs[n % len(refs)]
            for row in by_ref[ref]:
                writer.writerow([*row[:column], f"{ref[:3]}{n:05d}", *row[column + 1 :]])
    return xml_path, csv_path
