"""Automatic decisions and the four-eyes rule, free of Django.

The pipeline decides only the clear cases: approve when nothing was found and the risk is low,
reject (when the deployment enables it) a sanctions match strong enough to count as confirmed;
everything else goes to an officer. ``needs_second_approval`` says when an officer's decision is
only a proposal until a second, different officer approves it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kyc.risk import Code, HitSummary, Level, Rating

APPROVE = "approve"
REJECT = "reject"
REVIEW = "review"


@dataclass(frozen=True, slots=True)
class Policy:
    """Configurable: TILLIT_KYC_AUTO_REJECT_SANCTIONS and TILLIT_KYC_AUTO_REJECT_SCORE."""

    auto_approve_levels: frozenset[Level] = frozenset({Level.LOW})
    auto_reject_confirmed_sanctions: bool = False
    auto_reject_score: float = 0.97


@dataclass(frozen=True, slots=True)
class AutoDecision:
    outcome: str  # approve / reject / review
    reason_codes: tuple[str, ...]
    summary: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def decide(rating: Rating, hits: Sequence[HitSummary], policy: Policy | None = None) -> AutoDecision:
    """Approve, reject or route to review; the summary says why in one sentence."""
    policy = policy or Policy()
    open_hits = [hit for hit in hits if hit.status != "cleared"]
    strong = [
        hit
        for hit in open_hits
        if hit.kind == "sanction" and (hit.status == "confirmed" or hit.score >= policy.auto_reject_score)
    ]
    if policy.auto_reject_confirmed_sanctions and strong:
        labels = ", ".join(sorted({hit.party_label for hit in strong}))
        return AutoDecision(
            outcome=REJECT,
            reason_codes=(Code.SANCTIONS_CONFIRMED.value,),
            summary=f"rejected automatically: confirmed sanctions match for {labels}",
        )
    if not open_hits and rating.level in policy.auto_approve_levels:
        return AutoDecision(
            outcome=APPROVE,
            reason_codes=tuple(rating.codes),
            summary=f"approved automatically: no screening hits and {rating.level.value} risk ({rating.score})",
        )
    why = []
    if open_hits:
        why.append(f"{len(open_hits)} screening hit(s) to review")
    if rating.level not in policy.auto_approve_levels:
        why.append(f"{rating.level.value} risk ({rating.score})")
    return AutoDecision(outcome=REVIEW, reason_codes=tuple(rating.codes), summary="for review: " + "; ".join(why))


def needs_second_approval(*, outcome: str, risk_level: str, cleared_sanctions_hits: int) -> bool:
    """Approving a high-risk (or prohibited) customer, or one with a cleared sanctions hit, takes two officers."""
    if outcome != APPROVE:
        return False
    return risk_level in (Level.HIGH, Level.PROHIBITED) or cleared_sanctions_hits > 0
