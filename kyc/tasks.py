"""Celery tasks of the onboarding pipeline and webhooks: thin, idempotent, JSON arguments."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from kyc import integrations
from kyc.services import pipeline, webhooks


@shared_task(
    name="kyc.case_pipeline",
    bind=True,
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
    max_retries=pipeline.MAX_SCREENING_ATTEMPTS + 1,
)
def case_pipeline(self, case_id: str) -> str:  # type: ignore[no-untyped-def]
    """Run the remaining steps of a case (validate, screen, rate, decide); retry while screening is down."""
    for _ in range(pipeline.MAX_SCREENING_ATTEMPTS + 1):
        try:
            return pipeline.case_run_pipeline(case_id=case_id).status
        except integrations.ScreeningUnavailable as exc:
            if not self.request.is_eager:
                raise self.retry(exc=exc, countdown=min(600, 15 * 2**self.request.retries)) from None
            # Embedded mode has no scheduler to retry later: use up the attempts now, then officers decide.
    raise RuntimeError("the pipeline did not finish within its screening attempts")


@shared_task(name="kyc.webhook_deliver", bind=True, acks_late=True, soft_time_limit=60, time_limit=90)
def webhook_deliver(self, delivery_id: str) -> str:  # type: ignore[no-untyped-def]
    """Attempt one webhook delivery; schedule the next attempt with backoff when it fails.

    Eagerly (embedded mode, no broker) there is no scheduler: the next attempt stays due at
    ``next_attempt_at`` for ``kyc.webhooks_resend_due`` or an officer's replay, instead of
    retrying at once inside the request.
    """
    delivery = webhooks.webhook_attempt(delivery_id=delivery_id)
    if delivery.status == "retrying" and not self.request.is_eager:
        webhook_deliver.apply_async((delivery_id,), countdown=webhooks.backoff(delivery.attempts))
    return delivery.status


@shared_task(name="kyc.webhooks_resend_due", acks_late=True, soft_time_limit=60, time_limit=90)
def webhooks_resend_due() -> int:
    """Beat: send retries that are due (embedded mode, or a broker that lost its scheduled messages)."""
    from django.db.models import Q

    from kyc.models import DeliveryStatus, WebhookDelivery

    now = timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            Q(status=DeliveryStatus.RETRYING, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.PENDING, next_attempt_at__lt=now - timedelta(minutes=5))
        ).values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        webhook_deliver.delay(str(pk))
    return len(ids)


@shared_task(name="kyc.cases_resume_stalled", acks_late=True, soft_time_limit=60, time_limit=90)
def cases_resume_stalled() -> int:
    """Safety net (beat): restart the pipeline of cases stuck before a decision for over 15 minutes."""
    from kyc.models import Case, CaseStatus

    stalled = timezone.now() - timedelta(minutes=15)
    ids = list(
        Case.objects.filter(status__in=[CaseStatus.OPEN, CaseStatus.SCREENING], updated_at__lt=stalled).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in ids:
        case_pipeline.delay(str(pk))
    return len(ids)


@shared_task(name="kyc.idempotency_prune", acks_late=True, soft_time_limit=120, time_limit=180)
def idempotency_prune() -> int:
    """Beat: forget Idempotency-Key responses older than the idempotency window."""
    from kyc.idempotency import idempotency_records_prune

    return idempotency_records_prune()
