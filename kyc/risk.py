"""Customer risk rating, free of Django: versioned rules, every point explained by a reason code.

A rating is a pure function of a ``RiskInput`` (what the pipeline found) and a ``RiskRules`` (the
configurable lists and weights). Each rule that fires adds a ``Reason`` with a stable code, the
points it added and a sentence for the officer; the rating stores the rules version, so a past
rating can be replayed and compared with what the current rules would say.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum

RULES_NAME = "tillit-kyc-risk"
RULES_VERSION = "2026.11.1"


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    PROHIBITED = "prohibited"


class Code(StrEnum):
    """Stable reason codes (API, webhooks and reports refer to them)."""

    SANCTIONS_HIT = "sanctions_hit"
    SANCTIONS_CONFIRMED = "sanctions_confirmed"
    OFAC_50_PERCENT = "ofac_50_percent"
    PEP = "pep"
    PEP_RCA = "pep_relative_or_close_associate"
    ADVERSE_LIST_HIT = "adverse_list_hit"
    HIGH_RISK_JURISDICTION = "high_risk_jurisdiction"
    INCREASED_MONITORING_JURISDICTION = "increased_monitoring_jurisdiction"
    OWNERSHIP_LAYERS = "ownership_layers"
    OWNERSHIP_NOMINEE = "ownership_nominee"
    OWNERSHIP_CIRCULAR = "ownership_circular"
    OWNERSHIP_UNEXPLAINED = "ownership_unexplained"
    NO_BENEFICIAL_OWNER = "no_beneficial_owner"
    HIGH_RISK_INDUSTRY = "high_risk_industry"
    DOCUMENT_EXPIRED = "document_expired"
    DOCUMENT_MRZ_INVALID = "document_mrz_invalid"
    DOCUMENT_MISSING = "document_missing"
    SCREENING_UNAVAILABLE = "screening_unavailable"


# FATF "High-risk jurisdictions subject to a call for action" (the black list) and "Jurisdictions
# under increased monitoring" (the grey list), as published by FATF after its October 2025 plenary.
# Deployments override both with TILLIT_KYC_HIGH_RISK_COUNTRIES / TILLIT_KYC_MONITORED_COUNTRIES.
FATF_CALL_FOR_ACTION = frozenset({"KP", "IR", "MM"})
FATF_INCREASED_MONITORING = frozenset(
    {
        "DZ",
        "AO",
        "BO",
        "BG",
        "CM",
        "CI",
        "CD",
        "HT",
        "KE",
        "LA",
        "LB",
        "MC",
        "NA",
        "NP",
        "SS",
        "SY",
        "VE",
        "VN",
        "VG",
        "YE",
    }
)
# Cash-intensive or high-value sectors often named in national risk assessments (codes are Tillit's).
HIGH_RISK_INDUSTRIES = frozenset(
    {
        "crypto_assets",
        "money_services",
        "gambling",
        "precious_metals_and_stones",
        "arms_and_defence",
        "real_estate",
        "art_and_antiques",
        "shell_or_holding_company",
        "cash_intensive_business",
    }
)
# PEP classes (FATF Recommendation 12): foreign and domestic PEPs, international organisations.
PEP_CLASSES = ("foreign", "domestic", "international_organisation")


@dataclass(frozen=True, slots=True)
class RiskRules:
    """The configurable part of the rules; the version names the logic and the defaults together.

    Build configured rules with ``RiskRules.configured(...)``: a configuration that differs from
    the defaults gets its own version (``2026.11.1+cfg.<hash>``), so a rating always names the
    exact rules that produced it.
    """

    version: str = RULES_VERSION
    high_risk_countries: frozenset[str] = FATF_CALL_FOR_ACTION
    monitored_countries: frozenset[str] = FATF_INCREASED_MONITORING
    high_risk_industries: frozenset[str] = HIGH_RISK_INDUSTRIES
    medium_from: int = 30
    high_from: int = 60
    max_layers: int = 2

    @classmethod
    def configured(
        cls,
        *,
        high_risk_countries: frozenset[str] = FATF_CALL_FOR_ACTION,
        monitored_countries: frozenset[str] = FATF_INCREASED_MONITORING,
        high_risk_industries: frozenset[str] = HIGH_RISK_INDUSTRIES,
    ) -> RiskRules:
        lists = (sorted(high_risk_countries), sorted(monitored_countries), sorted(high_risk_industries))
        defaults = (sorted(FATF_CALL_FOR_ACTION), sorted(FATF_INCREASED_MONITORING), sorted(HIGH_RISK_INDUSTRIES))
        version = RULES_VERSION
        if lists != defaults:
            digest = hashlib.sha256(json.dumps(lists).encode()).hexdigest()[:8]
            version = f"{RULES_VERSION}+cfg.{digest}"
        return cls(
            version=version,
            high_risk_countries=frozenset(high_risk_countries),
            monitored_countries=frozenset(monitored_countries),
            high_risk_industries=frozenset(high_risk_industries),
        )


@dataclass(frozen=True, slots=True)
class HitSummary:
    """A screening hit on one party, as far as risk is concerned."""

    party: str
    party_label: str
    kind: str  # "sanction", "pep", "pep_rca", "other"
    score: float
    status: str = "pending"  # pending / confirmed / cleared
    pep_class: str = ""


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    party_label: str
    document_type: str
    expired: bool = False
    mrz_invalid: bool = False


@dataclass(frozen=True, slots=True)
class RiskInput:
    customer_kind: str  # "individual" / "business"
    countries: Mapping[str, Sequence[str]] = field(default_factory=dict)  # party label -> ISO2 codes
    industry: str = ""
    hits: Sequence[HitSummary] = ()
    documents: Sequence[DocumentSummary] = ()
    has_identity_document: bool = True
    ofac_blocked: Sequence[str] = ()  # sentences naming each blocking chain
    ownership_layers: int = 0
    nominees: Sequence[str] = ()
    cycles: Sequence[Sequence[str]] = ()
    unexplained: Mapping[str, float] = field(default_factory=dict)
    beneficial_owner_count: int | None = None  # None: not a business
    screening_unavailable: bool = False


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    points: int
    detail: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Rating:
    rules: str
    version: str
    score: int
    level: Level
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> list[str]:
        return sorted({reason.code for reason in self.reasons})

    def to_dict(self) -> dict[str, object]:
        return {
            "rules": self.rules,
            "version": self.version,
            "score": self.score,
            "level": self.level.value,
            "reasons": [reason.to_dict() for reason in self.reasons],
        }


# Points of each rule; a PROHIBITED reason sets the level whatever the score.
POINTS = {
    Code.SANCTIONS_CONFIRMED: 100,
    Code.OFAC_50_PERCENT: 100,
    Code.SANCTIONS_HIT: 60,
    Code.PEP: 40,
    Code.PEP_RCA: 30,
    Code.ADVERSE_LIST_HIT: 25,
    Code.HIGH_RISK_JURISDICTION: 60,
    Code.INCREASED_MONITORING_JURISDICTION: 20,
    Code.OWNERSHIP_LAYERS: 15,
    Code.OWNERSHIP_NOMINEE: 20,
    Code.OWNERSHIP_CIRCULAR: 30,
    Code.OWNERSHIP_UNEXPLAINED: 15,
    Code.NO_BENEFICIAL_OWNER: 10,
    Code.HIGH_RISK_INDUSTRY: 25,
    Code.DOCUMENT_EXPIRED: 20,
    Code.DOCUMENT_MRZ_INVALID: 30,
    Code.DOCUMENT_MISSING: 15,
    Code.SCREENING_UNAVAILABLE: 60,
}
PROHIBITING = frozenset({Code.SANCTIONS_CONFIRMED, Code.OFAC_50_PERCENT})


def _hit_reasons(hits: Sequence[HitSummary]) -> list[Reason]:
    reasons = []
    for hit in hits:
        if hit.status == "cleared":
            continue
        percent = f"{hit.score:.0%}"
        if hit.kind == "sanction":
            if hit.status == "confirmed":
                code, text = Code.SANCTIONS_CONFIRMED, f"{hit.party_label} is a confirmed sanctions match"
            else:
                code, text = Code.SANCTIONS_HIT, f"{hit.party_label} matches a sanctions list entry at {percent}"
        elif hit.kind == "pep":
            cls = f" ({hit.pep_class.replace('_', ' ')} PEP)" if hit.pep_class else ""
            code, text = Code.PEP, f"{hit.party_label} matches a politically exposed person{cls} at {percent}"
        elif hit.kind == "pep_rca":
            code, text = Code.PEP_RCA, f"{hit.party_label} matches a PEP's relative or close associate at {percent}"
        else:
            code, text = Code.ADVERSE_LIST_HIT, f"{hit.party_label} matches a list entry at {percent}"
        reasons.append(Reason(code.value, POINTS[code], text))
    return reasons


def _country_reasons(countries: Mapping[str, Sequence[str]], rules: RiskRules) -> list[Reason]:
    reasons = []
    for label, codes in sorted(countries.items()):
        for country in sorted({c.upper() for c in codes if c}):
            if country in rules.high_risk_countries:
                code = Code.HIGH_RISK_JURISDICTION
                text = f"{label} is connected to {country}, a high-risk jurisdiction (call for action)"
            elif country in rules.monitored_countries:
                code = Code.INCREASED_MONITORING_JURISDICTION
                text = f"{label} is connected to {country}, a jurisdiction under increased monitoring"
            else:
                continue
            reasons.append(Reason(code.value, POINTS[code], text))
    return reasons


def _ownership_reasons(data: RiskInput, rules: RiskRules) -> list[Reason]:
    reasons = [Reason(Code.OFAC_50_PERCENT.value, POINTS[Code.OFAC_50_PERCENT], text) for text in data.ofac_blocked]
    if data.ownership_layers > rules.max_layers:
        reasons.append(
            Reason(
                Code.OWNERSHIP_LAYERS.value,
                POINTS[Code.OWNERSHIP_LAYERS],
                f"ownership runs through {data.ownership_layers} layers of companies (more than {rules.max_layers})",
            )
        )
    for nominee in data.nominees:
        reasons.append(
            Reason(Code.OWNERSHIP_NOMINEE.value, POINTS[Code.OWNERSHIP_NOMINEE], f"{nominee} holds shares as nominee")
        )
    for cycle in data.cycles:
        reasons.append(
            Reason(
                Code.OWNERSHIP_CIRCULAR.value,
                POINTS[Code.OWNERSHIP_CIRCULAR],
                "circular ownership between " + ", ".join(cycle),
            )
        )
    for company, share in sorted(data.unexplained.items()):
        if share >= 0.25:
            reasons.append(
                Reason(
                    Code.OWNERSHIP_UNEXPLAINED.value,
                    POINTS[Code.OWNERSHIP_UNEXPLAINED],
                    f"{share:.0%} of {company} has no declared owner",
                )
            )
    if data.beneficial_owner_count == 0:
        reasons.append(
            Reason(
                Code.NO_BENEFICIAL_OWNER.value,
                POINTS[Code.NO_BENEFICIAL_OWNER],
                "no natural person owns 25% or more: the senior managing official stands in as beneficial owner",
            )
        )
    return reasons


def _document_reasons(data: RiskInput) -> list[Reason]:
    reasons = []
    for document in data.documents:
        kind = document.document_type.replace("_", " ")
        if document.expired:
            reasons.append(
                Reason(
                    Code.DOCUMENT_EXPIRED.value,
                    POINTS[Code.DOCUMENT_EXPIRED],
                    f"{document.party_label}'s {kind} expired",
                )
            )
        if document.mrz_invalid:
            reasons.append(
                Reason(
                    Code.DOCUMENT_MRZ_INVALID.value,
                    POINTS[Code.DOCUMENT_MRZ_INVALID],
                    f"{document.party_label}'s {kind} has a machine-readable zone that fails its check digits",
                )
            )
    if not data.has_identity_document:
        reasons.append(
            Reason(Code.DOCUMENT_MISSING.value, POINTS[Code.DOCUMENT_MISSING], "no identity document was provided")
        )
    return reasons


def rate(data: RiskInput, rules: RiskRules | None = None) -> Rating:
    """Rate a customer: sum the points of every rule that fires; prohibiting reasons set the level."""
    rules = rules or RiskRules()
    reasons: list[Reason] = []
    reasons += _hit_reasons(data.hits)
    reasons += _ownership_reasons(data, rules)
    reasons += _country_reasons(data.countries, rules)
    if data.industry and data.industry in rules.high_risk_industries:
        code = Code.HIGH_RISK_INDUSTRY
        text = f"industry {data.industry.replace('_', ' ')} is high risk"
        reasons.append(Reason(code.value, POINTS[code], text))
    reasons += _document_reasons(data)
    if data.screening_unavailable:
        code = Code.SCREENING_UNAVAILABLE
        reasons.append(
            Reason(
                code.value,
                POINTS[code],
                "screening did not complete: no watchlist was active, or a name could not be screened",
            )
        )
    score = sum(reason.points for reason in reasons)
    if any(reason.code in PROHIBITING for reason in reasons):
        level = Level.PROHIBITED
    elif score >= rules.high_from:
        level = Level.HIGH
    elif score >= rules.medium_from:
        level = Level.MEDIUM
    else:
        level = Level.LOW
    return Rating(rules=RULES_NAME, version=rules.version, score=score, level=level, reasons=tuple(reasons))
