"""The daily drift and bias check: compare, store one ``DriftCheck`` row, audit when something is flagged.

Three comparisons (arithmetic and bounds in ``monitoring.drift``, inputs in ``monitoring.observations``):

* **list versions**: for each list with two or more versions, the scores of its alerts and its alert
  rate on the latest version against the version before (subjects screened on each version, read
  from the versions every stored screening records), over the last ``version_days``;
* **time windows**: the last ``recent_days`` against the ``baseline_days`` before them, for all lists
  together and for each list: score PSI and alert rate;
* **bias**: over the last ``bias_days``, the alert rate and the false-positive rate of each
  nationality and of each script of the name against the overall rate.

Settings: ``TILLIT_DRIFT`` (a dict; any of ``psi``, ``ratio_low``, ``ratio_high``, ``min_difference``,
``min_sample``, ``epsilon``, ``score_bins``, ``recent_days``, ``baseline_days``, ``bias_days``,
``version_days``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from monitoring import audit_actions
from monitoring.drift import Bounds, GroupRates, RateComparison, ScoreDrift, Tally, compare_rate, score_drift
from monitoring.models import DriftCheck
from monitoring.observations import Alert, Screened, observations

WINDOW_DEFAULTS = {"recent_days": 7, "baseline_days": 28, "bias_days": 35, "version_days": 90}
TRIGGERS = ("schedule", "command", "admin")


@dataclass(frozen=True)
class DriftConfig:
    bounds: Bounds
    recent_days: int
    baseline_days: int
    bias_days: int
    version_days: int

    def record(self) -> dict[str, Any]:
        return {**asdict(self.bounds), **{k: getattr(self, k) for k in WINDOW_DEFAULTS}}


def drift_config(overrides: dict[str, Any] | None = None) -> DriftConfig:
    """Bounds and windows from ``TILLIT_DRIFT`` (then ``overrides``); a bad value is a configuration error."""
    values = {**(getattr(settings, "TILLIT_DRIFT", None) or {}), **(overrides or {})}
    bound_keys = set(Bounds.__dataclass_fields__)
    unknown = set(values) - bound_keys - set(WINDOW_DEFAULTS)
    if unknown:
        raise ImproperlyConfigured(f"TILLIT_DRIFT: unknown keys {sorted(unknown)}")
    try:
        bound_values = {k: v for k, v in values.items() if k in bound_keys}
        if "score_bins" in bound_values:
            bound_values["score_bins"] = tuple(float(edge) for edge in bound_values["score_bins"])
        bounds = Bounds(**bound_values)
        windows = {k: int(values.get(k, default)) for k, default in WINDOW_DEFAULTS.items()}
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"TILLIT_DRIFT: {exc}") from None
    if min(windows.values()) < 1:
        raise ImproperlyConfigured("TILLIT_DRIFT: windows are at least one day")
    return DriftConfig(bounds=bounds, **windows)


# --------------------------------------------------------------------------- comparisons
def _flag(flags: list[dict[str, Any]], check: str, about: str, result: ScoreDrift | RateComparison) -> None:
    if not result.flagged:
        return
    if isinstance(result, ScoreDrift):
        flags.append({"check": check, "about": about, "metric": "psi", "value": result.psi})
    else:
        flags.append(
            {
                "check": check,
                "about": about,
                "metric": "rate",
                "value": result.rate,
                "reference": result.reference_rate,
                "ratio": result.ratio,
                "n": result.n,
            }
        )


def compare_versions(
    screened: list[Screened], alerts: list[Alert], versions: dict[str, list[tuple[str, int]]], config: DriftConfig
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Latest against previous version of each list: score PSI and alert rate."""
    wanted = {(code, version_id) for code, pair in versions.items() for version_id, _ in pair}
    scores: dict[tuple[str, str | None], list[float]] = defaultdict(list)
    for alert in alerts:  # one pass over the data for every list
        if (alert.source, alert.version) in wanted:
            scores[alert.source, alert.version].append(alert.score)
    rates: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for item in screened:
        for code, version_id in item.versions.items():
            if (code, version_id) in wanted and item.screened_against(code):
                rates[code, version_id].add(code in item.alerted)
    out: dict[str, Any] = {}
    flags: list[dict[str, Any]] = []
    for code, ((latest_id, latest_number), (previous_id, previous_number)) in sorted(versions.items()):
        drift = score_drift(scores[code, previous_id], scores[code, latest_id], config.bounds)
        rate = compare_rate(rates[code, latest_id], rates[code, previous_id], config.bounds)
        out[code] = {
            "latest": {"id": latest_id, "number": latest_number},
            "previous": {"id": previous_id, "number": previous_number},
            "scores": asdict(drift),
            "alert_rate": asdict(rate),
        }
        _flag(flags, "version_scores", code, drift)
        _flag(flags, "version_alert_rate", code, rate)
    return out, flags


def compare_windows(
    screened: list[Screened], alerts: list[Alert], *, split: datetime, config: DriftConfig
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The recent window against the baseline window, all lists together (None) and per list."""
    # {source or None: values} before and after the split, filled in one pass over the data.
    scores: tuple[dict[str | None, list[float]], dict[str | None, list[float]]] = (defaultdict(list), defaultdict(list))
    rates: tuple[dict[str | None, Tally], dict[str | None, Tally]] = (defaultdict(Tally), defaultdict(Tally))
    sources: set[str] = set()
    for alert in alerts:
        before_after = scores[alert.at >= split]
        before_after[None].append(alert.score)
        before_after[alert.source].append(alert.score)
        sources.add(alert.source)
    for item in screened:
        tallies = rates[item.at >= split]
        tallies[None].add(bool(item.alerted))
        for code in item.versions:
            sources.add(code)
            if item.screened_against(code):
                tallies[code].add(code in item.alerted)
    out: dict[str, Any] = {}
    flags: list[dict[str, Any]] = []
    for source in [None, *sorted(sources)]:
        drift = score_drift(scores[False][source], scores[True][source], config.bounds)
        rate = compare_rate(rates[True][source], rates[False][source], config.bounds)
        about = source or "all lists"
        out[about] = {"scores": asdict(drift), "alert_rate": asdict(rate)}
        _flag(flags, "window_scores", about, drift)
        _flag(flags, "window_alert_rate", about, rate)
    return out, flags


def compare_groups(
    screened: list[Screened], alerts: list[Alert], config: DriftConfig
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Alert and false-positive rates per nationality and per script, against the overall rates."""
    groupings = {
        "nationality": lambda item: item.countries or ("none",),
        "script": lambda item: (item.script,),
    }
    out: dict[str, Any] = {}
    flags: list[dict[str, Any]] = []
    for dimension, groups_of in groupings.items():
        alert_rates, fp_rates = GroupRates(), GroupRates()
        for item in screened:
            alert_rates.add(groups_of(item), bool(item.alerted))
        for alert in alerts:
            if alert.reviewed:
                fp_rates.add(groups_of(alert), alert.false_positive)
        for measure, rates in (("alert_rate", alert_rates), ("false_positive_rate", fp_rates)):
            compared = rates.compare(config.bounds)
            out[f"{measure}_by_{dimension}"] = {
                "overall": {"n": rates.overall.n, "hits": rates.overall.hits, "rate": rates.overall.rate},
                "groups": {group: asdict(result) for group, result in compared.items()},
            }
            for group, result in compared.items():
                _flag(flags, f"{measure}_by_{dimension}", group, result)
    return out, flags


def _latest_versions() -> dict[str, list[tuple[str, int]]]:
    """{source code: [(latest id, number), (previous id, number)]} of lists with two served versions."""
    from screening.selectors import source_list, version_list

    served = {"active", "superseded"}
    out = {}
    for source in source_list():
        rows = [(str(v.pk), v.number) for v in version_list(source=source)[:4] if v.status in served][:2]
        if len(rows) == 2:
            out[source.code] = rows
    return out


# --------------------------------------------------------------------------- the service
@transaction.atomic
def drift_check_run(
    *,
    actor: Any,
    trigger: str = "schedule",
    now: datetime | None = None,
    overrides: dict[str, Any] | None = None,
    unless_within: timedelta | None = None,
) -> DriftCheck:
    """Run every drift and bias comparison, store the run, and audit it when anything crossed a bound.

    With ``unless_within``, a check of the same trigger made that recently is returned instead (so a
    redelivered or doubled daily task runs once).
    """
    if trigger not in TRIGGERS:
        raise ValueError(f"trigger must be one of {', '.join(TRIGGERS)}")
    config = drift_config(overrides)
    end = now or timezone.now()
    if unless_within is not None:
        recent = DriftCheck.objects.filter(trigger=trigger, window_end__gt=end - unless_within).first()
        if recent is not None:
            return recent
    split = end - timedelta(days=config.recent_days)
    window_start = split - timedelta(days=config.baseline_days)
    start = min(window_start, end - timedelta(days=config.bias_days), end - timedelta(days=config.version_days))
    screened, alerts = observations(start=start, end=end)

    version_metrics, version_flags = compare_versions(screened, alerts, _latest_versions(), config)
    in_windows_s = [s for s in screened if s.at >= window_start]
    in_windows_a = [a for a in alerts if a.at >= window_start]
    window_metrics, window_flags = compare_windows(in_windows_s, in_windows_a, split=split, config=config)
    bias_start = end - timedelta(days=config.bias_days)
    group_metrics, group_flags = compare_groups(
        [s for s in screened if s.at >= bias_start], [a for a in alerts if a.at >= bias_start], config
    )
    flags = version_flags + window_flags + group_flags
    per_origin: dict[str, int] = defaultdict(int)
    for item in screened:
        per_origin[item.origin] += 1
    check = DriftCheck(
        trigger=trigger,
        requested_by=actor,
        window_start=start,
        window_end=end,
        parameters=config.record(),
        metrics={
            "versions": version_metrics,
            "windows": window_metrics,
            "groups": group_metrics,
            "subjects_by_origin": dict(per_origin),
        },
        flags=flags,
        subjects=len(screened),
        alerts=len(alerts),
    )
    check.full_clean()
    check.save()
    if flags:
        audit_record(
            action=audit_actions.DRIFT_FLAGGED,
            actor=actor,
            target=check,
            payload={
                "flag_count": len(flags),
                "trigger": trigger,
                "flags": [{k: flag[k] for k in ("check", "about", "metric", "value")} for flag in flags[:50]],
            },
        )
    return check
