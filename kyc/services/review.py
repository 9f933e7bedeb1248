"""Officers' work on a case: disposition hits and decide, with four eyes where the rules ask for it.

Four eyes: clearing a sanctions hit, and approving a high-risk (or prohibited-level) customer or one
whose sanctions hit was cleared, are proposals until a second officer, who is not the first, agrees.
Each of those steps needs a fresh second factor (``step_up_verified``, proved by the interface) and
a written rationale. The rules are enforced here, not in the admin, so no interface can skip them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from kyc import audit_actions, decisioning, integrations
from kyc.models import (
    Case,
    CaseStatus,
    Decision,
    DecisionOutcome,
    DecisionStatus,
    HitKind,
    HitStatus,
    ScreeningHit,
)
from kyc.services.cases import case_transition
from kyc.services.rating import case_rate


class ReviewError(ValueError):
    """A review action was refused; ``code`` is stable (four_eyes, step_up_required, open_hits ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _rationale(text: str) -> str:
    text = (text or "").strip()
    if len(text) < 10:
        raise ReviewError("rationale_required", "Write a rationale (at least 10 characters).")
    return text


def _require(actor: Any, action: str) -> None:
    if not integrations.role_allows(actor, action):
        raise ReviewError("permission_denied", f"Your role does not allow {action!r}.")


def _require_step_up(step_up_verified: bool, action: str) -> None:
    if step_up_verified is not True:
        raise ReviewError("step_up_required", f"This needs a fresh second factor (action {action}).")


def _open_case(case_id: Any) -> Case:
    case = Case.objects.select_for_update().select_related("customer").get(pk=case_id)
    if case.status not in (CaseStatus.REVIEW, CaseStatus.ESCALATED, CaseStatus.AWAITING_SECOND_APPROVAL):
        raise ReviewError("case_not_in_review", f"The case is {case.status}, not in review.")
    return case


@transaction.atomic
def hit_confirm(*, hit: ScreeningHit, rationale: str, actor: Any) -> ScreeningHit:
    """Confirm a hit as a true match (the customer is the listed person or company)."""
    _require(actor, integrations.ACTION_DECIDE)
    text = _rationale(rationale)
    case = _open_case(hit.case_id)
    hit = ScreeningHit.objects.select_for_update().get(pk=hit.pk, case=case)
    if not hit.is_open:
        raise ReviewError("hit_closed", f"The hit is already {hit.status}.")
    hit.status, hit.rationale = HitStatus.CONFIRMED, text
    hit.decided_by, hit.decided_at = actor, timezone.now()
    hit.save(update_fields=["status", "rationale", "decided_by", "decided_at", "updated_at"])
    audit_record(
        action=audit_actions.HIT_DISPOSITIONED,
        actor=actor,
        target=hit,
        payload={"case_id": case.pk, "customer_id": case.customer_id, "disposition": "confirmed", "hit_kind": hit.kind},
    )
    return hit


@transaction.atomic
def hit_clear(*, hit: ScreeningHit, rationale: str, actor: Any, step_up_verified: bool) -> ScreeningHit:
    """Clear a hit as a false positive; a sanctions hit is only proposed for clearing (four eyes)."""
    _require(actor, integrations.ACTION_CLEAR_HIT)
    _require_step_up(step_up_verified, integrations.ACTION_CLEAR_HIT)
    text = _rationale(rationale)
    case = _open_case(hit.case_id)
    hit = ScreeningHit.objects.select_for_update().get(pk=hit.pk, case=case)
    if hit.status != HitStatus.PENDING:
        raise ReviewError("hit_closed", f"The hit is already {hit.status}.")
    now = timezone.now()
    hit.rationale = text
    if hit.kind == HitKind.SANCTION:
        hit.status, hit.proposed_by, hit.proposed_at = HitStatus.CLEARING_PROPOSED, actor, now
        hit.save(update_fields=["status", "rationale", "proposed_by", "proposed_at", "updated_at"])
        action = audit_actions.HIT_CLEARING_PROPOSED
    else:
        hit.status, hit.decided_by, hit.decided_at = HitStatus.CLEARED, actor, now
        hit.save(update_fields=["status", "rationale", "decided_by", "decided_at", "updated_at"])
        action = audit_actions.HIT_DISPOSITIONED
    _audit_hit(hit, case=case, action=action, actor=actor)
    return hit


def _audit_hit(hit: ScreeningHit, *, case: Any, action: str, actor: Any) -> None:
    """One audit event for a hit's disposition, in the caller's transaction."""
    audit_record(
        action=action,
        actor=actor,
        target=hit,
        payload={
            "case_id": case.pk,
            "customer_id": case.customer_id,
            "disposition": hit.status,
            "hit_kind": hit.kind,
            "step_up_present": True,
        },
    )


@transaction.atomic
def hit_clearing_review(
    *, hit: ScreeningHit, agree: bool, rationale: str, actor: Any, step_up_verified: bool
) -> ScreeningHit:
    """The second officer agrees (the hit is cleared) or sends the proposal back (the hit is pending again)."""
    _require(actor, integrations.ACTION_CLEAR_HIT_SECOND)
    _require_step_up(step_up_verified, integrations.ACTION_CLEAR_HIT_SECOND)
    text = _rationale(rationale)
    case = _open_case(hit.case_id)
    hit = ScreeningHit.objects.select_for_update().get(pk=hit.pk, case=case)
    if hit.status != HitStatus.CLEARING_PROPOSED:
        raise ReviewError("no_proposal", "No clearing of this hit awaits a second officer.")
    if hit.proposed_by_id == getattr(actor, "pk", None):
        raise ReviewError("four_eyes", "The second officer must be someone other than the officer who proposed it.")
    hit.second_rationale = text
    if agree:
        hit.status, hit.decided_by, hit.decided_at = HitStatus.CLEARED, actor, timezone.now()
        action = audit_actions.HIT_DISPOSITIONED
    else:
        hit.status, hit.proposed_by, hit.proposed_at = HitStatus.PENDING, None, None
        action = audit_actions.HIT_CLEARING_RETURNED
    hit.save()
    _audit_hit(hit, case=case, action=action, actor=actor)
    return hit


@transaction.atomic
def case_decide(
    *,
    case: Case,
    outcome: str,
    rationale: str,
    actor: Any,
    step_up_verified: bool = False,
    reason_codes: list[str] | None = None,
) -> Decision:
    """An officer decides a case in review. Approving needs every hit dispositioned, and four eyes when risky.

    The case is re-rated first (cleared hits no longer count), so the decision rests on a current rating.
    """
    _require(actor, integrations.ACTION_DECIDE)
    if outcome not in DecisionOutcome.values:
        raise ReviewError("invalid_outcome", f"Use one of {', '.join(DecisionOutcome.values)}.")
    text = _rationale(rationale)
    case = _open_case(case.pk)
    if case.status == CaseStatus.AWAITING_SECOND_APPROVAL:
        raise ReviewError("awaiting_second_approval", "A proposed decision already awaits a second officer.")
    open_hits = case.hits.filter(status__in=[HitStatus.PENDING, HitStatus.CLEARING_PROPOSED]).count()
    if outcome == DecisionOutcome.APPROVE and open_hits:
        raise ReviewError("open_hits", f"{open_hits} hit(s) still need a disposition before the case can be approved.")
    rating = case_rate(case_id=case.pk, force=True, actor=actor)
    cleared_sanctions = case.hits.filter(kind=HitKind.SANCTION, status=HitStatus.CLEARED).count()
    four_eyes = decisioning.needs_second_approval(
        outcome=outcome, risk_level=rating.level, cleared_sanctions_hits=cleared_sanctions
    )
    if four_eyes:
        _require(actor, integrations.ACTION_APPROVE_HIGH_RISK)
        _require_step_up(step_up_verified, integrations.ACTION_APPROVE_HIGH_RISK)
    codes = sorted(set(reason_codes or []) | {reason["code"] for reason in rating.reasons})
    decision = Decision(
        case=case,
        outcome=outcome,
        status=DecisionStatus.PROPOSED if four_eyes else DecisionStatus.FINAL,
        reason_codes=codes,
        rationale=text,
        decided_by=actor,
        requires_second_approval=four_eyes,
    )
    decision.full_clean()
    decision.save()
    audit_record(
        action=audit_actions.DECISION_PROPOSED if four_eyes else audit_actions.DECISION_MADE,
        actor=actor,
        target=decision,
        payload={
            "case_id": case.pk,
            "customer_id": case.customer_id,
            "outcome": outcome,
            "reason_codes": codes,
            "automated": False,
            "risk_level": rating.level,
            "rules_version": rating.rules_version,
            "step_up_present": bool(step_up_verified),
        },
    )
    if four_eyes:
        case_transition(case=case, to=CaseStatus.AWAITING_SECOND_APPROVAL, actor=actor, reason="four_eyes")
    else:
        to = CaseStatus.APPROVED if outcome == DecisionOutcome.APPROVE else CaseStatus.REJECTED
        case_transition(case=case, to=to, actor=actor, reason=f"officer_{outcome}")
    return decision


@transaction.atomic
def decision_second_review(
    *, decision: Decision, agree: bool, rationale: str, actor: Any, step_up_verified: bool
) -> Decision:
    """The second officer approves a proposed decision (final) or sends it back to review."""
    _require(actor, integrations.ACTION_APPROVE_HIGH_RISK_SECOND)
    _require_step_up(step_up_verified, integrations.ACTION_APPROVE_HIGH_RISK_SECOND)
    text = _rationale(rationale)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    case = _open_case(decision.case_id)
    if decision.status != DecisionStatus.PROPOSED or case.status != CaseStatus.AWAITING_SECOND_APPROVAL:
        raise ReviewError("no_proposal", "This decision does not await a second officer.")
    if decision.decided_by_id == getattr(actor, "pk", None):
        raise ReviewError("four_eyes", "The second officer must be someone other than the officer who proposed it.")
    decision.second_approver = actor
    decision.second_rationale = text
    decision.second_decided_at = timezone.now()
    decision.status = DecisionStatus.FINAL if agree else DecisionStatus.WITHDRAWN
    decision.full_clean()
    decision.save()
    audit_record(
        action=audit_actions.DECISION_SECOND_APPROVED if agree else audit_actions.DECISION_RETURNED,
        actor=actor,
        target=decision,
        payload={
            "case_id": case.pk,
            "customer_id": case.customer_id,
            "outcome": decision.outcome,
            "step_up_present": True,
        },
    )
    if agree:
        to = CaseStatus.APPROVED if decision.outcome == DecisionOutcome.APPROVE else CaseStatus.REJECTED
        case_transition(case=case, to=to, actor=actor, reason="four_eyes_approved")
    else:
        case_transition(case=case, to=CaseStatus.REVIEW, actor=actor, reason="four_eyes_returned")
    return decision
