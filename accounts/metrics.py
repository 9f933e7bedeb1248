"""MFA metrics for Prometheus: second-factor failures by reason and lockouts.

Counted when the transaction that records them commits (the audit trail holds each event with
its person; the metrics hold only counts).
"""

from __future__ import annotations

from django.db import transaction
from prometheus_client import Counter

MFA_FAILURES = Counter(
    "tillit_mfa_failures_total",
    "Second-factor codes refused (wrong, replayed, throttled, locked, not enrolled).",
    ["purpose", "reason"],
)
MFA_LOCKOUTS = Counter("tillit_mfa_lockouts_total", "Authenticators locked after too many failures.")


def mfa_failure_observed(*, purpose: str, reason: str) -> None:
    transaction.on_commit(lambda: MFA_FAILURES.labels(purpose, reason).inc())


def mfa_lockout_observed() -> None:
    transaction.on_commit(MFA_LOCKOUTS.inc)
