"""Import time and peak memory per real watchlist, and a synthetic 1,000,000-entity FtM stream.

Usage (from the repo root, with the project venv):

    .venv/bin/python -m benchmarks.watchlists.import_lists parse            # parsers only, every real file
    .venv/bin/python -m benchmarks.watchlists.import_lists import           # full import into PostgreSQL
    .venv/bin/python -m benchmarks.watchlists.import_lists import --database sqlite --only ofac
    .venv/bin/python -m benchmarks.watchlists.import_lists import --only ofac --profile   # cProfile + SQL time
    .venv/bin/python -m benchmarks.watchlists.import_lists ftm --entities 1000000 [--import]
    .venv/bin/python -m benchmarks.watchlists.import_lists fcdo [--designations 6334] [--import]

Every measurement runs in a fresh subprocess so that its peak RSS (``ru_maxrss``) is its own.
``import`` and ``ftm --import`` create (and drop) a scratch database ``tillit_bench_watchlists`` on
the PostgreSQL server of DATABASE_URL (default: the local dev server), or with ``--database sqlite``
a scratch SQLite file. Celery gets an in-memory broker, so the monitoring delta job that a new
version starts is created and its chunks are queued, as in production, but not run inline
(``--eager-monitoring`` runs them inside the import, as a process without a broker would).
Figures are printed with the machine they ran on; nothing here asserts a target. Wall time and
the Python process's own CPU time (user + system, whole process including start-up) are both
shown: on a busy machine the CPU time is the steadier figure (PostgreSQL's own work is not in it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from benchmarks import stack  # noqa: E402
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
import json, os, resource, sys, time
import django
django.setup()
from screening.services import watchlists as services
source = services.source_ensure(code=sys.argv[1], fmt=sys.argv[2], actor=None)
profile = os.environ.get("BENCH_PROFILE") == "1"
if profile:
    import cProfile, io, pstats
    from django.db import connection
    sql = []
    def timed(execute, query, params, many, context):
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql.append(time.perf_counter() - started)
    profiler = cProfile.Profile()
    wrapper = connection.execute_wrapper(timed)
    wrapper.__enter__()
    profiler.enable()
cpu = time.process_time()
t = time.perf_counter()
result = services.list_version_import(source=source, path=sys.argv[3], actor=None, allow_shrink=True)
seconds, import_cpu = time.perf_counter() - t, time.process_time() - cpu
if profile:
    profiler.disable()
    wrapper.__exit__(None, None, None)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(f"{len(sql)} SQL statements, {sum(sql):.2f} s waiting for the database", file=sys.stderr)
    print(out.getvalue(), file=sys.stderr)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "import_cpu_seconds": import_cpu, "entries": result.version.entry_count,
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
    if (env or {}).get("BENCH_PROFILE") == "1":
        print(proc.stderr)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def show(label: str, result: dict) -> None:
    if "error" in result:
        print(f"  {label:<58} ERROR {result['error']}")
        return
    extra = f"  diff {result['diff']}" if "diff" in result else ""
    own = f" ({result['import_cpu_seconds']:.2f} s in the import)" if "import_cpu_seconds" in result else ""
    print(
        f"  {label:<58} {result['seconds']:8.2f} s wall {result['cpu_seconds']:8.2f} s CPU{own}  "
        f"{result['entries']:>9,} entries  peak RSS {result['peak_rss_mib']:7.0f} MiB{extra}"
    )


# --- scratch database ------------------------------------------------------------------------------------
SQLITE_DIR = Path(tempfile.gettempdir()) / f"tillit-bench-watchlists-{os.getpid()}"


def bench_database(database: str = "postgres", eager_monitoring: bool = False) -> dict[str, str]:
    """A migrated scratch database (PostgreSQL or SQLite) and the environment that points at it."""
    if database == "sqlite":
        SQLITE_DIR.mkdir(exist_ok=True)
        bench = f"sqlite:///{SQLITE_DIR / 'bench.sqlite3'}"
    else:
        bench = _bench_url()
        stack.recreate_database(bench)
    env = {"DATABASE_URL": bench, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    if eager_monitoring:
        env["CELERY_BROKER_URL"] = ""  # no broker: Celery runs every task inline
    else:  # tasks are queued in this process's memory and never run
        env.update(CELERY_BROKER_URL="memory://", CELERY_RESULT_BACKEND="cache+memory://")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO, env={**os.environ, **env}, check=True)
    return env


def drop_database(database: str = "postgres") -> None:
    if database == "sqlite":
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)
        return
    stack.drop_database(_bench_url())


def _bench_url() -> str:
    """The scratch database on the server ``DATABASE_URL`` names."""
    return os.environ.get("DATABASE_URL", DEFAULT_DB).rsplit("/", 1)[0] + "/" + BENCH_DB


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
    where = f"SQLite file in {SQLITE_DIR}" if args.database == "sqlite" else f"PostgreSQL database {BENCH_DB}"
    monitoring = "run inline (eager Celery)" if args.eager_monitoring else "job created, chunks queued, not run"
    print(f"Full import into a scratch {where}, one process per file, in order (monitoring: {monitoring}):")
    env = bench_database(args.database, args.eager_monitoring)
    if args.profile:
        env["BENCH_PROFILE"] = "1"
    try:
        for code, fmt, rel in REAL_FILES:
            path = SHARED / rel
            if not path.exists() or (args.only and args.only not in rel):
                continue
            if rel.startswith(("ofac_history", "uk/")):  # older copies: their own sources, no diff
                code = f"custom_{code}_old"
            show(f"{code:<24} {rel}", child(IMPORT_CHILD, [code, fmt, str(path)], env))
        # A real diff on top of an existing version: OFAC 2021-07 -> 2023-12 and UN history.
        print("Imports that supersede an active version (diff computed against it):")
        if not args.only or args.only in "ofac":
            show(
                "us_ofac_sdn 2021-07 -> 2023-12",
                _two_step(env, "custom_ofac_diff", "ofac-csv", "ofac_history/2021-07", "ofac"),
            )
        if not args.only or args.only in "un":
            show(
                "un_sc 2026-01-28 -> 2026-02-27",
                _two_step(
                    env, "custom_un_diff", "un-xml", "un_history/2026-01-28_consolidated.xml", "un/UN_consolidated.xml"
                ),
            )
    finally:
        drop_database(args.database)


def _two_step(env: dict[str, str], code: str, fmt: str, first: str, second: str) -> dict:
    child(IMPORT_CHILD, [code, fmt, str(SHARED / first)], {**env, "BENCH_PROFILE": "0"})
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
            env = bench_database(eager_monitoring=False)
            try:
                show(
                    "ftm-json full import into PostgreSQL",
                    child(IMPORT_CHILD, ["os_synthetic", "ftm-json", str(path)], env),
                )
            finally:
                drop_database()


def cmd_fcdo(args: argparse.Namespace) -> None:
    from benchmarks.watchlists.fcdo import write_synthetic_fcdo

    with tempfile.TemporaryDirectory(prefix="tillit-fcdo-") as tmp:
        xml, csv_path = write_synthetic_fcdo(Path(tmp), args.designations)
        sizes = ", ".join(f"{p.suffix[1:]} {p.stat().st_size / 1024 / 1024:.1f} MiB" for p in (xml, csv_path))
        print(f"Synthetic FCDO UK Sanctions List: {args.designations:,} designations ({sizes})")
        show("uk-fcdo XML parse", child(PARSE_CHILD, ["uk-fcdo", str(xml)]))
        show("uk-fcdo CSV parse (rows grouped by Unique ID)", child(PARSE_CHILD, ["uk-fcdo", str(csv_path)]))
        if args.do_import:
            env = bench_database(args.database)
            try:
                show(
                    f"uk-fcdo XML full import ({args.database})",
                    child(IMPORT_CHILD, ["gb_fcdo", "uk-fcdo", str(xml)], env),
                )
                show(
                    "uk-fcdo CSV of the same list (same content: no version)",
                    child(IMPORT_CHILD, ["gb_fcdo", "uk-fcdo", str(csv_path)], env),
                )
            finally:
                drop_database(args.database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("parse")
    imports = sub.add_parser("import")
    imports.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    imports.add_argument("--only", default="", help="only the files whose path contains this text (e.g. ofac)")
    imports.add_argument("--profile", action="store_true", help="print a cProfile and the SQL wait per import")
    imports.add_argument(
        "--eager-monitoring", action="store_true", help="run the monitoring delta job inline (no broker)"
    )
    ftm = sub.add_parser("ftm")
    ftm.add_argument("--entities", type=int, default=1_000_000)
    ftm.add_argument("--import", dest="do_import", action="store_true")
    fcdo = sub.add_parser("fcdo")
    fcdo.add_argument("--designations", type=int, default=6334)
    fcdo.add_argument("--import", dest="do_import", action="store_true")
    fcdo.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args()
    print("Machine:")
    print_machine()
    {"parse": cmd_parse, "import": cmd_import, "ftm": cmd_ftm, "fcdo": cmd_fcdo}[args.command](args)


if __name__ == "__main__":
    main()
