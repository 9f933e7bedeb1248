"""Matching releases: which algorithm version and thresholds screen live, shadow runs, promotion and rollback.

* ``release_plan()`` is what every screening asks first (one small query): the live release (or,
  before any release exists, the installed algorithm with ``TILLIT_SCREENING_THRESHOLDS`` or the
  engine defaults) and the releases in shadow.
* A release in shadow is evaluated on each live screening after it commits (a Celery task, off the
  request path) and on replays of recent screenings; each evaluation stores a ``ShadowResult``
  comparing its alerts with the live ones.
* Transitions are an explicit map; each is one service call that writes one audit event.
  Promotion and rollback need the administrator role and a step-up (checked by the admin).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from common.logging import get_logger
from common.prepared import PreparedQuery
from screening import audit_actions as actions
from screening.engine import Thresholds
from screening.engine.releases import (
    Alert,
    RunnableAlgorithm,
    UnknownAlgorithm,
    compare_results,
    installed,
    is_runnable,
    name_script,
    name_shape,
    runnable,
)
from screening.models import MatchingRelease, ReleaseStatus, Screening, ShadowOrigin, ShadowResult
from screening.models.screenings import Outcome
from screening.runtime import Snapshot, index_dir, load_snapshot, snapshot_for_versions

log = get_logger(__name__)

DEFAULT_MIN_SHADOW_SCREENINGS = 200
SHADOW_TASK_CHUNK = 200
REPLAY_MAX = 20_000

# The allowed transitions (promotion and rollback also move the release they replace to retired).
TRANSITIONS: dict[str, frozenset[str]] = {
    ReleaseStatus.DRAFT: frozenset({ReleaseStatus.SHADOW, ReleaseStatus.RETIRED}),
    ReleaseStatus.SHADOW: frozenset({ReleaseStatus.LIVE, ReleaseStatus.DRAFT, ReleaseStatus.RETIRED}),
    ReleaseStatus.LIVE: frozenset({ReleaseStatus.RETIRED}),
    ReleaseStatus.RETIRED: frozenset({ReleaseStatus.LIVE}),  # by rollback only
}


class ReleaseError(ValueError):
    """A release operation is refused; the message says why and what to do instead."""


def shadow_sample() -> float:
    """Share of live screenings evaluated in shadow (``TILLIT_RELEASE_SHADOW_SAMPLE``, 0-1, default all)."""
    return min(1.0, max(0.0, float(getattr(settings, "TILLIT_RELEASE_SHADOW_SAMPLE", 1.0))))


def sampled(screening_id: Any, rate: float) -> bool:
    """Whether a screening falls in the shadow sample: decided by its id, so a redelivery decides the same."""
    if rate >= 1.0:
        return True
    return int(uuid.UUID(str(screening_id)).hex[:8], 16) < rate * 0x1_0000_0000


def min_shadow_screenings() -> int:
    """Shadow evaluations a release needs before it may be promoted without a forced reason."""
    return int(getattr(settings, "TILLIT_RELEASE_MIN_SHADOW_SCREENINGS", DEFAULT_MIN_SHADOW_SCREENINGS))


# --------------------------------------------------------------------------- what screens live
@dataclass(frozen=True)
class ServingRelease:
    """A release as the screening path uses it: its algorithm (runnable) and parsed thresholds."""

    id: uuid.UUID | None
    label: str
    algorithm: RunnableAlgorithm
    thresholds: Thresholds


@dataclass(frozen=True)
class ReleasePlan:
    live: ServingRelease
    shadow_ids: tuple[uuid.UUID, ...] = ()


_warned_unrunnable: set[uuid.UUID] = set()


def serving_release(row: MatchingRelease | Mapping[str, Any]) -> ServingRelease:
    """A release row (or its values) as a ServingRelease; UnknownAlgorithm when it cannot run here."""
    from screening.services.screenings import thresholds_from_record

    get = row.get if isinstance(row, Mapping) else lambda name: getattr(row, name)
    return ServingRelease(
        id=get("id"),
        label=get("label"),
        algorithm=runnable(get("algorithm"), get("algorithm_version")),
        thresholds=thresholds_from_record(get("thresholds")),
    )


def default_release() -> ServingRelease:
    """What screens when no release exists yet: the installed algorithm and the configured thresholds."""
    from screening.services.screenings import configured_thresholds

    return ServingRelease(id=None, label="", algorithm=installed(), thresholds=configured_thresholds())


# Every screening reads the plan: the query is compiled once (common.prepared), and a release row
# is parsed into a ServingRelease once per distinct content (a changed row is a new key).
_PLAN_ROWS = PreparedQuery(
    lambda: MatchingRelease.objects.filter(status__in=(ReleaseStatus.LIVE, ReleaseStatus.SHADOW)).values_list(
        "id", "status", "label", "algorithm", "algorithm_version", "thresholds"
    ),
    arity=0,
)
_served: dict[tuple[Any, ...], ServingRelease] = {}
KEEP_SERVED = 32


def _cached_release(key: tuple[Any, ...], build: Callable[[], ServingRelease]) -> ServingRelease:
    found = _served.get(key)
    if found is None:
        found = build()
        if len(_served) >= KEEP_SERVED:
            _served.clear()
        _served[key] = found
    return found


def _live_release(row: tuple[Any, ...], algorithm: RunnableAlgorithm | None) -> ServingRelease:
    """The live row as a ServingRelease (the installed algorithm, unattributed, when its version cannot run)."""
    from screening.services.screenings import thresholds_from_record

    pk, _, label, name, version, thresholds = row
    if algorithm is not None:
        return ServingRelease(id=pk, label=label, algorithm=algorithm, thresholds=thresholds_from_record(thresholds))
    # Deployed code that dropped the live version: keep screening with what is installed,
    # unattributed, and say so loudly once per process.
    if pk not in _warned_unrunnable:
        _warned_unrunnable.add(pk)
        log.error(
            "screening.release.live_not_runnable",
            release=str(pk),
            algorithm=f"{name} {version}",
            running=f"{installed().name} {installed().version}",
        )
    return ServingRelease(id=None, label="", algorithm=installed(), thresholds=thresholds_from_record(thresholds))


def _plan_of(rows: Iterable[tuple[Any, ...]]) -> ReleasePlan:
    live: ServingRelease | None = None
    shadows: list[uuid.UUID] = []
    for row in rows:
        if row[1] == ReleaseStatus.SHADOW:
            shadows.append(row[0])
            continue
        try:
            algorithm: RunnableAlgorithm | None = runnable(row[3], row[4])
        except UnknownAlgorithm:
            algorithm = None
        # The key holds everything the ServingRelease is made of, so a changed row is parsed afresh.
        key = ("release", *row[:5], repr(row[5]), algorithm)
        live = _cached_release(key, lambda row=row, algorithm=algorithm: _live_release(row, algorithm))
    if live is None:
        conf = getattr(settings, "TILLIT_SCREENING_THRESHOLDS", None)
        live = _cached_release(("default", repr(conf), installed()), default_release)
    return ReleasePlan(live=live, shadow_ids=tuple(shadows))


def release_plan() -> ReleasePlan:
    """The live release and the ids of the releases in shadow (one query)."""
    return _plan_of(_PLAN_ROWS.rows())


# --------------------------------------------------------------------------- indexes per algorithm family
_family_snapshots: dict[tuple[str, tuple[Any, ...]], Snapshot] = {}
KEEP_FAMILY_SNAPSHOTS = 2


def snapshot_for_algorithm(algorithm: RunnableAlgorithm, base: Snapshot) -> Snapshot:
    """The index of ``base``'s list versions in the form ``algorithm`` reads (``base`` when it is the same form)."""
    if algorithm.index_family == installed().index_family:
        return base
    key = (algorithm.index_family, base.versions)
    held = _family_snapshots.get(key)
    if held is not None:
        return held
    directory = Path(index_dir()) / ("family-" + "".join(c if c.isalnum() else "_" for c in algorithm.index_family))
    snapshot = load_snapshot(base.versions, directory, loader=algorithm.load_or_build)
    if len(_family_snapshots) >= KEEP_FAMILY_SNAPSHOTS:
        _family_snapshots.pop(next(iter(_family_snapshots)))
    _family_snapshots[key] = snapshot
    return snapshot


def screen_live(
    base: Snapshot, query: Any, *, sources: Collection[str] | None = None, limit: int = 10
) -> tuple[list[Any], str]:
    """Screen with the live release (its algorithm and thresholds) on ``base``'s list versions.

    For the screenings that are not stored as Screening rows (kyc onboarding, ongoing monitoring):
    they follow promotions and rollbacks like the screening API. Returns (matches, algorithm version).
    """
    live = release_plan().live
    snapshot = snapshot_for_algorithm(live.algorithm, base)
    matches = live.algorithm.run(
        snapshot.index, query, threshold=None, thresholds=live.thresholds, sources=sources, limit=limit
    )
    return matches, live.algorithm.version


def _snapshot_of(screening: Screening, held: dict[tuple[str, ...], Snapshot]) -> Snapshot:
    """The index of exactly the list versions a screening ran on (the process's current one when equal)."""
    key = tuple(sorted(str(item["id"]) for item in screening.list_versions.values()))
    snapshot = held.get(key)
    if snapshot is None:
        # The process's current index when it holds these versions; LookupError when a version is gone.
        snapshot = held[key] = snapshot_for_versions(screening.list_versions)
    return snapshot


# --------------------------------------------------------------------------- shadow evaluation
def _alerts(matches: Iterable[Any]) -> list[dict[str, Any]]:
    return [Alert.of(m).to_dict() for m in matches]


def _same_configuration(screening: Screening, live: ServingRelease) -> bool:
    from screening.services.screenings import thresholds_record

    if live.id is not None and screening.release_id == live.id:
        return True
    return (screening.algorithm, screening.algorithm_version) == live.algorithm.key and dict(
        screening.thresholds
    ) == thresholds_record(live.thresholds)


def _run(release: ServingRelease, screening: Screening, snapshot: Snapshot, query: Any) -> list[Any]:
    from screening.engine import Suppression
    from screening.services.screenings import run_engine

    suppressions = [Suppression(screening.subject_key, s["entity"], s["content_hash"]) for s in screening.suppressed]
    return run_engine(
        snapshot_for_algorithm(release.algorithm, snapshot),
        query,
        threshold=screening.threshold,
        thresholds=release.thresholds,
        sources=screening.sources,
        limit=screening.max_matches,
        suppressions=suppressions,
        algorithm=release.algorithm,
    ).matches


def shadow_evaluate(
    *,
    release: ServingRelease,
    live: ServingRelease,
    screening: Screening,
    origin: str,
    snapshots: dict[tuple[str, ...], Snapshot] | None = None,
) -> ShadowResult | None:
    """Screen a stored screening's subject with ``release`` and store how its alerts differ from live.

    The baseline is the stored result when the screening was made by the live release's
    configuration, else the live release re-run on the same input. Returns None when the
    screening was already evaluated for this release (a redelivered task, a second replay).
    """
    from screening.services.screenings import screening_query

    if ShadowResult.objects.filter(release_id=release.id, screening=screening).exists():
        return None
    started = time.perf_counter()
    snapshot = _snapshot_of(screening, snapshots if snapshots is not None else {})
    query = screening_query(screening)
    shadow = _run(release, screening, snapshot, query)
    if _same_configuration(screening, live):
        baseline, live_alerts = "stored", _alerts(screening.matches.all())
    else:
        baseline, live_alerts = "rerun", _alerts(_run(live, screening, snapshot, query))
    shadow_alerts = _alerts(shadow)
    comparison = compare_results(live_alerts, shadow_alerts)
    result = ShadowResult(
        release_id=release.id,
        screening=screening,
        origin=origin,
        subject_schema=screening.schema,
        name_script=name_script(screening.name),
        name_shape=name_shape(screening.name),
        live_outcome=Outcome.POTENTIAL_MATCH if live_alerts else Outcome.CLEAR,
        shadow_outcome=Outcome.POTENTIAL_MATCH if shadow_alerts else Outcome.CLEAR,
        shadow_matches=shadow_alerts,
        gained=[a.to_dict() for a in comparison.gained],
        lost=[a.to_dict() for a in comparison.lost],
        changed=list(comparison.changed),
        baseline=baseline,
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
    )
    try:
        with transaction.atomic():
            result.save(force_insert=True)
    except IntegrityError:
        return None  # evaluated concurrently by another copy of the task
    return result


def shadow_evaluate_screenings(*, screening_ids: Sequence[str], origin: str = ShadowOrigin.TRAFFIC) -> int:
    """Evaluate every release now in shadow on these screenings (idempotent); returns results stored."""
    rows = _PLAN_ROWS.rows()  # the live release and the releases in shadow, read once
    plan = _plan_of(rows)
    if not plan.shadow_ids:
        return 0
    releases = []
    names = ("id", "status", "label", "algorithm", "algorithm_version", "thresholds")
    for row in rows:
        if row[1] != ReleaseStatus.SHADOW:
            continue
        try:
            releases.append(serving_release(dict(zip(names, row, strict=True))))
        except UnknownAlgorithm:
            log.error("screening.release.shadow_not_runnable", release=str(row[0]))
    snapshots: dict[tuple[str, ...], Snapshot] = {}
    stored = 0
    screenings = Screening.objects.filter(pk__in=list(screening_ids)).prefetch_related("matches")
    for screening in screenings:
        for release in releases:
            try:
                if shadow_evaluate(
                    release=release, live=plan.live, screening=screening, origin=origin, snapshots=snapshots
                ):
                    stored += 1
            except LookupError as exc:  # a recorded list version is gone: nothing faithful to compare
                log.warning("screening.release.shadow_skipped", screening=str(screening.pk), reason=str(exc))
                break
    return stored


def shadow_enqueue(screening_ids: Sequence[str]) -> None:
    """Queue the shadow evaluation of these screenings, in chunks (call from ``transaction.on_commit``)."""
    from screening.tasks_releases import shadow_evaluate_task

    ids = [str(i) for i in screening_ids]
    for start in range(0, len(ids), SHADOW_TASK_CHUNK):
        try:
            shadow_evaluate_task.delay(ids[start : start + SHADOW_TASK_CHUNK])
        except Exception:
            # The live result is stored and returned whatever happens to its shadow copy.
            log.exception("screening.release.shadow_enqueue_failed", count=len(ids[start : start + SHADOW_TASK_CHUNK]))


def shadow_after_screening(*, screening: Screening, plan: ReleasePlan) -> None:
    """Hook of ``screening_run``: when releases are in shadow, evaluate this screening after it commits."""
    if plan.shadow_ids and sampled(screening.pk, shadow_sample()):
        screening_id = str(screening.pk)
        transaction.on_commit(lambda: shadow_enqueue([screening_id]))


def shadow_after_batch_chunk(*, batch: Any, lines: Sequence[int]) -> None:
    """Hook of the batch chunk task: one shadow task for the chunk's screenings, not one per line."""
    if not lines or not MatchingRelease.objects.filter(status=ReleaseStatus.SHADOW).exists():
        return
    rate = shadow_sample()
    rows = Screening.objects.filter(batch=batch, batch_line__in=lines).values_list("pk", flat=True)
    ids = [str(pk) for pk in rows if sampled(pk, rate)]
    if ids:
        transaction.on_commit(lambda: shadow_enqueue(ids))


# --------------------------------------------------------------------------- replay
@dataclass
class ReplaySummary:
    release_id: uuid.UUID
    considered: int = 0
    evaluated: int = 0
    already: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def release_shadow_replay(
    *, release: MatchingRelease, actor: Any, days: int = 7, limit: int = 1000, progress: Any = None
) -> ReplaySummary:
    """Re-run the most recent stored screenings (last ``days``, at most ``limit``) under a release in shadow.

    Each stored subject is screened on the list versions it was screened on; screenings already
    evaluated for this release are skipped. One audit event records the run.
    """
    if release.status != ReleaseStatus.SHADOW:
        raise ReleaseError(f"release {release.label!r} is {release.status}; start its shadow run first")
    if days < 1 or not 1 <= limit <= REPLAY_MAX:
        raise ReleaseError(f"days must be at least 1 and limit between 1 and {REPLAY_MAX}")
    candidate = serving_release(release)
    plan = release_plan()
    since = timezone.now() - timedelta(days=days)
    screenings = (
        Screening.objects.filter(created_at__gte=since)
        .exclude(shadow_results__release=release)
        .order_by("-created_at")
        .prefetch_related("matches")[:limit]
    )
    summary = ReplaySummary(release_id=release.pk)
    summary.already = ShadowResult.objects.filter(release=release, screening__created_at__gte=since).count()
    snapshots: dict[tuple[str, ...], Snapshot] = {}
    for screening in screenings.iterator(chunk_size=200):
        summary.considered += 1
        try:
            if shadow_evaluate(
                release=candidate, live=plan.live, screening=screening, origin=ShadowOrigin.REPLAY, snapshots=snapshots
            ):
                summary.evaluated += 1
            else:
                summary.already += 1
        except LookupError:
            summary.skipped += 1
            summary.reasons["list version gone"] = summary.reasons.get("list version gone", 0) + 1
        except UnknownAlgorithm:
            summary.skipped += 1
            summary.reasons["live algorithm not runnable"] = summary.reasons.get("live algorithm not runnable", 0) + 1
        if progress is not None:
            progress(summary)
    with transaction.atomic():
        audit_record(
            action=actions.RELEASE_REPLAYED,
            actor=actor,
            target=release,
            payload={
                "release_id": release.pk,
                "days": days,
                "limit": limit,
                "considered": summary.considered,
                "evaluated": summary.evaluated,
                "skipped": summary.skipped,
            },
        )
    return summary


# --------------------------------------------------------------------------- transitions
def _release_payload(release: MatchingRelease, **extra: Any) -> dict[str, Any]:
    return {
        "release_id": release.pk,
        "label": release.label,
        "algorithm": {"algorithm_name": release.algorithm, "algorithm_version": release.algorithm_version},
        "thresholds": release.thresholds,
        "status": release.status,
        **extra,
    }


def _move(release: MatchingRelease, to: str) -> None:
    if to not in TRANSITIONS[release.status]:
        raise ReleaseError(f"a {release.status} release cannot become {to}")
    release.status = to


def _locked(release: MatchingRelease) -> MatchingRelease:
    return MatchingRelease.objects.select_for_update().get(pk=release.pk)


@transaction.atomic
def release_ensure_live(*, actor: Any = None) -> MatchingRelease:
    """The live release; the first call on a fresh database records what screens today as the initial one."""
    from screening.services.screenings import thresholds_record

    live = MatchingRelease.objects.select_for_update().filter(status=ReleaseStatus.LIVE).first()
    if live is not None:
        return live
    current = default_release()
    label = f"initial {current.algorithm.version}"
    while MatchingRelease.objects.filter(label=label).exists():
        label = f"initial {current.algorithm.version} ({uuid.uuid4().hex[:6]})"
    live = MatchingRelease(
        label=label,
        algorithm=current.algorithm.name,
        algorithm_version=current.algorithm.version,
        thresholds=thresholds_record(current.thresholds),
        status=ReleaseStatus.LIVE,
        notes="What screened before releases were used: the installed algorithm and the configured thresholds.",
        promoted_at=timezone.now(),
    )
    live.full_clean()
    live.save(force_insert=True)
    audit_record(action=actions.RELEASE_CREATED, actor=actor, target=live, payload=_release_payload(live))
    return live


@transaction.atomic
def release_create(
    *,
    actor: Any,
    label: str,
    thresholds: Mapping[str, Any],
    algorithm: str | None = None,
    algorithm_version: str | None = None,
    notes: str = "",
) -> MatchingRelease:
    """Record a draft release: a runnable algorithm version and a valid thresholds configuration."""
    from screening.services.screenings import thresholds_from_record, thresholds_record

    name = algorithm or installed().name
    version = algorithm_version or installed().version
    if not is_runnable(name, version):
        raise ReleaseError(f"{name} {version} is not runnable by this installation")
    if not label.strip():
        raise ReleaseError("give the release a label")
    if MatchingRelease.objects.filter(label=label.strip()).exists():
        raise ReleaseError(f"a release is already labelled {label.strip()!r}")
    try:
        parsed = thresholds_from_record(thresholds)
    except (TypeError, ValueError, AttributeError) as exc:
        raise ReleaseError(f"thresholds: {exc}") from None
    release_ensure_live(actor=actor)
    release = MatchingRelease(
        label=label.strip(),
        algorithm=name,
        algorithm_version=version,
        thresholds=thresholds_record(parsed),
        notes=notes.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    release.full_clean()
    release.save(force_insert=True)
    audit_record(action=actions.RELEASE_CREATED, actor=actor, target=release, payload=_release_payload(release))
    return release


@transaction.atomic
def release_shadow_start(*, release: MatchingRelease, actor: Any) -> MatchingRelease:
    """Put a draft release in shadow: from now on every live screening is also evaluated with it."""
    release = _locked(release)
    if not is_runnable(release.algorithm, release.algorithm_version):
        raise ReleaseError(f"{release.algorithm} {release.algorithm_version} is not runnable by this installation")
    release_ensure_live(actor=actor)
    _move(release, ReleaseStatus.SHADOW)
    release.shadow_started_at = timezone.now()
    release.save(update_fields=["status", "shadow_started_at", "updated_at"])
    audit_record(action=actions.RELEASE_SHADOW_STARTED, actor=actor, target=release, payload=_release_payload(release))
    return release


@transaction.atomic
def release_shadow_stop(*, release: MatchingRelease, actor: Any) -> MatchingRelease:
    """Take a release out of shadow (back to draft); its shadow results are kept."""
    release = _locked(release)
    if release.status != ReleaseStatus.SHADOW:
        raise ReleaseError(f"release {release.label!r} is not in shadow")
    _move(release, ReleaseStatus.DRAFT)
    release.save(update_fields=["status", "updated_at"])
    audit_record(action=actions.RELEASE_SHADOW_STOPPED, actor=actor, target=release, payload=_release_payload(release))
    return release


@transaction.atomic
def release_retire(*, release: MatchingRelease, actor: Any) -> MatchingRelease:
    """Retire a draft or shadow release (the live one is replaced by promoting another, or rolled back)."""
    release = _locked(release)
    if release.status == ReleaseStatus.LIVE:
        raise ReleaseError("the live release is retired by promoting another one or by rolling back")
    _move(release, ReleaseStatus.RETIRED)
    release.retired_at = timezone.now()
    release.save(update_fields=["status", "retired_at", "updated_at"])
    audit_record(action=actions.RELEASE_RETIRED, actor=actor, target=release, payload=_release_payload(release))
    return release


@transaction.atomic
def release_promote(*, release: MatchingRelease, actor: Any, reason: str = "", force: bool = False) -> MatchingRelease:
    """Make a release in shadow the live one; the release it replaces is retired (and is what rollback returns to).

    Refused when the release has run in shadow on fewer than ``TILLIT_RELEASE_MIN_SHADOW_SCREENINGS``
    screenings, unless ``force`` with a reason. The caller checks role and step-up.
    """
    from screening.releases_selectors import release_report

    # The report reads up to 50,000 shadow results: build it before taking the row locks, so that
    # screenings and other release operations do not wait for it (its totals go in the audit event;
    # the count of evaluations that decides the promotion is taken under the lock).
    totals = release_report(release, examples=0)["totals"]
    release = _locked(release)
    if release.status != ReleaseStatus.SHADOW:
        raise ReleaseError(f"only a release in shadow can be promoted; {release.label!r} is {release.status}")
    if not is_runnable(release.algorithm, release.algorithm_version):
        raise ReleaseError(f"{release.algorithm} {release.algorithm_version} is not runnable by this installation")
    evaluated = release.shadow_results.count()
    needed = min_shadow_screenings()
    reason = reason.strip()
    if evaluated < needed and not (force and reason):
        raise ReleaseError(
            f"{release.label!r} has run in shadow on {evaluated} screening(s); {needed} are needed. "
            "Replay recent screenings (release_shadow_replay), or force the promotion with a reason."
        )
    previous = release_ensure_live(actor=actor)
    previous = _locked(previous)
    _move(previous, ReleaseStatus.RETIRED)
    previous.retired_at = timezone.now()
    previous.save(update_fields=["status", "retired_at", "updated_at"])
    _move(release, ReleaseStatus.LIVE)
    release.previous = previous
    release.promoted_at = timezone.now()
    release.save(update_fields=["status", "previous", "promoted_at", "updated_at"])
    audit_record(
        action=actions.RELEASE_PROMOTED,
        actor=actor,
        target=release,
        payload=_release_payload(
            release,
            previous_release_id=previous.pk,
            previous_label=previous.label,
            shadow_screenings=evaluated,
            min_shadow_screenings=needed,
            forced=evaluated < needed,
            reason=reason,
            alerts_gained=totals["gained"],
            alerts_lost=totals["lost"],
        ),
    )
    return release


@transaction.atomic
def release_rollback(*, actor: Any, reason: str) -> MatchingRelease:
    """Return to the release the live one replaced; the live one is retired. The caller checks role and step-up."""
    reason = reason.strip()
    if not reason:
        raise ReleaseError("say why you roll back (the reason is audited)")
    live = MatchingRelease.objects.select_for_update().filter(status=ReleaseStatus.LIVE).first()
    if live is None or live.previous_id is None:
        raise ReleaseError("there is no earlier live release to roll back to")
    target = _locked(live.previous)
    if not is_runnable(target.algorithm, target.algorithm_version):
        raise ReleaseError(
            f"{target.label!r} needs {target.algorithm} {target.algorithm_version}, which this installation cannot "
            "run: deploy code that registers it (screening/engine/releases.py), or promote another release"
        )
    _move(live, ReleaseStatus.RETIRED)
    live.retired_at = timezone.now()
    live.save(update_fields=["status", "retired_at", "updated_at"])
    _move(target, ReleaseStatus.LIVE)
    target.promoted_at = timezone.now()
    target.retired_at = None
    target.save(update_fields=["status", "promoted_at", "retired_at", "updated_at"])
    audit_record(
        action=actions.RELEASE_ROLLED_BACK,
        actor=actor,
        target=target,
        payload=_release_payload(target, rolled_back_release_id=live.pk, rolled_back_label=live.label, reason=reason),
    )
    return target
