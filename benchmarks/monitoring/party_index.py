"""The inverse (customer) index alone, without Django: build time, memory, size on disk, query cost.

    .venv/bin/python -m benchmarks.monitoring.party_index --customers 1000000 --queries 2000

Builds the index of N synthetic customers with ``screening.engine.build_index`` (what each worker
holds for delta rescreening), pickles and reloads it, and times list entries screened against it
as the delta job does (name-only queries at the candidate threshold). Peak memory is the process's
high-water mark (VmHWM), i.e. what a worker holding the index needs.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.machine import describe
from benchmarks.monitoring.synthetic import Names, party_entry
from screening.engine import Query, build_index, screen

CANDIDATE_THRESHOLD = 0.65  # DEFAULT_THRESHOLD 0.8 minus monitoring.services.rescreen.CANDIDATE_MARGIN


def rss_mib() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MiB."""
    status = Path("/proc/self/status").read_text()
    fields = {line.split(":")[0]: line.split()[1] for line in status.splitlines() if line.startswith("Vm")}
    return int(fields["VmRSS"]) / 1024, int(fields["VmHWM"]) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000, help="list entries screened against the index")
    args = parser.parse_args(argv)

    print(f"machine: {describe()}")
    print("note: the machine is shared with other work while this runs; timings are upper bounds")
    names = Names()
    base_rss = rss_mib()[0]
    started = time.perf_counter()
    records = (("party", party_entry(f"p{n}", person)) for n, person in enumerate(names.people(args.customers, seed=1)))
    index = build_index(records, versions={"parties": "bench"})
    build_s = time.perf_counter() - started
    rss, peak = rss_mib()
    print(f"customers indexed          {index.size:>12,}")
    print(f"build time                 {build_s:>12.1f} s  ({index.size / build_s:,.0f} customers/s)")
    print(f"index in memory (RSS gain) {rss - base_rss:>12.0f} MiB   peak RSS {peak:.0f} MiB")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "parties.pickle"
        started = time.perf_counter()
        with path.open("wb") as handle:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        save_s = time.perf_counter() - started
        size = path.stat().st_size / 2**20
        del index
        gc.collect()
        started = time.perf_counter()
        with path.open("rb") as handle:
            index = pickle.load(handle)  # noqa: S301  # written just above
        load_s = time.perf_counter() - started
    print(f"pickle size on disk        {size:>12.0f} MiB  save {save_s:.1f} s, load {load_s:.1f} s")

    # List entries as queries: half are names of real customers (they must be found), half are fresh people.
    customers = list(names.people(args.queries // 2, seed=1))
    fresh = list(names.people(args.queries - len(customers), seed=99))
    timings, found_own, candidates = [], 0, []
    for number, person in enumerate([*customers, *fresh]):
        query = Query(name=person.name, schema="Person")
        started = time.perf_counter()
        matches = screen(index, query, threshold=CANDIDATE_THRESHOLD, limit=5000)
        timings.append(time.perf_counter() - started)
        candidates.append(len(matches))
        if number < len(customers) and any(m.entity == f"party:p{number}" for m in matches):
            found_own += 1
    timings.sort()
    print(f"inverse queries            {len(timings):>12,}")
    print(
        f"query time                 mean {statistics.mean(timings) * 1000:.2f} ms, "
        f"p50 {timings[len(timings) // 2] * 1000:.2f} ms, p95 {timings[int(len(timings) * 0.95)] * 1000:.2f} ms"
    )
    print(f"candidates per entry       mean {statistics.mean(candidates):.1f}, max {max(candidates)}")
    print(f"listed customers found     {found_own} of {len(customers)}")
    print(f"peak RSS of this process   {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
