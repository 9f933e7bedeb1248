"""Step-up: a fresh TOTP, within the last five minutes, bound to one session and one kind of action.

A grant lives in the server-side session (so it serves only that session, and dies with it) under
the action it was granted for (so a grant to reveal an identifier does not clear an alert). The
session key is cycled when a grant is made. Other apps guard a risky action with one call::

    from accounts.stepup import require_step_up
    require_step_up(request, action="identifier.reveal")   # API: raises ApiError 403 step_up_required

and in the admin::

    response = admin_step_up(request, action="api_client.manage")
    if response is not None:
        return response          # the prompt page; it re-posts the original form with the code

The actions are listed in ``accounts.policy`` (``policy.step_up_actions()``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import status

from accounts import audit_actions, policy
from accounts.services import mfa
from audit.services import audit_record
from common.errors import ApiError

SESSION_KEY = "tillit_step_up"
MFA_SESSION_KEY = "tillit_mfa"
CODE_FIELD = "_step_up_code"


def grant_ttl() -> timedelta:
    return getattr(settings, "TILLIT_STEP_UP_TTL", timedelta(minutes=5))


class StepUpRequired(ApiError):
    """403 ``step_up_required``: the caller must POST a fresh code to /api/v1/auth/step-up first."""

    def __init__(self, action: str) -> None:
        rule = policy.rule_for(action)
        super().__init__(
            "step_up_required",
            f"This action ({rule.description.lower()}) needs a fresh second factor. "
            "POST a code to /api/v1/auth/step-up with this action, then retry.",
            status_code=status.HTTP_403_FORBIDDEN,
            fields={"action": action},
        )


# --- Session state ------------------------------------------------------------------------------------
def mark_mfa_verified(request: HttpRequest, *, factor: str) -> None:
    """Record in the session that its user passed the second factor; cycles the session key."""
    request.session.cycle_key()
    request.session[MFA_SESSION_KEY] = {
        "user": str(request.user.pk),
        "at": timezone.now().isoformat(),
        "factor": factor,
    }


def session_mfa_verified(request: HttpRequest) -> bool:
    """Whether this session's user passed the second factor in this session."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False) or not hasattr(request, "session"):
        return False
    marker = request.session.get(MFA_SESSION_KEY)
    return isinstance(marker, dict) and marker.get("user") == str(user.pk)


def _grants(request: HttpRequest) -> dict[str, Any]:
    value = request.session.get(SESSION_KEY)
    return value if isinstance(value, dict) else {}


def grant_expires_at(request: HttpRequest, action: str) -> datetime | None:
    """When this session's grant for ``action`` lapses; None if there is no live grant."""
    if not hasattr(request, "session") or not session_mfa_verified(request):
        return None
    entry: Any = _grants(request).get(action)
    if not isinstance(entry, dict) or entry.get("user") != str(request.user.pk):
        return None
    expires = parse_datetime(str(entry.get("expires", "")))
    if expires is None or expires <= timezone.now():
        return None
    return expires


def _live(entry: Any, now: datetime) -> bool:
    expires = parse_datetime(str(entry.get("expires", ""))) if isinstance(entry, dict) else None
    return expires is not None and expires > now


def has_step_up(request: HttpRequest, action: str) -> bool:
    policy.rule_for(action)  # an unknown action is a bug, not a "no"
    return grant_expires_at(request, action) is not None


@transaction.atomic
def step_up_grant(request: HttpRequest, *, action: str, code: str) -> mfa.Verification:
    """Verify a TOTP for ``action`` and, if accepted, grant it to this session for five minutes."""
    rule = policy.rule_for(action)
    if not rule.step_up:
        raise ValueError(f"{action!r} does not need a step-up")
    user = request.user
    result = mfa.totp_verify(user=user, code=code, purpose="step_up", action=action)  # type: ignore[arg-type]
    if not result.ok:
        return result
    now = timezone.now()
    expires = now + grant_ttl()
    grants = {name: entry for name, entry in _grants(request).items() if _live(entry, now)}
    grants[action] = {"user": str(user.pk), "expires": expires.isoformat()}
    request.session.cycle_key()
    request.session[SESSION_KEY] = grants
    audit_record(
        action=audit_actions.STEP_UP_GRANTED,
        actor=user,
        target=user,
        payload={"step_up_action": action, "expires_at": expires},
    )
    return result


def _audit_refusal(request: HttpRequest, action: str) -> None:
    user = request.user
    if getattr(user, "is_authenticated", False) and getattr(user, "email", None):
        with transaction.atomic():
            audit_record(
                action=audit_actions.STEP_UP_REFUSED,
                actor=user,
                target=user,
                payload={"step_up_action": action},
            )


def require_step_up(request: HttpRequest, *, action: str) -> None:
    """API guard: return if this session holds a live grant for ``action``, else raise 403 step_up_required.

    Also checks the role (``policy.require``) first, so a caller who may never do the action gets a
    plain 403 rather than an invitation to step up. API clients (keys) cannot step up: a risky action
    is refused to them outright.
    """
    user = getattr(request, "user", None)
    policy.require(user, action)
    if hasattr(user, "key"):  # an API client: no person, no second factor
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("API clients cannot perform actions that need a step-up.")
    if has_step_up(request, action):
        return
    _audit_refusal(request, action)
    raise StepUpRequired(action)


# --- Admin ---------------------------------------------------------------------------------------------
def admin_step_up(request: HttpRequest, *, action: str) -> HttpResponse | None:
    """Admin guard: None when the action may proceed; otherwise the prompt page (or a redirect).

    The prompt re-posts the original form fields with the code, so an admin action or a change form
    proceeds in the same request once the code is accepted. A GET is redirected back after a grant.
    """
    policy.require(request.user, action)
    if has_step_up(request, action):
        return None
    error = None
    if request.method == "POST" and CODE_FIELD in request.POST:
        result = step_up_grant(request, action=action, code=request.POST.get(CODE_FIELD, ""))
        if result.ok:
            if request.POST.get("_step_up_origin") == "GET":
                return HttpResponseRedirect(request.get_full_path())
            return None
        error = _admin_error(result)
    else:
        _audit_refusal(request, action)
    hidden = []
    if request.method == "POST":
        hidden = [
            (name, value)
            for name, values in request.POST.lists()
            if name not in {"csrfmiddlewaretoken", CODE_FIELD, "_step_up_origin"}
            for value in values
        ]
    context = {
        "title": "Confirm with your authenticator app",
        "rule": policy.rule_for(action),
        "hidden_fields": hidden,
        "origin": "GET" if request.method != "POST" else request.POST.get("_step_up_origin", "POST"),
        "error": error,
        "code_field": CODE_FIELD,
        "ttl_minutes": int(grant_ttl().total_seconds() // 60),
    }
    from django.contrib import admin

    response = TemplateResponse(request, "admin/accounts/step_up.html", {**admin.site.each_context(request), **context})
    response["Cache-Control"] = "no-store"
    return response


def _admin_error(result: mfa.Verification) -> str:
    if result.outcome in {mfa.Outcome.THROTTLED, mfa.Outcome.LOCKED}:
        return f"Too many wrong codes. Try again in {result.retry_after} seconds."
    if result.outcome is mfa.Outcome.NOT_ENROLLED:
        return "You have no authenticator app enrolled."
    return "That code was not accepted. Wait for the next code and try again."
