"""CPU per ``POST /api/v1/screenings/`` request, in process, through the whole Django stack on PostgreSQL.

Sets up a benchmark database like ``run.py`` (production settings, real lists from ../shared or the
hand-made samples, an API client), then calls the WSGI application directly (what a gunicorn worker
runs, without the HTTP server) with the same mix of names as ``run.py``. After a warm-up it prints,
per request: the web process's CPU (``time.process_time``), wall time, the PostgreSQL backend's CPU,
SQL statements, and the engine's share; ``--profile`` adds a cProfile listing of where the web CPU goes.

    .venv/bin/python benchmarks/screening_api/profile_request.py [--requests 500] [--warmup 100]
        [--rounds 5] [--samples] [--reuse] [--profile] [--top 40] [--sql]

``--reuse`` keeps the benchmark database from an earlier run (lists already loaded): iterating on a
change then takes seconds instead of a list import.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.machine import describe, percentile
from benchmarks.screening_api.run import CLOCK_TICKS, bodies, load_lists, setup_client
from benchmarks.stack import Stack

DATABASE = "tillit_bench_profile"
STATE = "profile-state.json"


def prepare(samples: bool, reuse: bool) -> tuple[Stack, str, list[str], str]:
    """The benchmark database with lists and an API client; (stack, key, listed names, lists description)."""
    stack = Stack(database=DATABASE, web_workers=0, celery_workers=0, fresh=False)
    state_path = stack.data_dir / STATE
    if reuse and state_path.exists():
        state = json.loads(state_path.read_text())
        if state.get("samples") == samples:
            return stack, state["key"], state["listed"], state["lists"]
    stack.data_dir.mkdir(parents=True, exist_ok=True)
    stack._recreate_database()  # not Stack(fresh=True): that also flushes the shared benchmark broker
    stack.__enter__()  # migrate, provision keys
    lists = load_lists(stack, samples)
    key, listed = setup_client(stack)
    state_path.write_text(json.dumps({"samples": samples, "key": key, "listed": listed, "lists": lists}))
    return stack, key, listed, lists


def environ_for(body: bytes, key: str) -> dict[str, Any]:
    """A WSGI environ as gunicorn builds it for the benchmark's request."""
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/screenings/",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8097",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8097",
        "HTTP_AUTHORIZATION": f"Api-Key {key}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def callgrind(*command: str) -> None:
    """Control the callgrind instance this process runs under (instrumentation on/off, zero the counters)."""
    subprocess.run(["callgrind_control", *command, str(os.getpid())], check=True, capture_output=True)


def count_instructions(args: argparse.Namespace) -> None:
    """Run this script under callgrind, counting instructions only while the measured requests run."""
    if shutil.which("valgrind") is None:
        sys.exit("--instructions needs valgrind (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        out, marker = Path(tmp) / "callgrind.out", Path(tmp) / "requests.json"
        argv = [a for a in sys.argv[1:] if a != "--instructions"]
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            *argv,
            "--under-callgrind",
            str(marker),
        ]
        subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
        totals = [line for line in out.read_text(errors="replace").splitlines() if line.startswith("totals:")]
        requests = json.loads(marker.read_text())["requests"]
        instructions = int(totals[-1].split()[1])
    print(
        f"  instructions  {instructions / requests / 1e6:.2f} million per request in the web process "
        f"(callgrind, {requests} requests; does not depend on the machine's load)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500, help="measured requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds (the median is reported)")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--samples", action="store_true", help="hand-made sample lists instead of ../shared")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile listing")
    parser.add_argument("--top", type=int, default=40, help="rows of the cProfile listing")
    parser.add_argument("--sql", action="store_true", help="print the SQL statements of one request")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count the web process's instructions per request under valgrind (callgrind): unlike CPU time, "
        "the count does not change when other work shares the machine (slow: use --requests 200)",
    )
    parser.add_argument(
        "--server-side-binding",
        action="store_true",
        help="experiment: psycopg server-side parameter binding (DATABASES OPTIONS server_side_binding=True)",
    )
    parser.add_argument("--under-callgrind", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.instructions and not args.under_callgrind:
        count_instructions(args)
        return

    print("POST /api/v1/screenings/ in process (WSGI application, production settings, PostgreSQL)")
    print(f"  machine       {describe()}")
    stack, key, listed, lists = prepare(args.samples, args.reuse)
    print(f"  lists         {lists}")
    os.environ.update(stack.env)
    os.environ["DB_CONN_MAX_AGE"] = "3600"  # one backend for the whole run (its CPU is read from /proc)

    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from screening import engine
    from screening.runtime import runtime

    application = get_wsgi_application()
    if args.server_side_binding:
        from django.db import connections

        connections["default"].settings_dict["OPTIONS"]["server_side_binding"] = True
        connections["default"].close()
        print("  experiment    server-side parameter binding (not the production setting)")
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        statuses.append(status)

    def call(body: bytes) -> bytes:
        chunks = application(environ_for(body, key), start_response)
        try:
            return b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()

    work = bodies(listed, args.warmup + args.requests, seed=11)
    for body in work[: args.warmup]:
        call(body)
    if any(not s.startswith("201") for s in statuses):
        sys.exit(f"warm-up requests failed: {sorted(set(statuses))}")
    measured = work[args.warmup :]

    # The engine alone on the same names (what the request adds is the rest).
    snapshot = runtime.current()
    queries = [engine.Query(name=json.loads(body)["name"]) for body in measured]
    cpu = time.process_time()
    for query in queries:
        engine.screen(snapshot.index, query)
    engine_ms = (time.process_time() - cpu) * 1000 / len(queries)

    statements = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    n = len(measured)
    rounds: list[tuple[float, float, float]] = []  # (web CPU, PostgreSQL CPU, SQL statements) per request
    latencies: list[float] = []
    if args.under_callgrind:
        callgrind("-z")  # forget anything counted so far
        callgrind("-i", "on")
    for _ in range(args.rounds):
        statuses.clear()
        statements = 0
        pg_before = backend_cpu(backend)
        cpu = time.process_time()
        with connection.execute_wrapper(count):
            for body in measured:
                started = time.perf_counter()
                call(body)
                latencies.append((time.perf_counter() - started) * 1000)
        web_ms = (time.process_time() - cpu) * 1000 / n
        rounds.append((web_ms, (backend_cpu(backend) - pg_before) * 1000 / n, statements / n))
        if any(not s.startswith("201") for s in statuses):
            sys.exit(f"measured requests failed: {sorted(set(statuses))}")
    if args.under_callgrind:
        callgrind("-i", "off")
        Path(args.under_callgrind).write_text(json.dumps({"requests": n * args.rounds}))
    web_ms, pg_ms, per_request = (statistics.median(r[i] for r in rounds) for i in range(3))

    print(f"  requests      {args.rounds} rounds of {n} after {args.warmup} warm-up; names as run.py")
    print(
        f"  web CPU       {web_ms:.2f} ms per request, median of the rounds; best {min(r[0] for r in rounds):.2f} "
        f"({', '.join(f'{r[0]:.2f}' for r in rounds)}; time.process_time of this process)"
    )
    print(f"    engine      {engine_ms:.2f} ms of it: screen() alone on the same names")
    print(f"    the rest    {web_ms - engine_ms:.2f} ms: Django, DRF, authentication, stores, audit, rendering")
    print(f"  PostgreSQL    {pg_ms:.2f} ms CPU per request (its backend process; clock ticks, coarse)")
    print(f"  SQL           {per_request:.1f} statements per request through Django's cursor")
    print(
        f"  wall          p50 {percentile(latencies, 50):.2f}  p99 {percentile(latencies, 99):.2f}  "
        f"mean {statistics.fmean(latencies):.2f} ms (one caller, no HTTP server)"
    )
    print(f"  load average  {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min)")

    if args.sql:
        sql: list[str] = []

        def keep(execute: Any, text: str, params: Any, many: bool, context: Any) -> Any:
            sql.append(text)
            return execute(text, params, many, context)

        with connection.execute_wrapper(keep):
            call(measured[0])
        print("\nSQL of one request:")
        for text in sql:
            print(f"  {text[:300]}")

    if args.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, not the wall time spent waiting on PostgreSQL
        profiler.enable()
        for body in measured:
            call(body)
        profiler.disable()
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
            print(f"\ncProfile over {n} requests, by {order}:")
            print(out.getvalue().split("\n\n", 1)[-1].rstrip())


if __name__ == "__main__":
    main()
