"""Admin pages of the second-factor gate: verify (code or recovery code) or enrol (QR shown once)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts import selectors, services, stepup
from accounts.services.mfa import Outcome, Verification

CODE = "_mfa_code"
RECOVERY = "_mfa_recovery_code"


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    base = {**admin.site.each_context(request), "code_field": CODE, "recovery_field": RECOVERY}
    response = TemplateResponse(request, template, {**base, **context})
    response["Cache-Control"] = "no-store"
    return response


def _message(result: Verification) -> str:
    if result.outcome in {Outcome.THROTTLED, Outcome.LOCKED}:
        return f"Too many wrong codes. Try again in {result.retry_after} seconds."
    if result.outcome is Outcome.NOT_ENROLLED:
        return "The enrolment expired. Scan the new code below."
    return "That code was not accepted. Codes work once: wait for the next one and try again."


def mfa_gate(request: HttpRequest) -> HttpResponse:
    """Answer an admin request from a staff session that has not passed its second factor."""
    user = request.user
    if selectors.user_has_confirmed_device(user):
        return _verify(request)
    return _enrol(request)


def _verify(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST" and (request.POST.get(CODE) or request.POST.get(RECOVERY)):
        if request.POST.get(CODE):
            result = services.totp_verify(user=request.user, code=request.POST[CODE], purpose="login")
            factor = "totp"
        else:
            result = services.recovery_code_use(user=request.user, code=request.POST[RECOVERY])
            factor = "recovery_code"
        if result.ok:
            stepup.mark_mfa_verified(request, factor=factor)
            return HttpResponseRedirect(request.get_full_path())
        error = _message(result)
    return _render(request, "admin/accounts/mfa_verify.html", {"title": "Second factor", "error": error})


def _enrol(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST" and request.POST.get(CODE):
        result = services.totp_enrol_confirm(user=request.user, code=request.POST[CODE], actor=request.user)
        if result.ok:
            update_session_auth_hash(request, request.user)
            stepup.mark_mfa_verified(request, factor="totp")
            return _render(
                request,
                "admin/accounts/mfa_recovery_codes.html",
                {"title": "Recovery codes", "codes": result.recovery_codes, "next": request.get_full_path()},
            )
        error = _message(result)
    enrolment = services.totp_enrol_begin(user=request.user, actor=request.user)
    return _render(
        request,
        "admin/accounts/mfa_enrol.html",
        {"title": "Set up your authenticator app", "enrolment": enrolment, "error": error},
    )


def own_second_factor(request: HttpRequest) -> HttpResponse:
    """The person's own second factor in the admin: replace the app, remove it, or renew recovery codes.

    Replacing or removing needs a step-up (``mfa.remove_own``), renewing codes ``mfa.recovery_codes.renew``;
    the prompt re-posts the chosen operation, which then proceeds.
    """
    user = request.user
    operation = request.POST.get("op", "") if request.method == "POST" else ""
    if operation == "confirm":
        result = services.totp_enrol_confirm(user=user, code=request.POST.get(CODE, ""), actor=user)
        if result.ok:
            update_session_auth_hash(request, user)
            stepup.mark_mfa_verified(request, factor="totp")
            return _codes_page(request, result.recovery_codes)
        return _enrol_page(request, error=_message(result))
    if operation in {"replace", "remove"}:
        blocked = stepup.admin_step_up(request, action="mfa.remove_own")
        if blocked is not None:
            return blocked
        if operation == "replace":
            return _enrol_page(request, error=None)
        services.totp_remove(user=user, actor=user)
        update_session_auth_hash(request, user)
        request.session.pop(stepup.MFA_SESSION_KEY, None)
        request.session.pop(stepup.SESSION_KEY, None)
        return HttpResponseRedirect(reverse("admin:index"))  # the gate asks for a new app at once
    if operation == "recovery":
        blocked = stepup.admin_step_up(request, action="mfa.recovery_codes.renew")
        if blocked is not None:
            return blocked
        return _codes_page(request, services.recovery_codes_issue(user=user, actor=user))
    state = selectors.mfa_status(user=user)
    return _render(request, "admin/accounts/mfa_manage.html", {"title": "Your second factor", "state": state})


def _enrol_page(request: HttpRequest, *, error: str | None) -> HttpResponse:
    enrolment = services.totp_enrol_begin(user=request.user, actor=request.user)
    context = {"title": "Replace your authenticator app", "enrolment": enrolment, "error": error, "op": "confirm"}
    return _render(request, "admin/accounts/mfa_enrol.html", context)


def _codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    context = {"title": "Recovery codes", "codes": codes, "next": reverse("admin:index")}
    return _render(request, "admin/accounts/mfa_recovery_codes.html", context)
