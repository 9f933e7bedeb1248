"""Reads for kyc, always scoped by the caller: an API client sees only its own customers (others are 404)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kyc.models import (
    Case,
    CaseStatus,
    Customer,
    Decision,
    DecisionStatus,
    Document,
    HitStatus,
    Party,
    Relationship,
    WebhookDelivery,
    WebhookEndpoint,
)


def customer_list(*, client: Any) -> QuerySet[Customer]:
    """The client's customers, newest first."""
    return Customer.objects.filter(client=client).prefetch_related("parties__identifiers").order_by("-created_at")


def customer_get(*, client: Any, customer_id: Any) -> Customer:
    """One of the client's customers; 404 for anything else (including another client's)."""
    customer = Customer.objects.filter(client=client, pk=customer_id).first()
    if customer is None:
        raise Http404("No such customer.")
    return customer


def party_get(*, customer: Customer, party_id: Any) -> Party:
    party = customer.parties.filter(pk=party_id).first()
    if party is None:
        raise Http404("No such party.")
    return party


def relationship_get(*, customer: Customer, relationship_id: Any) -> Relationship:
    relationship = customer.relationships.filter(pk=relationship_id).first()
    if relationship is None:
        raise Http404("No such relationship.")
    return relationship


def document_get(*, customer: Customer, document_id: Any) -> Document:
    document = customer.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document.")
    return document


def case_list(*, customer: Customer) -> QuerySet[Case]:
    return customer.cases.order_by("-created_at")


def case_get(*, client: Any, case_id: Any) -> Case:
    """One case of one of the client's customers; 404 otherwise."""
    case = Case.objects.select_related("customer").filter(customer__client=client, pk=case_id).first()
    if case is None:
        raise Http404("No such case.")
    return case


def case_final_decision(case: Case) -> Decision | None:
    return case.decisions.filter(status=DecisionStatus.FINAL).order_by("-created_at").first()


def webhook_endpoint_list(*, client: Any) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(client=client)


def webhook_delivery_list(*, client: Any) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint__client=client).select_related("endpoint").order_by("-created_at")


# --- Officers' queues (admin) ------------------------------------------------------------------------

QUEUES = {
    "mine": "Assigned to me",
    "unassigned": "Unassigned",
    "escalated": "Escalated",
    "awaiting_second": "Awaiting second approval",
    "overdue": "Past the review SLA",
    "due_soon": "Due within a day",
}
REVIEWING = (CaseStatus.REVIEW, CaseStatus.ESCALATED, CaseStatus.AWAITING_SECOND_APPROVAL)


def case_queue(*, user: Any, queue: str, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases of one officers' queue (see QUEUES)."""
    qs = queryset if queryset is not None else Case.objects.all()
    now = timezone.now()
    if queue == "mine":
        return qs.filter(assigned_to=user, status__in=REVIEWING)
    if queue == "unassigned":
        return qs.filter(assigned_to__isnull=True, status__in=REVIEWING)
    if queue == "escalated":
        return qs.filter(status=CaseStatus.ESCALATED)
    if queue == "awaiting_second":
        return qs.filter(status=CaseStatus.AWAITING_SECOND_APPROVAL)
    if queue == "overdue":
        return qs.filter(status__in=REVIEWING, sla_due_at__lt=now)
    if queue == "due_soon":
        return qs.filter(status__in=REVIEWING, sla_due_at__gte=now, sla_due_at__lt=now + timedelta(days=1))
    return qs


def queue_counts(*, user: Any) -> dict[str, int]:
    """How many cases each queue holds, for the admin's queue bar."""
    now = timezone.now()
    reviewing = Q(status__in=REVIEWING)
    counts = Case.objects.aggregate(
        mine=Count("pk", filter=reviewing & Q(assigned_to=user)),
        unassigned=Count("pk", filter=reviewing & Q(assigned_to__isnull=True)),
        escalated=Count("pk", filter=Q(status=CaseStatus.ESCALATED)),
        awaiting_second=Count("pk", filter=Q(status=CaseStatus.AWAITING_SECOND_APPROVAL)),
        overdue=Count("pk", filter=reviewing & Q(sla_due_at__lt=now)),
        due_soon=Count("pk", filter=reviewing & Q(sla_due_at__gte=now, sla_due_at__lt=now + timedelta(days=1))),
    )
    return {key: counts[key] for key in QUEUES}


def open_hit_count(case: Case) -> int:
    return case.hits.filter(status__in=[HitStatus.PENDING, HitStatus.CLEARING_PROPOSED]).count()


# --- Ongoing monitoring -------------------------------------------------------------------------------


def monitoring_risk_levels(*, statuses: tuple[str, ...] | None = None) -> list[tuple[Any, str | None, Any]]:
    """(customer id, risk level of its latest rating, when it was onboarded) for monitored customers.

    Monitored customers are those whose status is in ``statuses`` (default: onboarding, in review,
    approved: everyone not rejected who has been submitted). The level is
    that of the most recent rating of any of the customer's cases (None when never rated); the
    onboarding time is when its first approving case closed (None if it has none).
    """
    from django.db.models import Min, OuterRef, Subquery

    from kyc.models import CustomerStatus, RiskRating

    wanted = statuses or (CustomerStatus.ONBOARDING, CustomerStatus.IN_REVIEW, CustomerStatus.APPROVED)
    latest_level = RiskRating.objects.filter(case__customer=OuterRef("pk")).order_by("-created_at").values("level")[:1]
    rows = (
        Customer.objects.filter(status__in=wanted)
        .annotate(
            level=Subquery(latest_level),
            onboarded_at=Min("cases__closed_at", filter=Q(cases__status=CaseStatus.APPROVED)),
        )
        .values_list("pk", "level", "onboarded_at")
    )
    return list(rows)
