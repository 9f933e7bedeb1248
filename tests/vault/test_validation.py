"""Identifier validation against ../shared/vectors/identifiers and the named checks that fail."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from tests.shared import shared_path
from vault.validation import (
    IdentifierType,
    IdentifierValidationError,
    check_digit,
    identifier_from_mrz,
    parse_mrz,
    validate_identifier,
)


@cache
def _vectors() -> dict[str, Any]:
    return json.loads(shared_path("vectors", "identifiers", "identifier_check_digits.json").read_text())


def _cases(*path: str) -> list[Any]:
    try:
        node: Any = _vectors()
    except pytest.skip.Exception:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared is absent"))]
    for key in path:
        node = node[key]
    return [pytest.param(case, id=str(i)) for i, case in enumerate(node)]


BRANDS = {
    "Visa": "visa",
    "Mastercard": "mastercard",
    "American Express": "amex",
    "Discover": "discover",
    "Diners Club": "diners",
    "JCB": "jcb",
    "UnionPay": "unionpay",
}


@pytest.mark.parametrize("case", _cases("luhn", "valid"))
def test_published_luhn_numbers_pass_and_cards_get_their_scheme(case: dict[str, Any]) -> None:
    assert luhn.is_valid(case["value"])
    if case["kind"].startswith("card PAN"):
        identifier = validate_identifier("card", case["value"])
        assert identifier.value == case["value"]
        brand = next(scheme for label, scheme in BRANDS.items() if case["brand"].startswith(label))
        assert identifier.scheme == brand


@pytest.mark.parametrize("case", _cases("luhn", "invalid"))
def test_numbers_failing_luhn_are_refused_naming_the_luhn_check(case: dict[str, Any]) -> None:
    assert not luhn.is_valid(case["value"])
    with pytest.raises(IdentifierValidationError) as caught:
        validate_identifier("card", case["value"])
    # Short generic digit strings fail on scheme or length before Luhn is reached.
    assert caught.value.check in {"card.luhn", "card.scheme", "card.length"}
    if len(case["value"]) in (15, 16):
        assert caught.value.check == "card.luhn"
    assert case["value"] not in str(caught.value)


@pytest.mark.parametrize(
    ("value", "check"),
    [
        ("4242 4242 4242 424X", "card.characters"),
        ("9242424242424242", "card.scheme"),
        ("42424242424242", "card.length"),
        ("37828224631000", "card.length"),
    ],
)
def test_card_numbers_name_the_check_they_fail(value: str, check: str) -> None:
    with pytest.raises(IdentifierValidationError) as caught:
        validate_identifier("card", value)
    assert caught.value.check == check


def test_card_numbers_are_normalised_to_digits() -> None:
    assert validate_identifier("card", "4242-4242 4242 4242").value == "4242424242424242"


@pytest.mark.parametrize("case", _cases("iban", "valid"))
def test_registry_sample_ibans_pass_and_are_compacted(case: dict[str, Any]) -> None:
    identifier = validate_identifier(IdentifierType.IBAN, case["value"])
    assert identifier.value == "".join(ch for ch in case["value"].upper() if ch.isalnum())
    assert identifier.scheme == identifier.value[:2]


IBAN_CHECKS = {
    "broken checksum or mangled digits": {"iban.checksum"},
    "wrong length for country (checksum itself valid)": {"iban.length"},
    "letters/digits in wrong BBAN positions or unknown country code": {"iban.bban_format", "iban.country"},
    "passes generic IBAN mod-97 but fails Spanish national (CCC) check digits": {"iban.national_check"},
}


@pytest.mark.parametrize("case", _cases("iban", "invalid"))
def test_invalid_ibans_name_the_check_they_fail(case: dict[str, Any]) -> None:
    with pytest.raises(IdentifierValidationError) as caught:
        validate_identifier("iban", case["value"])
    assert caught.value.check in IBAN_CHECKS[case["reason"]]
    assert case["value"].replace(" ", "") not in str(caught.value)


def test_an_unknown_iban_country_is_named() -> None:
    with pytest.raises(IdentifierValidationError) as caught:
        validate_identifier("iban", "QQ93 1234 5678")
    assert caught.value.check == "iban.country"


@pytest.mark.parametrize("case", _cases("lei", "valid"))
def test_published_leis_pass(case: dict[str, Any]) -> None:
    assert validate_identifier("lei", case["value"]).value == case["value"]


@pytest.mark.parametrize("case", _cases("lei", "invalid"))
def test_an_altered_lei_fails_its_checksum(case: dict[str, Any]) -> None:
    with pytest.raises(IdentifierValidationError) as caught:
        validate_identifier("lei", case["value"])
    assert caught.value.check == "lei.checksum"


def test_an_lei_of_the_wrong_shape_fails_its_format() -> None:
    with pytest.raises(IdentifierValidationError) as caught:
        validate_identifier("lei", "5493001KJTIIGC8Y1R1")
    assert caught.value.check == "lei.format"


@pytest.mark.parametrize("case", _cases("mrz", "field_check_digits"))
def test_mrz_check_digits_match_the_published_ones(case: dict[str, Any]) -> None:
    assert check_digit(case["input"]) == case["check_digit"]


@pytest.mark.parametrize("case", _cases("mrz", "documents"))
def test_specimen_mrzs_pass_and_yield_their_fields(case: dict[str, Any]) -> None:
    mrz = parse_mrz(case["lines"])
    fields = case["fields"]
    assert mrz.format == case["format"]
    assert mrz.document_number == fields["document_number"].rstrip("<")
    assert mrz.birth_date == fields["birth_date"]
    assert mrz.expiry_date == fields["expiry_date"]
    identifier, _ = identifier_from_mrz(case["lines"])
    assert identifier.type is (IdentifierType.PASSPORT if case["format"] == "TD3" else IdentifierType.ID_CARD)
    assert identifier.scheme == "UTO"


MRZ_CHECKS = {
    "document number": "mrz.document_number_check_digit",
    "L->I": "mrz.document_number_check_digit",
    "birth date": "mrz.birth_date_check_digit",
    "expiry": "mrz.expiry_date_check_digit",
    "composite": "mrz.composite_check_digit",
    "personal number": "mrz.personal_number_check_digit",
}


@pytest.mark.parametrize("case", _cases("mrz", "invalid_documents"))
def test_altered_mrzs_name_the_check_digit_that_fails(case: dict[str, Any]) -> None:
    with pytest.raises(IdentifierValidationError) as caught:
        parse_mrz(case["lines"])
    expected = next(check for words, check in MRZ_CHECKS.items() if words in case["reason"])
    assert caught.value.check == expected


def test_an_mrz_of_the_wrong_shape_fails_its_format() -> None:
    with pytest.raises(IdentifierValidationError) as caught:
        parse_mrz("P<UTOERIKSSON<<ANNA\nL898902C36UTO")
    assert caught.value.check == "mrz.format"


@pytest.mark.parametrize(
    ("kind", "value", "scheme", "check"),
    [
        ("national_id", "111222333", "nl.bsn", None),
        ("national_id", "111222334", "nl.bsn", "national_id.checksum"),
        ("tax_id", "536-90-4399", "us.ssn", None),
        ("tax_id", "000-90-4399", "us.ssn", "tax_id.component"),
        ("tax_id", "536904399", "xx.nothing", "tax_id.scheme"),
        ("national_id", "111222333", "../os", "national_id.scheme"),
    ],
)
def test_national_and_tax_ids_are_checked_by_their_stdnum_scheme(
    kind: str, value: str, scheme: str, check: str | None
) -> None:
    if check is None:
        identifier = validate_identifier(kind, value, scheme=scheme)
        assert identifier.lookup_key == f"{scheme}:{identifier.value}"
        return
    with pytest.raises(IdentifierValidationError) as caught:
        validate_identifier(kind, value, scheme=scheme)
    assert caught.value.check == check
    assert value not in str(caught.value)


def test_a_passport_number_is_scoped_by_its_issuing_state() -> None:
    a = validate_identifier("passport", "l898902c3", country="uto")
    b = validate_identifier("passport", "L898902C3", country="GBR")
    assert a.value == b.value == "L898902C3"
    assert a.lookup_key != b.lookup_key
    with pytest.raises(IdentifierValidationError) as caught:
        validate_identifier("passport", "L898902C3", country="Utopia")
    assert (caught.value.check, caught.value.field) == ("passport.country", "country")


def test_an_unknown_type_is_refused_on_the_type_field() -> None:
    with pytest.raises(IdentifierValidationError) as caught:
        validate_identifier("shoe_size", "42")
    assert caught.value.field == "type"


def test_an_identifier_never_shows_its_value_in_repr() -> None:
    identifier = validate_identifier("iban", "GB82 WEST 1234 5698 7654 32")
    assert "GB82WEST" not in repr(identifier)
    assert "GB82WEST" not in str(identifier)


@given(st.text(max_size=60))
def test_arbitrary_input_is_either_accepted_or_refused_with_a_named_check(value: str) -> None:
    for kind in ("card", "iban", "lei"):
        check = ""
        try:
            identifier = validate_identifier(kind, value)
        except IdentifierValidationError as exc:
            check = exc.check
        assert check.startswith(kind) if check else identifier.value


@pytest.mark.parametrize("case", _cases("iban", "valid"))
def test_normalising_a_normalised_iban_changes_nothing(case: dict[str, Any]) -> None:
    once = validate_identifier("iban", case["value"])
    assert validate_identifier("iban", once.value) == once


@given(st.sampled_from(["4242424242424242", "378282246310005", "6011111111111117"]), st.sampled_from([" ", "-", ""]))
def test_card_separators_never_change_the_token_input(number: str, separator: str) -> None:
    spaced = separator.join(number[i : i + 4] for i in range(0, len(number), 4))
    assert validate_identifier("card", spaced).lookup_key == number
