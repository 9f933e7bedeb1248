"""Admin pages of the second-factor gate: verify (code or recovery code) or enrol (QR shown once)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse

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
