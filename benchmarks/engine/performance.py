"""Performance benchmark of the screening engine on one core, next to the brute-force scan.

    .venv/bin/python -m benchmarks.engine.performance [--queries N] [--synthetic 1000000]

Measures, with every real list in ../shared loaded through screening.lists: list parsing, index
build cold and from the disk cache, per-query latency (p50/p99) and batch throughput for the
engine and for a brute-force rapidfuzz token_sort_ratio scan; then a synthetic index of
``--synthetic`` names (p99 latency and process RSS). Pin to one core with ``taskset -c 0``.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from anyascii import anyascii
from rapidfuzz import fuzz, process

from benchmarks.engine.lists import MATCHING, load_entries, machine
from benchmarks.machine import percentile
from screening.engine import Query, build_index, load_index, save_index, screen
from screening.lists.record import Entry, Name

SEED = 20261129


def rss_mb(field: str = "VmRSS") -> float:
    """Current resident set size in MiB (from /proc; peak from getrusage when /proc is absent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB.

    VmHWM, not ``getrusage``: on Linux a child started with vfork/exec (``subprocess``) reports
    its parent's peak as its own ``ru_maxrss``, so the worker would show the builder's peak.
    """
    return rss_mb("VmHWM")


def load_average() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def query_names(
    entries: list[tuple[str, Entry]], count: int, rng: random.Random, *, ordinary_only: bool = False
) -> list[str]:
    """A realistic mix: half ordinary names (yente negatives), half list names with a typo."""
    with (MATCHING / "yente_candidate_generation" / "negatives_global.csv").open(encoding="utf-8") as handle:
        ordinary = [row["full_name"] for row in csv.DictReader(handle) if row["full_name"].strip()]
    if ordinary_only:
        return rng.sample(ordinary, count)
    listed = [e.primary_name for _, e in entries if e.primary_name]
    out = []
    for i in range(count):
        if i % 2:
            out.append(rng.choice(ordinary))
        else:
            name = rng.choice(listed)
            j = rng.randrange(len(name))
            out.append(name[:j] + name[j + 1 :] if len(name) > 6 else name)
    return [n for n in out if n.strip()]


def time_engine(index, names: list[str]) -> tuple[list[float], float]:
    queries = []
    for name in names:
        try:
            queries.append(Query(name=name))
        except ValueError:
            continue
    for query in queries[:50]:  # warm caches the way a running worker has them
        screen(index, query)
    latencies = []
    cpu = []
    for query in queries:
        started = time.perf_counter()
        cpu_started = time.thread_time()
        screen(index, query)
        cpu.append(time.thread_time() - cpu_started)
        latencies.append(time.perf_counter() - started)
    started = time.perf_counter()
    cpu_started = time.thread_time()
    for query in queries:
        screen(index, query)
    batch = len(queries) / (time.perf_counter() - started)
    cpu_batch = len(queries) / (time.thread_time() - cpu_started)
    CPU_FIGURES.append((cpu, cpu_batch))
    return latencies, batch


# Per-query CPU time (thread_time) of the last engine run: on a shared machine wall-clock figures
# include time the process waited for a core; CPU time is what one core actually spends.
CPU_FIGURES: list[tuple[list[float], float]] = []


def time_brute(choices: list[str], names: list[str]) -> tuple[list[float], float]:
    latencies = []
    for name in names:
        started = time.perf_counter()
        process.extract(anyascii(name).lower(), choices, scorer=fuzz.token_sort_ratio, score_cutoff=80, limit=10)
        latencies.append(time.perf_counter() - started)
    return latencies, len(names) / sum(latencies)


def report(label: str, latencies: list[float], batch: float) -> None:
    ms = [v * 1000 for v in latencies]
    print(
        f"{label:<34} p50 {percentile(ms, 50):7.3f} ms   p99 {percentile(ms, 99):7.3f} ms   "
        f"max {max(ms):7.2f} ms   mean {statistics.mean(ms):6.3f} ms   batch {batch:8.0f} queries/s"
    )


SYLLABLES = (
    "al an ar ba be bo da de di el en er fa fe ga go ha he ia ie in ka ko la le li lo ma me mi mo na ne ni no "
    "or ov pa pe ra re ri ro sa se si so ta te ti to ul va ve vi ya yo za ze zi ch sh kh th".split()
)


def synthetic_entries(count: int, rng: random.Random) -> list[tuple[str, Entry]]:
    """``count`` person names from a Zipf-like vocabulary: some tokens very common, most rare."""
    given = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize() for _ in range(4000)]
    family = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize() for _ in range(200_000)]
    weights_given = [1 / (i + 1) for i in range(len(given))]
    out = []
    firsts = rng.choices(given, weights=weights_given, k=count)
    for i in range(count):
        parts = [firsts[i], rng.choice(family)]
        if rng.random() < 0.3:
            parts.insert(1, rng.choice(given))
        out.append(("synthetic", Entry(ref=str(i), schema="Person", names=[Name(" ".join(parts))])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--brute-queries", type=int, default=300)
    parser.add_argument("--synthetic", type=int, default=1_000_000, help="names in the synthetic index (0 = skip)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.synthetic, args.queries)
        return
    rng = random.Random(SEED)
    print(f"# Performance benchmark - {machine()}")
    started, cpu_started = time.perf_counter(), time.process_time()
    versions, entries = load_entries()
    parse_seconds, parse_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"lists: {', '.join(f'{k} ({v})' for k, v in versions.items())}; {len(entries)} entries")
    print(f"parse all lists (screening.lists)        {parse_seconds:7.2f} s (CPU {parse_cpu:.2f} s)")
    gc.collect()
    before = rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    index = build_index(entries, versions=versions)
    build_seconds, build_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"index build, cold (from parsed entries)  {build_seconds:7.2f} s (CPU {build_cpu:.2f} s)   "
        f"({len(index.name_display)} names, {len(index.vocab)} terms, +{rss_mb() - before:.0f} MiB RSS)"
    )
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        path = save_index(index, cache)
        save_seconds = time.perf_counter() - started
        size = path.stat().st_size / 1024 / 1024
        started, cpu_started = time.perf_counter(), time.process_time()
        loaded = load_index(cache, versions)
        load_seconds, load_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        assert loaded is not None
        print(f"index save to disk cache                 {save_seconds:7.2f} s   ({size:.1f} MiB)")
        print(f"index load from disk cache               {load_seconds:7.2f} s (CPU {load_cpu:.2f} s)")
    del loaded
    names = query_names(entries, args.queries, rng)
    latencies, batch = time_engine(index, names)
    print(f"\nqueries: {len(names)} (half ordinary names, half listed names with one deleted character)")
    report("engine, all real lists (wall)", latencies, batch)
    report("engine, all real lists (CPU time)", *CPU_FIGURES[-1])
    choices = [anyascii(n).lower() for n in index.name_display]
    brute_lat, brute_batch = time_brute(choices, names[: args.brute_queries])
    report(f"brute-force scan ({len(choices)} names)", brute_lat, brute_batch)

    if args.synthetic:
        del index
        gc.collect()
        synthetic = synthetic_entries(args.synthetic, rng)
        started, cpu_started = time.perf_counter(), time.process_time()
        big = build_index(synthetic, versions={"synthetic": str(args.synthetic)})
        build_big, build_big_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        del synthetic
        with tempfile.TemporaryDirectory() as cache:
            save_index(big, cache)
            print(
                f"\nsynthetic index: {len(big.name_display)} names, {len(big.vocab)} terms, "
                f"built in {build_big:.1f} s (CPU {build_big_cpu:.1f} s); peak RSS of this (building) process "
                f"{peak_rss_mb():.0f} MiB, with the parsed entries and the real-list index"
            )
            del big
            gc.collect()
            # A worker loads the index from the disk cache: measure that in a fresh process.
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.engine.performance",
                    "--worker",
                    cache,
                    "--synthetic",
                    str(args.synthetic),
                    "--queries",
                    str(args.queries),
                ],
                check=True,
            )


def worker(cache: str, count: int, queries: int) -> None:
    """Child process: load the synthetic index from the cache, report RSS and latency."""
    rng = random.Random(SEED + 1)
    base = rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    big = load_index(cache, {"synthetic": str(count)})
    assert big is not None
    loaded, loaded_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"worker: index loaded from cache in {loaded:.2f} s (CPU {loaded_cpu:.2f} s); process RSS {rss_mb():.0f} MiB "
        f"(index ~{rss_mb() - base:.0f} MiB), peak while loading {peak_rss_mb():.0f} MiB"
    )
    sample = [big.name_display[rng.randrange(len(big.name_display))] for _ in range(queries // 2)]
    typos = []
    for name in sample:
        j = rng.randrange(1, len(name))
        typos.append(name[:j] + name[j + 1 :])
    names = (
        sample[: len(sample) // 2] + typos[len(typos) // 2 :] + query_names([], queries // 2, rng, ordinary_only=True)
    )
    latencies, batch = time_engine(big, names)
    report(f"engine, synthetic {len(big.name_display)} (wall)", latencies, batch)
    report(f"engine, synthetic {len(big.name_display)} (CPU)", *CPU_FIGURES[-1])
    brute_lat, brute_batch = time_brute(big.name_tokens, names[:10])
    report("brute-force scan (10 queries)", brute_lat, brute_batch)
    print(f"worker peak RSS {peak_rss_mb():.0f} MiB (VmHWM: load, queries and the brute-force scan)")
    print(f"load average at the end {load_average()}")


if __name__ == "__main__":
    main()
