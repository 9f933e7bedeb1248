"""Case lifecycle: submit, the one transition function, assignment, escalation and notes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from common.correlation import get_correlation_id
from kyc import audit_actions
from kyc.models import TRANSITIONS, Case, CaseNote, CaseStatus, Customer, CustomerStatus, WebhookEvent

CUSTOMER_STATUS_OF_CASE = {
    CaseStatus.OPEN: CustomerStatus.ONBOARDING,
    CaseStatus.SCREENING: CustomerStatus.ONBOARDING,
    CaseStatus.REVIEW: CustomerStatus.IN_REVIEW,
    CaseStatus.ESCALATED: CustomerStatus.IN_REVIEW,
    CaseStatus.AWAITING_SECOND_APPROVAL: CustomerStatus.IN_REVIEW,
    CaseStatus.APPROVED: CustomerStatus.APPROVED,
    CaseStatus.REJECTED: CustomerStatus.REJECTED,
}


class InvalidTransition(ValueError):
    """The case cannot move from its current status to the one asked for."""

    def __init__(self, case: Case, to: str) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[case.status])) or "none (the case is closed)"
        super().__init__(f"A case cannot go from {case.status} to {to}; allowed: {allowed}.")
        self.current = case.status
        self.to = to


class CaseInProgress(ValueError):
    """The customer already has an active case."""

    def __init__(self, case: Case) -> None:
        super().__init__("The customer already has a case in progress.")
        self.case = case


def review_sla() -> timedelta:
    return getattr(settings, "TILLIT_KYC_REVIEW_SLA", timedelta(days=2))


def case_event_data(case: Case) -> dict[str, Any]:
    """The body of a case webhook: ids, statuses and reason codes, never personal data."""
    decision = case.decisions.filter(status="final").first()
    rating = case.latest_rating
    return {
        "case_id": str(case.pk),
        "customer_id": str(case.customer_id),
        "external_ref": case.customer.external_ref,
        "status": case.status,
        "customer_status": case.customer.status,
        "risk_level": rating.level if rating else None,
        "decision": (
            {"outcome": decision.outcome, "reason_codes": decision.reason_codes, "automated": decision.automated}
            if decision
            else None
        ),
    }


@transaction.atomic
def case_transition(*, case: Case, to: str, actor: Any, reason: str = "") -> Case:
    """Move a case along an allowed transition; audit it, sync the customer, notify the client."""
    from kyc.services.webhooks import webhook_emit

    case = Case.objects.select_for_update().select_related("customer").get(pk=case.pk)
    if to not in TRANSITIONS[case.status]:
        raise InvalidTransition(case, to)
    previous = case.status
    now = timezone.now()
    case.status = to
    fields = ["status", "updated_at"]
    if to == CaseStatus.REVIEW and case.sla_due_at is None:
        case.sla_due_at = now + review_sla()
        fields.append("sla_due_at")
    if to == CaseStatus.ESCALATED:
        case.escalated_at = now
        fields.append("escalated_at")
    if not TRANSITIONS[to]:
        case.closed_at = now
        fields.append("closed_at")
    case.save(update_fields=fields)
    customer = case.customer
    customer.status = CUSTOMER_STATUS_OF_CASE[CaseStatus(to)]
    customer.save(update_fields=["status", "updated_at"])
    audit_record(
        action=audit_actions.CASE_TRANSITIONED,
        actor=actor,
        target=case,
        payload={"from_status": previous, "to_status": to, "reason_code": reason, "customer_id": customer.pk},
    )
    data = case_event_data(case)
    webhook_emit(client=customer.client, event_type=WebhookEvent.CASE_STATUS_CHANGED, data=data)
    if to in (CaseStatus.APPROVED, CaseStatus.REJECTED):
        webhook_emit(client=customer.client, event_type=WebhookEvent.CASE_DECIDED, data=data)
    return case


@transaction.atomic
def case_submit(*, customer: Customer, actor: Any) -> Case:
    """Open a case for a customer and start the onboarding pipeline once the transaction commits."""
    from kyc import tasks

    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    active = customer.cases.filter(status__in=[s for s, moves in TRANSITIONS.items() if moves]).first()
    if active is not None:
        raise CaseInProgress(active)
    case = Case(customer=customer, correlation_id=get_correlation_id() or "")
    case.full_clean()
    case.save()
    customer.status = CustomerStatus.ONBOARDING
    customer.save(update_fields=["status", "updated_at"])
    audit_record(
        action=audit_actions.CASE_OPENED,
        actor=actor,
        target=case,
        payload={"customer_id": customer.pk, "party_count": customer.parties.count()},
    )
    transaction.on_commit(lambda: tasks.case_pipeline.delay(str(case.pk)))
    return case


@transaction.atomic
def case_open_for_review(*, customer: Customer, summary: str, trigger: str, actor: Any = None) -> Case:
    """Open a case that goes straight to officers, without the onboarding pipeline.

    For alerts found after onboarding (ongoing monitoring): the case is opened, marked as already
    validated, screened and decided by the machine (so the pipeline never runs on it), and moved to
    review through the allowed transitions. Raises CaseInProgress when the customer has an active case.
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    active = customer.cases.filter(status__in=[s for s, moves in TRANSITIONS.items() if moves]).first()
    if active is not None:
        raise CaseInProgress(active)
    now = timezone.now()
    case = Case(
        customer=customer,
        validated_at=now,
        screened_at=now,
        decided_at=now,
        summary=summary[:500],
        correlation_id=get_correlation_id() or "",
    )
    case.full_clean()
    case.save()
    audit_record(
        action=audit_actions.CASE_OPENED,
        actor=actor,
        target=case,
        payload={"customer_id": customer.pk, "party_count": customer.parties.count(), "trigger_kind": trigger},
    )
    case = case_transition(case=case, to=CaseStatus.SCREENING, actor=actor, reason=trigger)
    return case_transition(case=case, to=CaseStatus.REVIEW, actor=actor, reason=trigger)


@transaction.atomic
def case_assign(*, case: Case, assignee: Any, actor: Any) -> Case:
    """Give a case to an officer (or take it back: ``assignee=None``)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    case.assigned_to = assignee
    case.save(update_fields=["assigned_to", "updated_at"])
    audit_record(
        action=audit_actions.CASE_ASSIGNED,
        actor=actor,
        target=case,
        payload={"customer_id": case.customer_id, "assignee_id": assignee.pk if assignee else None},
    )
    return case


@transaction.atomic
def case_escalate(*, case: Case, rationale: str, actor: Any) -> Case:
    """Escalate a case in review (to a senior officer), with a mandatory note saying why."""
    if not rationale.strip():
        raise ValueError("Say why the case is escalated.")
    case = case_transition(case=case, to=CaseStatus.ESCALATED, actor=actor, reason="escalated")
    case_note_add(case=case, text=f"Escalated: {rationale.strip()}", actor=actor)
    return case


@transaction.atomic
def case_note_add(*, case: Case, text: str, actor: Any) -> CaseNote:
    """Add an officer's note to a case."""
    if not text.strip():
        raise ValueError("A note cannot be empty.")
    note = CaseNote(case=case, author=actor if getattr(actor, "email", None) else None, text=text.strip())
    note.full_clean()
    note.save()
    audit_record(
        action=audit_actions.CASE_NOTE_ADDED,
        actor=actor,
        target=case,
        payload={"customer_id": case.customer_id, "note_id": note.pk, "length_count": len(note.text)},
    )
    return note
