"""Cases and what happens in them: per-party screening, hits, risk ratings, decisions, notes.

A case moves only along ``TRANSITIONS``; ``kyc.services.cases.case_transition`` is the one place
that changes ``Case.status``, and it writes an audit event in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from common.models import BaseModel


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open (queued for the pipeline)"
    SCREENING = "screening", "Screening and rating"
    REVIEW = "review", "In review"
    ESCALATED = "escalated", "Escalated"
    AWAITING_SECOND_APPROVAL = "awaiting_second_approval", "Awaiting second approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


#: The only allowed moves. Terminal states have none: a new submission opens a new case.
TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.SCREENING}),
    CaseStatus.SCREENING: frozenset({CaseStatus.REVIEW, CaseStatus.APPROVED, CaseStatus.REJECTED}),
    CaseStatus.REVIEW: frozenset(
        {CaseStatus.ESCALATED, CaseStatus.AWAITING_SECOND_APPROVAL, CaseStatus.APPROVED, CaseStatus.REJECTED}
    ),
    CaseStatus.ESCALATED: frozenset(
        {CaseStatus.REVIEW, CaseStatus.AWAITING_SECOND_APPROVAL, CaseStatus.APPROVED, CaseStatus.REJECTED}
    ),
    CaseStatus.AWAITING_SECOND_APPROVAL: frozenset({CaseStatus.APPROVED, CaseStatus.REVIEW}),
    CaseStatus.APPROVED: frozenset(),
    CaseStatus.REJECTED: frozenset(),
}
ACTIVE_STATUSES = tuple(status for status, moves in TRANSITIONS.items() if moves)
TERMINAL_STATUSES = tuple(status for status, moves in TRANSITIONS.items() if not moves)


class Case(BaseModel):
    """One onboarding review of a customer, from submission to a final decision."""

    customer = models.ForeignKey("kyc.Customer", on_delete=models.CASCADE, related_name="cases")
    status = models.CharField(max_length=32, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    # Pipeline progress: each step records when it finished, so a redelivered task resumes after it.
    validated_at = models.DateTimeField(null=True, blank=True)
    screened_at = models.DateTimeField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    validation_problems = models.JSONField(default=list, blank=True)
    screening_attempts = models.PositiveIntegerField(default=0)
    summary = models.CharField(max_length=500, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="kyc_cases"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    correlation_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="kyc_case_one_active_per_customer",
            )
        ]
        indexes = [models.Index(fields=["status", "sla_due_at"])]

    def __str__(self) -> str:
        return f"Case {str(self.id)[:8]} · {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def latest_rating(self) -> RiskRating | None:
        return self.ratings.order_by("-created_at").first()


class PartyScreening(BaseModel):
    """That one party was screened in one case (the idempotency key of the screening step)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="screenings")
    party = models.ForeignKey("kyc.Party", on_delete=models.CASCADE, related_name="screenings")
    list_versions = models.JSONField(default=dict, blank=True)
    algorithm_version = models.CharField(max_length=32, blank=True)
    hit_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["case", "party"], name="kyc_partyscreening_unique")]


class HitKind(models.TextChoices):
    SANCTION = "sanction", "Sanctions"
    PEP = "pep", "Politically exposed person"
    PEP_RCA = "pep_rca", "Relative or close associate of a PEP"
    OTHER = "other", "Other list (debarment, crime ...)"


class HitStatus(models.TextChoices):
    PENDING = "pending", "To review"
    CLEARING_PROPOSED = "clearing_proposed", "Clearing proposed (awaiting a second officer)"
    CLEARED = "cleared", "Cleared (false positive)"
    CONFIRMED = "confirmed", "Confirmed (true match)"


class ScreeningHit(BaseModel):
    """A list entry that matched a party: the alert an officer dispositions, with the engine's explanation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="hits")
    party = models.ForeignKey("kyc.Party", on_delete=models.CASCADE, related_name="hits")
    entity = models.CharField(max_length=200, help_text="<source>:<reference> of the list entry.")
    source = models.CharField(max_length=64)
    listed_name = models.CharField(max_length=500)
    schema = models.CharField(max_length=32, blank=True)
    topics = models.JSONField(default=list, blank=True)
    kind = models.CharField(max_length=16, choices=HitKind.choices)
    pep_class = models.CharField(max_length=32, blank=True)
    score = models.FloatField()
    threshold = models.FloatField()
    explanation = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    algorithm_version = models.CharField(max_length=32, blank=True)
    list_versions = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=24, choices=HitStatus.choices, default=HitStatus.PENDING)
    rationale = models.TextField(blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    second_rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["case", "party", "entity"], name="kyc_hit_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} hit {self.listed_name} ({self.score:.0%})"

    @property
    def is_open(self) -> bool:
        return self.status in (HitStatus.PENDING, HitStatus.CLEARING_PROPOSED)


class RiskRating(BaseModel):
    """A risk rating under a named rules version, with every reason that contributed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratings")
    rules = models.CharField(max_length=64)
    rules_version = models.CharField(max_length=32)
    score = models.IntegerField()
    level = models.CharField(max_length=16)
    reasons = models.JSONField(default=list)
    ownership = models.JSONField(default=dict, blank=True, help_text="OFAC 50% and opacity analysis.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.level} ({self.score}) under {self.rules} {self.rules_version}"


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed (awaiting a second officer)"
    FINAL = "final", "Final"
    WITHDRAWN = "withdrawn", "Sent back by the second officer"


class Decision(BaseModel):
    """An outcome with reason codes and rationale; automated, or by an officer (and a second one)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=16, choices=DecisionOutcome.choices)
    status = models.CharField(max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.FINAL)
    reason_codes = models.JSONField(default=list, blank=True)
    rationale = models.TextField(blank=True)
    automated = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requires_second_approval = models.BooleanField(default=False)
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    second_rationale = models.TextField(blank=True)
    second_decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(second_approver__isnull=True) | ~models.Q(second_approver=models.F("decided_by")),
                name="kyc_decision_four_eyes",
            )
        ]

    def __str__(self) -> str:
        who = "automatic" if self.automated else str(self.decided_by or "officer")
        return f"{self.get_outcome_display()} ({self.get_status_display().lower()}, {who})"


class CaseNote(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note by {self.author or 'system'}"
