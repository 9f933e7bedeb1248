"""The onboarding pipeline's steps: validate, screen every party, rate, decide.

Each step records when it finished on the case and returns at once when called again, so a task
redelivered after a worker died resumes where it stopped (screening is also idempotent per party).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from kyc import audit_actions, decisioning, integrations, ownership, risk
from kyc.models import (
    IDENTITY_DOCUMENTS_VALUES,
    OWNERSHIP_ROLE_VALUES,
    Case,
    CaseStatus,
    Customer,
    CustomerKind,
    Decision,
    DecisionOutcome,
    HitKind,
    HitStatus,
    MrzStatus,
    Party,
    PartyKind,
    PartyScreening,
    RelationshipRole,
    RiskRating,
    ScreeningHit,
    WebhookEvent,
)
from kyc.services.cases import case_transition

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
    outcome = integrations.screen_subject(subject_of(party))  # outside the transaction: it may be slow
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


# --- Step 3: rate ----------------------------------------------------------------------------------


def _rules() -> risk.RiskRules:
    defaults = risk.RiskRules()
    return risk.RiskRules(
        high_risk_countries=frozenset(
            getattr(settings, "TILLIT_KYC_HIGH_RISK_COUNTRIES", defaults.high_risk_countries)
        ),
        monitored_countries=frozenset(
            getattr(settings, "TILLIT_KYC_MONITORED_COUNTRIES", defaults.monitored_countries)
        ),
        high_risk_industries=frozenset(
            getattr(settings, "TILLIT_KYC_HIGH_RISK_INDUSTRIES", defaults.high_risk_industries)
        ),
    )


def policy() -> decisioning.Policy:
    return decisioning.Policy(
        auto_reject_confirmed_sanctions=bool(getattr(settings, "TILLIT_KYC_AUTO_REJECT_SANCTIONS", False)),
        auto_reject_score=float(getattr(settings, "TILLIT_KYC_AUTO_REJECT_SCORE", 0.97)),
    )


def ownership_graph(customer: Customer) -> tuple[list[ownership.Holding], set[str], set[str]]:
    """(holdings, company ids, person ids) of a customer's file.

    Shareholdings are the edges. A declared beneficial owner counts as a holding only when the
    person holds no shares anywhere in the file (otherwise the declaration would count twice).
    """
    parties = list(customer.parties.all())
    companies = {str(p.pk) for p in parties if p.kind == PartyKind.COMPANY}
    persons = {str(p.pk) for p in parties if p.kind == PartyKind.PERSON}
    relationships = list(customer.relationships.filter(role__in=OWNERSHIP_ROLE_VALUES))
    shareholders = {str(r.party_id) for r in relationships if r.role == RelationshipRole.SHAREHOLDER}
    holdings = [
        ownership.Holding(
            owner=str(r.party_id),
            owned=str(r.of_party_id),
            share=float(r.ownership_percentage or 0) / 100.0,
            nominee=r.is_nominee,
        )
        for r in relationships
        if r.role == RelationshipRole.SHAREHOLDER or str(r.party_id) not in shareholders
    ]
    return holdings, companies, persons


def hit_summaries(case: Case, labels: dict[str, str]) -> list[risk.HitSummary]:
    status_of = {
        HitStatus.PENDING: "pending",
        HitStatus.CLEARING_PROPOSED: "pending",
        HitStatus.CLEARED: "cleared",
        HitStatus.CONFIRMED: "confirmed",
    }
    return [
        risk.HitSummary(
            party=str(hit.party_id),
            party_label=labels.get(str(hit.party_id), str(hit.party_id)),
            kind=hit.kind,
            score=hit.score,
            status=status_of[HitStatus(hit.status)],
            pep_class=hit.pep_class,
        )
        for hit in case.hits.all()
    ]


def risk_input(case: Case) -> tuple[risk.RiskInput, dict[str, Any]]:
    """Everything the rating needs, gathered from the case; plus the ownership analysis to store."""
    customer = case.customer
    parties = list(customer.parties.all())
    labels = {str(p.pk): ("the customer" if p.is_subject else p.display_name) for p in parties}
    subject = next(p for p in parties if p.is_subject)
    holdings, companies, persons = ownership_graph(customer)
    confirmed = {str(h.party_id) for h in case.hits.filter(kind=HitKind.SANCTION, status=HitStatus.CONFIRMED)}
    pending = {
        str(h.party_id)
        for h in case.hits.filter(kind=HitKind.SANCTION, status__in=[HitStatus.PENDING, HitStatus.CLEARING_PROPOSED])
    }
    listed = confirmed | pending  # an unreviewed hit counts until an officer clears it
    ofac = ownership.analyse_ofac_50(holdings, listed, entities=companies)
    names = {pk: labels[pk] for pk in labels}
    names[str(subject.pk)] = subject.display_name
    ofac_reasons = []
    for blocked in ofac.blocked.values():
        chains = "; ".join(chain.describe(names) for chain in blocked.chains[:3])
        who = labels.get(blocked.party, blocked.party)
        ofac_reasons.append(f"{who} is owned {blocked.aggregate:.0%} by listed persons (50% rule): {chains}")
    analysis: dict[str, Any] = {
        "ofac_50": {
            "listed_party_ids": sorted(listed),
            "aggregate": {labels.get(k, k): round(v, 6) for k, v in ofac.aggregate.items() if v > 0},
            "blocked": {
                labels.get(k, k): {
                    "aggregate": round(v.aggregate, 6),
                    "chains": [chain.describe(names) for chain in v.chains],
                }
                for k, v in ofac.blocked.items()
            },
        }
    }
    risk_data: dict[str, Any] = {}
    if customer.kind == CustomerKind.BUSINESS:
        target = str(subject.pk)
        opacity = ownership.analyse_opacity(holdings, target, entities=companies)
        owners = ownership.beneficial_owners(holdings, target, persons)
        analysis["opacity"] = {
            "layers": opacity.layers,
            "nominee_count": len(opacity.nominees),
            "cycles": [[labels.get(p, p) for p in cycle] for cycle in opacity.cycles],
            "unexplained": {labels.get(k, k): v for k, v in opacity.unexplained.items()},
        }
        analysis["beneficial_owners"] = {labels.get(k, k): round(v, 6) for k, v in owners.items()}
        risk_data = {
            "ownership_layers": opacity.layers,
            "nominees": [labels.get(p, p) for p in opacity.nominees],
            "cycles": [[labels.get(p, p) for p in cycle] for cycle in opacity.cycles],
            "unexplained": {labels.get(k, k): v for k, v in opacity.unexplained.items()},
            "beneficial_owner_count": len(owners),
        }
    today = date.today()
    documents = [
        risk.DocumentSummary(
            party_label=labels.get(str(d.party_id), ""),
            document_type=d.document_type,
            expired=bool(d.expires_on and d.expires_on < today),
            mrz_invalid=d.mrz_status == MrzStatus.INVALID,
        )
        for d in customer.documents.all()
    ]
    has_identity = customer.kind == CustomerKind.BUSINESS or any(
        d.document_type in IDENTITY_DOCUMENTS_VALUES and d.party_id == subject.pk for d in customer.documents.all()
    )
    data = risk.RiskInput(
        customer_kind=customer.kind,
        countries={labels[str(p.pk)]: p.countries for p in parties},
        industry=subject.industry,
        hits=hit_summaries(case, labels),
        documents=documents,
        has_identity_document=has_identity,
        ofac_blocked=ofac_reasons,
        screening_unavailable=case.screened_at is None,
        **risk_data,
    )
    return data, analysis


@transaction.atomic
def case_rate(*, case_id: str, force: bool = False, actor: Any = None) -> RiskRating:
    """Rate the case's risk under the current rules (once per pipeline run, or again when forced)."""
    case = Case.objects.select_for_update().select_related("customer").get(pk=case_id)
    if case.rated_at is not None and not force:
        latest = case.latest_rating
        if latest is not None:
            return latest
    data, analysis = risk_input(case)
    rating = risk.rate(data, _rules())
    row = RiskRating.objects.create(
        case=case,
        rules=rating.rules,
        rules_version=rating.version,
        score=rating.score,
        level=rating.level.value,
        reasons=[reason.to_dict() for reason in rating.reasons],
        ownership=analysis,
    )
    case.rated_at = timezone.now()
    case.save(update_fields=["rated_at", "updated_at"])
    audit_record(
        action=audit_actions.CASE_RATED,
        actor=actor,
        target=case,
        payload={
            "customer_id": case.customer_id,
            "rating_id": row.pk,
            "rules_version": rating.version,
            "score": rating.score,
            "level": rating.level.value,
            "reason_codes": rating.codes,
        },
    )
    return row


def rating_of(row: RiskRating) -> risk.Rating:
    return risk.Rating(
        rules=row.rules,
        version=row.rules_version,
        score=row.score,
        level=risk.Level(row.level),
        reasons=tuple(risk.Reason(**reason) for reason in row.reasons),
    )


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
