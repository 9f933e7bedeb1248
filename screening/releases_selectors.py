"""Reads of matching releases: the list, and the comparison report of a release's shadow results."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, QuerySet

from screening.models import MatchingRelease, ShadowResult
from screening.models.screenings import Outcome

REPORT_MAX_RESULTS = 50_000
GROUPS = (("by_schema", "subject_schema"), ("by_script", "name_script"), ("by_shape", "name_shape"))


def releases() -> QuerySet[MatchingRelease]:
    """Every release, newest first, with its count of shadow results."""
    return MatchingRelease.objects.annotate(shadow_count=Count("shadow_results")).order_by("-created_at")


def release_summary(release: MatchingRelease) -> dict[str, Any]:
    return {
        "id": str(release.pk),
        "label": release.label,
        "algorithm": release.algorithm,
        "algorithm_version": release.algorithm_version,
        "thresholds": release.thresholds,
        "status": release.status,
        "notes": release.notes,
        "previous": str(release.previous_id) if release.previous_id else None,
        "created_at": release.created_at.isoformat() if release.created_at else None,
        "shadow_started_at": release.shadow_started_at.isoformat() if release.shadow_started_at else None,
        "promoted_at": release.promoted_at.isoformat() if release.promoted_at else None,
        "retired_at": release.retired_at.isoformat() if release.retired_at else None,
    }


def _group() -> dict[str, int]:
    return {"screenings": 0, "gained": 0, "lost": 0, "to_alert": 0, "to_clear": 0}


def release_report(release: MatchingRelease, *, examples: int = 10) -> dict[str, Any]:
    """Alerts gained and lost against live, in total, by list, and by kind of name, with examples.

    Kinds of name: the subject's schema, the script of its name and whether it is one word or
    several. "to_alert" counts subjects that were clear live and alert in shadow; "to_clear" the
    reverse. Examples carry the screening id, the entity and the scores, never the subject's name.
    Built from the latest ``REPORT_MAX_RESULTS`` shadow results.
    """
    rows = (
        ShadowResult.objects.filter(release=release)
        .order_by("-created_at")
        .values(
            "screening_id",
            "origin",
            "subject_schema",
            "name_script",
            "name_shape",
            "live_outcome",
            "shadow_outcome",
            "shadow_matches",
            "gained",
            "lost",
            "changed",
            "baseline",
        )[:REPORT_MAX_RESULTS]
    )
    totals = {
        "screenings": 0,
        "traffic": 0,
        "replay": 0,
        "identical": 0,
        "live_alerts": 0,
        "shadow_alerts": 0,
        "gained": 0,
        "lost": 0,
        "rescored": 0,
        "to_alert": 0,
        "to_clear": 0,
    }
    by_source: dict[str, dict[str, int]] = defaultdict(
        lambda: {"live_alerts": 0, "shadow_alerts": 0, "gained": 0, "lost": 0}
    )
    groups: dict[str, dict[str, dict[str, int]]] = {name: defaultdict(_group) for name, _ in GROUPS}
    gained_examples: list[dict[str, Any]] = []
    lost_examples: list[dict[str, Any]] = []
    rescored: list[dict[str, Any]] = []
    deltas: list[float] = []
    for row in rows:
        totals["screenings"] += 1
        totals[row["origin"]] = totals.get(row["origin"], 0) + 1
        to_alert = row["live_outcome"] == Outcome.CLEAR and row["shadow_outcome"] == Outcome.POTENTIAL_MATCH
        to_clear = row["live_outcome"] == Outcome.POTENTIAL_MATCH and row["shadow_outcome"] == Outcome.CLEAR
        moved = [c for c in row["changed"] if c["delta"]]
        if not row["gained"] and not row["lost"] and not moved:
            totals["identical"] += 1
        live_count = len(row["shadow_matches"]) - len(row["gained"]) + len(row["lost"])
        totals["live_alerts"] += live_count
        totals["shadow_alerts"] += len(row["shadow_matches"])
        totals["gained"] += len(row["gained"])
        totals["lost"] += len(row["lost"])
        totals["rescored"] += len(moved)
        totals["to_alert"] += to_alert
        totals["to_clear"] += to_clear
        for alert in row["shadow_matches"]:
            by_source[alert["source"]]["shadow_alerts"] += 1
            by_source[alert["source"]]["live_alerts"] += 1
        for alert in row["gained"]:
            by_source[alert["source"]]["gained"] += 1
            by_source[alert["source"]]["live_alerts"] -= 1
        for alert in row["lost"]:
            by_source[alert["source"]]["lost"] += 1
            by_source[alert["source"]]["live_alerts"] += 1
        for name, column in GROUPS:
            group = groups[name][row[column]]
            group["screenings"] += 1
            group["gained"] += len(row["gained"])
            group["lost"] += len(row["lost"])
            group["to_alert"] += to_alert
            group["to_clear"] += to_clear
        context = {
            "screening_id": str(row["screening_id"]),
            "subject_schema": row["subject_schema"],
            "name_script": row["name_script"],
            "name_shape": row["name_shape"],
            "origin": row["origin"],
        }
        if len(gained_examples) < examples:
            gained_examples += [{**context, **alert} for alert in row["gained"][: examples - len(gained_examples)]]
        if len(lost_examples) < examples:
            lost_examples += [{**context, **alert} for alert in row["lost"][: examples - len(lost_examples)]]
        for change in moved:
            deltas.append(change["delta"])
            rescored.append({**context, **change})
    rescored.sort(key=lambda c: (-abs(c["delta"]), c["entity"]))
    totals["mean_score_delta"] = round(sum(deltas) / len(deltas), 4) if deltas else 0.0
    return {
        "release": release_summary(release),
        "totals": totals,
        "by_source": {code: by_source[code] for code in sorted(by_source)},
        **{name: {key: value for key, value in sorted(groups[name].items())} for name, _ in GROUPS},
        "examples": {"gained": gained_examples, "lost": lost_examples, "rescored": rescored[:examples]},
        "truncated": totals["screenings"] >= REPORT_MAX_RESULTS,
    }
