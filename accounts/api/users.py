"""People, for administrators: list, change role or flags (step-up), reset someone's second factor (step-up)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.permissions import HasAction
from accounts.serializers import UserOut, UserUpdateIn
from accounts.stepup import require_step_up
from common.pagination import Pagination


class UserListView(APIView):
    """Every person with their role and whether they have a second factor."""

    permission_classes = [HasAction("user.view")]

    @extend_schema(responses=UserOut(many=True), operation_id="users_list")
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.user_list(actor=request.user), request, view=self)
        return paginator.get_paginated_response(UserOut(page, many=True).data)


class UserDetailView(APIView):
    """One person; PATCH changes role, staff or active flag (step-up; ends their sessions)."""

    def get_permissions(self) -> list:
        return [HasAction("user.view" if self.request.method == "GET" else "user.role.change")()]

    @extend_schema(responses=UserOut, operation_id="users_get")
    def get(self, request: Request, user_id: str) -> Response:
        return Response(UserOut(selectors.user_get(actor=request.user, user_id=user_id)).data)

    @extend_schema(request=UserUpdateIn, responses=UserOut, operation_id="users_update")
    def patch(self, request: Request, user_id: str) -> Response:
        target = selectors.user_get(actor=request.user, user_id=user_id)
        data = UserUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        require_step_up(request, action="user.role.change")
        try:
            services.user_privileges_change(user=target, actor=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response(UserOut(selectors.user_get(actor=request.user, user_id=user_id)).data)


class UserMfaResetView(APIView):
    """Remove another person's authenticator app and recovery codes; they enrol again at next login."""

    permission_classes = [HasAction("mfa.reset_other")]

    @extend_schema(request=None, responses={204: None}, operation_id="users_mfa_reset")
    def post(self, request: Request, user_id: str) -> Response:
        target = selectors.user_get(actor=request.user, user_id=user_id)
        if target.pk == request.user.pk:
            raise serializers.ValidationError({"user": ["Use DELETE /api/v1/auth/mfa/totp for your own factor."]})
        require_step_up(request, action="mfa.reset_other")
        services.totp_remove(user=target, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
