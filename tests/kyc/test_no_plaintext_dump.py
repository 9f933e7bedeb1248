"""Customers created through the API with identifiers leave no plaintext identifier in a database dump."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.vault.test_no_plaintext import _native_dump, _sql_dump

PASSPORT = "X1234567"
IBAN = "GB82 WEST 1234 5698 7654 32"
IBAN_COMPACT = "GB82WEST12345698765432"
CARD = "4242424242424242"


@pytest.mark.django_db(transaction=True)
def test_a_dump_after_onboarding_customers_with_identifiers_holds_only_tokens_and_masks(client_api: APIClient):
    body = {
        "kind": "individual",
        "external_ref": "dump-1",
        "details": {"given_names": "Anna", "family_name": "Example", "birth_date": "1980-02-03"},
        "identifiers": [
            {"type": "passport", "value": PASSPORT, "country": "GBR"},
            {"type": "iban", "value": IBAN},
            {"type": "card", "value": CARD},
        ],
    }
    response = client_api.post("/api/v1/customers/", body, format="json")
    assert response.status_code == 201, response.content
    returned = response.content.decode()
    for plaintext in (PASSPORT, IBAN_COMPACT, CARD):
        assert plaintext not in returned

    dumps = {"sql": _sql_dump(), "native": _native_dump()}
    from kyc.models import PartyIdentifier

    stored = list(PartyIdentifier.objects.all())
    assert len(stored) == 3
    for row in stored:  # what the database does hold: the lookup token and the masked display value
        assert row.token.encode() in dumps["sql"]
        assert row.masked.encode() in dumps["sql"]
    masks = [item["masked"] for item in response.json()["subject"]["identifiers"]]
    assert all("*" in mask for mask in masks)
    for name, dump in dumps.items():
        for plaintext in (PASSPORT, IBAN, IBAN_COMPACT, CARD):
            for form in (plaintext.encode(), plaintext.encode().hex().encode()):
                assert form not in dump, f"{plaintext[:2]}... appears in the {name} dump"
