"""Turning a verified match into an officer's alert, once: the bridge from monitoring into kyc cases.

Rules for a (party, list entry) pair whose current content hash is ``h``:

* a hit for the pair with content ``h`` already exists (onboarding or monitoring, open or
  dispositioned): nothing happens. An officer's disposition holds while the entry is unchanged;
* an *open* hit with older content exists in the customer's active case: it is updated to the new
  content (score, explanation) with a note saying the entry changed;
* otherwise a new alert is raised in the customer's active case, or in a new case opened for
  review when the customer has none; the client receives ``customer.alert_raised``.

Every outcome is written together with a ``MonitoringAlert`` whose unique key is the party, the
entity and ``h``: a second writer of the same alert (a redelivered chunk, a re-run job, a
concurrent worker) fails on that key and its transaction rolls back, so nothing is created twice.

Cases and hits are kyc's: the case is opened by ``kyc.services.cases.case_open_for_review``, notes
go through ``case_note_add`` and webhooks through ``kyc.services.webhooks.webhook_emit``. The hit
rows are written here rather than by ``kyc.services.pipeline.hit_raise`` because a monitoring
alert also updates or reopens an existing hit, and its audit event and webhook carry the
monitoring job and trigger.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from audit.services import audit_record
from kyc import audit_actions as kyc_actions
from kyc.models import (
    Case,
    CaseStatus,
    Customer,
    HitStatus,
    Party,
    PartyScreening,
    ScreeningHit,
    WebhookEvent,
)
from kyc.models.cases import ACTIVE_STATUSES
from kyc.services.cases import case_note_add, case_open_for_review
from kyc.services.pipeline import hit_kind
from kyc.services.webhooks import webhook_emit
from monitoring import audit_actions
from monitoring.models import AlertOutcome, MonitoringAlert, MonitoringChunk, RemovalNote
from screening.engine import Match

OPEN_HIT_STATUSES = (HitStatus.PENDING, HitStatus.CLEARING_PROPOSED)


def alert_key(*, party_id: Any, entity: str, content_hash: str) -> str:
    """The idempotency key of one alert: the party, the list entry and the entry's content."""
    return hashlib.sha256(f"{party_id}|{entity}|{content_hash}".encode()).hexdigest()


@dataclass(frozen=True)
class AlertResult:
    outcome: str  # "raised", "updated", "known" (nothing to do), "deferred" (onboarding will screen it)
    hit: ScreeningHit | None = None


def _active_case(customer: Customer) -> Case | None:
    return Case.objects.select_for_update().filter(customer=customer, status__in=ACTIVE_STATUSES).first()


def _hit_fields(match: Match, list_versions: dict[str, Any]) -> dict[str, Any]:
    kind, pep_class = hit_kind(match.topics)
    return {
        "entity": match.entity[:200],
        "source": match.source[:64],
        "listed_name": match.name[:500],
        "schema": match.schema[:32],
        "topics": list(match.topics),
        "kind": kind,
        "pep_class": pep_class,
        "score": float(match.score),
        "threshold": float(match.threshold),
        "explanation": match.explanation,
        "content_hash": match.content_hash,
        "algorithm_version": match.algorithm_version,
        "list_versions": list_versions,
    }


def alert_raise(
    *, party: Party, match: Match, list_versions: dict[str, Any], chunk: MonitoringChunk, changed_fields: list[str]
) -> AlertResult:
    """Raise (or update) the alert for one verified match, exactly once per entry content."""
    earlier = ScreeningHit.objects.filter(party=party, entity=match.entity[:200])
    if earlier.filter(content_hash=match.content_hash).exists():
        return AlertResult("known")
    key = alert_key(party_id=party.pk, entity=match.entity, content_hash=match.content_hash)
    if MonitoringAlert.objects.filter(key=key).exists():
        return AlertResult("known")
    try:
        with transaction.atomic():
            return _alert_write(
                party=party,
                match=match,
                key=key,
                list_versions=list_versions,
                chunk=chunk,
                changed_fields=changed_fields,
            )
    except IntegrityError:
        # The same alert was written meanwhile (a redelivered or concurrent chunk): nothing to add.
        if MonitoringAlert.objects.filter(key=key).exists():
            return AlertResult("known")
        raise


def _alert_write(
    *,
    party: Party,
    match: Match,
    key: str,
    list_versions: dict[str, Any],
    chunk: MonitoringChunk,
    changed_fields: list[str],
) -> AlertResult:
    customer = Customer.objects.select_for_update().select_related("client").get(pk=party.customer_id)
    # The key first: a concurrent writer of the same alert blocks here and then fails on it.
    record = MonitoringAlert.objects.create(
        key=key,
        party=party,
        entity=match.entity[:200],
        content_hash=match.content_hash,
        outcome=AlertOutcome.RAISED,
        job_id=chunk.job_id,
        chunk=chunk,
        score=float(match.score),
    )
    fields = _hit_fields(match, list_versions)
    case = _active_case(customer)
    if case is not None and case.status in (CaseStatus.OPEN, CaseStatus.SCREENING):
        if not PartyScreening.objects.filter(case=case, party=party).exists():
            # Onboarding has not screened this party yet: it will, against the lists now active.
            transaction.set_rollback(True)
            return AlertResult("deferred")
    existing = case.hits.select_for_update().filter(party=party, entity=fields["entity"]).first() if case else None
    what_changed = ", ".join(changed_fields) or "new entry"
    if existing is not None and existing.status in OPEN_HIT_STATUSES:
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save()
        record.outcome, record.hit = AlertOutcome.UPDATED, existing
        record.save(update_fields=["outcome", "hit", "updated_at"])
        case_note_add(
            case=case,
            text=f"Monitoring: the list entry {existing.entity} of this open alert changed ({what_changed}); "
            f"the alert now shows its current content (score {existing.score:.2f}).",
            actor=None,
        )
        _audit(existing, record, chunk, changed_fields)
        return AlertResult(AlertOutcome.UPDATED, existing)
    if case is None:
        case = case_open_for_review(
            customer=customer, summary=f"Ongoing monitoring: {fields['kind']} alert", trigger="monitoring"
        )
    if existing is not None:
        # Dispositioned in this very case, and the entry has changed since: the officer looks again.
        previous = existing.status
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.status = HitStatus.PENDING
        existing.proposed_by = existing.decided_by = None
        existing.proposed_at = existing.decided_at = None
        existing.save()
        hit = existing
        case_note_add(
            case=case,
            text=f"Monitoring: alert {hit.entity} was {previous}; the list entry has changed ({what_changed}), "
            "so it is open for review again.",
            actor=None,
        )
    else:
        hit = ScreeningHit.objects.create(case=case, party=party, **fields)
        if changed_fields:
            case_note_add(
                case=case,
                text=f"Monitoring: alert {hit.entity} raised because the list entry changed ({what_changed}).",
                actor=None,
            )
    record.hit = hit
    record.save(update_fields=["hit", "updated_at"])
    _audit(hit, record, chunk, changed_fields)
    webhook_emit(
        client=customer.client,
        event_type=WebhookEvent.CUSTOMER_ALERT_RAISED,
        data={
            "case_id": str(case.pk),
            "customer_id": str(customer.pk),
            "external_ref": customer.external_ref,
            "party_id": str(party.pk),
            "hit_id": str(hit.pk),
            "hit_kind": hit.kind,
            "score": round(hit.score, 4),
            "trigger": "monitoring",
        },
    )
    return AlertResult(AlertOutcome.RAISED, hit)


def _audit(hit: ScreeningHit, record: MonitoringAlert, chunk: MonitoringChunk, changed_fields: list[str]) -> None:
    audit_record(
        action=kyc_actions.HIT_RAISED,
        actor=None,
        target=hit,
        payload={
            "case_id": hit.case_id,
            "customer_id": hit.case.customer_id,
            "party_id": hit.party_id,
            "entity": hit.entity,
            "hit_kind": hit.kind,
            "score": hit.score,
            "threshold": hit.threshold,
            "algorithm_version": hit.algorithm_version,
            "list_versions": hit.list_versions,
            "monitoring_job_id": chunk.job_id,
            "monitoring_outcome_kind": record.outcome,
            "fields_changed": changed_fields,
        },
    )


def removal_annotate(*, hit: ScreeningHit, version: Any, chunk: MonitoringChunk) -> bool:
    """Note on an open alert's case that its list entry was removed (once per alert and version)."""
    try:
        with transaction.atomic():
            note = RemovalNote.objects.create(hit=hit, list_version=version, job_id=chunk.job_id, chunk=chunk)
            case_note_add(
                case=hit.case,
                text=f"Monitoring: the list entry {hit.entity} of this open alert was removed from "
                f"{version.source.code} version {version.number}. It is no longer listed; close the alert "
                "if nothing else connects the customer to it.",
                actor=None,
            )
            audit_record(
                action=audit_actions.ALERT_ENTRY_REMOVED,
                actor=None,
                target=hit,
                payload={
                    "case_id": hit.case_id,
                    "entity": hit.entity,
                    "list_version_id": version.pk,
                    "monitoring_job_id": chunk.job_id,
                    "note_id": note.pk,
                },
            )
    except IntegrityError:
        return False  # annotated already (a redelivered chunk or a re-run)
    return True
