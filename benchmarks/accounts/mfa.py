"""Cost of the second factor: TOTP matching (±1 step), provisioning QR, recovery-code Argon2id hash/verify.

    .venv/bin/python -m benchmarks.accounts.mfa [--seconds 2]

Single process, single thread, no database: what one verification costs the CPU before the row
lock and the audit write. The recovery-code figures use the production Argon2id profile
(``accounts.services.mfa.RECOVERY_ARGON2``); a recovery code's first three characters pick the one
stored row to verify, so any attempt costs at most one Argon2id verification.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from argon2 import PasswordHasher  # noqa: E402

from accounts import otp  # noqa: E402
from accounts.services.mfa import RECOVERY_ARGON2  # noqa: E402
from benchmarks.machine import print_machine  # noqa: E402


def _rate(label: str, op: Callable[[int], object], seconds: float) -> float:
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        op(n)
        n += 1
    per_op = elapsed / n
    unit, scale = ("ms", 1e3) if per_op >= 1e-3 else ("µs", 1e6)
    print(f"  {label:<44} {n / elapsed:>10,.1f} ops/s  ({per_op * scale:8.2f} {unit}/op, {n:,} ops)")
    return per_op


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="duration of each measurement")
    args = parser.parse_args()

    seed = otp.new_seed()
    now = time.time()
    right = otp.code_for_step(seed, otp.step_at(now))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    uri = otp.provisioning_uri(seed, account="officer@example.test")
    hasher = PasswordHasher(**RECOVERY_ARGON2)
    code = otp.normalise_recovery_code(otp.new_recovery_codes(1)[0]) or ""
    stored = hasher.hash(code)

    print("accounts second-factor benchmark")
    print_machine()
    print(f"  argon2id      {RECOVERY_ARGON2}")
    _rate("TOTP code for one step (HMAC-SHA1)", lambda i: otp.code_for_step(seed, i), args.seconds)
    _rate(
        "TOTP match, right code (3 steps compared)", lambda i: otp.match_code(seed, right, unix_time=now), args.seconds
    )
    _rate(
        "TOTP match, wrong code (3 steps compared)", lambda i: otp.match_code(seed, wrong, unix_time=now), args.seconds
    )
    _rate(
        "new seed + provisioning URI", lambda i: otp.provisioning_uri(otp.new_seed(), account="a@b.test"), args.seconds
    )
    _rate("QR code as inline SVG", lambda i: otp.qr_svg(uri), args.seconds)
    _rate("recovery code hash (Argon2id)", lambda i: hasher.hash(code), args.seconds)
    _rate("recovery code verify (Argon2id)", lambda i: hasher.verify(stored, code), args.seconds)
    _rate(
        "enrolment: ten recovery codes hashed",
        lambda i: [hasher.hash(c) for c in otp.new_recovery_codes()],
        args.seconds,
    )


if __name__ == "__main__":
    main()
