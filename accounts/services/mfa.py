"""Second factor: TOTP enrolment, verification (replay-proof, throttled, locked), recovery codes, removal.

Every verification locks the user's ``TotpDevice`` row (SELECT ... FOR UPDATE) and then decides, so
two requests carrying one code are serialised: the first moves ``last_used_step`` forward, the
second finds its step used and is refused as a replay. Failures (wrong, malformed or replayed codes)
grow a delay before the next attempt and, past ``TILLIT_MFA_MAX_FAILURES`` within an hour, lock
verification for ``TILLIT_MFA_LOCKOUT``. Outcomes are returned rather than raised, so that the
failure counters and audit events of a refused attempt are committed.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import audit_actions, otp
from accounts.metrics import mfa_failure_observed, mfa_lockout_observed
from accounts.models import RecoveryCode, TotpDevice, User
from accounts.notifications import notify_holder
from accounts.services.users import user_sessions_revoke
from audit.services import audit_record
from vault.services import secret_open, secret_seal

# OWASP's minimum Argon2id profile (19 MiB, t=2, p=1): recovery codes carry 59 bits already; the
# slow hash only has to make an offline search of a leaked table expensive. Test settings may lower
# it with TILLIT_RECOVERY_CODE_ARGON2 (each hash records its own parameters, so verification follows).
RECOVERY_ARGON2 = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}


def _recovery_hasher() -> PasswordHasher:
    return PasswordHasher(**getattr(settings, "TILLIT_RECOVERY_CODE_ARGON2", RECOVERY_ARGON2))


_TABLE = TotpDevice._meta.db_table


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def max_failures() -> int:
    return int(_setting("TILLIT_MFA_MAX_FAILURES", 10))


def lockout_period() -> timedelta:
    return _setting("TILLIT_MFA_LOCKOUT", timedelta(hours=1))


def enrolment_ttl() -> timedelta:
    return _setting("TILLIT_MFA_ENROLMENT_TTL", timedelta(minutes=15))


FAILURE_WINDOW = timedelta(hours=1)
FREE_FAILURES = 2  # the first typos cost nothing
MAX_DELAY_SECONDS = 300


def delay_after(failures: int) -> int:
    """Seconds to wait before the next attempt after ``failures`` consecutive failures: 0, 0, 2, 4, 8 ... 300."""
    if failures <= FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


class Outcome(enum.StrEnum):
    ACCEPTED = "accepted"
    INVALID = "invalid"
    REPLAYED = "replayed"
    THROTTLED = "throttled"
    LOCKED = "locked"
    NOT_ENROLLED = "not_enrolled"


@dataclass(frozen=True)
class Verification:
    """The result of one attempt; ``retry_after`` (seconds) when throttled or locked."""

    outcome: Outcome
    retry_after: int | None = None
    recovery_codes_left: int | None = None
    recovery_codes: list[str] = field(default_factory=list)  # only when an enrolment is confirmed

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.ACCEPTED


@dataclass(frozen=True)
class Enrolment:
    """What the person scans or types into an authenticator app: shown once, never stored in clear."""

    secret_base32: str
    provisioning_uri: str
    qr_svg: str
    expires_at: datetime


# --- Sealing ------------------------------------------------------------------------------------------
def _seal(device: TotpDevice, column: str, seed: bytes) -> bytes:
    return secret_seal(seed, table=_TABLE, record_id=str(device.pk), field=column)


def _open(device: TotpDevice, column: str) -> bytes:
    sealed = getattr(device, column)
    return secret_open(bytes(sealed), table=_TABLE, record_id=str(device.pk), field=column)


def _locked_device(user: User) -> TotpDevice | None:
    return TotpDevice.objects.select_for_update().filter(user=user).first()


# --- Throttling -------------------------------------------------------------------------------------
def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _gate(device: TotpDevice, now: datetime) -> Verification | None:
    """Refuse before looking at the code when locked or within the growing delay."""
    if device.locked_until is not None and now < device.locked_until:
        return Verification(Outcome.LOCKED, retry_after=_seconds(device.locked_until - now))
    if device.failure_window_started_at is not None and now - device.failure_window_started_at >= FAILURE_WINDOW:
        device.failure_count = 0
        device.failure_window_started_at = None
    wait = delay_after(device.failure_count)
    if wait and device.last_failure_at is not None:
        ready_at = device.last_failure_at + timedelta(seconds=wait)
        if now < ready_at:
            return Verification(Outcome.THROTTLED, retry_after=_seconds(ready_at - now))
    return None


def _audit(action: str, *, user: User, actor: Any, payload: dict[str, Any]) -> None:
    audit_record(action=action, actor=actor, target=user, payload=payload)


def _refuse(device: TotpDevice, refusal: Verification, *, user: User, purpose: str, extra: dict[str, Any]) -> None:
    """Audit an attempt refused by the gate (it does not count as another failure)."""
    device.save(update_fields=["failure_count", "failure_window_started_at", "updated_at"])
    mfa_failure_observed(purpose=purpose, reason=refusal.outcome.value)
    _audit(
        audit_actions.MFA_FAILED,
        user=user,
        actor=user,
        payload={"purpose": purpose, "reason": refusal.outcome.value, "retry_after": refusal.retry_after, **extra},
    )


def _fail(
    device: TotpDevice, now: datetime, outcome: Outcome, *, user: User, purpose: str, extra: dict[str, Any]
) -> Verification:
    """Count a failure, audit it, and lock when the hourly bound is reached."""
    if device.failure_window_started_at is None:
        device.failure_window_started_at = now
    device.failure_count += 1
    device.last_failure_at = now
    locked = device.failure_count >= max_failures()
    if locked:
        device.locked_until = now + lockout_period()
    device.save(
        update_fields=["failure_count", "failure_window_started_at", "last_failure_at", "locked_until", "updated_at"]
    )
    payload = {"purpose": purpose, "reason": outcome.value, "failure_count": device.failure_count, **extra}
    mfa_failure_observed(purpose=purpose, reason=outcome.value)
    if outcome is Outcome.REPLAYED:
        _audit(audit_actions.MFA_REPLAYED, user=user, actor=user, payload=payload)
        when = now.strftime("%Y-%m-%d %H:%M:%S")
        transaction.on_commit(lambda: notify_holder(email=user.email, kind="replay", when=when))
    else:
        _audit(audit_actions.MFA_FAILED, user=user, actor=user, payload=payload)
    if locked:
        assert device.locked_until is not None
        mfa_lockout_observed()
        _audit(
            audit_actions.MFA_LOCKED,
            user=user,
            actor=user,
            payload={"failure_count": device.failure_count, "locked_until": device.locked_until},
        )
        until = device.locked_until.strftime("%Y-%m-%d %H:%M:%S")
        transaction.on_commit(lambda: notify_holder(email=user.email, kind="locked", until=until))
        return Verification(Outcome.LOCKED, retry_after=_seconds(device.locked_until - now))
    return Verification(outcome, retry_after=delay_after(device.failure_count) or None)


def _succeed(device: TotpDevice, now: datetime, *, step: int | None) -> None:
    device.failure_count = 0
    device.failure_window_started_at = None
    device.last_failure_at = None
    device.locked_until = None
    device.last_used_at = now
    if step is not None:
        device.last_used_step = step


# --- Verification ---------------------------------------------------------------------------------------
@transaction.atomic
def totp_verify(*, user: User, code: str, purpose: str = "login", action: str | None = None) -> Verification:
    """Check a TOTP code for ``user``: accepted once per step, ±1 step of drift, throttled and audited."""
    now = timezone.now()
    device = _locked_device(user)
    extra: dict[str, Any] = {"step_up_action": action} if action else {}
    if device is None or not device.is_confirmed:
        mfa_failure_observed(purpose=purpose, reason="not_enrolled")
        _audit(audit_actions.MFA_FAILED, user=user, actor=user, payload={"purpose": purpose, "reason": "not_enrolled"})
        return Verification(Outcome.NOT_ENROLLED)
    refusal = _gate(device, now)
    if refusal is not None:
        _refuse(device, refusal, user=user, purpose=purpose, extra=extra)
        return refusal
    cleaned = otp.normalise_code(code)
    if cleaned is None:
        return _fail(device, now, Outcome.INVALID, user=user, purpose=purpose, extra=extra)
    match = otp.match_code(_open(device, "secret"), cleaned, unix_time=now.timestamp())
    if not match.steps:
        return _fail(device, now, Outcome.INVALID, user=user, purpose=purpose, extra=extra)
    step = match.newest_after(device.last_used_step)
    if step is None:
        return _fail(device, now, Outcome.REPLAYED, user=user, purpose=purpose, extra=extra)
    _succeed(device, now, step=step)
    device.save()
    _audit(
        audit_actions.MFA_VERIFIED,
        user=user,
        actor=user,
        payload={
            "purpose": purpose,
            "factor_kind": "totp",
            "drift_steps": step - otp.step_at(now.timestamp()),
            **extra,
        },
    )
    return Verification(Outcome.ACCEPTED)


@transaction.atomic
def recovery_code_use(*, user: User, code: str) -> Verification:
    """Spend one recovery code as the second factor of a login (never for a step-up)."""
    now = timezone.now()
    device = _locked_device(user)
    if device is None or not device.is_confirmed:
        mfa_failure_observed(purpose="login", reason="not_enrolled")
        _audit(audit_actions.MFA_FAILED, user=user, actor=user, payload={"purpose": "login", "reason": "not_enrolled"})
        return Verification(Outcome.NOT_ENROLLED)
    extra = {"factor_kind": "recovery_code"}
    refusal = _gate(device, now)
    if refusal is not None:
        _refuse(device, refusal, user=user, purpose="login", extra=extra)
        return refusal
    cleaned = otp.normalise_recovery_code(code)
    unused = list(RecoveryCode.objects.select_for_update().filter(user=user, used_at__isnull=True))
    spent = None
    if cleaned is not None:
        for candidate in (c for c in unused if c.lookup == otp.recovery_lookup(cleaned)):
            try:
                if _recovery_hasher().verify(candidate.code_hash, cleaned):
                    spent = candidate
                    break
            except (VerificationError, InvalidHashError):
                continue
    if spent is None:
        return _fail(device, now, Outcome.INVALID, user=user, purpose="login", extra=extra)
    spent.used_at = now
    spent.save(update_fields=["used_at", "updated_at"])
    _succeed(device, now, step=None)
    device.save()
    left = len(unused) - 1
    _audit(audit_actions.MFA_RECOVERY_USED, user=user, actor=user, payload={"recovery_codes_left_count": left})
    return Verification(Outcome.ACCEPTED, recovery_codes_left=left)


# --- Enrolment and removal ----------------------------------------------------------------------------------
@transaction.atomic
def totp_enrol_begin(*, user: User, actor: User) -> Enrolment:
    """Generate a new seed (kept sealed as pending) and return what the authenticator app needs, once.

    An existing confirmed device keeps working until the new one is confirmed; callers must demand a
    step-up (``mfa.remove_own``) before replacing a confirmed factor.
    """
    now = timezone.now()
    device = _locked_device(user)
    if device is None:
        device = TotpDevice(user=user)
    seed = otp.new_seed()
    device.pending_secret = _seal(device, "pending_secret", seed)
    device.pending_started_at = now
    device.full_clean(exclude=["secret", "pending_secret"])
    device.save()
    _audit(
        audit_actions.MFA_ENROLMENT_STARTED,
        user=user,
        actor=actor,
        payload={"replacing_present": device.is_confirmed},
    )
    uri = otp.provisioning_uri(seed, account=user.email)
    return Enrolment(
        secret_base32=otp.seed_to_base32(seed),
        provisioning_uri=uri,
        qr_svg=otp.qr_svg(uri),
        expires_at=now + enrolment_ttl(),
    )


@transaction.atomic
def totp_enrol_confirm(*, user: User, code: str, actor: User) -> Verification:
    """Activate the pending seed with a correct code; issue recovery codes; end the other sessions."""
    now = timezone.now()
    device = _locked_device(user)
    extra = {"factor_kind": "totp_enrolment"}
    if device is None or device.pending_secret is None or device.pending_started_at is None:
        return Verification(Outcome.NOT_ENROLLED)
    if now - device.pending_started_at > enrolment_ttl():
        device.pending_secret = None
        device.pending_started_at = None
        device.save(update_fields=["pending_secret", "pending_started_at", "updated_at"])
        return Verification(Outcome.NOT_ENROLLED)
    refusal = _gate(device, now)
    if refusal is not None:
        _refuse(device, refusal, user=user, purpose="enrolment", extra=extra)
        return refusal
    seed = _open(device, "pending_secret")
    cleaned = otp.normalise_code(code)
    match = otp.match_code(seed, cleaned, unix_time=now.timestamp()) if cleaned else otp.Match(steps=())
    if not match.steps:
        return _fail(device, now, Outcome.INVALID, user=user, purpose="enrolment", extra=extra)
    replacing = device.is_confirmed
    device.secret = _seal(device, "secret", seed)
    device.pending_secret = None
    device.pending_started_at = None
    device.confirmed_at = now
    _succeed(device, now, step=match.steps[0])
    device.save()
    codes = _issue_recovery_codes(user)
    user_sessions_revoke(user=user, actor=actor, reason="mfa_enrolled" if not replacing else "mfa_replaced")
    _audit(audit_actions.MFA_ENROLLED, user=user, actor=actor, payload={"replacing_present": replacing})
    if replacing:
        when = now.strftime("%Y-%m-%d %H:%M:%S")
        transaction.on_commit(lambda: notify_holder(email=user.email, kind="factor_changed", when=when))
    return Verification(Outcome.ACCEPTED, recovery_codes=codes, recovery_codes_left=len(codes))


def _issue_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = otp.new_recovery_codes()
    hasher = _recovery_hasher()
    normalised = [otp.normalise_recovery_code(code) or "" for code in codes]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, lookup=otp.recovery_lookup(n), code_hash=hasher.hash(n)) for n in normalised]
    )
    return codes


@transaction.atomic
def recovery_codes_issue(*, user: User, actor: User) -> list[str]:
    """Replace every recovery code with ten new ones (shown once); the old ones stop working."""
    device = _locked_device(user)
    if device is None or not device.is_confirmed:
        raise ValueError("recovery codes need an active TOTP device")
    codes = _issue_recovery_codes(user)
    _audit(audit_actions.MFA_RECOVERY_ISSUED, user=user, actor=actor, payload={"recovery_codes_count": len(codes)})
    return codes


@transaction.atomic
def totp_remove(*, user: User, actor: User) -> bool:
    """Remove a person's TOTP device and recovery codes and end their sessions; False if none existed."""
    device = _locked_device(user)
    if device is None:
        return False
    device.delete()
    RecoveryCode.objects.filter(user=user).delete()
    user_sessions_revoke(user=user, actor=actor, reason="mfa_removed")
    _audit(audit_actions.MFA_REMOVED, user=user, actor=actor, payload={"by_holder": actor.pk == user.pk})
    when = timezone.now().strftime("%Y-%m-%d %H:%M:%S")
    transaction.on_commit(lambda: notify_holder(email=user.email, kind="factor_changed", when=when))
    return True


def totp_provision_confirmed(*, user: User, actor: User | None) -> tuple[Enrolment, list[str]]:
    """Enrol and activate a device in one go, for operators at a shell (demo setup, break-glass reset).

    Returns the enrolment (seed shown once) and the recovery codes. Not exposed over HTTP: there the
    person proves they hold the app by typing a code.
    """
    with transaction.atomic():
        enrolment = totp_enrol_begin(user=user, actor=actor or user)
        device = TotpDevice.objects.select_for_update().get(user=user)
        seed = _open(device, "pending_secret")
        current = otp.code_for_step(seed, otp.step_at(timezone.now().timestamp()))
        result = totp_enrol_confirm(user=user, code=current, actor=actor or user)
        if not result.ok:
            raise RuntimeError(f"could not activate the new device: {result.outcome}")
    return enrolment, result.recovery_codes
