"""The onboarding pipeline's steps: validate, screen every party, rate, decide.

Each step records when it finished on the case and returns at once when called again, so a task
redelivered after a worker died resumes where it stopped (screening is also idempotent per party).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from kyc import audit_actions, decisioning, integrations
from kyc.models import (
    OWNERSHIP_ROLE_VALUES,
    Case,
    CaseStatus,
    Customer,
    CustomerKind,
    Decision,
    DecisionOutcome,
    HitKind,
    Party,
    PartyKind,
    PartyScreening,
    RelationshipRole,
    ScreeningHit,
    WebhookEvent,
)
from kyc.services.cases import case_transition
from kyc.services.rating import case_rate, hit_summaries, policy, rating_of

MAX_SCREENING_ATTEMPTS = 5


# --- Step 1: validate ------------------------------------------------------------------------------


def customer_problems(customer: Customer) -> list[dict[str, str]]:
    """What is missing or inconsistent in a customer's file (fed to the rating, shown to officers)."""
    problems = []
    subject = customer.parties.get(is_subject=True)
    parties = list(customer.parties.all())
    if customer.kind == CustomerKind.INDIVIDUAL and subject.birth_date is None:
        problems.append({"code": "birth_date_missing", "detail": "the customer's birth date is missing"})
    if customer.kind == CustomerKind.BUSINESS:
        relationships = list(customer.relationships.all())
        if not any(r.role in OWNERSHIP_ROLE_VALUES for r in relationships):
            problems.append({"code": "owners_missing", "detail": "no shareholder or beneficial owner is declared"})
        if not any(r.role == RelationshipRole.DIRECTOR for r in relationships):
            problems.append({"code": "directors_missing", "detail": "no director is declared"})
    linked = {r.party_id for r in customer.relationships.all()}
    for party in parties:
        if not party.is_subject and party.id not in linked:
            problems.append({"code": "party_unlinked", "detail": f"{party.display_name} has no relationship"})
    return problems


@transaction.atomic
def case_validate(*, case_id: str) -> Case:
    """Record the file's problems and move the case from open to screening."""
    case = Case.objects.select_for_update().select_related("customer").get(pk=case_id)
    if case.validated_at is not None:
        return case
    case.validation_problems = customer_problems(case.customer)
    case.validated_at = timezone.now()
    case.save(update_fields=["validation_problems", "validated_at", "updated_at"])
    return case_transition(case=case, to=CaseStatus.SCREENING, actor=None, reason="validated")


# --- Step 2: screen --------------------------------------------------------------------------------


def hit_kind(topics: tuple[str, ...] | list[str]) -> tuple[str, str]:
    """(kind, PEP class) of a list entry from its topics (FollowTheMoney topic names)."""
    found = set(topics)
    if found & {"sanction", "sanction.linked", "sanction.counter", "export.control", "debarment.sanction"}:
        return HitKind.SANCTION, ""
    if "role.rca" in found:
        return HitKind.PEP_RCA, ""
    if found & {"role.pep", "role.pep.frgn", "role.pep.natl", "role.pep.intl", "gov.head", "gov.national"}:
        if "role.pep.frgn" in found:
            return HitKind.PEP, "foreign"
        if "role.pep.intl" in found or "gov.igo" in found:
            return HitKind.PEP, "international_organisation"
        if "role.pep.natl" in found:
            return HitKind.PEP, "domestic"
        return HitKind.PEP, ""
    return HitKind.OTHER, ""


def subject_of(party: Party) -> integrations.Subject:
    birth = party.birth_date.isoformat() if party.birth_date else None
    schema = "Person" if party.kind == PartyKind.PERSON else "Organization"
    return integrations.Subject(
        name=party.display_name, schema=schema, birth_date=birth, countries=tuple(party.countries)
    )


@transaction.atomic
def hit_raise(
    *, case: Case, party: Party, found: integrations.Hit, list_versions: dict[str, Any], actor: Any = None
) -> ScreeningHit:
    """Record one screening hit (an alert) on a party of a case, audit it, and tell the client.

    Used by onboarding screening and by ongoing monitoring; (case, party, entity) is unique, so a
    second call for the same entry in the same case raises IntegrityError in the caller's transaction.
    """
    from kyc.services.webhooks import webhook_emit

    kind, pep_class = hit_kind(found.topics)
    hit = ScreeningHit.objects.create(
        case=case,
        party=party,
        entity=found.entity[:200],
        source=found.source[:64],
        listed_name=found.listed_name[:500],
        schema=found.schema[:32],
        topics=list(found.topics),
        kind=kind,
        pep_class=pep_class,
        score=found.score,
        threshold=found.threshold,
        explanation=found.explanation,
        content_hash=found.content_hash,
        algorithm_version=found.algorithm_version,
        list_versions=list_versions,
    )
    audit_record(
        action=audit_actions.HIT_RAISED,
        actor=actor,
        target=hit,
        payload={
            "case_id": case.pk,
            "customer_id": case.customer_id,
            "party_id": party.pk,
            "entity": hit.entity,
            "hit_kind": kind,
            "score": hit.score,
            "threshold": hit.threshold,
            "algorithm_version": hit.algorithm_version,
            "list_versions": list_versions,
        },
    )
    webhook_emit(
        client=case.customer.client,
        event_type=WebhookEvent.CUSTOMER_ALERT_RAISED,
        data={
            "case_id": str(case.pk),
            "customer_id": str(case.customer_id),
            "external_ref": case.customer.external_ref,
            "party_id": str(party.pk),
            "hit_id": str(hit.pk),
            "hit_kind": kind,
            "score": round(hit.score, 4),
        },
    )
    return hit


def party_screen(*, case: Case, party: Party) -> PartyScreening:
    """Screen one party once per case; its hits are raised in the same transaction as the record."""
    done = PartyScreening.objects.filter(case=case, party=party).first()
    if done is not None:
        return done
    try:
        outcome = integrations.screen_subject(subject_of(party))  # outside the transaction: it may be slow
    except integrations.SubjectUnscreenable as exc:
        return _party_unscreenable(case=case, party=party, reason=str(exc))
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = PartyScreening.objects.create(
                    case=case,
                    party=party,
                    list_versions=outcome.list_versions,
                    algorithm_version=outcome.algorithm_version,
                    hit_count=len(outcome.hits),
                )
        except IntegrityError:  # screened concurrently by a redelivered task
            return PartyScreening.objects.get(case=case, party=party)
        for found in outcome.hits:
            hit_raise(case=case, party=party, found=found, list_versions=outcome.list_versions)
    return record


@transaction.atomic
def _party_unscreenable(*, case: Case, party: Party, reason: str) -> PartyScreening:
    """Record that a party could not be screened; the rating then keeps the case away from auto-approval."""
    record, created = PartyScreening.objects.get_or_create(case=case, party=party, defaults={"hit_count": 0})
    if created:
        locked = Case.objects.select_for_update().get(pk=case.pk)
        locked.validation_problems = [
            *locked.validation_problems,
            {"code": "party_unscreenable", "detail": f"{party.display_name} could not be screened: {reason}"},
        ]
        locked.save(update_fields=["validation_problems", "updated_at"])
    return record


def case_screen(*, case_id: str) -> Case:
    """Screen the customer and every related party (each at most once); mark the case screened."""
    case = Case.objects.select_related("customer__client").get(pk=case_id)
    if case.screened_at is not None:
        return case
    for party in case.customer.parties.all():
        party_screen(case=case, party=party)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        if case.screened_at is None:
            case.screened_at = timezone.now()
            case.save(update_fields=["screened_at", "updated_at"])
            audit_record(
                action=audit_actions.CASE_SCREENED,
                actor=None,
                target=case,
                payload={
                    "customer_id": case.customer_id,
                    "party_count": case.screenings.count(),
                    "hit_count": case.hits.count(),
                },
            )
    return case


@transaction.atomic
def case_screening_failed(*, case_id: str) -> Case:
    """Count a failed screening attempt (no index); the pipeline retries, then hands the case to officers."""
    case = Case.objects.select_for_update().get(pk=case_id)
    case.screening_attempts += 1
    case.save(update_fields=["screening_attempts", "updated_at"])
    return case


# --- Step 4: decide --------------------------------------------------------------------------------


@transaction.atomic
def case_decide_automatically(*, case_id: str) -> Case:
    """Approve or reject the clear cases; send the rest to review."""
    case = Case.objects.select_for_update().select_related("customer").get(pk=case_id)
    if case.decided_at is not None or case.status != CaseStatus.SCREENING:
        return case
    row = case.latest_rating
    if row is None:
        raise RuntimeError("a case is rated before it is decided")
    labels = {str(p.pk): p.display_name for p in case.customer.parties.all()}
    result = decisioning.decide(rating_of(row), hit_summaries(case, labels), policy())
    case.decided_at = timezone.now()
    case.summary = result.summary[:500]
    case.save(update_fields=["decided_at", "summary", "updated_at"])
    if result.outcome == decisioning.REVIEW:
        return case_transition(case=case, to=CaseStatus.REVIEW, actor=None, reason="needs_review")
    outcome = DecisionOutcome.APPROVE if result.outcome == decisioning.APPROVE else DecisionOutcome.REJECT
    decision = Decision.objects.create(
        case=case, outcome=outcome, reason_codes=list(result.reason_codes), rationale=result.summary, automated=True
    )
    audit_record(
        action=audit_actions.DECISION_MADE,
        actor=None,
        target=decision,
        payload={
            "case_id": case.pk,
            "customer_id": case.customer_id,
            "outcome": outcome,
            "reason_codes": list(result.reason_codes),
            "automated": True,
            "rules_version": row.rules_version,
        },
    )
    to = CaseStatus.APPROVED if outcome == DecisionOutcome.APPROVE else CaseStatus.REJECTED
    return case_transition(case=case, to=to, actor=None, reason=f"auto_{result.outcome}")


def case_run_pipeline(*, case_id: str) -> Case:
    """Run every remaining step of a case's pipeline (raises ScreeningUnavailable for a retry)."""
    case = Case.objects.get(pk=case_id)
    if not case.is_active:
        return case
    if case.status == CaseStatus.OPEN:
        case_validate(case_id=case_id)
    case = Case.objects.get(pk=case_id)
    if case.status != CaseStatus.SCREENING:
        return case  # already past the automatic steps
    if case.screened_at is None:
        try:
            case_screen(case_id=case_id)
        except integrations.ScreeningUnavailable:
            case = case_screening_failed(case_id=case_id)
            if case.screening_attempts < MAX_SCREENING_ATTEMPTS:
                raise
            # Out of retries: rate without screening (a high-risk reason) so that officers decide.
    case_rate(case_id=case_id)
    return case_decide_automatically(case_id=case_id)
