"""How long the OFAC 50% analysis, beneficial owners, opacity and risk rating take on large ownership graphs.

    .venv/bin/python -m benchmarks.kyc.ownership [--sizes 100,1000,10000] [--seed 7]

Synthetic graphs, built like real corporate groups: a target company owned by layers of holding
companies (2-4 owners each, shares summing to at most 100%), persons at the top, some persons
holding through several paths, a few circular holdings, and 2% of persons listed. Prints the time
of each analysis per graph size, and the machine it ran on. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from benchmarks.machine import print_machine
from kyc.ownership import Holding, analyse_ofac_50, analyse_opacity, beneficial_owners
from kyc.risk import HitSummary, RiskInput, rate


def build_graph(companies: int, seed: int) -> tuple[list[Holding], set[str], set[str], set[str]]:
    """(holdings, company ids, person ids, listed ids) for a group of ``companies`` companies."""
    rng = random.Random(seed)
    names = [f"C{i}" for i in range(companies)]
    persons: set[str] = set()
    holdings: list[Holding] = []
    for index, company in enumerate(names):
        owners = rng.randint(2, 4)
        shares = [rng.random() for _ in range(owners)]
        total = sum(shares) / rng.uniform(0.85, 1.0)  # sometimes part of the shares is undeclared
        for share in shares:
            if index * 3 + 3 < companies and rng.random() < 0.7:
                owner = names[rng.randint(index + 1, min(companies - 1, index * 3 + 3))]  # a holding company
            else:
                owner = f"P{rng.randint(0, max(1, companies // 2))}"  # a person, often one seen before
                persons.add(owner)
            if owner != company:
                holdings.append(Holding(owner, company, share / total, nominee=rng.random() < 0.01))
    for _ in range(max(1, companies // 200)):  # a few circular holdings deep in the group
        a, b = rng.sample(names[companies // 2 :] or names, 2)
        holdings.append(Holding(a, b, 0.01))
    listed = set(rng.sample(sorted(persons), max(1, len(persons) // 50)))
    return holdings, set(names), persons, listed


def timed(function: Callable[[], object], repeat: int) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print("kyc ownership benchmark")
    print_machine()
    header = ("companies", "holdings", "ofac_50", "blocked", "owners", "opacity", "rating")
    print("{:>10} {:>9} {:>10} {:>8} {:>10} {:>10} {:>10}".format(*header))
    for size in (int(s) for s in args.sizes.split(",")):
        print(measure(size, args.seed))


def measure(size: int, seed: int) -> str:
    """One line of figures for a group of ``size`` companies."""
    holdings, companies, persons, listed = build_graph(size, seed)
    repeat = 5 if size <= 1000 else 1
    t_ofac, result = timed(lambda: analyse_ofac_50(holdings, listed, entities=companies), repeat)
    t_owners, _ = timed(lambda: beneficial_owners(holdings, "C0", persons), repeat)
    t_opacity, _ = timed(lambda: analyse_opacity(holdings, "C0", entities=companies), repeat)
    hits = [HitSummary(party=p, party_label=p, kind="sanction", score=0.9) for p in listed]
    data = RiskInput(customer_kind="business", hits=hits, countries={p: ["GB", "IR"] for p in list(persons)[:200]})
    t_rate, _ = timed(lambda: rate(data), repeat)
    blocked = len(result.blocked)  # type: ignore[attr-defined]
    return (
        f"{size:>10} {len(holdings):>9} {t_ofac * 1000:>8.1f}ms {blocked:>8} {t_owners * 1000:>8.1f}ms"
        f" {t_opacity * 1000:>8.1f}ms {t_rate * 1000:>8.2f}ms"
    )


if __name__ == "__main__":
    main()
