"""TOTP enrolment and verification: sealed seed, single use per step, drift, throttling, lockout, audit."""

from __future__ import annotations

from base64 import b32decode
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accounts import otp, services
from accounts.models import RecoveryCode, TotpDevice
from accounts.services.mfa import Outcome, delay_after
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)  # a step boundary


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def enrolled(officer, totp, clock):
    seed = totp.enrol(officer)
    clock.shift(timedelta(seconds=60))  # leave the step used by the enrolment behind
    return seed


def _wrong(seed: bytes) -> str:
    right = otp.code_for_step(seed, otp.step_at(timezone.now().timestamp()))
    candidates = (f"{(int(right) + k) % 1_000_000:06d}" for k in range(1, 10))
    window = {otp.code_for_step(seed, otp.step_at(timezone.now().timestamp()) + d) for d in (-1, 0, 1)}
    return next(c for c in candidates if c not in window)


# --- Enrolment -------------------------------------------------------------------------------------------
def test_enrolment_is_pending_until_a_correct_code_is_given(officer, clock):
    enrolment = services.totp_enrol_begin(user=officer, actor=officer)
    device = TotpDevice.objects.get(user=officer)
    assert not device.is_confirmed and device.pending_secret is not None
    seed = b32decode(enrolment.secret_base32 + "=" * (-len(enrolment.secret_base32) % 8))
    assert services.totp_enrol_confirm(user=officer, code=_wrong(seed), actor=officer).outcome is Outcome.INVALID
    assert not TotpDevice.objects.get(user=officer).is_confirmed
    result = services.totp_enrol_confirm(
        user=officer, code=otp.code_for_step(seed, otp.step_at(T0.timestamp())), actor=officer
    )
    assert result.ok and len(result.recovery_codes) == 10
    assert TotpDevice.objects.get(user=officer).is_confirmed
    assert enrolment.provisioning_uri.startswith("otpauth://totp/") and enrolment.qr_svg.startswith("<svg")


def test_the_seed_is_never_stored_in_clear(officer, clock):
    enrolment = services.totp_enrol_begin(user=officer, actor=officer)
    seed_b32 = enrolment.secret_base32
    seed = b32decode(seed_b32 + "=" * (-len(seed_b32) % 8))
    services.totp_enrol_confirm(user=officer, code=otp.code_for_step(seed, otp.step_at(T0.timestamp())), actor=officer)
    device = TotpDevice.objects.get(user=officer)
    assert seed not in bytes(device.secret) and seed_b32.encode() not in bytes(device.secret)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_totpdevice")
        rows = repr(cursor.fetchall())
        cursor.execute("SELECT payload FROM audit_auditevent")
        audit = repr(cursor.fetchall())
    assert seed_b32 not in rows and seed.hex() not in rows
    assert seed_b32 not in audit


def test_an_enrolment_expires_after_fifteen_minutes(officer, clock):
    enrolment = services.totp_enrol_begin(user=officer, actor=officer)
    seed = b32decode(enrolment.secret_base32 + "=" * (-len(enrolment.secret_base32) % 8))
    clock.shift(timedelta(minutes=16))
    code = otp.code_for_step(seed, otp.step_at(timezone.now().timestamp()))
    assert services.totp_enrol_confirm(user=officer, code=code, actor=officer).outcome is Outcome.NOT_ENROLLED
    assert TotpDevice.objects.get(user=officer).pending_secret is None


def test_a_new_enrolment_does_not_disable_the_working_device_until_confirmed(officer, totp, enrolled):
    services.totp_enrol_begin(user=officer, actor=officer)
    assert services.totp_verify(user=officer, code=totp.code(enrolled)).ok


# --- Verification ----------------------------------------------------------------------------------------
def test_a_code_is_accepted_once_and_a_replay_in_the_same_step_is_refused(officer, totp, enrolled):
    code = totp.code(enrolled)
    assert services.totp_verify(user=officer, code=code).outcome is Outcome.ACCEPTED
    assert services.totp_verify(user=officer, code=code).outcome is Outcome.REPLAYED
    assert "accounts.mfa.replayed" in _actions()


def test_a_used_code_is_refused_in_the_next_step_too(officer, totp, enrolled, clock):
    code = totp.code(enrolled)
    assert services.totp_verify(user=officer, code=code).ok
    clock.shift(timedelta(seconds=30))  # the code is now one step old, still inside the drift window
    assert services.totp_verify(user=officer, code=code).outcome is Outcome.REPLAYED


def test_an_earlier_step_is_refused_once_a_later_one_was_used(officer, totp, enrolled):
    assert services.totp_verify(user=officer, code=totp.code(enrolled, offset=1)).ok
    assert services.totp_verify(user=officer, code=totp.code(enrolled)).outcome is Outcome.REPLAYED
    assert services.totp_verify(user=officer, code=totp.code(enrolled, offset=-1)).outcome is Outcome.REPLAYED


@pytest.mark.parametrize(("offset", "accepted"), [(-2, False), (-1, True), (1, True), (2, False)])
def test_one_step_of_clock_drift_is_tolerated_and_no_more(officer, totp, enrolled, offset, accepted):
    assert services.totp_verify(user=officer, code=totp.code(enrolled, offset=offset)).ok is accepted


def test_a_replay_notifies_the_account_holder(officer, totp, enrolled, mailoutbox, django_capture_on_commit_callbacks):
    code = totp.code(enrolled)
    services.totp_verify(user=officer, code=code)
    with django_capture_on_commit_callbacks(execute=True):
        services.totp_verify(user=officer, code=code)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [officer.email]
    assert "used twice" in mailoutbox[0].subject
    assert code not in mailoutbox[0].body


def test_every_attempt_is_audited_without_the_code(officer, totp, enrolled):
    before = AuditEvent.objects.count()
    code = totp.code(enrolled)
    services.totp_verify(user=officer, code=_wrong(enrolled))
    services.totp_verify(user=officer, code=code)
    events = list(AuditEvent.objects.order_by("sequence")[before:])
    assert [e.action for e in events] == ["accounts.mfa.failed", "accounts.mfa.verified"]
    assert all(code not in repr(e.payload) for e in events)


def test_a_person_without_a_device_cannot_verify(officer):
    assert services.totp_verify(user=officer, code="123456").outcome is Outcome.NOT_ENROLLED


# --- Throttling and lockout --------------------------------------------------------------------------------
def test_the_delay_grows_with_each_failure_and_is_bounded():
    delays = [delay_after(n) for n in range(1, 14)]
    assert delays[:2] == [0, 0]
    assert delays == sorted(delays)
    assert delays[2:6] == [2, 4, 8, 16] and max(delays) == 300


def test_failures_beyond_the_free_ones_must_wait_a_growing_delay(officer, totp, enrolled, clock):
    for _ in range(3):
        assert services.totp_verify(user=officer, code=_wrong(enrolled)).outcome is Outcome.INVALID
    throttled = services.totp_verify(user=officer, code=totp.code(enrolled))
    assert throttled.outcome is Outcome.THROTTLED and throttled.retry_after == 2
    clock.shift(timedelta(seconds=2))
    assert services.totp_verify(user=officer, code=_wrong(enrolled)).retry_after == 4
    clock.shift(timedelta(seconds=3))
    assert services.totp_verify(user=officer, code=totp.code(enrolled)).outcome is Outcome.THROTTLED
    clock.shift(timedelta(seconds=1))
    assert services.totp_verify(user=officer, code=totp.code(enrolled)).ok  # a success clears the count
    assert TotpDevice.objects.get(user=officer).failure_count == 0


def _fail_until_locked(officer, seed, clock) -> int:
    attempts = 0
    while True:
        result = services.totp_verify(user=officer, code=_wrong(seed))
        attempts += 1
        if result.outcome is Outcome.LOCKED:
            return attempts
        clock.shift(timedelta(seconds=(result.retry_after or 0) + 1))


def test_ten_failures_within_an_hour_lock_verification_even_for_a_correct_code(officer, totp, enrolled, clock):
    assert _fail_until_locked(officer, enrolled, clock) == 10
    assert "accounts.mfa.locked" in _actions()
    assert services.totp_verify(user=officer, code=totp.code(enrolled)).outcome is Outcome.LOCKED
    clock.shift(timedelta(minutes=61))
    assert services.totp_verify(user=officer, code=totp.code(enrolled)).ok


def test_the_lockout_notifies_the_account_holder(
    officer, enrolled, clock, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _fail_until_locked(officer, enrolled, clock)
    assert [m.subject for m in mailoutbox if "locked" in m.subject]


def test_failures_older_than_an_hour_are_forgotten(officer, totp, enrolled, clock):
    for _ in range(2):
        services.totp_verify(user=officer, code=_wrong(enrolled))
    clock.shift(timedelta(minutes=61))
    services.totp_verify(user=officer, code=_wrong(enrolled))
    assert TotpDevice.objects.get(user=officer).failure_count == 1


# --- Recovery codes -----------------------------------------------------------------------------------------
def test_recovery_codes_are_stored_as_argon2_hashes_and_work_once(officer, clock):
    _, codes = services.totp_provision_confirmed(user=officer, actor=None)
    hashes = list(RecoveryCode.objects.filter(user=officer).values_list("code_hash", flat=True))
    assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(code.replace("-", "") in h for code in codes for h in hashes)
    first = services.recovery_code_use(user=officer, code=codes[3].lower())
    assert first.ok and first.recovery_codes_left == 9
    assert services.recovery_code_use(user=officer, code=codes[3]).outcome is Outcome.INVALID
    assert "accounts.mfa.recovery_used" in _actions()


def test_new_recovery_codes_replace_the_old_ones(officer, clock):
    _, old = services.totp_provision_confirmed(user=officer, actor=None)
    new = services.recovery_codes_issue(user=officer, actor=officer)
    assert set(old).isdisjoint(new)
    assert services.recovery_code_use(user=officer, code=old[0]).outcome is Outcome.INVALID
    assert services.recovery_code_use(user=officer, code=new[0]).ok


def test_removing_the_device_removes_its_recovery_codes(officer, clock):
    services.totp_provision_confirmed(user=officer, actor=None)
    assert services.totp_remove(user=officer, actor=officer)
    assert not TotpDevice.objects.filter(user=officer).exists()
    assert not RecoveryCode.objects.filter(user=officer).exists()
    assert "accounts.mfa.removed" in _actions()
