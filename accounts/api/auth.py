"""API for the caller's own identity: who am I, second factor, step-up, sessions."""

from __future__ import annotations

from django.contrib.auth import logout, update_session_auth_hash
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policy, selectors, services, stepup
from accounts.api._errors import raise_for
from accounts.authentication import ApiClientPrincipal
from accounts.permissions import IsOfficer, IsPerson
from accounts.serializers import (
    CodeIn,
    EnrolmentOut,
    MfaStatusOut,
    MfaVerifyIn,
    MfaVerifyOut,
    RecoveryCodesOut,
    StepUpIn,
    StepUpOut,
    WhoAmISerializer,
)

NO_STORE = {"Cache-Control": "no-store"}


class WhoAmIView(APIView):
    """Who the API thinks you are: an officer (session) or an API client (key)."""

    @extend_schema(responses=WhoAmISerializer, operation_id="auth_whoami")
    def get(self, request: Request) -> Response:
        user = request.user
        if isinstance(user, ApiClientPrincipal):
            data = {
                "kind": "api_client",
                "id": str(user.client.pk),
                "name": user.client.name,
                "role": None,
                "key_prefix": user.key.prefix,
            }
        else:
            data = {
                "kind": "officer",
                "id": str(user.pk),
                "name": user.get_full_name(),
                "role": user.role,
                "key_prefix": None,
            }
        return Response(WhoAmISerializer(data).data)


class MfaStatusView(APIView):
    """Your second factor: enrolled or not, recovery codes left, and whether this session verified it."""

    permission_classes = [IsPerson]

    @extend_schema(responses=MfaStatusOut, operation_id="auth_mfa_status")
    def get(self, request: Request) -> Response:
        state = selectors.mfa_status(user=request.user)
        data = {**state.__dict__, "session_verified": stepup.session_mfa_verified(request)}
        return Response(MfaStatusOut(data).data)


class MfaVerifyView(APIView):
    """Pass the second factor for this session with a TOTP code or a recovery code (new session id)."""

    permission_classes = [IsPerson]

    @extend_schema(request=MfaVerifyIn, responses=MfaVerifyOut, operation_id="auth_mfa_verify")
    def post(self, request: Request) -> Response:
        data = MfaVerifyIn(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("code"):
            result = services.totp_verify(user=request.user, code=data.validated_data["code"], purpose="login")
            factor = "totp"
        else:
            result = services.recovery_code_use(user=request.user, code=data.validated_data["recovery_code"])
            factor = "recovery_code"
        raise_for(result)
        stepup.mark_mfa_verified(request._request, factor=factor)
        return Response(MfaVerifyOut({"verified": True, "recovery_codes_left": result.recovery_codes_left}).data)


class TotpView(APIView):
    """Enrol an authenticator app (POST; the seed is shown once) or remove yours (DELETE, needs step-up)."""

    permission_classes = [IsPerson]

    @extend_schema(request=None, responses={201: EnrolmentOut}, operation_id="auth_mfa_totp_begin")
    def post(self, request: Request) -> Response:
        if selectors.user_has_confirmed_device(request.user):
            # Replacing a working factor is as risky as removing it.
            IsOfficer().has_permission(request, self)
            stepup.require_step_up(request, action="mfa.remove_own")
        enrolment = services.totp_enrol_begin(user=request.user, actor=request.user)
        body = {
            "secret": enrolment.secret_base32,
            "provisioning_uri": enrolment.provisioning_uri,
            "qr_svg": enrolment.qr_svg,
            "expires_at": enrolment.expires_at,
        }
        return Response(EnrolmentOut(body).data, status=status.HTTP_201_CREATED, headers=NO_STORE)

    @extend_schema(request=None, responses={204: None}, operation_id="auth_mfa_totp_remove")
    def delete(self, request: Request) -> Response:
        IsOfficer().has_permission(request, self)
        stepup.require_step_up(request, action="mfa.remove_own")
        services.totp_remove(user=request.user, actor=request.user)
        # The other sessions are gone; this one stays, but no longer counts as second-factor verified.
        update_session_auth_hash(request._request, request.user)
        request.session.pop(stepup.MFA_SESSION_KEY, None)
        request.session.pop(stepup.SESSION_KEY, None)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TotpConfirmView(APIView):
    """Activate the app being enrolled with a correct code; returns ten recovery codes, once."""

    permission_classes = [IsPerson]

    @extend_schema(request=CodeIn, responses={200: RecoveryCodesOut}, operation_id="auth_mfa_totp_confirm")
    def post(self, request: Request) -> Response:
        data = CodeIn(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.totp_enrol_confirm(user=request.user, code=data.validated_data["code"], actor=request.user)
        raise_for(result)
        update_session_auth_hash(request._request, request.user)  # other sessions end; this one stays
        stepup.mark_mfa_verified(request._request, factor="totp")
        return Response(RecoveryCodesOut({"recovery_codes": result.recovery_codes}).data, headers=NO_STORE)


class RecoveryCodesView(APIView):
    """Replace your recovery codes with ten new ones (needs step-up); the old ones stop working."""

    permission_classes = [IsOfficer]

    @extend_schema(request=None, responses={201: RecoveryCodesOut}, operation_id="auth_mfa_recovery_codes_renew")
    def post(self, request: Request) -> Response:
        stepup.require_step_up(request, action="mfa.recovery_codes.renew")
        codes = services.recovery_codes_issue(user=request.user, actor=request.user)
        return Response(
            RecoveryCodesOut({"recovery_codes": codes}).data, status=status.HTTP_201_CREATED, headers=NO_STORE
        )


class StepUpView(APIView):
    """Grant this session one risky action for five minutes with a fresh TOTP code (new session id)."""

    permission_classes = [IsOfficer]

    @extend_schema(
        request=StepUpIn,
        responses={200: StepUpOut, 403: OpenApiResponse(description="Wrong code, or the role may not act")},
        operation_id="auth_step_up",
    )
    def post(self, request: Request) -> Response:
        data = StepUpIn(data=request.data)
        data.is_valid(raise_exception=True)
        action = data.validated_data["action"]
        policy.require(request.user, action)
        result = stepup.step_up_grant(request._request, action=action, code=data.validated_data["code"])
        raise_for(result)
        expires = stepup.grant_expires_at(request._request, action)
        return Response(StepUpOut({"action": action, "expires_at": expires}).data)


class SessionsRevokeView(APIView):
    """Log out everywhere: every session of yours ends, this one included."""

    permission_classes = [IsPerson]

    @extend_schema(request=None, responses={204: None}, operation_id="auth_sessions_revoke")
    def post(self, request: Request) -> Response:
        policy.require(request.user, "sessions.revoke_own")
        services.user_sessions_revoke(user=request.user, actor=request.user, reason="logout_everywhere")
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    """Log out of this session."""

    permission_classes = [IsPerson]

    @extend_schema(request=None, responses={204: None}, operation_id="auth_logout")
    def post(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
