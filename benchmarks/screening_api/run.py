"""REST single screening under concurrent clients: gunicorn (production settings) + PostgreSQL, loopback only.

Starts the production stack on a fresh benchmark database (``benchmarks/stack.py``), loads the real
watchlists from ../shared (every default source whose file is there; the hand-made samples otherwise),
warms every gunicorn worker (index loaded from the on-disk cache), then runs ``--clients`` closed-loop
clients that each POST /api/v1/screenings/ back to back (no think time), and a paced stage at
``--rate`` requests per second overall. Each stage is bounded by a request count and a time limit.
Names are a mix of listed names, perturbed listed names and ordinary names. Prints p50/p90/p99/max,
throughput, errors, the server-side ``duration_ms`` of the screenings (engine + lookups), and the
machine. The target in issue 4 is p99 <= 30 ms with 20 concurrent clients.

    .venv/bin/python benchmarks/screening_api/run.py [--clients 20] [--requests 4000] [--seconds 60]
        [--rate 100] [--web-workers 4] [--samples]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.machine import describe, percentile
from benchmarks.stack import REPO, Stack, require_tools

SHARED = REPO.parent / "shared" / "watchlists"
ORDINARY = [
    "Maria Garcia Lopez",
    "John Smith",
    "Wei Chen",
    "Olga Petrova",
    "Carlos Mendes",
    "Fatima Zahra Benali",
    "Kenji Watanabe",
    "Aisha Okafor",
    "Lukas Becker",
    "Sofia Rossi",
    "Priya Sharma",
    "Jean-Pierre Dubois",
    "Anna Kowalska",
    "Mehmet Yilmaz",
    "Nguyen Van An",
    "Tomasz Nowak",
]


def load_lists(stack: Stack, samples: bool) -> str:
    """Every default source whose offline file is in ../shared, or the hand-made samples."""
    if not samples and SHARED.exists():
        from screening.watchlist_sources import DEFAULT_SOURCES

        loaded = []
        for code, spec in DEFAULT_SOURCES.items():
            path = SHARED / spec.local_path
            if spec.local_path and path.exists():
                stack.manage("load_watchlist", spec.format, str(path), "--source", code)
                loaded.append(code)
        return "real lists from ../shared: " + ", ".join(loaded)
    stack.manage("load_watchlist", "--samples")
    return "hand-made sample lists"


def setup_client(stack: Stack) -> tuple[str, list[str]]:
    """An API client allowed to screen, and listed names to screen (from the loaded index)."""
    code = (
        "from accounts import services; from accounts.models import ApiClient\n"
        "c = ApiClient.objects.filter(name='bench-screening').first() or "
        "services.api_client_create(name='bench-screening', actor=None, scopes=['screening:run'])\n"
        "[services.api_key_revoke(key=k, actor=None) for k in c.keys.active()]\n"
        "print(services.api_key_issue(client=c, actor=None)[1])\n"
        "from screening.runtime import runtime\n"
        "import json, random; s = runtime.current(); random.seed(7)\n"  # builds and caches the index once
        "from screening.engine import Query, InvalidQuery\n"
        "def ok(n):\n    try:\n        return bool(Query(name=n))\n    except InvalidQuery:\n        return False\n"
        "names = [n for n in s.index.name_display if 5 < len(n) < 60 and ok(n)]\n"
        "print(json.dumps(random.sample(names, min(300, len(names)))))\n"
    )
    lines = stack.manage("shell", "-c", code).strip().splitlines()
    return lines[-2], json.loads(lines[-1])


def perturb(name: str, rng: random.Random) -> str:
    words = name.split()
    kind = rng.randrange(3)
    if kind == 0 and len(words) > 1:
        words.reverse()
    elif kind == 1:
        word = rng.randrange(len(words))
        w = words[word]
        if len(w) > 3:
            i = rng.randrange(1, len(w) - 1)
            words[word] = w[:i] + w[i + 1 :]
    else:
        return name.lower()
    return " ".join(words)


def bodies(listed: list[str], count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.3:
            name = rng.choice(listed)
        elif roll < 0.6:
            name = perturb(rng.choice(listed), rng)
        else:
            name = rng.choice(ORDINARY)
        out.append(json.dumps({"name": name}).encode())
    return out


class Client(threading.Thread):
    def __init__(
        self, port: int, key: str, work: list[bytes], deadline: float, interval: float | None, phase: float = 0.0
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.key, self.work, self.deadline, self.interval = port, key, work, deadline, interval
        # Paced clients start at evenly spread offsets within one interval: without them every
        # client fires on the same tick and the "paced" stage measures bursts of --clients requests.
        self.phase = phase
        self.latencies: list[float] = []
        self.server_ms: list[float] = []
        self.errors: dict[str, int] = {}

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Api-Key {self.key}", "Content-Type": "application/json"}
        next_at = time.perf_counter() + self.phase
        for body in self.work:
            if time.perf_counter() > self.deadline:
                break
            if self.interval is not None:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                next_at += self.interval
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/screenings/", body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.errors[type(exc).__name__] = self.errors.get(type(exc).__name__, 0) + 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 201:
                self.errors[str(response.status)] = self.errors.get(str(response.status), 0) + 1
                continue
            self.latencies.append(elapsed)
            self.server_ms.append(json.loads(payload)["duration_ms"])
        conn.close()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def server_pids(stack: Stack) -> dict[str, list[int]]:
    """gunicorn worker pids (children of the master) and the PostgreSQL backends of the benchmark database."""
    import psycopg

    from benchmarks.stack import PG_URL

    master = stack.processes[0].pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [stack.database]).fetchall()
    return {"web": [int(pid) for pid in children], "postgres": [row[0] for row in rows]}


def cpu_snapshot(stack: Stack) -> dict[str, dict[int, float]]:
    """CPU seconds of every current gunicorn worker and database backend, by pid."""
    return {kind: {pid: cpu_seconds(pid) for pid in group} for kind, group in server_pids(stack).items()}


def cpu_delta(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU used between two snapshots (a backend that started in between counts from zero)."""
    return {kind: sum(max(0.0, cpu - before[kind].get(pid, 0.0)) for pid, cpu in after[kind].items()) for kind in after}


def stage(port: int, key: str, listed: list[str], *, clients: int, requests: int, seconds: float, rate: float | None):
    per_client = requests // clients
    deadline = time.perf_counter() + seconds
    interval = clients / rate if rate else None
    threads = [
        Client(port, key, bodies(listed, per_client, seed=n), deadline, interval, (interval or 0.0) * n / clients)
        for n in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies = [x for t in threads for x in t.latencies]
    server = [x for t in threads for x in t.server_ms]
    errors: dict[str, int] = {}
    for thread in threads:
        for code, n in thread.errors.items():
            errors[code] = errors.get(code, 0) + n
    return latencies, server, errors, wall


def report(
    title: str,
    latencies: list[float],
    server: list[float],
    errors: dict[str, int],
    wall: float,
    cpu: dict[str, float] | None = None,
) -> None:
    print(f"\n{title}")
    print(f"  load average    {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min) after the stage")
    if not latencies:
        print(f"  no successful request; errors {errors}")
        return
    print(f"  requests ok     {len(latencies)}   errors {sum(errors.values())} {errors or ''}")
    print(f"  throughput      {len(latencies) / wall:.1f} screenings/s over {wall:.1f} s")
    print(
        "  latency ms      "
        f"p50 {percentile(latencies, 50):.1f}  p90 {percentile(latencies, 90):.1f}  "
        f"p99 {percentile(latencies, 99):.1f}  max {max(latencies):.1f}  mean {statistics.fmean(latencies):.1f}"
    )
    print(
        "  server ms       "
        f"p50 {percentile(server, 50):.2f}  p99 {percentile(server, 99):.2f}  (engine + lookups, from duration_ms)"
    )
    if cpu:
        web, pg = (cpu[k] * 1000 / len(latencies) for k in ("web", "postgres"))
        print(
            f"  CPU per request web {web:.1f} ms + PostgreSQL {pg:.1f} ms: on 2 dedicated cores that is at most "
            f"~{2000 / (web + pg):.0f} screenings/s (client and OS excluded)"
        )


RATE = "overall requests/s of the paced stage (0: skip)"


def load_arguments(
    doc: str | None, *, clients: int, requests: int, rate: float, rate_help: str, web_workers: int, port: int
) -> argparse.Namespace:
    """The command line of a REST benchmark on the stack: load per stage, server size, port, which lists."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=clients)
    parser.add_argument("--requests", type=int, default=requests, help="per stage, split across the clients")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per stage")
    parser.add_argument("--rate", type=float, default=rate, help=rate_help)
    parser.add_argument("--web-workers", type=int, default=web_workers)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--samples", action="store_true", help="use the hand-made samples instead of ../shared")
    return parser.parse_args()


def main() -> None:
    args = load_arguments(__doc__, clients=20, requests=4000, rate=100, web_workers=4, port=8097, rate_help=RATE)
    require_tools()

    print("REST single screening benchmark (gunicorn + PostgreSQL, loopback)")
    print(f"  machine       {describe()}")
    with Stack(
        database="tillit_bench_screening", port=args.port, web_workers=args.web_workers, celery_workers=0
    ) as stack:
        lists = load_lists(stack, args.samples)
        key, listed = setup_client(stack)
        stack.start()
        print(f"  lists         {lists}")
        print(f"  server        gunicorn {args.web_workers} sync workers, production settings, PostgreSQL 127.0.0.1")
        # Warm-up: every worker loads the cached index and opens its database connection.
        warm = stage(
            stack.port,
            key,
            listed,
            clients=args.web_workers * 2,
            requests=args.web_workers * 40,
            seconds=120,
            rate=None,
        )
        report("warm-up (not counted)", *warm)
        before = cpu_snapshot(stack)
        closed = stage(
            stack.port, key, listed, clients=args.clients, requests=args.requests, seconds=args.seconds, rate=None
        )
        cpu = cpu_delta(before, cpu_snapshot(stack))
        report(f"closed loop: {args.clients} concurrent clients, back to back (target p99 <= 30 ms)", *closed, cpu)
        if args.rate:
            before = cpu_snapshot(stack)
            paced = stage(
                stack.port,
                key,
                listed,
                clients=args.clients,
                requests=int(min(args.requests, args.rate * args.seconds)),
                seconds=args.seconds,
                rate=args.rate,
            )
            cpu = cpu_delta(before, cpu_snapshot(stack))
            report(f"paced: {args.clients} clients sharing {args.rate:.0f} requests/s", *paced, cpu)


if __name__ == "__main__":
    main()
