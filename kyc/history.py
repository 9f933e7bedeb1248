"""Which KYC tables keep a field-level history (django-auditlog), and which of their fields it hides.

Masked fields are recorded as changed without their values: names, birth dates, addresses,
vault tokens, and text that may quote a party's name (rating reasons, decision summaries,
officers' rationales). Excluded fields are not recorded at all: the webhook signing secret and
its first characters, and the engine's explanation (it describes the screened name; it is
immutable and kept on the hit itself). ``updated_at`` is excluded everywhere: the entry has
its own timestamp. Webhook deliveries and attempts and idempotency records are not registered:
they are machine results, already in the hash-chained audit log.
"""

from __future__ import annotations

from audit.history import register_history

NOT_TRACKED = ["updated_at"]


def register() -> None:
    """Register the KYC models whose changes compliance reviews field by field."""
    from kyc.models import (
        Case,
        Customer,
        Decision,
        Document,
        Party,
        PartyIdentifier,
        Relationship,
        RiskRating,
        ScreeningHit,
        WebhookEndpoint,
    )

    register_history(Customer, masked_fields=["external_ref"], exclude_fields=NOT_TRACKED)
    register_history(
        Party,
        masked_fields=[
            "given_names",
            "family_name",
            "birth_date",
            "legal_name",
            "trading_names",
            "registration_number",
            "address",
        ],
        exclude_fields=NOT_TRACKED,
    )
    register_history(Relationship, exclude_fields=NOT_TRACKED)
    register_history(PartyIdentifier, masked_fields=["token"], exclude_fields=NOT_TRACKED)
    register_history(Document, masked_fields=["number_token", "file_reference"], exclude_fields=NOT_TRACKED)
    register_history(Case, masked_fields=["summary"], exclude_fields=NOT_TRACKED)
    register_history(Decision, masked_fields=["rationale", "second_rationale"], exclude_fields=NOT_TRACKED)
    register_history(RiskRating, masked_fields=["reasons", "ownership"], exclude_fields=NOT_TRACKED)
    register_history(
        ScreeningHit,
        masked_fields=["listed_name", "rationale", "second_rationale"],
        exclude_fields=[*NOT_TRACKED, "explanation"],
    )
    register_history(
        WebhookEndpoint, masked_fields=["url"], exclude_fields=[*NOT_TRACKED, "secret_sealed", "secret_hint"]
    )
