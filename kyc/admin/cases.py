"""The officers' workspace in the Django admin: queues, one page per case, four-eyes decisions, webhooks.

The case page shows the customer, every party, the ownership tree, each hit beside the list entry it
matched with the engine's explanation, the risk reasons, decisions, notes and the audit trail, and
carries every form an officer needs (assign, escalate, note, disposition, decide, second review).
Each form posts to one small view that calls one service; the rules (rationale, four eyes, step-up)
live in the services. Risky steps ask for a fresh second factor through ``accounts.stepup``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from kyc import integrations, selectors
from kyc.admin.base import ReadOnlyPolicy, can
from kyc.models import (
    Case,
    CaseStatus,
    Customer,
    Decision,
    DecisionStatus,
    HitStatus,
    Party,
    PartyKind,
    Relationship,
    ScreeningHit,
    WebhookDelivery,
)
from kyc.services import cases, review


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        counts = selectors.queue_counts(user=request.user)
        return [(key, f"{label} ({counts[key]})") for key, label in selectors.QUEUES.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        if self.value() in selectors.QUEUES:
            return selectors.case_queue(user=request.user, queue=self.value(), queryset=queryset)
        return queryset


def ownership_tree(customer: Customer) -> list[dict[str, Any]]:
    """The subject and, recursively, who owns or controls each company (a cycle is shown once, marked)."""
    parties = {p.pk: p for p in customer.parties.all()}
    above: dict[Any, list[Relationship]] = {}
    for relationship in customer.relationships.all():
        above.setdefault(relationship.of_party_id, []).append(relationship)
    flagged = {hit.party_id for hit in ScreeningHit.objects.filter(case__customer=customer).exclude(status="cleared")}
    rows: list[dict[str, Any]] = []

    def walk(party_id: Any, depth: int, path: frozenset[Any]) -> None:
        for relationship in sorted(above.get(party_id, []), key=lambda r: (r.role, -(r.ownership_percentage or 0))):
            holder = parties[relationship.party_id]
            circular = holder.pk in path
            rows.append(
                {
                    "depth": depth,
                    "indent": depth * 24,
                    "party": holder,
                    "relationship": relationship,
                    "circular": circular,
                    "flagged": holder.pk in flagged,
                }
            )
            if not circular and holder.kind == PartyKind.COMPANY and depth < 12:
                walk(holder.pk, depth + 1, path | {holder.pk})

    subject = customer.subject
    if subject is not None:
        walk(subject.pk, 1, frozenset({subject.pk}))
    return rows


def _roles(party: Party) -> list[str]:
    labels = []
    for relationship in party.relationships_held.all():
        share = f" {relationship.ownership_percentage.normalize()}%" if relationship.ownership_percentage else ""
        nominee = " (nominee)" if relationship.is_nominee else ""
        labels.append(f"{relationship.get_role_display()}{share}{nominee} of {relationship.of_party.display_name}")
    return labels


@admin.register(Case)
class CaseAdmin(ReadOnlyPolicy, admin.ModelAdmin):
    list_display = [
        "short_id",
        "customer_name",
        "kind",
        "status",
        "risk",
        "open_hits",
        "assigned_to",
        "sla",
        "created_at",
    ]
    list_filter = [QueueFilter, "status", "customer__kind"]
    search_fields = ["=id", "customer__external_ref", "customer__parties__family_name", "customer__parties__legal_name"]
    list_select_related = ["customer", "assigned_to"]
    ordering = ["sla_due_at", "-created_at"]

    @admin.display(description="case")
    def short_id(self, case: Case) -> str:
        return str(case.pk)[:8]

    @admin.display(description="customer")
    def customer_name(self, case: Case) -> str:
        return str(case.customer.subject.display_name if case.customer.subject else case.customer_id)

    @admin.display(description="kind")
    def kind(self, case: Case) -> str:
        return case.customer.get_kind_display()

    @admin.display(description="risk")
    def risk(self, case: Case) -> str:
        rating = case.latest_rating
        return f"{rating.level} ({rating.score})" if rating else "—"

    @admin.display(description="open hits")
    def open_hits(self, case: Case) -> int:
        return selectors.open_hit_count(case)

    @admin.display(description="SLA")
    def sla(self, case: Case) -> str:
        if case.sla_due_at is None or not case.is_active:
            return "—"
        left = case.sla_due_at - timezone.now()
        hours = int(left.total_seconds() // 3600)
        return (
            format_html('<span style="color:#ba2121">overdue {} h</span>', -hours) if hours < 0 else f"{hours} h left"
        )

    def get_urls(self) -> list[Any]:
        custom = [
            path(
                "<uuid:object_id>/act/<str:act>/",
                self.admin_site.admin_view(self.act_view),
                name="kyc_case_act",
            )
        ]
        return custom + super().get_urls()

    # --- The case page ----------------------------------------------------------------------------
    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        case = get_object_or_404(Case.objects.select_related("customer__client", "assigned_to"), pk=object_id)
        customer = case.customer
        parties = list(customer.parties.prefetch_related("identifiers", "documents", "relationships_held__of_party"))
        screened = {s.party_id: s for s in case.screenings.all()}
        documents = list(customer.documents.select_related("party"))
        tokens = [i.token for p in parties for i in p.identifiers.all()] + [d.number_token for d in documents]
        reveal = integrations.reveal_urls(tokens)
        hits = list(case.hits.select_related("party", "proposed_by", "decided_by"))
        entries = integrations.list_entries_for(hits)
        from audit.selectors import event_list

        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Case {str(case.pk)[:8]}",
            "case": case,
            "customer": customer,
            "parties": [
                {
                    "party": p,
                    "roles": _roles(p),
                    "screening": screened.get(p.pk),
                    "identifiers": [(i, reveal.get(i.token)) for i in p.identifiers.all()],
                }
                for p in parties
            ],
            "documents": [(d, reveal.get(d.number_token)) for d in documents],
            "tree": ownership_tree(customer),
            "rating": case.latest_rating,
            "ratings": case.ratings.all()[:5],
            "hits": [{"hit": hit, "entry": entries.get(hit.pk)} for hit in hits],
            "decisions": case.decisions.select_related("decided_by", "second_approver"),
            "proposal": case.decisions.filter(status=DecisionStatus.PROPOSED).first(),
            "notes": case.notes.select_related("author"),
            "events": event_list(customer_id=str(customer.pk)).order_by("-sequence")[:50],
            "deliveries": WebhookDelivery.objects.filter(endpoint__client=customer.client)
            .filter(payload__data__customer_id=str(customer.pk))
            .select_related("endpoint")[:20],
            "is_reviewing": case.status in selectors.REVIEWING,
            "awaiting_second": case.status == CaseStatus.AWAITING_SECOND_APPROVAL,
            "user": request.user,
            "can_decide": can(request, integrations.ACTION_DECIDE),
            "can_second": can(request, integrations.ACTION_APPROVE_HIGH_RISK_SECOND),
            "can_second_clear": can(request, integrations.ACTION_CLEAR_HIT_SECOND),
            "HitStatus": HitStatus,
        }
        return TemplateResponse(request, "admin/kyc/case_detail.html", context)

    # --- Forms on the case page -------------------------------------------------------------------
    def act_view(self, request: HttpRequest, object_id: str, act: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = get_object_or_404(Case, pk=object_id)
        handler = getattr(self, f"_act_{act}", None)
        back = HttpResponseRedirect(reverse("admin:kyc_case_change", args=[case.pk]))
        if handler is None:
            messages.error(request, f"Unknown action {act!r}.")
            return back
        try:
            response = handler(request, case)
        except review.ReviewError as exc:
            messages.error(request, exc.message)
            return back
        except (ValueError, cases.InvalidTransition) as exc:
            messages.error(request, str(exc))
            return back
        return response or back

    def _step_up(self, request: HttpRequest, action: str, call: Callable[[bool], Any]) -> HttpResponse | None:
        """Call with the session's step-up state; on ``step_up_required`` show the prompt, then call again."""
        try:
            call(integrations.step_up_verified(request, action))
            return None
        except review.ReviewError as exc:
            if exc.code != "step_up_required":
                raise
        prompt = integrations.admin_step_up(request, action)
        if prompt is not None:
            return prompt
        call(True)  # the code was accepted in this request
        return None

    def _rationale(self, request: HttpRequest) -> str:
        return request.POST.get("rationale", "")

    def _hit(self, request: HttpRequest, case: Case) -> ScreeningHit:
        return get_object_or_404(ScreeningHit, pk=request.POST.get("hit"), case=case)

    def _act_assign_me(self, request: HttpRequest, case: Case) -> None:
        integrations.require_role(request.user, integrations.ACTION_REVIEW)
        cases.case_assign(case=case, assignee=request.user, actor=request.user)
        messages.success(request, "The case is yours.")

    def _act_unassign(self, request: HttpRequest, case: Case) -> None:
        integrations.require_role(request.user, integrations.ACTION_REVIEW)
        cases.case_assign(case=case, assignee=None, actor=request.user)
        messages.success(request, "The case is back in the unassigned queue.")

    def _act_escalate(self, request: HttpRequest, case: Case) -> None:
        integrations.require_role(request.user, integrations.ACTION_REVIEW)
        cases.case_escalate(case=case, rationale=self._rationale(request), actor=request.user)
        messages.success(request, "Escalated.")

    def _act_return_from_escalation(self, request: HttpRequest, case: Case) -> None:
        integrations.require_role(request.user, integrations.ACTION_DECIDE)
        cases.case_transition(case=case, to=CaseStatus.REVIEW, actor=request.user, reason="de_escalated")
        messages.success(request, "Back in review.")

    def _act_note(self, request: HttpRequest, case: Case) -> None:
        integrations.require_role(request.user, integrations.ACTION_REVIEW)
        cases.case_note_add(case=case, text=request.POST.get("text", ""), actor=request.user)
        messages.success(request, "Note added.")

    def _act_hit_confirm(self, request: HttpRequest, case: Case) -> None:
        review.hit_confirm(hit=self._hit(request, case), rationale=self._rationale(request), actor=request.user)
        messages.success(request, "Hit confirmed as a true match.")

    def _act_hit_clear(self, request: HttpRequest, case: Case) -> HttpResponse | None:
        hit = self._hit(request, case)
        response = self._step_up(
            request,
            integrations.ACTION_CLEAR_HIT,
            lambda ok: review.hit_clear(
                hit=hit, rationale=self._rationale(request), actor=request.user, step_up_verified=ok
            ),
        )
        if response is None:
            hit.refresh_from_db()
            text = (
                "Clearing proposed: a second officer must agree." if hit.status == HitStatus.CLEARING_PROPOSED else ""
            )
            messages.success(request, text or "Hit cleared as a false positive.")
        return response

    def _act_hit_clear_review(self, request: HttpRequest, case: Case) -> HttpResponse | None:
        hit = self._hit(request, case)
        agree = request.POST.get("agree") == "yes"
        response = self._step_up(
            request,
            integrations.ACTION_CLEAR_HIT_SECOND,
            lambda ok: review.hit_clearing_review(
                hit=hit, agree=agree, rationale=self._rationale(request), actor=request.user, step_up_verified=ok
            ),
        )
        if response is None:
            messages.success(request, "Hit cleared." if agree else "Clearing sent back for review.")
        return response

    def _act_decide(self, request: HttpRequest, case: Case) -> HttpResponse | None:
        outcome = request.POST.get("outcome", "")
        response = self._step_up(
            request,
            integrations.ACTION_APPROVE_HIGH_RISK,
            lambda ok: review.case_decide(
                case=case, outcome=outcome, rationale=self._rationale(request), actor=request.user, step_up_verified=ok
            ),
        )
        if response is None:
            case.refresh_from_db()
            if case.status == CaseStatus.AWAITING_SECOND_APPROVAL:
                messages.success(request, "Proposed: a second officer must approve it.")
            else:
                messages.success(request, f"Decided: {case.get_status_display().lower()}.")
        return response

    def _act_decision_review(self, request: HttpRequest, case: Case) -> HttpResponse | None:
        decision = get_object_or_404(Decision, pk=request.POST.get("decision"), case=case)
        agree = request.POST.get("agree") == "yes"
        response = self._step_up(
            request,
            integrations.ACTION_APPROVE_HIGH_RISK_SECOND,
            lambda ok: review.decision_second_review(
                decision=decision,
                agree=agree,
                rationale=self._rationale(request),
                actor=request.user,
                step_up_verified=ok,
            ),
        )
        if response is None:
            messages.success(request, "Approved by a second officer." if agree else "Sent back to review.")
        return response
