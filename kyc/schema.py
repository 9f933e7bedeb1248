"""OpenAPI enum names for kyc's choice sets (several share a field name such as ``kind`` or ``role``).

Merged into ``SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]`` at start-up (``KycConfig.ready``), so
that the schema validates with ``--fail-on-warn``; keys already set in settings win.
"""

from __future__ import annotations

ENUM_NAME_OVERRIDES = {
    "CustomerKindEnum": "kyc.models.CustomerKind",
    "CustomerStatusEnum": "kyc.models.CustomerStatus",
    "PartyKindEnum": "kyc.models.PartyKind",
    "RelationshipRoleEnum": "kyc.models.RelationshipRole",
    "HitKindEnum": "kyc.models.HitKind",
    "CaseStatusEnum": "kyc.models.CaseStatus",
    "WebhookEventEnum": "kyc.models.WebhookEvent",
    "DeliveryStatusEnum": "kyc.models.DeliveryStatus",
    "DocumentTypeEnum": "kyc.models.DocumentType",
    "DecisionOutcomeEnum": "kyc.models.DecisionOutcome",
    "DecisionStatusEnum": "kyc.models.DecisionStatus",
}


def register_enum_names() -> None:
    from django.conf import settings

    spectacular = getattr(settings, "SPECTACULAR_SETTINGS", None)
    if isinstance(spectacular, dict):
        overrides = spectacular.setdefault("ENUM_NAME_OVERRIDES", {})
        for name, path in ENUM_NAME_OVERRIDES.items():
            overrides.setdefault(name, path)
