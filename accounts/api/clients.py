"""API client (tenant) management for administrators: every write needs a step-up and is audited."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import ApiClient
from accounts.permissions import HasAction
from accounts.serializers import (
    ApiClientCreatedOut,
    ApiClientCreateIn,
    ApiClientOut,
    ApiClientUpdateIn,
    ApiKeyOut,
    ApiKeyRotateIn,
    NewApiKeyOut,
)
from accounts.stepup import require_step_up
from common.errors import ApiError

NO_STORE = {"Cache-Control": "no-store"}


def _invalid(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    )


def _key_limit(exc: services.ApiKeyLimitReached) -> ApiError:
    return ApiError("api_key_limit_reached", str(exc), status_code=status.HTTP_409_CONFLICT)


def _fresh(client: ApiClient, actor: object) -> ApiClient:
    return selectors.api_client_get(actor=actor, client_id=client.pk)


class ApiClientListView(APIView):
    """List API clients (administrators, auditors) or register one with its first key (step-up)."""

    def get_permissions(self) -> list:
        action = "api_client.view" if self.request.method == "GET" else "api_client.manage"
        return [HasAction(action)()]

    @extend_schema(responses=ApiClientOut(many=True), operation_id="api_clients_list")
    def get(self, request: Request) -> Response:
        from common.pagination import Pagination

        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.api_client_list(actor=request.user), request, view=self)
        return paginator.get_paginated_response(ApiClientOut(page, many=True).data)

    @extend_schema(request=ApiClientCreateIn, responses={201: ApiClientCreatedOut}, operation_id="api_clients_create")
    def post(self, request: Request) -> Response:
        data = ApiClientCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        require_step_up(request, action="api_client.manage")
        try:
            with transaction.atomic():
                client = services.api_client_create(actor=request.user, **data.validated_data)
                key, secret = services.api_key_issue(client=client, actor=request.user, label="first key")
        except DjangoValidationError as exc:
            raise _invalid(exc) from None
        except IntegrityError:
            raise serializers.ValidationError({"name": ["An API client with this name exists."]}) from None
        body = ApiClientOut(_fresh(client, request.user)).data
        body["key"] = NewApiKeyOut({**ApiKeyOut(key).data, "secret": secret}).data
        return Response(body, status=status.HTTP_201_CREATED, headers=NO_STORE)


class ApiClientDetailView(APIView):
    """One API client with its keys and last use; PATCH changes scopes, description or status (step-up)."""

    def get_permissions(self) -> list:
        action = "api_client.view" if self.request.method == "GET" else "api_client.manage"
        return [HasAction(action)()]

    @extend_schema(responses=ApiClientOut, operation_id="api_clients_get")
    def get(self, request: Request, client_id: str) -> Response:
        return Response(ApiClientOut(selectors.api_client_get(actor=request.user, client_id=client_id)).data)

    @extend_schema(request=ApiClientUpdateIn, responses=ApiClientOut, operation_id="api_clients_update")
    def patch(self, request: Request, client_id: str) -> Response:
        client = selectors.api_client_get(actor=request.user, client_id=client_id)
        data = ApiClientUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        require_step_up(request, action="api_client.manage")
        try:
            services.api_client_update(client=client, actor=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise _invalid(exc) from None
        return Response(ApiClientOut(_fresh(client, request.user)).data)


class ApiKeyRotateView(APIView):
    """Issue a new key (shown once); the client's current keys keep working for ``grace_days``."""

    permission_classes = [HasAction("api_client.manage")]

    @extend_schema(request=ApiKeyRotateIn, responses={201: NewApiKeyOut}, operation_id="api_clients_keys_rotate")
    def post(self, request: Request, client_id: str) -> Response:
        client = selectors.api_client_get(actor=request.user, client_id=client_id)
        data = ApiKeyRotateIn(data=request.data)
        data.is_valid(raise_exception=True)
        require_step_up(request, action="api_client.manage")
        try:
            key, secret = services.api_key_rotate(
                client=client,
                actor=request.user,
                grace=timedelta(days=data.validated_data["grace_days"]),
                label=data.validated_data["label"],
            )
        except services.ApiKeyLimitReached as exc:
            raise _key_limit(exc) from None
        body = NewApiKeyOut({**ApiKeyOut(key).data, "secret": secret}).data
        return Response(body, status=status.HTTP_201_CREATED, headers=NO_STORE)


class ApiKeyRevokeView(APIView):
    """Revoke one key of a client at once."""

    permission_classes = [HasAction("api_client.manage")]

    @extend_schema(request=None, responses=ApiKeyOut, operation_id="api_clients_keys_revoke")
    def post(self, request: Request, client_id: str, key_id: str) -> Response:
        client = selectors.api_client_get(actor=request.user, client_id=client_id)
        key = selectors.api_key_get(client=client, key_id=key_id)
        require_step_up(request, action="api_client.manage")
        key = services.api_key_revoke(key=key, actor=request.user)
        return Response(ApiKeyOut(key).data)
