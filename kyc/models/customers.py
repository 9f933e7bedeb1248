"""Customers (owned by an API client), their parties, the ownership/control graph, identifiers, documents.

Identifiers (passport and national numbers, tax ids, LEIs, IBANs) never reach these tables in
plaintext: the vault validates and encrypts them, and a party keeps only the vault's lookup token
and a masked display value. Documents are metadata: the file stays with the client.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from common.models import BaseModel

ISO2 = RegexValidator(r"^[A-Z]{2}$", "Use an ISO 3166 alpha-2 country code such as GB.")


class CustomerKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    BUSINESS = "business", "Business"


class CustomerStatus(models.TextChoices):
    DRAFT = "draft", "Draft (not submitted)"
    ONBOARDING = "onboarding", "Onboarding (screening and rating)"
    IN_REVIEW = "in_review", "In review by officers"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Customer(BaseModel):
    """A person or company being onboarded by one API client (its tenant); details live on its subject party."""

    client = models.ForeignKey("accounts.ApiClient", on_delete=models.PROTECT, related_name="kyc_customers")
    kind = models.CharField(max_length=16, choices=CustomerKind.choices)
    external_ref = models.CharField(max_length=100, blank=True, help_text="The client's own reference.")
    status = models.CharField(max_length=16, choices=CustomerStatus.choices, default=CustomerStatus.DRAFT)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="kyc_customer_unique_external_ref",
            )
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        # Not through ``subject``: str() runs inside services (the field history names the object),
        # and caching the subject there would leave a stale one after the service changes it.
        subject = getattr(self, "_subject", None) or self._find_subject()
        return f"{subject.display_name if subject else self.id} ({self.get_kind_display()})"

    @property
    def subject(self) -> Party | None:
        """The party that is the customer itself (cached per instance)."""
        cached = getattr(self, "_subject", None)
        if cached is None:
            cached = self._find_subject()
            self._subject = cached
        return cached

    def _find_subject(self) -> Party | None:
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("parties")
        if prefetched is not None:  # a list view prefetched the parties: no query per customer
            return next((party for party in prefetched if party.is_subject), None)
        return self.parties.filter(is_subject=True).first()


class PartyKind(models.TextChoices):
    PERSON = "person", "Natural person"
    COMPANY = "company", "Legal entity"


class Party(BaseModel):
    """A person or company in a customer's file: the customer itself, or a related party."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="parties")
    is_subject = models.BooleanField(default=False, help_text="This party is the customer itself.")
    kind = models.CharField(max_length=16, choices=PartyKind.choices)
    # Natural persons.
    given_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    nationalities = models.JSONField(default=list, blank=True)
    residence_country = models.CharField(max_length=2, blank=True, validators=[ISO2])
    # Legal entities.
    legal_name = models.CharField(max_length=300, blank=True)
    trading_names = models.JSONField(default=list, blank=True)
    registration_number = models.CharField(
        max_length=64, blank=True, help_text="Public company register number (not a personal identifier)."
    )
    jurisdiction = models.CharField(max_length=2, blank=True, validators=[ISO2])
    incorporation_date = models.DateField(null=True, blank=True)
    industry = models.CharField(max_length=64, blank=True)
    # Both: {"lines": [...], "city", "postcode", "region", "country"}.
    address = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-is_subject", "created_at"]
        verbose_name_plural = "parties"
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=models.Q(is_subject=True), name="kyc_party_one_subject"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == PartyKind.PERSON:
            return " ".join(part for part in (self.given_names, self.family_name) if part) or str(self.id)
        return self.legal_name or str(self.id)

    @property
    def countries(self) -> list[str]:
        """Every country the party is connected to (nationality, residence, jurisdiction, address)."""
        found = [*self.nationalities, self.residence_country, self.jurisdiction, (self.address or {}).get("country")]
        return sorted({c for c in found if isinstance(c, str) and c})

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == PartyKind.PERSON:
            if not self.family_name.strip() and not self.given_names.strip():
                errors["family_name"] = "A person needs a name."
            if self.legal_name or self.registration_number or self.incorporation_date:
                errors["legal_name"] = "Company fields do not apply to a person."
        elif self.kind == PartyKind.COMPANY:
            if not self.legal_name.strip():
                errors["legal_name"] = "A company needs its legal name."
            if self.given_names or self.family_name or self.birth_date:
                errors["family_name"] = "Person fields do not apply to a company."
        for country in self.nationalities or []:
            if not isinstance(country, str) or len(country) != 2 or not country.isupper():
                errors["nationalities"] = "Use ISO 3166 alpha-2 country codes such as GB."
        if errors:
            raise ValidationError(errors)


class RelationshipRole(models.TextChoices):
    SHAREHOLDER = "shareholder", "Shareholder"
    BENEFICIAL_OWNER = "beneficial_owner", "Beneficial owner (declared)"
    DIRECTOR = "director", "Director"
    SIGNATORY = "signatory", "Authorised signatory"


OWNERSHIP_ROLES = (RelationshipRole.SHAREHOLDER, RelationshipRole.BENEFICIAL_OWNER)
OWNERSHIP_ROLE_VALUES = tuple(role.value for role in OWNERSHIP_ROLES)


class Relationship(BaseModel):
    """``party`` is a shareholder / beneficial owner / director / signatory of the company ``of_party``."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="relationships")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="relationships_held")
    of_party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="relationships_received")
    role = models.CharField(max_length=24, choices=RelationshipRole.choices)
    ownership_percentage = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    is_nominee = models.BooleanField(default=False, help_text="Holds the shares on behalf of someone else.")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["party", "of_party", "role"], name="kyc_relationship_unique"),
            models.CheckConstraint(condition=~models.Q(party=models.F("of_party")), name="kyc_relationship_not_self"),
        ]

    def __str__(self) -> str:
        share = f" {self.ownership_percentage}%" if self.ownership_percentage is not None else ""
        return f"{self.party} is {self.get_role_display().lower()}{share} of {self.of_party}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.party_id and self.of_party_id and self.party_id == self.of_party_id:
            errors["party"] = "A party cannot be related to itself."
        if self.of_party_id and self.of_party.kind != PartyKind.COMPANY:
            errors["of_party"] = "Ownership and control relate to a company."
        if self.role in OWNERSHIP_ROLES and self.ownership_percentage is None:
            errors["ownership_percentage"] = "An owner needs an ownership percentage."
        if self.role == RelationshipRole.BENEFICIAL_OWNER and self.party_id and self.party.kind != PartyKind.PERSON:
            errors["party"] = "A beneficial owner is a natural person."
        if self.role in (RelationshipRole.DIRECTOR, RelationshipRole.SIGNATORY) and self.ownership_percentage:
            errors["ownership_percentage"] = "Directors and signatories hold no percentage in this role."
        for field in ("party", "of_party"):
            related = getattr(self, f"{field}_id") and getattr(self, field)
            if related and related.customer_id != self.customer_id:
                errors[field] = "The party belongs to another customer."
        if errors:
            raise ValidationError(errors)


class PartyIdentifier(BaseModel):
    """An identifier of a party, held by the vault: only its lookup token and masked form are here."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="identifiers")
    identifier_type = models.CharField(max_length=32)
    token = models.CharField(max_length=80, help_text="The vault's lookup token (never the identifier).")
    masked = models.CharField(max_length=16)
    scheme = models.CharField(max_length=40, blank=True, help_text="Issuing state or identifier scheme.")

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["party", "token"], name="kyc_partyidentifier_unique")]

    def __str__(self) -> str:
        return f"{self.identifier_type} {self.masked}"


class DocumentType(models.TextChoices):
    PASSPORT = "passport", "Passport"
    ID_CARD = "id_card", "Identity card"
    DRIVING_LICENCE = "driving_licence", "Driving licence"
    RESIDENCE_PERMIT = "residence_permit", "Residence permit"
    PROOF_OF_ADDRESS = "proof_of_address", "Proof of address"
    CERTIFICATE_OF_INCORPORATION = "certificate_of_incorporation", "Certificate of incorporation"
    REGISTRY_EXTRACT = "registry_extract", "Company registry extract"
    SHAREHOLDER_REGISTER = "shareholder_register", "Shareholder register"
    OTHER = "other", "Other"


IDENTITY_DOCUMENTS = (
    DocumentType.PASSPORT,
    DocumentType.ID_CARD,
    DocumentType.DRIVING_LICENCE,
    DocumentType.RESIDENCE_PERMIT,
)
IDENTITY_DOCUMENTS_VALUES = tuple(kind.value for kind in IDENTITY_DOCUMENTS)


class MrzStatus(models.TextChoices):
    NOT_PROVIDED = "not_provided", "No MRZ provided"
    VALID = "valid", "Check digits valid"
    INVALID = "invalid", "Check digits fail"


class Document(BaseModel):
    """Metadata of a document the client holds: type, tokenised number, validity, MRZ check, file digest."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="documents")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(max_length=32, choices=DocumentType.choices)
    number_token = models.CharField(max_length=80, blank=True, help_text="Vault token of the document number.")
    number_masked = models.CharField(max_length=16, blank=True)
    issuing_country = models.CharField(max_length=3, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    mrz_status = models.CharField(max_length=16, choices=MrzStatus.choices, default=MrzStatus.NOT_PROVIDED)
    mrz_failed_check = models.CharField(max_length=64, blank=True, help_text="Name of the failed MRZ check.")
    file_sha256 = models.CharField(
        max_length=64, blank=True, validators=[RegexValidator(r"^[0-9a-f]{64}$", "A lower-case hex SHA-256.")]
    )
    file_reference = models.CharField(max_length=300, blank=True, help_text="Where the client keeps the file.")
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} {self.number_masked}".strip()

    def clean(self) -> None:
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            raise ValidationError({"expires_on": "A document cannot expire before it was issued."})
        if self.party_id and self.party.customer_id != self.customer_id:
            raise ValidationError({"party": "The party belongs to another customer."})
