"""Quality benchmark of the screening engine, side by side with two baselines.

    .venv/bin/python -m benchmarks.engine.quality [--threshold T] [--negatives N] [--no-nk]

Systems, on the same cases in the same run:
* ``engine``: screening.engine at its default (or the given) threshold;
* ``brute``: a brute-force rapidfuzz ``token_sort_ratio`` scan of every listed name (>= 80);
* ``logic-v2``: nomenklatura's matcher (>= 0.70) over the brute-force scan's top-50 candidates,
  run in benchmarks/.venv (see benchmarks/requirements.txt); skipped when that venv is absent.

Case sets: (1) our perturbations of real OFAC and UN names (seeded RNG), with ordinary-name
negatives and near misses; (2) yente's candidate-generation set (UN treated positives against the
UN list, negatives_global); (3) nomenklatura's name_bench pairs (F1); (4) OFAC's own search
scores (Spearman).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from anyascii import anyascii
from rapidfuzz import fuzz, process

from benchmarks.engine.lists import MATCHING, REPO, load_entries, machine
from screening.engine import DEFAULT_THRESHOLD, InvalidQuery, Query, build_index, screen
from screening.engine.index import Index
from screening.engine.model import Match, parse_partial_date
from screening.engine.normalise import canonical_tokens
from screening.engine.screen import compare_pair
from screening.engine.thresholds import DEFAULT_THRESHOLDS
from screening.engine.vocabulary import _FAMILIES, _LEGAL_FORM_GROUPS
from screening.lists.countries import to_iso2
from screening.lists.record import Entry

SEED = 20261129
BRUTE_CUTOFF = 80
NK_THRESHOLD = 0.7
NK_TOP = 50
NK_PYTHON = REPO / "benchmarks" / ".venv" / "bin" / "python"
NK_SCRIPT = Path(__file__).with_name("nk_logic_v2.py")
PER_KIND = 80
SWEEP = [round(0.7 + 0.025 * i, 3) for i in range(11)]
ORG_SCHEMAS = {"Organization", "Company", "LegalEntity"}


@dataclass
class Case:
    kind: str  # perturbation kind, "negative", or "near:<kind>"
    name: str
    schema: str  # query schema
    expected: str | None  # entity id that should (positive) or should not (near miss) match
    birth_date: str | None = None
    countries: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- perturbations

_GIVEN_FAMILY = {v: k for k, vs in _FAMILIES.items() for v in vs if not v.endswith("_")}
_FAMILY_VARIANTS = {k: [v for v in vs if not v.endswith("_")] for k, vs in _FAMILIES.items()}
_LEGAL_WORDS = {p: code for code, ps in _LEGAL_FORM_GROUPS.items() for p in ps if " " not in p}
HONORIFICS = ["Mr", "Dr.", "Sheikh", "Haji", "General", "Mullah", "Prof.", "Mrs"]
GENERIC = ["Trading", "International", "Global", "Services", "Holdings", "Logistics", "Solutions", "Group"]
FORMS = ["LLC", "Ltd", "Limited", "GmbH", "SA", "JSC", "Inc.", "OOO", "S.p.A.", "Co., Ltd."]


def _plain_tokens(name: str) -> tuple[str, ...]:
    """A name's words in Latin letters, lower case and sorted: how cases are drawn and resolved.

    Deliberately not the engine's canonical tokens, so that the sample does not move when the
    engine's normalisation changes and engine versions are compared on the same cases.
    """
    return tuple(sorted(re.findall(r"[a-z0-9]+", anyascii(name).lower())))


def _words(name: str) -> list[str]:
    if name.count(",") == 1:
        last, first = name.split(",")
        name = f"{first.strip()} {last.strip()}"
    return name.split()


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word))
    op = rng.choice(("sub", "ins", "del"))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if word.isupper():
        letter = letter.upper()
    if op == "sub":
        return word[:i] + letter + word[i + 1 :]
    if op == "ins":
        return word[:i] + letter + word[i:]
    return word[:i] + word[i + 1 :]


def _translit(rng: random.Random, word: str) -> str | None:
    low = word.lower()
    if low in _GIVEN_FAMILY or low in _FAMILY_VARIANTS:
        canonical = _GIVEN_FAMILY.get(low, low)
        options = [v for v in [canonical, *_FAMILY_VARIANTS[canonical]] if v != low]
        if options:
            out = rng.choice(options)
            return out.upper() if word.isupper() else out.capitalize()
    rules = [
        ("ou", "u"),
        ("u", "ou"),
        ("y", "i"),
        ("i", "y"),
        ("kh", "h"),
        ("ee", "i"),
        ("sh", "sch"),
        ("j", "dj"),
        ("q", "k"),
        ("ph", "f"),
        ("v", "w"),
        ("ll", "l"),
        ("mm", "m"),
        ("a", "e"),
    ]
    rng.shuffle(rules)
    for old, new in rules:
        if old in low[1:]:
            i = low.index(old, 1)
            out = low[:i] + new + low[i + len(old) :]
            return out.upper() if word.isupper() else out.capitalize()
    return None


def perturb(rng: random.Random, kind: str, name: str, schema: str) -> str | None:
    """Apply one kind of perturbation to a real list name; None when it does not apply."""
    words = _words(name)
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if kind == "typo" and long_words:
        i = rng.choice(long_words)
        words[i] = _typo(rng, words[i])
    elif kind == "transposition" and long_words:
        i = rng.choice(long_words)
        w = words[i]
        j = rng.randrange(1, len(w) - 1)
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif kind == "reorder" and len(words) >= 2 and schema == "Person":
        while True:
            shuffled = words[:]
            rng.shuffle(shuffled)
            if shuffled != words:
                words = shuffled
                break
    elif kind == "missing_middle" and len(words) >= 3 and schema == "Person":
        del words[rng.randrange(1, len(words) - 1)]
    elif kind == "initials" and len(words) >= 3 and schema == "Person":
        i = rng.randrange(0, len(words) - 1)
        words[i] = words[i][0] + "."
    elif kind == "honorific" and schema == "Person":
        words.insert(0, rng.choice(HONORIFICS))
    elif kind == "transliteration":
        order = list(range(len(words)))
        rng.shuffle(order)
        for i in order:
            if len(words[i]) >= 4 and words[i].isalpha():
                changed = _translit(rng, words[i])
                if changed:
                    words[i] = changed
                    break
        else:
            return None
    elif kind == "hyphen_space" and len(words) >= 2:
        i = rng.randrange(0, len(words) - 1)
        joiner = rng.choice(("", "-"))
        words[i : i + 2] = [words[i] + joiner + words[i + 1]]
    elif kind == "legal_form" and schema in ORG_SCHEMAS:
        found = [i for i, w in enumerate(words) if w.lower().strip(".,") in _LEGAL_WORDS]
        if found:
            i = found[-1]
            code = _LEGAL_WORDS[words[i].lower().strip(".,")]
            options = [p for p in _LEGAL_FORM_GROUPS[code] if p.replace(" ", "") != words[i].lower().strip(".,")]
            words[i] = rng.choice(options).upper()
        else:
            words.append(rng.choice(FORMS))
    else:
        return None
    out = " ".join(words)
    return out if out != name else None


KINDS = (
    "typo",
    "transposition",
    "reorder",
    "missing_middle",
    "initials",
    "honorific",
    "transliteration",
    "hyphen_space",
    "legal_form",
)


def perturbation_cases(entries: list[tuple[str, Entry]], rng: random.Random) -> tuple[list[Case], set[tuple[str, str]]]:
    """Positives from real OFAC/UN names, plus held-out aliases and original-script names."""
    pool = [
        (src, e) for src, e in entries if src in ("us_ofac_sdn", "un_sc") and e.schema in ("Person", "Organization")
    ]
    cases: list[Case] = []
    for kind in KINDS:
        made = 0
        order = rng.sample(range(len(pool)), len(pool))
        for i in order:
            src, entry = pool[i]
            schema = entry.schema
            out = perturb(rng, kind, entry.primary_name, schema)
            if out:
                cases.append(Case(kind, out, schema if rng.random() < 0.5 else "Any", f"{src}:{entry.ref}"))
                made += 1
                if made >= PER_KIND:
                    break
    held_out: set[tuple[str, str]] = set()
    for kind, wanted in (("held_out_alias", ("aka", "fka")), ("original_script", ("original_script",))):
        eligible = [
            (src, e, n)
            for src, e in pool
            for n in e.names
            if n.kind in wanted
            and len([m for m in e.names if m.kind not in ("original_script",)]) >= 2
            and _plain_tokens(n.full) != _plain_tokens(e.primary_name)
        ]
        for src, entry, name in rng.sample(eligible, min(PER_KIND, len(eligible))):
            entity = f"{src}:{entry.ref}"
            if any(h[0] == entity for h in held_out):
                continue
            held_out.add((entity, name.full))
            label = kind
            if kind == "held_out_alias":
                # An alias unrelated to every other name of the entry ("Fabio Fusco" for an Al-Qaida
                # member) cannot be found by any name matcher; it is reported apart from the target.
                rest = [anyascii(n.full).lower() for n in entry.names if n.full != name.full]
                related = max(fuzz.token_set_ratio(anyascii(name.full).lower(), r) for r in rest)
                label = "held_out_alias" if related >= 60 else "x_unrelated_alias"
            cases.append(Case(label, name.full, entry.schema, entity))
    return cases, held_out


def _date(value: str) -> str | None:
    """The file's birth date if the engine accepts it, else its year (the file has a few like 1977-02-30)."""
    if not value:
        return None
    try:
        parse_partial_date(value)
    except InvalidQuery:
        return value[:4] if value[:4].isdigit() else None
    return value


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def negative_cases(rng: random.Random) -> list[Case]:
    """Ordinary people (many locales and scripts) and ordinary company names."""
    rows = _csv_rows(MATCHING / "yente_validation_report" / "negatives_global.csv")
    rows += _csv_rows(MATCHING / "yente_validation_report" / "negatives_us.csv")
    cases = [
        Case("negative", r["full_name"], rng.choice(("Person", "Any")), None) for r in rows if r["full_name"].strip()
    ]
    surnames = [r["last_name"] for r in rows if r["last_name"].isascii() and r["last_name"].isalpha()]
    for _ in range(300):
        name = f"{rng.choice(surnames)} {rng.choice(GENERIC)} {rng.choice(FORMS)}"
        cases.append(Case("negative_org", name, rng.choice(("Organization", "Any")), None))
    return cases


def near_miss_cases(entries: list[tuple[str, Entry]], index: Index, rng: random.Random) -> list[Case]:
    """A listed person's given names with another surname; a listed company's distinctive word plus generic words."""
    rows = _csv_rows(MATCHING / "yente_validation_report" / "negatives_us.csv")
    surnames = [r["last_name"] for r in rows if r["last_name"].isalpha() and r["last_name"].isascii()]
    cases: list[Case] = []
    people = [(s, e) for s, e in entries if e.schema == "Person" and s in ("us_ofac_sdn", "un_sc")]
    for src, entry in rng.sample(people, 200):
        words = _words(entry.primary_name)
        if len(words) < 2:
            continue
        cases.append(
            Case("near:given_name", f"{' '.join(words[:-1])} {rng.choice(surnames)}", "Person", f"{src}:{entry.ref}")
        )
    orgs = [(s, e) for s, e in entries if e.schema == "Organization" and s in ("us_ofac_sdn", "un_sc")]
    for src, entry in rng.sample(orgs, 200):
        tokens = [
            t for t in canonical_tokens(entry.primary_name, "Organization") if not t.startswith("~") and len(t) > 3
        ]
        if not tokens:
            continue
        distinctive = max(tokens, key=index.weight)
        name = f"{distinctive.capitalize()} {rng.choice(GENERIC)} {rng.choice(GENERIC)} {rng.choice(FORMS)}"
        cases.append(Case("near:org_word", name, "Organization", f"{src}:{entry.ref}"))
    return cases


# ----------------------------------------------------------------------------- systems


class Brute:
    """Brute-force rapidfuzz token_sort_ratio over every listed name (the baseline)."""

    def __init__(self, entries: Iterable[tuple[str, Entry]], held_out: set[tuple[str, str]] = frozenset()) -> None:
        self.names: list[str] = []
        self.display: list[str] = []
        self.entity: list[str] = []
        self.schema: list[str] = []
        for src, entry in entries:
            entity = f"{src}:{entry.ref}"
            for name in entry.names:
                if (entity, name.full) in held_out:
                    continue
                self.names.append(anyascii(name.full).lower())
                self.display.append(name.full)
                self.entity.append(entity)
                self.schema.append(entry.schema)

    def scan(self, queries: list[str], *, top: int = NK_TOP) -> list[list[tuple[int, float]]]:
        """Per query: (name index, score) of the top names, best first."""
        out = []
        for query in queries:
            found = process.extract(anyascii(query).lower(), self.names, scorer=fuzz.token_sort_ratio, limit=top)
            out.append([(i, s) for _, s, i in found])
        return out


def run_logic_v2(pairs: list[dict]) -> list[float] | None:
    """Score pairs with nomenklatura logic-v2 in the benchmark venv; None if it is not installed."""
    if not NK_PYTHON.exists():
        return None
    payload = "".join(json.dumps(p) + "\n" for p in pairs)
    done = subprocess.run([str(NK_PYTHON), str(NK_SCRIPT)], input=payload, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print("logic-v2 failed:", done.stderr[-2000:], file=sys.stderr)
        return None
    return [float(x) for x in done.stdout.split()]


_NK_SCHEMA = {"Person": "Person", "Organization": "Organization", "Any": "LegalEntity", "Vessel": "Vessel"}


def evaluate(
    cases: list[Case],
    index: Index,
    brute: Brute | None,
    threshold: float | None,
    *,
    sources: set[str] | None = None,
    nk: bool = True,
    nk_sample: int | None = None,
    rng: random.Random | None = None,
    show: Collection[str] = (),
) -> dict[str, dict[str, list[bool]]]:
    """For every case and system: did it hit (positive) / alert (negative) / name the near entity."""
    results: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    schema_of = dict(zip(index.entity_ids, index.entity_schema, strict=True))
    started = time.perf_counter()
    for case in cases:
        try:
            query = Query(name=case.name, schema=case.schema, birth_date=case.birth_date, countries=case.countries)
        except InvalidQuery:
            # Refused as bad input (the API answers 400): no alert for a negative, a miss for a positive.
            results["_rejected"][case.kind].append(True)
            matches = []
        else:
            matches = screen(index, query, threshold=SWEEP[0], sources=sources, limit=50)
        if case.expected is None:
            score = max((m.score for m in matches), default=0.0)
            hit = any(_alerts(m, threshold) for m in matches)
        else:
            score = max((m.score for m in matches if m.entity == case.expected), default=0.0)
            hit = any(_alerts(m, threshold) for m in matches if m.entity == case.expected)
        results["engine"][case.kind].append(hit)
        results["_scores"][case.kind].append(score)  # type: ignore[arg-type]
        if case.expected and not case.kind.startswith(("near", "x_")):
            group = "org" if schema_of.get(case.expected) in ORG_SCHEMAS else "other"
            results["_positives_by_schema"][group].append(hit)
            results["_scores_by_schema"][group].append(score)  # type: ignore[arg-type]
        if case.kind in show and hit != (case.expected is not None and not case.kind.startswith("near")):
            top = matches[0] if matches else None
            found = f"best {top.score:.3f} {top.entity} '{top.name}'" if top else "no candidate"
            print(f"  [{case.kind}] {case.name!r} ({case.schema}) expected {case.expected}: {score:.3f}; {found}")
    engine_time = time.perf_counter() - started
    results["_time"]["engine_seconds"] = [engine_time]  # type: ignore[list-item]
    if brute is None:
        return results
    scans = brute.scan([c.name for c in cases])
    for case, scan in zip(cases, scans, strict=True):
        found = {brute.entity[i] for i, s in scan if s >= BRUTE_CUTOFF}
        if sources:
            found = {f for f in found if f.split(":")[0] in sources}
        results["brute"][case.kind].append(_outcome(case, found))
    if nk:
        chosen = list(range(len(cases)))
        if nk_sample is not None and len(chosen) > nk_sample and rng is not None:
            chosen = sorted(rng.sample(chosen, nk_sample))
        pairs, owners = [], []
        for ci in chosen:
            case = cases[ci]
            for i, _ in scans[ci]:
                if sources and brute.entity[i].split(":")[0] not in sources:
                    continue
                schema = _NK_SCHEMA.get(case.schema, "LegalEntity")
                cand_schema = {"Organization": "Organization", "Person": "Person"}.get(brute.schema[i], "LegalEntity")
                if schema == "LegalEntity":
                    schema = cand_schema
                pairs.append(
                    {
                        "schema": schema,
                        "candidate_schema": cand_schema,
                        "query": case.name,
                        "candidate": brute.display[i],
                        "birth_date": case.birth_date,
                    }
                )
                owners.append((ci, brute.entity[i]))
        scores = run_logic_v2(pairs)
        if scores is not None:
            found_by: dict[int, set[str]] = defaultdict(set)
            for (ci, entity), score in zip(owners, scores, strict=True):
                if score >= NK_THRESHOLD:
                    found_by[ci].add(entity)
            for ci in chosen:
                results["logic-v2"][cases[ci].kind].append(_outcome(cases[ci], found_by[ci]))
    return results


def _alerts(match: Match, threshold: float | None) -> bool:
    """The match alerts at the given threshold, or at the engine's own per-schema thresholds when None."""
    limit = threshold if threshold is not None else DEFAULT_THRESHOLDS.for_entity(match.source, match.schema)
    return match.score >= limit


def _outcome(case: Case, found: set[str]) -> bool:
    if case.expected is None:
        return bool(found)  # negative: alerted
    return case.expected in found  # positive: hit; near miss: named the near entity


def _rate(values: list[bool]) -> str:
    return f"{sum(values) / len(values):6.1%} ({sum(values)}/{len(values)})" if values else "   n/a"


def print_sweep(results: dict[str, dict[str, list]]) -> None:
    """Engine recall and alert rates over a range of thresholds (how the default was chosen)."""
    scores = results["_scores"]
    groups = {
        "positives": [v for k, vs in scores.items() if not k.startswith(("negative", "near", "x_")) for v in vs],
        "negatives": [v for k, vs in scores.items() if k.startswith("negative") for v in vs],
        "near misses": [v for k, vs in scores.items() if k.startswith("near") for v in vs],
        "org positives": results.get("_scores_by_schema", {}).get("org", []),
        "org negatives": scores.get("negative_org", []),
        "org near misses": scores.get("near:org_word", []),
    }
    groups = {k: v for k, v in groups.items() if v}
    print("engine threshold sweep: " + ", ".join(f"{k} ({len(v)})" for k, v in groups.items()))
    for t in SWEEP:
        print(f"  {t:.3f}: " + "   ".join(f"{k} {sum(s >= t for s in v) / len(v):6.2%}" for k, v in groups.items()))


def print_table(title: str, results: dict[str, dict[str, list[bool]]]) -> None:
    systems = [s for s in ("engine", "brute", "logic-v2") if s in results]
    kinds = sorted({k for s in systems for k in results[s]})
    print(f"\n## {title}")
    print(f"{'kind':<20}" + "".join(f"{s:>24}" for s in systems))
    for kind in kinds:
        print(f"{kind:<20}" + "".join(f"{_rate(results[s].get(kind, [])):>24}" for s in systems))
    by_schema = results.get("_positives_by_schema", {})
    if by_schema.get("org"):
        print(
            f"engine positives whose expected entry is an organisation: {_rate(by_schema['org'])}; "
            f"person and other entries: {_rate(by_schema.get('other', []))}"
        )
    rejected = {k: len(v) for k, v in results.get("_rejected", {}).items()}
    if rejected:
        print("refused as invalid input by the engine: " + ", ".join(f"{k} {v}" for k, v in rejected.items()))
    positives = [k for k in kinds if not k.startswith(("negative", "near", "x_"))]
    if len(positives) > 1:
        row = "".join(f"{_rate([v for k in positives for v in results[s].get(k, [])]):>24}" for s in systems)
        print(f"{'ALL POSITIVES':<20}" + row + "   (x_ rows excluded)")


# ----------------------------------------------------------------------------- pair sets


def _f1(labels: list[bool], predicted: list[bool]) -> tuple[float, float, float]:
    tp = sum(1 for a, b in zip(labels, predicted, strict=True) if a and b)
    fp = sum(1 for a, b in zip(labels, predicted, strict=True) if not a and b)
    fn = sum(1 for a, b in zip(labels, predicted, strict=True) if a and not b)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _spearman(xs: list[float], ys: list[float]) -> float:
    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=lambda i: values[i])
        out = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                out[order[k]] = (i + j) / 2
            i = j + 1
        return out

    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else 0.0


def _engine_schema(ftm: str) -> str:
    return "Person" if ftm == "Person" else "Any" if ftm == "LegalEntity" else "Organization"


def name_bench(index: Index, threshold: float | None, nk: bool, show: Collection[str] = ()) -> None:
    rows = _csv_rows(MATCHING / "nomenklatura_name_bench" / "cases.csv")
    labels = [r["is_match"] == "true" for r in rows]
    ours = [compare_pair(index, r["name1"], r["name2"], _engine_schema(r["schema"])).score for r in rows]
    brute = [fuzz.token_sort_ratio(anyascii(r["name1"]).lower(), anyascii(r["name2"]).lower()) / 100 for r in rows]
    print(f"\n## nomenklatura name_bench/cases.csv ({len(rows)} pairs; F1 at each system's threshold)")
    # The engine's threshold is the one its own per-schema table gives the pair's schema.
    engine_cut = [threshold if threshold is not None else DEFAULT_THRESHOLDS.for_entity("", r["schema"]) for r in rows]
    systems = [("engine", ours, engine_cut), ("brute", brute, [BRUTE_CUTOFF / 100] * len(rows))]
    if nk:
        scores = run_logic_v2([{"schema": r["schema"], "query": r["name1"], "candidate": r["name2"]} for r in rows])
        if scores is not None:
            systems.append(("logic-v2", scores, [NK_THRESHOLD] * len(rows)))
    for system, scores_, cuts in systems:
        p, r, f = _f1(labels, [s >= c for s, c in zip(scores_, cuts, strict=True)])
        best = max((_f1(labels, [s >= t / 100 for s in scores_])[2], t / 100) for t in range(50, 100))
        shown = f"{cuts[0]:.2f}" if len(set(cuts)) == 1 else "per schema"
        print(
            f"{system:<10} threshold {shown}: precision {p:.3f} recall {r:.3f} F1 {f:.3f}"
            f"   (best F1 {best[0]:.3f} at {best[1]:.2f})"
        )
    if "name_bench" in show:
        for row, label, score, cut in zip(rows, labels, ours, engine_cut, strict=True):
            if (score >= cut) != label:
                print(
                    f"  [name_bench {row['case_group']} {row['schema']}] {row['name1']!r} / {row['name2']!r}: "
                    f"{score:.3f}, expected {'match' if label else 'no match'}"
                )
    groups = sorted({r["case_group"] for r in rows})
    for system, scores_, cuts in systems:
        parts = []
        for group in groups:
            idx = [i for i, r in enumerate(rows) if r["case_group"] == group]
            parts.append(f"{group} {_f1([labels[i] for i in idx], [scores_[i] >= cuts[i] for i in idx])[2]:.2f}")
        print(f"  {system:<10} F1 by group: " + ", ".join(parts))


def ofac_fixtures(index: Index, nk: bool) -> None:
    rows = _csv_rows(MATCHING / "nomenklatura_ofac_search" / "ofac_fixtures.csv")
    reference = [max(float(r["ofac_score"]), 0.0) for r in rows]
    ours = [compare_pair(index, r["query_name"], r["result_name"], "Any").score for r in rows]
    brute = [
        float(fuzz.token_sort_ratio(anyascii(r["query_name"]).lower(), anyascii(r["result_name"]).lower()))
        for r in rows
    ]
    systems = [("engine", ours), ("brute", brute)]
    if nk:
        scores = run_logic_v2(
            [{"schema": "LegalEntity", "query": r["query_name"], "candidate": r["result_name"]} for r in rows]
        )
        if scores is not None:
            systems.append(("logic-v2", scores))
    print(
        f"\n## OFAC Sanctions List Search fixtures ({len(rows)} rows, {len({r['query_name'] for r in rows})} queries)"
    )
    for system, scores in systems:
        per_query = []
        for query in {r["query_name"] for r in rows}:
            idx = [i for i, r in enumerate(rows) if r["query_name"] == query]
            if len(idx) >= 3 and len({reference[i] for i in idx}) > 1:
                per_query.append(_spearman([reference[i] for i in idx], [scores[i] for i in idx]))
        print(
            f"{system:<10} Spearman over all rows {_spearman(reference, scores):.3f}; "
            f"mean per query {sum(per_query) / len(per_query):.3f} ({len(per_query)} queries with >= 3 rows)"
        )


# ----------------------------------------------------------------------------- yente


def yente_sets(
    entries: list[tuple[str, Entry]],
    index: Index,
    brute: Brute,
    threshold: float | None,
    *,
    negatives: int,
    nk: bool,
    rng: random.Random,
    show: Collection[str] = (),
) -> None:
    folder = MATCHING / "yente_candidate_generation"
    treated = _csv_rows(folder / "positives_un_treated.csv")
    untreated = _csv_rows(folder / "positives_un_untreated.csv")
    by_name: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for src, entry in entries:
        if src == "un_sc":
            for name in entry.names:
                by_name[_plain_tokens(name.full)].add(f"{src}:{entry.ref}")
    positives, positives_ev = [], []
    unresolved = 0
    for row, original in zip(treated, untreated, strict=True):
        targets = by_name.get(_plain_tokens(original["full_name"]))
        if not targets or len(targets) != 1:
            unresolved += 1
            continue
        expected = next(iter(targets))
        positives.append(Case("un_treated", row["full_name"], "Any", expected))
        country = to_iso2(row["nationality"]) if row["nationality"] else None
        positives_ev.append(
            Case(
                "un_treated+dob+country",
                row["full_name"],
                "Any",
                expected,
                birth_date=_date(row["date_of_birth"]),
                countries=(country.lower(),) if country else (),
            )
        )
    neg_rows = _csv_rows(folder / "negatives_global.csv")
    if negatives < len(neg_rows):
        neg_rows = rng.sample(neg_rows, negatives)
    neg = [Case("negatives_global", r["full_name"], "Any", None) for r in neg_rows if r["full_name"].strip()]
    neg_ev = []
    for r in neg_rows:
        if not r["full_name"].strip():
            continue
        country = to_iso2(r["nationality"])
        neg_ev.append(
            Case(
                "negatives_global+dob+country",
                r["full_name"],
                "Any",
                None,
                birth_date=_date(r["date_of_birth"]),
                countries=(country.lower(),) if country else (),
            )
        )
    print(
        f"\n## yente candidate-generation set (UN list only; {len(positives)} positives resolved to one UN entry, "
        f"{unresolved} unresolved; {len(neg)} negatives_global sampled, logic-v2 on 1,000 of them)"
    )
    un = {"un_sc"}
    res = evaluate(positives, index, brute, threshold, sources=un, nk=nk, show=show)
    res_neg = evaluate(neg, index, brute, threshold, sources=un, nk=nk, nk_sample=1000, rng=rng, show=show)
    for system, kinds in res_neg.items():
        res[system].update(kinds)
    ev = evaluate(positives_ev + neg_ev, index, brute, threshold, sources=un, nk=False)
    res["engine"].update(ev["engine"])
    print_table("yente set, name only (engine rows with +dob+country also use birth date and nationality)", res)
    print_sweep(res)


# ----------------------------------------------------------------------------- main


def _threshold_text() -> str:
    schemas = ", ".join(f"{k} {v}" for k, v in DEFAULT_THRESHOLDS.by_schema.items())
    return f"{DEFAULT_THRESHOLD} (engine default{'; ' + schemas if schemas else ''})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--threshold", type=float, default=None, help="one threshold for every match (default: the engine's own)"
    )
    parser.add_argument("--negatives", type=int, default=10_000, help="yente negatives_global sample (50000 = all)")
    parser.add_argument("--no-nk", action="store_true", help="skip nomenklatura logic-v2")
    parser.add_argument("--only", choices=("perturbations", "yente", "pairs"), default=None)
    parser.add_argument(
        "--seed", type=int, default=SEED, help="another seed draws another sample (a development split)"
    )
    parser.add_argument(
        "--show", default="", help="comma-separated case kinds whose engine errors are printed (misses, alerts)"
    )
    parser.add_argument("--engine-only", action="store_true", help="skip the brute-force scan and logic-v2")
    args = parser.parse_args()
    show = {k for k in args.show.split(",") if k}
    nk = not args.no_nk and not args.engine_only and NK_PYTHON.exists()
    print(f"# Quality benchmark - {machine()}")
    print(
        f"engine threshold {args.threshold or _threshold_text()}; brute token_sort_ratio >= {BRUTE_CUTOFF}; "
        f"logic-v2 >= {NK_THRESHOLD} "
        f"over brute top-{NK_TOP}: {'on' if nk else 'OFF (benchmarks/.venv missing or --no-nk)'}; seed {args.seed}"
    )
    versions, entries = load_entries()
    print("lists: " + ", ".join(f"{k} ({v})" for k, v in versions.items()))
    rng = random.Random(args.seed)
    if args.only in (None, "perturbations"):
        cases, held_out = perturbation_cases(entries, rng)
        reduced = []
        held_entities = {e for e, _ in held_out}
        for src, entry in entries:
            entity = f"{src}:{entry.ref}"
            if entity in held_entities:
                names = [n for n in entry.names if (entity, n.full) not in held_out]
                entry = replace(entry, names=names)
            reduced.append((src, entry))
        index = build_index(reduced)
        brute = None if args.engine_only else Brute(entries, held_out)
        cases += negative_cases(rng) + near_miss_cases(entries, index, rng)
        print(f"\nperturbation set: {len(cases)} cases, {len(held_out)} names held out of the index")
        res = evaluate(cases, index, brute, args.threshold, nk=nk, show=show)
        print_table(
            "perturbations of real OFAC and UN names (hit rate; negatives: alert rate; near: named the near entity)",
            res,
        )
        print_sweep(res)
    index = build_index(entries, versions=versions)
    if args.only in (None, "yente"):
        brute = Brute((src, e) for src, e in entries if src == "un_sc")
        yente_sets(entries, index, brute, args.threshold, negatives=args.negatives, nk=nk, rng=rng, show=show)
    if args.only in (None, "pairs"):
        name_bench(index, args.threshold, nk, show)
        ofac_fixtures(index, nk)


if __name__ == "__main__":
    main()
