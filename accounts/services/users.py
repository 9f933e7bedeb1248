"""Writes for people: privileges (role, staff, active), ending sessions, and login events."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from accounts import audit_actions
from accounts.models import Role, User
from audit.payload import mask_email
from audit.services import audit_record

PRIVILEGE_FIELDS = ("role", "is_staff", "is_superuser", "is_active")


@transaction.atomic
def user_sessions_revoke(*, user: User, actor: User | None, reason: str) -> int:
    """End every session of ``user`` (they fail Django's session hash check on their next request).

    Returns the new epoch. A caller that wants to keep *its own* session must then call
    ``django.contrib.auth.update_session_auth_hash(request, user)``.
    """
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    audit_record(action=audit_actions.SESSIONS_REVOKED, actor=actor, target=user, payload={"reason": reason})
    return user.session_epoch


@transaction.atomic
def user_privileges_change(
    *,
    user: User,
    actor: User | None,
    role: str | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
    is_active: bool | None = None,
) -> User:
    """Change a person's role or flags; audited; a lowered privilege ends their sessions at once."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    wanted: dict[str, Any] = {"role": role, "is_staff": is_staff, "is_superuser": is_superuser, "is_active": is_active}
    if role is not None and role not in Role.values:
        raise ValidationError({"role": [f"Unknown role {role!r}."]})
    changes = {
        name: {"from": getattr(locked, name), "to": value}
        for name, value in wanted.items()
        if value is not None and getattr(locked, name) != value
    }
    if not changes:
        return locked
    for name, change in changes.items():
        setattr(locked, name, change["to"])
    locked.full_clean(exclude=["password"])
    locked.save(update_fields=list(changes))
    user_privileges_changed(user=locked, actor=actor, changes=changes)
    return locked


def user_privileges_changed(*, user: User, actor: User | None, changes: dict[str, dict[str, Any]]) -> None:
    """Audit a change already saved (the admin form saves the row itself), ending sessions if needed.

    Any change of role or flags ends the person's sessions: their next request starts again with the
    new privileges and a fresh second-factor check.
    """
    if not changes:
        return
    audit_record(action=audit_actions.USER_PRIVILEGES_CHANGED, actor=actor, target=user, payload=changes)
    if actor is None or actor.pk != user.pk:
        user_sessions_revoke(user=user, actor=actor, reason="privileges_changed")


def login_succeeded(*, user: User) -> None:
    """Audit a password login (the second factor is audited separately)."""
    audit_record(action=audit_actions.LOGIN_SUCCEEDED, actor=user, target=user, payload={})


def login_failed(*, email: str) -> None:
    """Audit a failed password login without the address in clear."""
    audit_record(action=audit_actions.LOGIN_FAILED, actor=None, payload={"email_masked": mask_email(email or "")})


def logout_done(*, user: User) -> None:
    audit_record(action=audit_actions.LOGOUT, actor=user, target=user, payload={})
