"""API: ``POST /api/v1/identifiers/{token}/reveal/`` - the plaintext, for a purpose, after step-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import ApiError
from vault.services import IdentifierNotFound, RevealDenied, RevealPurpose, identifier_reveal
from vault.services.identifiers import REVEAL_ACTION

_STATUS = {
    "permission_denied": status.HTTP_403_FORBIDDEN,
    "step_up_required": status.HTTP_403_FORBIDDEN,
    "purpose_required": status.HTTP_400_BAD_REQUEST,
    "rate_limited": status.HTTP_429_TOO_MANY_REQUESTS,
    "integrity_error": status.HTTP_500_INTERNAL_SERVER_ERROR,
}


def step_up_verified(request: Request, action: str) -> bool:
    """Whether this session holds a fresh step-up grant for ``action``.

    ``TILLIT_VAULT_STEP_UP_CHECK`` names the check, a callable ``(request, action) -> bool``; the default
    is the accounts app's ``has_step_up`` (a TOTP within the last five minutes, bound to this session
    and to this action). API clients never pass: they have no second factor.
    """
    if hasattr(request.user, "key"):  # an API client principal
        return False
    check = import_string(getattr(settings, "TILLIT_VAULT_STEP_UP_CHECK", "accounts.stepup.has_step_up"))
    return check(request, action) is True


class RevealInput(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=RevealPurpose.choices)


class RevealOutput(serializers.Serializer):
    token = serializers.CharField()
    identifier_type = serializers.CharField()
    scheme = serializers.CharField()
    masked = serializers.CharField()
    value = serializers.CharField()


class IdentifierRevealView(APIView):
    """Reveal a stored identifier: needs the reveal permission, a fresh step-up and a purpose."""

    @extend_schema(
        operation_id="identifiers_reveal",
        request=RevealInput,
        responses={
            200: RevealOutput,
            400: OpenApiResponse(description="No or unknown purpose"),
            403: OpenApiResponse(description="permission_denied, or step_up_required naming the action"),
            404: OpenApiResponse(description="No identifier has this token"),
            429: OpenApiResponse(description="Too many reveals"),
            500: OpenApiResponse(description="integrity_error: the stored value no longer decrypts"),
        },
    )
    def post(self, request: Request, token: str) -> Response:
        data = RevealInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            revealed = identifier_reveal(
                token=token,
                purpose=data.validated_data["purpose"],
                actor=request.user,
                step_up_verified=step_up_verified(request, REVEAL_ACTION),
            )
        except IdentifierNotFound as exc:
            raise ApiError("not_found", exc.message, status_code=status.HTTP_404_NOT_FOUND) from None
        except RevealDenied as exc:
            fields: dict[str, Any] = {"action": REVEAL_ACTION} if exc.code == "step_up_required" else {}
            raise ApiError(
                exc.code, exc.message, status_code=_STATUS.get(exc.code, status.HTTP_403_FORBIDDEN), fields=fields
            ) from None
        response = Response(RevealOutput(revealed).data)
        response["Cache-Control"] = "no-store"
        return response
