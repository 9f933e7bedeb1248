"""Step 3 of the pipeline: gather what the rating needs from a case, rate it, store the rating."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from kyc import audit_actions, decisioning, ownership, risk
from kyc.models import (
    IDENTITY_DOCUMENTS_VALUES,
    OWNERSHIP_ROLE_VALUES,
    Case,
    Customer,
    CustomerKind,
    HitKind,
    HitStatus,
    MrzStatus,
    PartyKind,
    RelationshipRole,
    RiskRating,
)


def _rules() -> risk.RiskRules:
    defaults = risk.RiskRules()
    return risk.RiskRules.configured(
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
        screening_unavailable=case.screened_at is None
        or any(problem.get("code") == "party_unscreenable" for problem in case.validation_problems),
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
