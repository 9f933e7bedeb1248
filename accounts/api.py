"""API for the caller's own identity."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ApiClientPrincipal
from accounts.serializers import WhoAmISerializer


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
