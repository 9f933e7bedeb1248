"""Cost of running a matching release in shadow: REST latency with and without it, shadow and replay throughput.

Starts the production stack (gunicorn + one Celery worker, PostgreSQL, Redis; ``benchmarks/stack.py``)
on a fresh database ``tillit_bench_releases``, loads the real watchlists from ../shared (or the
hand-made samples with ``--samples``), then:

1. paced REST stage with no release in shadow (``--rate`` requests/s shared by ``--clients``);
2. a release with stricter thresholds is put in shadow; the same paced stage again: each screening
   now also queues its shadow evaluation on commit (the evaluation itself runs in the worker);
3. the second stage again (warm shadow path); then waits until the worker has compared every screening
   of stage 2 and prints how long that took (shadow throughput of one worker);
4. ``release_shadow_replay`` of every stored screening under a second release (screenings/s,
   process start and index load included), and the comparison report's totals.

    .venv/bin/python benchmarks/releases/shadow.py [--samples] [--clients 10] [--rate 50] [--requests 1500]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.machine import describe
from benchmarks.screening_api.run import load_arguments, load_lists, report, setup_client, stage
from benchmarks.stack import Stack, require_tools

CREATE = (
    "from screening.services import releases as s\n"
    "r = s.release_create(actor=None, label={label!r}, thresholds={thresholds!r})\n"
    "s.release_shadow_start(release=r, actor=None)\n"
    "print(r.pk)\n"
)
OVERHEAD = (
    "import time, uuid\n"
    "from screening.services import releases as s\n"
    "t = time.perf_counter()\n"
    "for _ in range(500): s.release_plan()\n"
    "plan = (time.perf_counter() - t) * 1000 / 500\n"
    "t = time.perf_counter()\n"
    "for _ in range(200): s.shadow_enqueue([str(uuid.uuid4())])\n"
    "print(f'{plan:.3f} {(time.perf_counter() - t) * 1000 / 200:.3f}')\n"
)
RATE = "overall requests/s of each paced stage"
COUNT = (
    "from screening.models import ShadowResult\nprint(ShadowResult.objects.filter(release__label={label!r}).count())\n"
)


def main() -> None:
    args = load_arguments(__doc__, clients=10, requests=1500, rate=50, web_workers=2, port=8096, rate_help=RATE)
    require_tools()

    print("Shadow release benchmark (gunicorn + Celery worker + PostgreSQL + Redis, loopback)")
    print(f"  machine       {describe()}")
    with Stack(
        database="tillit_bench_releases",
        port=args.port,
        web_workers=args.web_workers,
        celery_workers=1,
        celery_concurrency=1,
    ) as stack:
        lists = load_lists(stack, args.samples)
        key, listed = setup_client(stack)
        stack.start()
        print(f"  lists         {lists}")
        print(f"  server        gunicorn {args.web_workers} sync workers; 1 Celery worker, concurrency 1")
        load = {"clients": args.clients, "requests": args.requests, "seconds": args.seconds, "rate": args.rate}
        report("warm-up (not counted)", *stage(stack.port, key, listed, clients=4, requests=80, seconds=60, rate=None))

        report(f"A: no release in shadow, {args.rate:.0f} requests/s", *stage(stack.port, key, listed, **load))
        stack.manage("shell", "-c", CREATE.format(label="bench strict", thresholds={"default": 0.9}))
        plan_ms, enqueue_ms = stack.manage("shell", "-c", OVERHEAD).strip().splitlines()[-1].split()
        print(
            f"\nrequest-path cost of releases: release_plan() {plan_ms} ms (one query); "
            f"queueing the shadow task {enqueue_ms} ms (Redis)"
        )
        started = time.perf_counter()
        shadow_stage = stage(stack.port, key, listed, **load)
        report(f"B: one release in shadow, {args.rate:.0f} requests/s", *shadow_stage)
        again = stage(stack.port, key, listed, **load)
        report(f"B again: one release in shadow, {args.rate:.0f} requests/s", *again)
        expected = len(shadow_stage[0]) + len(again[0])
        deadline = time.monotonic() + 600
        done = 0
        while time.monotonic() < deadline:
            done = int(stack.manage("shell", "-c", COUNT.format(label="bench strict")).strip().splitlines()[-1])
            if done >= expected * 0.98:
                break
            time.sleep(2)
        elapsed = time.perf_counter() - started
        print(f"\nshadow evaluations: {done} of {expected} shadowed screenings stored {elapsed:.1f} s after B began")

        stack.manage("shell", "-c", CREATE.format(label="bench replay", thresholds={"default": 0.8}))
        started = time.perf_counter()
        out = stack.manage("release_shadow_replay", "bench replay", "--days", "1", "--limit", "20000")
        elapsed = time.perf_counter() - started
        replayed = int(out.split(" screening(s) replayed")[0].rsplit(" ", 1)[-1])
        print(f"\nreplay: {out.strip()}")
        print(f"  {replayed} screenings in {elapsed:.1f} s = {replayed / elapsed:.0f} screenings/s (one process)")
        print("\nreport (bench strict):")
        print(stack.manage("release_report", "bench strict", "--examples", "3"))


if __name__ == "__main__":
    main()
