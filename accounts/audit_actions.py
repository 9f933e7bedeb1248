"""Audit action codes of the accounts app (autodiscovered by the audit app)."""

from audit.actions import register

LOGIN_SUCCEEDED = register("accounts.login.succeeded", "A person logged in with a password")
LOGIN_FAILED = register("accounts.login.failed", "A password login failed")
LOGOUT = register("accounts.logout.done", "A person logged out")
SESSIONS_REVOKED = register("accounts.sessions.revoked", "Every session of a person was ended")

MFA_ENROLMENT_STARTED = register("accounts.mfa.enrolment_started", "A TOTP seed was generated and shown once")
MFA_ENROLLED = register("accounts.mfa.enrolled", "A TOTP device was activated with a correct code")
MFA_REMOVED = register("accounts.mfa.removed", "A TOTP device and its recovery codes were removed")
MFA_VERIFIED = register("accounts.mfa.verified", "A second-factor code was accepted")
MFA_FAILED = register("accounts.mfa.failed", "A second-factor code was refused (wrong, malformed or throttled)")
MFA_REPLAYED = register("accounts.mfa.replayed", "A TOTP code for an already used step was presented again")
MFA_LOCKED = register("accounts.mfa.locked", "Second-factor verification was locked after too many failures")
MFA_RECOVERY_USED = register("accounts.mfa.recovery_used", "A single-use recovery code was spent")
MFA_RECOVERY_ISSUED = register("accounts.mfa.recovery_issued", "A new set of recovery codes was issued")

STEP_UP_GRANTED = register("accounts.step_up.granted", "A fresh TOTP granted a risky action for five minutes")
STEP_UP_REFUSED = register("accounts.step_up.refused", "A risky action was refused for want of a step-up")

USER_PRIVILEGES_CHANGED = register("accounts.user.privileges_changed", "A user's role, staff or active flag changed")

API_CLIENT_CREATED = register("accounts.api_client.created", "An API client (tenant) was registered")
API_CLIENT_UPDATED = register("accounts.api_client.updated", "An API client's scopes, description or status changed")
API_KEY_ISSUED = register("accounts.api_key.issued", "An API key was issued (its secret shown once)")
API_KEY_ROTATED = register("accounts.api_key.rotated", "An API key rotation began: a new key, the old one expiring")
API_KEY_REVOKED = register("accounts.api_key.revoked", "An API key was revoked")
