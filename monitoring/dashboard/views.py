"""The compliance dashboard page: selectors' figures turned into charts, each with its table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from monitoring.dashboard import selectors
from monitoring.dashboard.charts import Series, bar_chart, line_chart

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
LATENCY_DAYS = 14
GROUPS_SHOWN = 12
CHECK_LABELS = {
    "version_scores": "Scores: latest list version against the previous one (PSI)",
    "version_alert_rate": "Alert rate: latest list version against the previous one",
    "window_scores": "Scores: recent window against the baseline (PSI)",
    "window_alert_rate": "Alert rate: recent window against the baseline",
    "alert_rate_by_nationality": "Alert rate of a nationality against all subjects",
    "alert_rate_by_script": "Alert rate of a script of the name against all subjects",
    "false_positive_rate_by_nationality": "False-positive rate of a nationality against all alerts",
    "false_positive_rate_by_script": "False-positive rate of a script of the name against all alerts",
}


def _svg(markup: str) -> SafeString:
    # charts.py escapes every text it writes; the markup is built from numbers and escaped labels only.
    return mark_safe(markup)  # noqa: S308


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def period_from(value: Any) -> int:
    """The period in days asked for in the query string, or the default when it is not one offered."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def _comparisons(block: dict[str, Any]) -> list[dict[str, Any]]:
    """Version or window comparisons as table rows, rates in per cent."""
    rows = []
    for about, item in sorted(block.items()):
        rate, scores = item["alert_rate"], item["scores"]
        rows.append(
            {
                "about": about,
                **{key: item[key] for key in ("latest", "previous") if key in item},
                "scores": scores,
                "rate": _percent(rate["rate"]),
                "reference_rate": _percent(rate["reference_rate"]),
                "rate_flagged": rate["flagged"],
                "notes": sorted({note for note in (scores["note"], rate["note"]) if note}),
            }
        )
    return rows


def _group_chart(title: str, block: dict[str, Any] | None, unit: str = "%") -> dict[str, Any]:
    """Rate per group (largest groups first) against the overall rate, flagged groups highlighted."""
    if not block:
        return {"svg": _svg(bar_chart(title, [], [])), "rows": [], "overall": None}
    groups = list(block["groups"].items())[:GROUPS_SHOWN]
    overall = _percent(block["overall"]["rate"])
    rows = [
        {
            "group": group,
            "n": result["n"],
            "hits": result["hits"],
            "rate": _percent(result["rate"]),
            "ratio": result["ratio"],
            "flagged": result["flagged"],
            "note": result["note"],
        }
        for group, result in groups
    ]
    svg = bar_chart(
        title,
        [row["group"] for row in rows],
        [Series("rate", [row["rate"] for row in rows])],
        unit=unit,
        markers=[overall] * len(rows),
        marker_label="overall rate",
        highlight=[row["flagged"] for row in rows],
        highlight_label="flagged",
    )
    return {"svg": _svg(svg), "rows": rows, "overall": overall, "overall_n": block["overall"]["n"]}


def dashboard_context(*, days: int = DEFAULT_PERIOD, now: datetime | None = None) -> dict[str, Any]:
    """Every figure and chart on the page for the last ``days``."""
    now = now or timezone.now()
    per_day = selectors.alerts_per_day(days=days, now=now)
    day_labels = [row["day"].strftime("%m-%d") for row in per_day]
    per_list = selectors.alerts_per_list(days=days, now=now)
    ages = selectors.open_cases_by_age(now=now)
    lists = selectors.list_freshness(now=now)
    latency = selectors.screening_latency(days=LATENCY_DAYS, now=now)
    check = selectors.latest_drift_check()
    groups = check.metrics.get("groups", {}) if check else {}
    return {
        "days": days,
        "periods": PERIODS,
        "now": now,
        "alerts_per_day": {
            "rows": per_day,
            "svg": _svg(
                bar_chart(
                    f"Alerts raised and dispositioned per day, last {days} days",
                    day_labels,
                    [
                        Series("raised", [r["raised"] for r in per_day]),
                        Series("cleared (false positive)", [r["cleared"] for r in per_day]),
                        Series("confirmed", [r["confirmed"] for r in per_day]),
                    ],
                    unit="alerts",
                )
            ),
        },
        "alerts_per_list": {
            "rows": per_list,
            "summary": selectors.false_positive_summary(per_list),
            "svg": _svg(
                bar_chart(
                    f"Alerts per list, last {days} days",
                    [r.source for r in per_list],
                    [
                        Series("raised", [r.raised for r in per_list]),
                        Series("cleared (false positive)", [r.cleared for r in per_list]),
                        Series("confirmed", [r.confirmed for r in per_list]),
                        Series("open", [r.open for r in per_list]),
                    ],
                    unit="alerts",
                )
            ),
            "fp_svg": _svg(
                bar_chart(
                    f"False-positive rate per list, last {days} days",
                    [r.source for r in per_list],
                    [Series("false-positive rate", [_percent(r.false_positive_rate) for r in per_list])],
                    unit="%",
                )
            ),
        },
        "cases": {
            **ages,
            "svg": _svg(
                bar_chart(
                    f"Open cases by age (review SLA {ages['sla_hours']:g} h)",
                    [b["label"] for b in ages["buckets"]],
                    [Series("open cases", [b["count"] for b in ages["buckets"]])],
                    unit="cases",
                    highlight=[b["past_sla"] for b in ages["buckets"]],
                    highlight_label="older than the SLA",
                )
            ),
        },
        "lists": {
            "rows": lists,
            "svg": _svg(
                bar_chart(
                    "Age of each active list version against its sync interval",
                    [r["source"] for r in lists],
                    [Series("version age", [r["age_hours"] for r in lists])],
                    unit="hours",
                    markers=[r["interval_hours"] for r in lists],
                    marker_label="sync interval",
                    highlight=[r["stale"] for r in lists],
                    highlight_label="stale (not checked for two intervals)",
                )
            ),
        },
        "latency": {
            **latency,
            "svg": _svg(
                line_chart(
                    f"Screening latency per day, last {LATENCY_DAYS} days",
                    [row["day"].strftime("%m-%d") for row in latency["days"]],
                    [Series(f"p{q}", [row[f"p{q}"] for row in latency["days"]]) for q in (50, 95, 99)],
                    unit="ms",
                )
            ),
        },
        "drift": {
            "check": check,
            "flags": [
                {**flag, "label": CHECK_LABELS.get(flag["check"], flag["check"])}
                for flag in (check.flags if check else [])
            ],
            "versions": _comparisons(check.metrics.get("versions", {}) if check else {}),
            "windows": _comparisons(check.metrics.get("windows", {}) if check else {}),
            "alert_rate_by_nationality": _group_chart(
                "Alert rate by nationality", groups.get("alert_rate_by_nationality")
            ),
            "alert_rate_by_script": _group_chart(
                "Alert rate by script of the name", groups.get("alert_rate_by_script")
            ),
            "fp_rate_by_nationality": _group_chart(
                "False-positive rate by nationality", groups.get("false_positive_rate_by_nationality")
            ),
            "fp_rate_by_script": _group_chart(
                "False-positive rate by script of the name", groups.get("false_positive_rate_by_script")
            ),
        },
    }
