"""python manage.py screen --input IN.jsonl --output OUT.jsonl [--threshold T] [--sources CODE,...]

The contract other tools depend on (issue 4). Input: JSON lines, or CSV with the same columns
(chosen by the ``.csv`` extension), each ``{"id", "name", "schema", "birth_date", "countries",
"identifiers"}``. Output: one JSON line per input record, in input order,
``{"id", "matches": [{"entity", "score", "name", "source", "topics", "explanation"}]}`` best
first, only matches at or above the threshold. A bad record gets ``"matches": []`` plus
``"error": {"line", "field", "message"}`` in its output line and a message on stderr; the
other records are screened as usual. Every screening is stored and audited (channel "cli").
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.models.screenings import Channel
from screening.runtime import NoActiveLists
from screening.services import screenings as services

CSV_COLUMNS = ("id", "name", "schema", "birth_date", "countries", "identifiers", "gender")


class LineError(Exception):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def _csv_identifiers(cell: str) -> list[dict[str, str]]:
    """``[{"type":...,"number":...}]`` as JSON, or ``type:number;type:number`` (a bare number has no type)."""
    cell = cell.strip()
    if not cell:
        return []
    if cell.startswith("["):
        try:
            value = json.loads(cell)
        except json.JSONDecodeError:
            raise LineError("identifiers", "identifiers is not valid JSON") from None
        if not isinstance(value, list):
            raise LineError("identifiers", "identifiers must be a list")
        return value
    out = []
    for part in cell.split(";"):
        kind, sep, number = part.partition(":")
        out.append({"type": kind.strip(), "number": number.strip()} if sep else {"type": "", "number": kind.strip()})
    return out


def read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, record or LineError) for every non-blank line; bad UTF-8 or JSON is a line error."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield number, LineError("record", "line is not valid UTF-8")
                continue
            if not text.strip():
                continue
            try:
                yield number, json.loads(text)
            except json.JSONDecodeError as exc:
                yield number, LineError("record", f"line is not valid JSON ({exc.msg} at column {exc.colno})")


def read_csv(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, record or LineError) for every CSV row; the header names the columns."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CommandError(f"{path}: the CSV file is not UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "name" not in reader.fieldnames:
        raise CommandError(f"{path}: the CSV header must name the columns, including 'name' ({', '.join(CSV_COLUMNS)})")
    for row in reader:
        number = reader.line_num
        if None in row:
            yield number, LineError("record", "row has more cells than the header")
            continue
        record: dict[str, Any] = {k: v for k, v in row.items() if k in CSV_COLUMNS and v is not None and v != ""}
        if "name" not in record:
            record["name"] = row.get("name") or ""
        try:
            if "identifiers" in record:
                record["identifiers"] = _csv_identifiers(record["identifiers"])
        except LineError as exc:
            yield number, exc
            continue
        yield number, record


class Command(BaseCommand):
    help = (
        "Screen every record of a JSON lines (or .csv) file against the active watchlists and write one JSON "
        "line of matches per record. Bad records are reported per line and do not stop the run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help="JSON lines file (or .csv with the same columns)")
        parser.add_argument("--output", required=True, help="JSON lines file to write (replaced)")
        parser.add_argument("--threshold", type=float, help="report matches at or above this score (0-1)")
        parser.add_argument("--sources", help="comma-separated source codes to screen against (default: all)")

    def handle(self, *args: object, **options: Any) -> None:
        source_path = Path(options["input"])
        if not source_path.is_file():
            raise CommandError(f"{source_path}: no such file")
        try:
            threshold = services.check_threshold(options["threshold"])
            codes = [c.strip() for c in options["sources"].split(",") if c.strip()] if options["sources"] else None
            sources = services.check_sources(codes)
        except services.ScreeningInputError as exc:
            raise CommandError(f"--{exc.field}: {exc}") from None
        records = read_csv(source_path) if source_path.suffix.lower() == ".csv" else read_jsonl(source_path)
        screened = failed = 0
        with Path(options["output"]).open("w", encoding="utf-8") as out:
            for number, record in records:
                line = self._screen_one(number, record, threshold, sources)
                if "error" in line:
                    failed += 1
                    error = line["error"]
                    self.stderr.write(f"line {number}: {error['field']}: {error['message']}")
                else:
                    screened += 1
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        summary = f"{screened} record(s) screened, {failed} refused; results in {options['output']}"
        (self.stderr if failed else self.stdout).write(summary)

    def _screen_one(self, number: int, record: Any, threshold: float | None, sources: list[str] | None) -> dict:
        record_id = record.get("id") if isinstance(record, dict) else None
        record_id = None if record_id is None else str(record_id)
        try:
            if isinstance(record, LineError):
                raise record
            subject = services.parse_subject(record)
            screening = services.screening_run(
                actor=None, subject=subject, threshold=threshold, sources=sources, channel=Channel.CLI
            )
        except (LineError, services.ScreeningInputError) as exc:
            return {"id": record_id, "matches": [], "error": {"line": number, "field": exc.field, "message": str(exc)}}
        except NoActiveLists as exc:
            raise CommandError(str(exc)) from None
        rows = sorted(screening.prefetched_matches, key=lambda m: m.rank)  # type: ignore[attr-defined]
        return {
            "id": record_id if record_id is not None else "",
            "matches": [
                {
                    "entity": row.entity,
                    "score": round(row.score, 4),
                    "name": row.listed_name,
                    "source": row.source,
                    "topics": list(row.topics),
                    "explanation": row.explanation,
                }
                for row in rows
            ],
        }
