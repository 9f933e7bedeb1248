"""Input and output serializers of the kyc API (separate, so output never echoes an identifier)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kyc import integrations
from kyc.models import (
    Case,
    Customer,
    CustomerKind,
    Decision,
    Document,
    DocumentType,
    HitKind,
    Party,
    PartyIdentifier,
    PartyKind,
    Relationship,
    RelationshipRole,
    RiskRating,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from kyc.risk import HIGH_RISK_INDUSTRIES

IDENTIFIER_TYPES = ("passport", "id_card", "national_id", "tax_id", "lei", "iban", "card")


def _clean_name(value: str) -> str:
    """A name the screening engine can screen (it refuses control characters, emoji, look-alike scripts)."""
    value = value.strip()
    if value:
        problem = integrations.name_problem(value)
        if problem:
            raise serializers.ValidationError(f"This name cannot be screened: {problem}.")
    return value


class NameField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        return _clean_name(super().to_internal_value(data))


class CountryField(serializers.RegexField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        super().__init__(
            r"^[A-Z]{2}$", error_messages={"invalid": "Use an ISO 3166 alpha-2 code such as GB."}, **kwargs
        )


# --- Input -----------------------------------------------------------------------------------------


class AddressInput(serializers.Serializer):
    lines = serializers.ListField(child=serializers.CharField(max_length=200), max_length=4, required=False)
    city = serializers.CharField(max_length=120, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=20, required=False, allow_blank=True)
    region = serializers.CharField(max_length=120, required=False, allow_blank=True)
    country = CountryField(required=False)


class PartyDetailsInput(serializers.Serializer):
    """Person fields (given/family names, birth date, nationalities, residence) or company fields."""

    given_names = NameField(max_length=200, required=False, allow_blank=True)
    family_name = NameField(max_length=200, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    nationalities = serializers.ListField(child=CountryField(), max_length=10, required=False)
    residence_country = CountryField(required=False, allow_blank=True)
    legal_name = NameField(max_length=300, required=False, allow_blank=True)
    trading_names = serializers.ListField(child=NameField(max_length=300), max_length=10, required=False)
    registration_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    jurisdiction = CountryField(required=False, allow_blank=True)
    incorporation_date = serializers.DateField(required=False, allow_null=True)
    industry = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="Industry code; high-risk codes: " + ", ".join(sorted(HIGH_RISK_INDUSTRIES)),
    )
    address = AddressInput(required=False)


class IdentifierInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=IDENTIFIER_TYPES)
    value = serializers.CharField(max_length=200, write_only=True, trim_whitespace=True)
    country = serializers.CharField(
        max_length=3, required=False, help_text="Issuing state (ICAO code) of a passport or identity card."
    )
    scheme = serializers.CharField(
        max_length=40, required=False, help_text="python-stdnum scheme of a national or tax id, e.g. nl.bsn."
    )


class CustomerCreateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CustomerKind.choices)
    external_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    details = PartyDetailsInput()
    identifiers = IdentifierInputSerializer(many=True, required=False, default=list)


class CustomerUpdateInput(serializers.Serializer):
    external_ref = serializers.CharField(max_length=100, required=False, allow_blank=True)
    details = PartyDetailsInput(required=False)
    identifiers = IdentifierInputSerializer(many=True, required=False, default=list)


class RelationshipSpecInput(serializers.Serializer):
    of_party = serializers.UUIDField(
        required=False, allow_null=True, help_text="The company this relates to; omit for the customer itself."
    )
    role = serializers.ChoiceField(choices=RelationshipRole.choices)
    ownership_percentage = serializers.DecimalField(
        max_digits=7, decimal_places=4, min_value=0, max_value=100, required=False, allow_null=True
    )
    is_nominee = serializers.BooleanField(required=False, default=False)


class PartyCreateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PartyKind.choices)
    details = PartyDetailsInput()
    identifiers = IdentifierInputSerializer(many=True, required=False, default=list)
    relationships = RelationshipSpecInput(many=True, required=False, default=list)


class PartyUpdateInput(serializers.Serializer):
    details = PartyDetailsInput(required=False)
    identifiers = IdentifierInputSerializer(many=True, required=False, default=list)


class RelationshipCreateInput(RelationshipSpecInput):
    party = serializers.UUIDField(help_text="The shareholder, owner, director or signatory.")


class IdentifiersAddInput(serializers.Serializer):
    identifiers = IdentifierInputSerializer(many=True, allow_empty=False)


class DocumentCreateInput(serializers.Serializer):
    party = serializers.UUIDField(required=False, allow_null=True, help_text="Omit for the customer itself.")
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    number = IdentifierInputSerializer(required=False, help_text="The document number (tokenised by the vault).")
    mrz = serializers.ListField(
        child=serializers.CharField(max_length=44, trim_whitespace=True),
        min_length=2,
        max_length=3,
        required=False,
        write_only=True,
        help_text="The machine-readable zone lines; only the check result and the tokenised number are kept.",
    )
    issuing_country = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    issued_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)
    file_sha256 = serializers.RegexField(r"^[0-9a-f]{64}$", required=False, allow_blank=True, default="")
    file_reference = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    content_type = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    size_bytes = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class WebhookEndpointInput(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), required=False)


# --- Output ----------------------------------------------------------------------------------------


class IdentifierOutput(serializers.ModelSerializer):
    class Meta:
        model = PartyIdentifier
        fields = ["id", "identifier_type", "masked", "scheme", "created_at"]


class PartyOutput(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    identifiers = IdentifierOutput(many=True, read_only=True)

    class Meta:
        model = Party
        fields = [
            "id",
            "kind",
            "is_subject",
            "display_name",
            "given_names",
            "family_name",
            "birth_date",
            "nationalities",
            "residence_country",
            "legal_name",
            "trading_names",
            "registration_number",
            "jurisdiction",
            "incorporation_date",
            "industry",
            "address",
            "identifiers",
            "created_at",
            "updated_at",
        ]


class RelationshipOutput(serializers.ModelSerializer):
    class Meta:
        model = Relationship
        fields = ["id", "party", "of_party", "role", "ownership_percentage", "is_nominee", "created_at"]


class CustomerOutput(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = ["id", "kind", "external_ref", "status", "subject", "created_at", "updated_at"]

    @extend_schema_field(PartyOutput(allow_null=True))
    def get_subject(self, customer: Customer) -> dict[str, Any] | None:
        subject = customer.subject
        return PartyOutput(subject).data if subject else None


class DocumentOutput(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = [
            "id",
            "party",
            "document_type",
            "number_masked",
            "issuing_country",
            "issued_on",
            "expires_on",
            "mrz_status",
            "mrz_failed_check",
            "file_sha256",
            "file_reference",
            "content_type",
            "size_bytes",
            "created_at",
        ]


class ReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    points = serializers.IntegerField()
    detail = serializers.CharField()


class RiskRatingOutput(serializers.ModelSerializer):
    reasons = ReasonOutput(many=True)

    class Meta:
        model = RiskRating
        fields = ["rules", "rules_version", "score", "level", "reasons", "created_at"]


class DecisionOutput(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["outcome", "status", "reason_codes", "automated", "requires_second_approval", "created_at"]


class HitSummaryOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=HitKind.choices)
    open = serializers.IntegerField()
    total = serializers.IntegerField()


class CaseOutput(serializers.ModelSerializer):
    risk = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    hits = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "customer",
            "status",
            "summary",
            "validation_problems",
            "risk",
            "decision",
            "hits",
            "created_at",
            "updated_at",
            "closed_at",
        ]

    @extend_schema_field(RiskRatingOutput(allow_null=True))
    def get_risk(self, case: Case) -> dict[str, Any] | None:
        rating = case.latest_rating
        return RiskRatingOutput(rating).data if rating else None

    @extend_schema_field(DecisionOutput(allow_null=True))
    def get_decision(self, case: Case) -> dict[str, Any] | None:
        from kyc.selectors import case_final_decision

        decision = case_final_decision(case)
        return DecisionOutput(decision).data if decision else None

    @extend_schema_field(HitSummaryOutput(many=True))
    def get_hits(self, case: Case) -> list[dict[str, Any]]:
        rows = []
        for kind in HitKind.values:
            hits = [hit for hit in case.hits.all() if hit.kind == kind]
            if hits:
                rows.append({"kind": kind, "open": sum(hit.is_open for hit in hits), "total": len(hits)})
        return rows


class WebhookEndpointOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "secret_hint", "is_active", "created_at"]


class WebhookEndpointCreatedOutput(WebhookEndpointOutput):
    secret = serializers.CharField(help_text="The signing secret, shown only in this response.")

    class Meta(WebhookEndpointOutput.Meta):
        fields = [*WebhookEndpointOutput.Meta.fields, "secret"]


class WebhookDeliveryOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]
