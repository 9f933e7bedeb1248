"""The OTP core (no database) reproduces RFC 4226 and RFC 6238 and matches codes within ±1 step."""

from __future__ import annotations

import json

import pytest

from accounts import otp
from tests.shared import shared_path

SEED = b"12345678901234567890"


def _vectors() -> dict:
    return json.loads(shared_path("vectors", "rfc6238", "otp_rfc_test_vectors.json").read_text())


@pytest.mark.shared
def test_hotp_reproduces_every_rfc4226_appendix_d_value():
    table = _vectors()["hotp_rfc4226"]
    seed = bytes.fromhex(table["secret_hex"])
    assert otp.seed_to_base32(seed) == table["secret_base32"]
    results = [(case["counter"], otp.code_for_step(seed, case["counter"])) for case in table["cases"]]
    assert results == [(case["counter"], case["hotp"]) for case in table["cases"]]
    assert len(results) == 10


@pytest.mark.shared
@pytest.mark.parametrize("algorithm", ["SHA1", "SHA256", "SHA512"])
def test_totp_reproduces_every_rfc6238_appendix_b_value(algorithm):
    table = _vectors()["totp_rfc6238"]
    seed = bytes.fromhex(table["seeds"][algorithm]["hex"])
    for case in table["cases"]:
        step = otp.step_at(case["unix_time"], step_seconds=table["time_step_seconds"], t0=table["t0"])
        assert step == int(case["T_hex"], 16)
        assert otp.code_for_step(seed, step, digits=8, algorithm=algorithm) == case[algorithm]


@pytest.mark.shared
def test_the_six_digit_code_is_the_last_six_digits_of_the_rfc_value():
    table = _vectors()["totp_rfc6238"]
    for case in table["cases"]:
        step = otp.step_at(case["unix_time"])
        assert otp.code_for_step(SEED, step) == case["SHA1"][-6:]


def test_a_code_matches_its_own_step_and_one_step_either_side_only():
    now = 1_111_111_111.0
    current = otp.step_at(now)
    for offset, expected in [(-2, False), (-1, True), (0, True), (1, True), (2, False)]:
        code = otp.code_for_step(SEED, current + offset)
        match = otp.match_code(SEED, code, unix_time=now)
        assert (current + offset in match.steps) is expected, offset


def test_a_match_reports_only_steps_after_the_last_used_one():
    now = 1_234_567_890.0
    current = otp.step_at(now)
    match = otp.match_code(SEED, otp.code_for_step(SEED, current), unix_time=now)
    assert match.newest_after(None) == current
    assert match.newest_after(current - 1) == current
    assert match.newest_after(current) is None
    assert match.newest_after(current + 1) is None


def test_a_wrong_code_matches_nothing():
    now = 1_234_567_890.0
    wrong = f"{(int(otp.code_for_step(SEED, otp.step_at(now))) + 1) % 1_000_000:06d}"
    assert otp.match_code(SEED, wrong, unix_time=now).steps == ()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("123456", "123456"), (" 123 456 ", "123456"), ("123-456", "123456"), ("12345", None), ("12345a", None)],
)
def test_codes_are_normalised_or_refused(typed, expected):
    assert otp.normalise_code(typed) == expected


def test_unicode_digits_are_not_accepted_as_a_code():
    assert otp.normalise_code("١٢٣٤٥٦") is None


def test_seeds_are_160_random_bits_and_never_repeat():
    seeds = {otp.new_seed() for _ in range(200)}
    assert len(seeds) == 200
    assert all(len(seed) == 20 for seed in seeds)


def test_the_provisioning_uri_names_the_issuer_and_the_account():
    uri = otp.provisioning_uri(SEED, account="jane@example.test")
    assert uri.startswith("otpauth://totp/Tillit:jane%40example.test?")
    assert f"secret={otp.seed_to_base32(SEED)}" in uri
    assert "issuer=Tillit" in uri


def test_the_qr_code_is_an_inline_svg():
    svg = otp.qr_svg(otp.provisioning_uri(SEED, account="jane@example.test"))
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")


def test_ten_distinct_recovery_codes_in_the_readable_shape():
    codes = otp.new_recovery_codes()
    assert len(codes) == len(set(codes)) == 10
    for code in codes:
        assert len(code) == 17 and code[5] == code[11] == "-"
        assert otp.normalise_recovery_code(code.lower()) == code.replace("-", "")


def test_recovery_codes_of_one_set_have_distinct_lookup_prefixes():
    codes = [otp.normalise_recovery_code(code) or "" for code in otp.new_recovery_codes()]
    assert len({otp.recovery_lookup(code) for code in codes}) == 10


@pytest.mark.parametrize("typed", ["", "ABCDE-FGHJK-MNPQ", "ABCDE-FGHJK-MNPQ0", "ABCDE-FGHJK-MNPQRS"])
def test_malformed_recovery_codes_are_refused(typed):
    assert otp.normalise_recovery_code(typed) is None
