"""Load test: the production stack on this machine under increasing request rates.

Starts gunicorn + Celery workers (production settings) on PostgreSQL and Redis, loads the watchlists
(the real ones in ../shared when present, else the hand-made samples), then runs locust headless at each
offered rate and prints throughput and p50/p95/p99 per stage, and the first rate whose p99 exceeds 100 ms.
Traffic goes to 127.0.0.1 only; every stage is bounded in time.

    benchmarks/.venv-load/bin/pip install -r benchmarks/load/requirements.txt   # once
    .venv/bin/python benchmarks/load/run.py [--scenario screening|whoami] [--rates 25,50,100,200] [--seconds 20]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.machine import describe
from benchmarks.stack import REPO, Stack

LOCUST = REPO / "benchmarks" / ".venv-load" / "bin" / "locust"
SHARED = REPO.parent / "shared" / "watchlists"


def load_lists(stack: Stack) -> str:
    if (SHARED / "un").exists():
        un = next((SHARED / "un").glob("*.xml"))
        stack.manage("load_watchlist", "un-xml", str(un), "--source", "un_sc")
        stack.manage("load_watchlist", "ofac-csv", str(SHARED / "ofac"), "--source", "us_ofac_sdn")
        return "real UN + OFAC SDN lists from ../shared"
    samples = REPO / "screening" / "lists" / "samples"
    stack.manage("load_watchlist", "un-xml", str(next((samples / "un").glob("*.xml"))), "--source", "un_sc")
    return "hand-made sample lists"


def run_stage(url: str, key: str, scenario: str, users: int, seconds: int, out: Path) -> dict[str, float]:
    env = {**os.environ, "TILLIT_LOAD_API_KEY": key, "TILLIT_LOAD_SCENARIO": scenario, "TILLIT_LOAD_RPS_PER_USER": "1"}
    prefix = out / f"{scenario}-{users}"
    subprocess.run(
        [
            str(LOCUST),
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            "--headless",
            "--host",
            url,
            "--users",
            str(users),
            "--spawn-rate",
            str(max(users // 2, 1)),
            "--run-time",
            f"{seconds}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "5",
        ],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "offered": float(users),
        "rps": float(total["Requests/s"]),
        "requests": float(total["Request Count"]),
        "failures": float(total["Failure Count"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
        "by_request": {  # type: ignore[dict-item]
            name: (float(row["Request Count"]), float(row["50%"]), float(row["95%"]), float(row["99%"]))
            for name, row in rows.items()
            if name != "Aggregated"
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="mixed", choices=["mixed", "screening", "whoami"])
    parser.add_argument("--rates", default="25,50,100,150,200,300", help="offered requests/s per stage")
    parser.add_argument("--seconds", type=int, default=20, help="duration of each stage")
    parser.add_argument("--web-workers", type=int, default=4)
    args = parser.parse_args()
    if not LOCUST.exists():
        sys.exit(f"locust is not installed: see {Path(__file__).with_name('requirements.txt')}")

    out = REPO / "benchmarks" / "results" / "load"
    out.mkdir(parents=True, exist_ok=True)
    with Stack(database="tillit_load", web_workers=args.web_workers, celery_workers=1) as stack:
        lists = load_lists(stack) if args.scenario != "whoami" else "none needed"
        key = stack.api_key()
        stack.start()
        waited = stack.wait_until_workers_idle()
        print(f"Machine: {describe()}")
        print(f"Workers drained the monitoring jobs of the list imports in {waited:.0f} s before the first stage")
        print(f"Stack: gunicorn {args.web_workers} sync workers + 1 Celery worker, PostgreSQL, Redis; lists: {lists}")
        print(f"Scenario: {args.scenario}; {args.seconds} s per stage\n")
        print(
            f"{'offered/s':>10} {'achieved/s':>10} {'requests':>9} {'fail':>5} "
            f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
        )
        # Warm-up, not reported: every gunicorn worker loads the screening index on its first
        # screening (from the disk cache), which would otherwise land in the first stage's tail.
        run_stage(stack.url, key, args.scenario, 2 * args.web_workers, 10, out)
        knee = None
        for rate in [int(r) for r in args.rates.split(",")]:
            s = run_stage(stack.url, key, args.scenario, rate, args.seconds, out)
            print(
                f"{s['offered']:>10.0f} {s['rps']:>10.1f} {s['requests']:>9.0f} {s['failures']:>5.0f} "
                f"{s['p50']:>7.0f} {s['p95']:>7.0f} {s['p99']:>7.0f}",
                flush=True,
            )
            if args.scenario == "mixed":
                for name, (count, p50, p95, p99) in sorted(s["by_request"].items()):  # type: ignore[union-attr]
                    print(f"{'':>10} {name:>20} {count:>9.0f} {'':>5} {p50:>7.0f} {p95:>7.0f} {p99:>7.0f}")
            if knee is None and s["p99"] > 100:
                knee = rate
        print(f"\np99 first exceeds 100 ms at: {f'{knee} requests/s offered' if knee else 'no stage tested'}")


if __name__ == "__main__":
    main()
