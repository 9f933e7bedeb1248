"""Import time and peak memory per real watchlist, and a synthetic 1,000,000-entity FtM stream.

Usage (from the repo root, with the project venv):

    .venv/bin/python -m benchmarks.watchlists.import_lists parse            # parsers only, every real file
    .venv/bin/python -m benchmarks.watchlists.import_lists import           # full import into PostgreSQL
    .venv/bin/python -m benchmarks.watchlists.import_lists ftm --entities 1000000 [--import]

Every measurement runs in a fresh subprocess so that its peak RSS (``ru_maxrss``) is its own.
``import`` and ``ftm --import`` need PostgreSQL: they create (and drop) a scratch database
``tillit_bench_watchlists`` on the server of DATABASE_URL (default: the local dev server).
Figures are printed with the machine they ran on; nothing here asserts a target. Wall time and
the Python process's own CPU time (user + system, whole process including start-up) are both
shown: on a busy machine the CPU time is the steadier figure (PostgreSQL's own work is not in it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from benchmarks.machine import print_machine  # noqa: E402

SHARED = Path(os.environ.get("TILLIT_SHARED_DIR", REPO.parent / "shared")) / "watchlists"
DEFAULT_DB = "postgres://tillit:tillit@127.0.0.1:5432/tillit"
BENCH_DB = "tillit_bench_watchlists"

# (source code, format, path under ../shared/watchlists)
REAL_FILES: tuple[tuple[str, str, str], ...] = (
    ("us_ofac_sdn", "ofac-csv", "ofac"),
    ("us_ofac_sdn", "ofac-csv", "ofac_history/2021-07"),
    ("custom_ofac_cons_csv", "ofac-csv", "ofac_consolidated"),
    ("us_ofac_cons", "ofac-xml", "ofac_consolidated/consolidated.xml"),
    ("un_sc", "un-xml", "un/UN_consolidated.xml"),
    ("gb_hmt", "uk-csv", "uk/sanctionsconlist.csv"),
    ("gb_hmt", "uk-csv", "uk_current/UK_Sanctions_List.xlsx"),
    ("ca_sema", "ca-xml", "canada/cannada.xml"),
    ("us_bis_dpl", "bis-dpl", "us_bis/dpl.txt"),
    ("os_ve_asamblea_nacional", "ftm-json", "opensanctions/ve_asamblea_nacional/entities.ftm.json"),
    ("os_us_congress", "senzing-json", "opensanctions/us_congress/us_congress_senzing.json"),
)

# --- children (each measurement runs in its own process) ----------------------------------------------
PARSE_CHILD = """
import json, resource, sys, time
from screening.lists import parse
t = time.perf_counter()
meta, stream = parse(sys.argv[1], sys.argv[2])
n = names = 0
for entry in stream:
    n += 1
    names += len(entry.names)
    entry.content_hash()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t, "entries": n, "names": names,
                  "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_mib": usage.ru_maxrss / 1024}))
"""

IMPORT_CHILD = """
import json, resource, sys, time
import django
django.setup()
from screening.services import watchlists as services
source = services.source_ensure(code=sys.argv[1], fmt=sys.argv[2], actor=None)
t = time.perf_counter()
result = services.list_version_import(source=source, path=sys.argv[3], actor=None, allow_shrink=True)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t, "entries": result.version.entry_count,
                  "created": result.created, "diff": result.version.diff_summary,
                  "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_mib": usage.ru_maxrss / 1024}))
"""


def child(code: str, args: list[str], env: dict[str, str] | None = None) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def show(label: str, result: dict) -> None:
    if "error" in result:
        print(f"  {label:<58} ERROR {result['error']}")
        return
    extra = f"  diff {result['diff']}" if "diff" in result else ""
    print(
        f"  {label:<58} {result['seconds']:8.2f} s wall {result['cpu_seconds']:8.2f} s CPU  "
        f"{result['entries']:>9,} entries  peak RSS {result['peak_rss_mib']:7.0f} MiB{extra}"
    )


# --- scratch PostgreSQL database ------------------------------------------------------------------------
def bench_database() -> dict[str, str]:
    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    admin = url.rsplit("/", 1)[0] + "/postgres"
    bench = url.rsplit("/", 1)[0] + "/" + BENCH_DB
    for sql in (f"DROP DATABASE IF EXISTS {BENCH_DB}", f"CREATE DATABASE {BENCH_DB}"):
        subprocess.run(["psql", admin, "-q", "-c", sql], check=True, capture_output=True)
    env = {"DATABASE_URL": bench, "DJANGO_SETTINGS_MODULE": "config.settings.base", "CELERY_BROKER_URL": ""}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO, env={**os.environ, **env}, check=True)
    return env


def drop_database() -> None:
    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    admin = url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-q", "-c", f"DROP DATABASE IF EXISTS {BENCH_DB}"], check=False, capture_output=True)


# --- synthetic FtM ------------------------------------------------------------------------------------------
FIRST = ["Ivan", "Maria", "Ahmad", "Li", "Olga", "John", "Fatima", "Pierre", "Anna", "Kim", "Sergei", "Aisha"]
LAST = ["Petrov", "Garcia", "Hassan", "Wei", "Ivanova", "Smith", "Khan", "Dubois", "Novak", "Park", "Orlov"]
CYR = ["Иван", "Мария", "Ольга", "Сергей", "Анна"]


def write_synthetic_ftm(path: Path, entities: int) -> None:
    """Entities shaped like OpenSanctions targets, plus one Sanction record per ten targets."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(entities):
            first, last = FIRST[i % len(FIRST)], LAST[(i // 7) % len(LAST)]
            if i % 10 == 9:
                record = {
                    "id": f"syn-sanction-{i}",
                    "schema": "Sanction",
                    "properties": {"entity": [f"syn-{i - 1}"], "programId": ["SYN-PROG"], "startDate": ["2022-03-15"]},
                    "target": False,
                    "last_change": "2025-01-01T00:00:00",
                }
            elif i % 3 == 0:
                record = {
                    "id": f"syn-{i}",
                    "caption": f"{last} Trading {i} LLC",
                    "schema": "Company",
                    "properties": {
                        "name": [f"{last} Trading {i} LLC", f"ООО {CYR[i % len(CYR)]} {i}"],
                        "country": ["ru"],
                        "registrationNumber": [f"{1000000000 + i}"],
                        "topics": ["sanction"],
                    },
                    "target": True,
                    "last_change": "2025-01-01T00:00:00",
                }
            else:
                record = {
                    "id": f"syn-{i}",
                    "caption": f"{first} {last} {i}",
                    "schema": "Person",
                    "properties": {
                        "name": [f"{first} {last} {i}", f"{CYR[i % len(CYR)]} {last} {i}"],
                        "alias": [f"{last}, {first} {i}"],
                        "birthDate": [f"{1940 + i % 60}-{1 + i % 12:02d}-{1 + i % 28:02d}"],
                        "nationality": ["ru" if i % 2 else "ir"],
                        "passportNumber": [f"P{i:09d}"],
                        "topics": ["sanction" if i % 4 else "role.pep"],
                    },
                    "target": True,
                    "last_change": "2025-01-01T00:00:00",
                }
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")


# --- commands ----------------------------------------------------------------------------------------------
def cmd_parse(args: argparse.Namespace) -> None:
    print("Parse only (stream every entry and hash it), one process per file:")
    for _, fmt, rel in REAL_FILES:
        path = SHARED / rel
        if path.exists():
            show(f"{fmt:<12} {rel}", child(PARSE_CHILD, [fmt, str(path)]))


def cmd_import(args: argparse.Namespace) -> None:
    print(f"Full import into PostgreSQL (scratch database {BENCH_DB}), one process per file, in order:")
    env = bench_database()
    try:
        for code, fmt, rel in REAL_FILES:
            path = SHARED / rel
            if not path.exists():
                continue
            if rel.startswith(("ofac_history", "uk/")):  # older copies: their own sources, no diff
                code = f"custom_{code}_old"
            show(f"{code:<24} {rel}", child(IMPORT_CHILD, [code, fmt, str(path)], env))
        # A real diff on top of an existing version: OFAC 2021-07 -> 2023-12 and UN history.
        print("Imports that supersede an active version (diff computed against it):")
        show(
            "us_ofac_sdn 2021-07 -> 2023-12",
            _two_step(env, "custom_ofac_diff", "ofac-csv", "ofac_history/2021-07", "ofac"),
        )
        show(
            "un_sc 2026-01-28 -> 2026-02-27",
            _two_step(
                env, "custom_un_diff", "un-xml", "un_history/2026-01-28_consolidated.xml", "un/UN_consolidated.xml"
            ),
        )
    finally:
        drop_database()


def _two_step(env: dict[str, str], code: str, fmt: str, first: str, second: str) -> dict:
    child(IMPORT_CHILD, [code, fmt, str(SHARED / first)], env)
    return child(IMPORT_CHILD, [code, fmt, str(SHARED / second)], env)


def cmd_ftm(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="tillit-ftm-") as tmp:
        path = Path(tmp) / "entities.ftm.json"
        started = time.perf_counter()
        write_synthetic_ftm(path, args.entities)
        size = path.stat().st_size / 1024 / 1024
        elapsed = time.perf_counter() - started
        print(f"Synthetic FtM file: {args.entities:,} entities, {size:,.0f} MiB (written in {elapsed:.0f} s)")
        show("ftm-json parse (two passes, streaming)", child(PARSE_CHILD, ["ftm-json", str(path)]))
        if args.do_import:
            env = bench_database()
            try:
                show(
                    "ftm-json full import into PostgreSQL",
                    child(IMPORT_CHILD, ["os_synthetic", "ftm-json", str(path)], env),
                )
            finally:
                drop_database()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("parse")
    sub.add_parser("import")
    ftm = sub.add_parser("ftm")
    ftm.add_argument("--entities", type=int, default=1_000_000)
    ftm.add_argument("--import", dest="do_import", action="store_true")
    args = parser.parse_args()
    print("Machine:")
    print_machine()
    {"parse": cmd_parse, "import": cmd_import, "ftm": cmd_ftm}[args.command](args)


if __name__ == "__main__":
    main()
