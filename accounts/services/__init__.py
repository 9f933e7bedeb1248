"""Writes for accounts (re-exported: ``from accounts import services; services.api_key_issue(...)``)."""

from accounts.services.api_clients import (
    ApiKeyLimitReached,
    api_client_create,
    api_client_update,
    api_key_issue,
    api_key_revoke,
    api_key_rotate,
    api_key_touch,
)
from accounts.services.mfa import (
    Enrolment,
    Outcome,
    Verification,
    recovery_code_use,
    recovery_codes_issue,
    totp_enrol_begin,
    totp_enrol_confirm,
    totp_provision_confirmed,
    totp_remove,
    totp_verify,
)
from accounts.services.users import (
    login_failed,
    login_succeeded,
    logout_done,
    user_privileges_change,
    user_privileges_changed,
    user_sessions_revoke,
)

__all__ = [
    "ApiKeyLimitReached",
    "Enrolment",
    "Outcome",
    "Verification",
    "api_client_create",
    "api_client_update",
    "api_key_issue",
    "api_key_revoke",
    "api_key_rotate",
    "api_key_touch",
    "login_failed",
    "login_succeeded",
    "logout_done",
    "recovery_code_use",
    "recovery_codes_issue",
    "totp_enrol_begin",
    "totp_enrol_confirm",
    "totp_provision_confirmed",
    "totp_remove",
    "totp_verify",
    "user_privileges_change",
    "user_privileges_changed",
    "user_sessions_revoke",
]
