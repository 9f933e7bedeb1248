"""E-mails to an account holder about their second factor. Never include a code, seed or link token."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from common.logging import get_logger

log = get_logger(__name__)

_MESSAGES = {
    "replay": (
        "Tillit: a sign-in code of yours was used twice",
        "A one-time code from your authenticator app was presented again at {when} UTC, after it had "
        "already been used. It was refused.\n\nIf you did not just retry a code yourself, someone may have "
        "seen your code and know your password: change your password and tell your administrator.",
    ),
    "locked": (
        "Tillit: second-factor checks on your account are locked",
        "Too many wrong one-time codes were entered for your account; verification is locked until "
        "{until} UTC.\n\nIf this was not you, change your password and tell your administrator.",
    ),
    "factor_changed": (
        "Tillit: your second factor was changed",
        "The authenticator app of your account was changed or removed at {when} UTC, and your other "
        "sessions were ended.\n\nIf this was not you, tell your administrator at once.",
    ),
}


def notify_holder(*, email: str, kind: str, **values: str) -> None:
    """Send one notice; a mail failure is logged (without the address) and does not undo the check."""
    subject, body = _MESSAGES[kind]
    sender = getattr(settings, "DEFAULT_FROM_EMAIL", None)
    try:
        send_mail(subject, body.format(**values), sender, [email], fail_silently=False)
    except Exception:  # the notice is best effort; the audit event is the record
        log.exception("accounts.notification_failed", kind=kind)
