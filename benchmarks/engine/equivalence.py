"""Regression check for engine speed work: the same queries must give the same matches.

    .venv/bin/python -m benchmarks.engine.equivalence --write /tmp/equiv-base.jsonl
    .venv/bin/python -m benchmarks.engine.equivalence --compare /tmp/equiv-base.jsonl

Screens a fixed, seeded set of queries (listed names as written, listed names with typos,
transpositions, reordered or dropped words, ordinary names of many locales, company names,
queries with birth date, country and schema) against an index of every real list in ../shared,
at the default thresholds and at threshold 0 (which shows every scored candidate), and writes one
JSON line per query with its matches (entity, score to 9 decimals, name, summary). ``--compare``
reruns and prints every query whose matches differ. A speed-up must not change a single line;
a match-quality change legitimately does, so re-baseline after one.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from pathlib import Path

from benchmarks.engine.lists import MATCHING, load_entries
from screening.engine import Query, build_index, screen
from screening.engine.candidates import candidates
from screening.engine.index import Index
from screening.engine.normalise import canonical_tokens
from screening.lists.record import Entry

SEED = 4_2026


def _perturb(name: str, rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0 and len(name) > 5:  # deletion
        j = rng.randrange(len(name))
        return name[:j] + name[j + 1 :]
    if kind == 1 and len(name) > 5:  # transposition
        j = rng.randrange(len(name) - 1)
        return name[:j] + name[j + 1] + name[j] + name[j + 2 :]
    words = name.replace(",", " ").split()
    if kind == 2 and len(words) > 1:  # reorder
        rng.shuffle(words)
        return " ".join(words)
    if kind == 3 and len(words) > 2:  # drop a middle word
        del words[rng.randrange(1, len(words) - 1)]
        return " ".join(words)
    j = rng.randrange(len(name) + 1)  # insertion
    return name[:j] + rng.choice("aeiouhnrst") + name[j:]


def build_queries(entries: list[tuple[str, Entry]], count: int) -> list[Query]:
    """A seeded mix of ``count`` queries (about a quarter each: listed, perturbed, ordinary, with evidence)."""
    rng = random.Random(SEED)
    names = [(e.schema, n.full, e) for _, e in entries for n in e.names if n.full.strip()]
    with (MATCHING / "yente_validation_report" / "negatives_global.csv").open(encoding="utf-8") as handle:
        ordinary = [row for row in csv.DictReader(handle) if row["full_name"].strip()]
    raw: list[dict] = []
    quarter = count // 4
    for _ in range(quarter):
        schema, name, _entry = rng.choice(names)
        raw.append({"name": name, "schema": rng.choice(["Any", schema if schema != "Company" else "Organization"])})
    for _ in range(quarter):
        _, name, _entry = rng.choice(names)
        raw.append({"name": _perturb(name, rng)})
    for row in rng.sample(ordinary, quarter):
        raw.append({"name": row["full_name"], "schema": rng.choice(["Any", "Person"])})
    for _ in range(count - 3 * quarter):
        _, name, entry = rng.choice(names)
        record: dict = {"name": _perturb(name, rng) if rng.random() < 0.5 else name}
        if entry.birth_dates and entry.birth_dates[0].value and rng.random() < 0.7:
            record["birth_date"] = entry.birth_dates[0].value if rng.random() < 0.6 else "1970-01-01"
        if entry.nationalities and rng.random() < 0.7:
            record["countries"] = [entry.nationalities[0] if rng.random() < 0.6 else "FR"]
        if entry.gender and rng.random() < 0.5:
            record["gender"] = entry.gender if rng.random() < 0.6 else ("female" if entry.gender == "male" else "male")
        raw.append(record)
    queries = []
    for i, record in enumerate(raw):
        try:
            queries.append(Query.from_dict({"id": str(i), **record}))
        except ValueError:
            continue
    return queries


def outcomes(index: Index, queries: list[Query]) -> list[dict]:
    """One record per query: its matches at the default thresholds and at threshold 0."""
    out = []
    for query in queries:
        record: dict = {"id": query.id, "name": query.name}
        for label, threshold in (("default", None), ("all", 0.0)):
            record[label] = [
                [m.entity, f"{m.score:.9f}", m.name, m.summary] for m in screen(index, query, threshold=threshold)
            ]
        # Stricter, for diagnosis only: the candidate names themselves.
        record["candidates"] = candidates(index, canonical_tokens(query.name, query.schema))
        out.append(record)
    return out


def main() -> None:
    if "PYTHONHASHSEED" not in os.environ:
        # Candidate ties are broken in set/dict order, which string hashing makes vary per process.
        os.execve(  # noqa: S606  # re-run this same module with a fixed hash seed
            sys.executable,
            [sys.executable, "-m", "benchmarks.engine.equivalence", *sys.argv[1:]],
            {**os.environ, "PYTHONHASHSEED": "0"},
        )
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", type=Path, help="write the outcomes (the baseline) to this file")
    action.add_argument("--compare", type=Path, help="compare the outcomes with this baseline")
    parser.add_argument("--queries", type=int, default=4000)
    parser.add_argument("--show", type=int, default=10, help="differences printed at most")
    args = parser.parse_args()
    versions, entries = load_entries()
    index = build_index(entries, versions=versions)
    queries = build_queries(entries, args.queries)
    started = time.perf_counter()
    results = outcomes(index, queries)
    print(f"{len(queries)} queries screened twice in {time.perf_counter() - started:.1f} s")
    if args.write:
        with args.write.open("w", encoding="utf-8") as handle:
            for record in results:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"baseline written to {args.write}")
        return
    with args.compare.open(encoding="utf-8") as handle:
        baseline = [json.loads(line) for line in handle]
    if len(baseline) != len(results):
        sys.exit(f"baseline has {len(baseline)} queries, this run {len(results)}")
    differ = {"default": 0, "all": 0, "candidates": 0}
    shown = 0
    for old, new in zip(baseline, results, strict=True):
        for key in differ:
            if old[key] != new[key]:
                differ[key] += 1
                if key != "candidates" and shown < args.show:
                    shown += 1
                    print(f"query {new['id']} {new['name']!r} ({key}):\n  was {old[key]}\n  now {new[key]}")
    print(
        f"differences: {differ['default']} at the default thresholds, {differ['all']} at threshold 0 "
        f"(candidate lists: {differ['candidates']}) in {len(results)} queries"
    )
    if differ["default"] or differ["all"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
