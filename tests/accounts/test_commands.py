"""The mfa_enrol command activates a device from the shell and prints what the app needs, once."""

from __future__ import annotations

import io
from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts import otp, services

pytestmark = pytest.mark.django_db


def test_mfa_enrol_prints_a_working_key_and_recovery_codes(officer):
    out = io.StringIO()
    call_command("mfa_enrol", officer.email.upper(), "--no-qr", stdout=out)
    text = out.getvalue()
    secret = text.split("Key:")[1].split()[0]
    assert "otpauth://totp/" in text and len(text.split("Recovery codes:")[1].split()) == 10
    seed = b32decode(secret + "=" * (-len(secret) % 8))
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert services.totp_verify(
            user=officer, code=otp.code_for_step(seed, otp.step_at(timezone.now().timestamp()))
        ).ok


def test_mfa_enrol_can_draw_the_qr_code(officer):
    out = io.StringIO()
    call_command("mfa_enrol", officer.email, stdout=out)
    assert "█" in out.getvalue() or "▀" in out.getvalue()


def test_mfa_enrol_refuses_an_unknown_address(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("mfa_enrol", "nobody@example.test")
