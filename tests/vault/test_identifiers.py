"""Storing and looking up identifiers: validated, tokenised, encrypted, de-duplicated, audited."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditEvent
from vault.crypto import AuthenticationError, is_token, key_version_of, open_
from vault.keyring import kek_ring
from vault.models import StoredIdentifier
from vault.selectors import identifier_get, identifier_lookup
from vault.services import identifier_store
from vault.services.identifiers import context_for
from vault.validation import IdentifierValidationError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vault_keys")]

IBAN = "GB82 WEST 1234 5698 7654 32"


def test_storing_an_identifier_keeps_only_token_ciphertext_and_mask(officer: Any) -> None:
    row = identifier_store(identifier_type="iban", value=IBAN, actor=officer)
    row.refresh_from_db()
    assert is_token(row.token)
    assert row.masked == "****5432"
    assert (row.identifier_type, row.scheme) == ("iban", "GB")
    assert key_version_of(bytes(row.ciphertext)) == ("kek", 1)
    assert (row.kek_id, row.kek_version, row.token_key_version) == ("kek", 1, 1)
    assert b"GB82WEST" not in bytes(row.ciphertext)
    assert open_(kek_ring(), bytes(row.ciphertext), context_for(row.id)) == b"GB82WEST12345698765432"


def test_the_same_identifier_in_another_spelling_is_stored_once(officer: Any) -> None:
    first = identifier_store(identifier_type="iban", value=IBAN, actor=officer)
    second = identifier_store(identifier_type="iban", value="gb82west12345698765432", actor=None)
    assert first.pk == second.pk
    assert StoredIdentifier.objects.count() == 1


def test_a_lookup_finds_the_identifier_by_value_without_decrypting(officer: Any) -> None:
    row = identifier_store(identifier_type="passport", value="L898902C3", country="UTO", actor=officer)
    assert identifier_lookup(identifier_type="passport", value="l898902c3", country="UTO") == row
    assert identifier_lookup(identifier_type="passport", value="L898902C3", country="GBR") is None
    assert identifier_get(token=row.token) == row


def test_invalid_input_stores_nothing_and_names_the_failed_check(officer: Any) -> None:
    with pytest.raises(IdentifierValidationError) as caught:
        identifier_store(identifier_type="card", value="4242424242424241", actor=officer)
    assert caught.value.check == "card.luhn"
    assert "4242424242424241" not in str(caught.value)
    assert StoredIdentifier.objects.count() == 0
    assert not AuditEvent.objects.filter(action="vault.identifier.stored").exists()


def test_storing_is_audited_with_the_token_and_never_the_value(officer: Any) -> None:
    row = identifier_store(identifier_type="card", value="4242 4242 4242 4242", actor=officer)
    event = AuditEvent.objects.get(action="vault.identifier.stored")
    assert event.target_id == str(row.pk)
    assert event.payload["identifier_token"] == row.token
    assert "4242424242424242" not in str(event.payload)


def test_a_ciphertext_copied_to_another_row_does_not_decrypt(officer: Any) -> None:
    a = identifier_store(identifier_type="lei", value="5493001KJTIIGC8Y1R12", actor=officer)
    b = identifier_store(identifier_type="lei", value="213800KUD8LAJWSQ9D15", actor=officer)
    StoredIdentifier.objects.filter(pk=b.pk).update(ciphertext=a.ciphertext)
    b.refresh_from_db()
    with pytest.raises(AuthenticationError):
        open_(kek_ring(), bytes(b.ciphertext), context_for(b.id))


def test_the_key_file_is_generated_on_first_use_with_owner_only_permissions(vault_keys: Any) -> None:
    assert not vault_keys.exists()
    identifier_store(identifier_type="lei", value="5493001KJTIIGC8Y1R12", actor=None)
    assert vault_keys.exists()
    assert vault_keys.stat().st_mode & 0o077 == 0
