"""Writes for customers, parties, relationships, identifiers and documents (each audited)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record
from kyc import audit_actions, integrations
from kyc.models import (
    Customer,
    CustomerKind,
    CustomerStatus,
    Document,
    DocumentType,
    MrzStatus,
    Party,
    PartyIdentifier,
    PartyKind,
    Relationship,
)

PARTY_FIELDS = (
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
)


class CustomerLocked(ValueError):
    """The customer has a case in progress; its details cannot change until the case is decided."""


@dataclass(frozen=True)
class IdentifierInput:
    """An identifier as submitted; ``value`` is plaintext and goes straight to the vault."""

    identifier_type: str
    value: str
    country: str | None = None
    scheme: str | None = None

    def __repr__(self) -> str:
        return f"IdentifierInput(type={self.identifier_type!r}, value=<redacted>)"


def _ensure_editable(customer: Customer) -> None:
    if customer.status in (CustomerStatus.ONBOARDING, CustomerStatus.IN_REVIEW):
        raise CustomerLocked("The customer has a case in progress; wait for its decision before changing it.")


def _attach_identifiers(
    party: Party, identifiers: Sequence[IdentifierInput], *, actor: Any, field_prefix: str = "identifiers"
) -> list[PartyIdentifier]:
    rows = []
    for position, item in enumerate(identifiers):
        try:
            tokenised = integrations.identifier_tokenise(
                identifier_type=item.identifier_type,
                value=item.value,
                actor=actor,
                country=item.country,
                scheme=item.scheme,
            )
        except integrations.IdentifierInvalid as exc:
            raise ValidationError({f"{field_prefix}[{position}].{exc.field}": f"{exc.message} ({exc.check})"}) from None
        row, created = PartyIdentifier.objects.get_or_create(
            party=party,
            token=tokenised.token,
            defaults={
                "identifier_type": tokenised.identifier_type,
                "masked": tokenised.masked,
                "scheme": tokenised.scheme,
            },
        )
        if created:
            audit_record(
                action=audit_actions.IDENTIFIER_ADDED,
                actor=actor,
                target=party,
                payload={
                    "identifier_token": row.token,
                    "identifier_type": row.identifier_type,
                    "identifier_masked": row.masked,
                },
            )
        rows.append(row)
    return rows


def _new_party(*, customer: Customer, kind: str, details: Mapping[str, Any], is_subject: bool) -> Party:
    unknown = set(details) - set(PARTY_FIELDS)
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    party = Party(customer=customer, kind=kind, is_subject=is_subject, **details)
    party.full_clean(exclude=["customer"])
    party.save()
    return party


@transaction.atomic
def customer_create(
    *,
    client: Any,
    kind: str,
    details: Mapping[str, Any],
    identifiers: Sequence[IdentifierInput] = (),
    external_ref: str = "",
    actor: Any,
) -> Customer:
    """Create a customer for an API client, with its subject party and tokenised identifiers."""
    if kind not in CustomerKind.values:
        raise ValidationError({"kind": f"Use one of {', '.join(CustomerKind.values)}."})
    if external_ref and Customer.objects.filter(client=client, external_ref=external_ref).exists():
        raise ValidationError({"external_ref": "A customer with this reference already exists."})
    customer = Customer(client=client, kind=kind, external_ref=external_ref)
    customer.full_clean()
    customer.save()
    party_kind = PartyKind.PERSON if kind == CustomerKind.INDIVIDUAL else PartyKind.COMPANY
    subject = _new_party(customer=customer, kind=party_kind, details=details, is_subject=True)
    audit_record(
        action=audit_actions.CUSTOMER_CREATED,
        actor=actor,
        target=customer,
        payload={"customer_kind": kind, "client_id": client.pk, "identifier_count": len(identifiers)},
    )
    _attach_identifiers(subject, identifiers, actor=actor)
    return customer


def _apply_details(party: Party, details: Mapping[str, Any]) -> list[str]:
    unknown = set(details) - set(PARTY_FIELDS)
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    changed = []
    for name, value in details.items():
        if getattr(party, name) != value:
            setattr(party, name, value)
            changed.append(name)
    party.full_clean(exclude=["customer"])
    party.save()
    return sorted(changed)


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    details: Mapping[str, Any],
    identifiers: Sequence[IdentifierInput] = (),
    external_ref: str | None = None,
    actor: Any,
) -> Customer:
    """Change a customer's details (not while a case is in progress); the audit names the fields."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _ensure_editable(customer)
    changed = []
    if external_ref is not None and external_ref != customer.external_ref:
        if external_ref and Customer.objects.filter(client=customer.client, external_ref=external_ref).exists():
            raise ValidationError({"external_ref": "A customer with this reference already exists."})
        customer.external_ref = external_ref
        customer.full_clean()
        customer.save(update_fields=["external_ref", "updated_at"])
        changed.append("external_ref")
    subject = customer.parties.get(is_subject=True)
    changed += _apply_details(subject, details)
    _attach_identifiers(subject, identifiers, actor=actor)
    audit_record(
        action=audit_actions.CUSTOMER_UPDATED,
        actor=actor,
        target=customer,
        payload={"fields_changed": changed, "identifier_count": len(identifiers)},
    )
    return customer


@dataclass(frozen=True)
class RelationshipInput:
    of_party: Party | None  # None: the customer's subject
    role: str
    ownership_percentage: Decimal | None = None
    is_nominee: bool = False


@transaction.atomic
def party_add(
    *,
    customer: Customer,
    kind: str,
    details: Mapping[str, Any],
    identifiers: Sequence[IdentifierInput] = (),
    relationships: Sequence[RelationshipInput] = (),
    actor: Any,
) -> Party:
    """Add a related party (person or company), its identifiers and its relationships."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _ensure_editable(customer)
    if kind not in PartyKind.values:
        raise ValidationError({"kind": f"Use one of {', '.join(PartyKind.values)}."})
    party = _new_party(customer=customer, kind=kind, details=details, is_subject=False)
    audit_record(
        action=audit_actions.PARTY_ADDED,
        actor=actor,
        target=party,
        payload={"customer_id": customer.pk, "party_kind": kind, "relationship_count": len(relationships)},
    )
    _attach_identifiers(party, identifiers, actor=actor)
    for position, item in enumerate(relationships):
        try:
            _relationship_create(customer=customer, party=party, spec=item, actor=actor)
        except ValidationError as exc:
            raise ValidationError({f"relationships[{position}]": exc.messages}) from None
    return party


@transaction.atomic
def party_update(
    *, party: Party, details: Mapping[str, Any], identifiers: Sequence[IdentifierInput] = (), actor: Any
) -> Party:
    """Change a related party's details; the audit names the fields, never their values."""
    customer = Customer.objects.select_for_update().get(pk=party.customer_id)
    _ensure_editable(customer)
    party = Party.objects.get(pk=party.pk)
    changed = _apply_details(party, details)
    _attach_identifiers(party, identifiers, actor=actor)
    audit_record(
        action=audit_actions.PARTY_UPDATED,
        actor=actor,
        target=party,
        payload={"fields_changed": changed, "identifier_count": len(identifiers)},
    )
    return party


def _relationship_create(*, customer: Customer, party: Party, spec: RelationshipInput, actor: Any) -> Relationship:
    of_party = spec.of_party or customer.parties.get(is_subject=True)
    if Relationship.objects.filter(party=party, of_party=of_party, role=spec.role).exists():
        raise ValidationError({"role": "This relationship is already declared."})
    relationship = Relationship(
        customer=customer,
        party=party,
        of_party=of_party,
        role=spec.role,
        ownership_percentage=spec.ownership_percentage,
        is_nominee=spec.is_nominee,
    )
    relationship.full_clean()
    if spec.ownership_percentage is not None:
        held = sum(
            (
                r.ownership_percentage or Decimal(0)
                for r in Relationship.objects.filter(of_party=of_party, role=spec.role)
            ),
            Decimal(0),
        )
        if held + spec.ownership_percentage > 100:
            raise ValidationError(
                {"ownership_percentage": f"Declared {spec.role} stakes in this company would exceed 100%."}
            )
    relationship.save()
    audit_record(
        action=audit_actions.RELATIONSHIP_ADDED,
        actor=actor,
        target=relationship,
        payload={
            "customer_id": customer.pk,
            "party_id": party.pk,
            "of_party_id": of_party.pk,
            "role": spec.role,
            "ownership_percentage": spec.ownership_percentage,
            "is_nominee": spec.is_nominee,
        },
    )
    return relationship


@transaction.atomic
def relationship_add(*, customer: Customer, party: Party, spec: RelationshipInput, actor: Any) -> Relationship:
    """Declare one more ownership or control relationship between two parties of a customer."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _ensure_editable(customer)
    return _relationship_create(customer=customer, party=party, spec=spec, actor=actor)


@transaction.atomic
def relationship_remove(*, relationship: Relationship, actor: Any) -> None:
    """Withdraw a declared relationship."""
    customer = Customer.objects.select_for_update().get(pk=relationship.customer_id)
    _ensure_editable(customer)
    audit_record(
        action=audit_actions.RELATIONSHIP_REMOVED,
        actor=actor,
        target=relationship,
        payload={"customer_id": customer.pk, "role": relationship.role},
    )
    relationship.delete()


@transaction.atomic
def identifiers_add(*, party: Party, identifiers: Sequence[IdentifierInput], actor: Any) -> list[PartyIdentifier]:
    """Tokenise identifiers through the vault and attach them to a party."""
    customer = Customer.objects.select_for_update().get(pk=party.customer_id)
    _ensure_editable(customer)
    return _attach_identifiers(party, identifiers, actor=actor)


@transaction.atomic
def document_add(
    *,
    customer: Customer,
    party: Party,
    document_type: str,
    actor: Any,
    number: IdentifierInput | None = None,
    mrz: Sequence[str] | None = None,
    issuing_country: str = "",
    issued_on: date | None = None,
    expires_on: date | None = None,
    file_sha256: str = "",
    file_reference: str = "",
    content_type: str = "",
    size_bytes: int | None = None,
) -> Document:
    """Record a document's metadata: the number and MRZ go through the vault, only the outcome stays here."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _ensure_editable(customer)
    if document_type not in DocumentType.values:
        raise ValidationError({"document_type": "Unknown document type."})
    document = Document(
        customer=customer,
        party=party,
        document_type=document_type,
        issuing_country=issuing_country.upper(),
        issued_on=issued_on,
        expires_on=expires_on,
        file_sha256=file_sha256,
        file_reference=file_reference,
        content_type=content_type,
        size_bytes=size_bytes,
    )
    if number is not None:
        try:
            tokenised = integrations.identifier_tokenise(
                identifier_type=number.identifier_type,
                value=number.value,
                actor=actor,
                country=number.country,
                scheme=number.scheme,
            )
        except integrations.IdentifierInvalid as exc:
            raise ValidationError({f"number.{exc.field}": f"{exc.message} ({exc.check})"}) from None
        document.number_token, document.number_masked = tokenised.token, tokenised.masked
    if mrz:
        result = integrations.mrz_check(lines=list(mrz), actor=actor)
        document.mrz_status = MrzStatus.VALID if result.valid else MrzStatus.INVALID
        document.mrz_failed_check = result.failed_check
        if result.document_number is not None and not document.number_token:
            document.number_token = result.document_number.token
            document.number_masked = result.document_number.masked
    document.full_clean()
    document.save()
    audit_record(
        action=audit_actions.DOCUMENT_ADDED,
        actor=actor,
        target=document,
        payload={
            "customer_id": customer.pk,
            "party_id": party.pk,
            "document_type": document_type,
            "number_token": document.number_token,
            "mrz_status": document.mrz_status,
        },
    )
    return document
