"""DRF authentication for API clients: ``Authorization: Api-Key tlk_<prefix>_<secret>``."""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts import keys
from accounts.models import ApiClient, ApiKey
from common.prepared import PreparedQuery

SCHEME = "Api-Key"

_KEY_FIELDS = [field.attname for field in ApiKey._meta.concrete_fields]
_CLIENT_FIELDS = [field.attname for field in ApiClient._meta.concrete_fields]
# Every request runs this lookup: compiled once (common.prepared), same columns as select_related("client").
_KEY_BY_PREFIX = PreparedQuery(
    lambda prefix: (
        ApiKey.objects.filter(prefix=prefix)
        .order_by()
        .values_list(*_KEY_FIELDS, *(f"client__{name}" for name in _CLIENT_FIELDS))
    )
)


def key_by_prefix(prefix: str) -> ApiKey | None:
    """The key with this prefix and its client (loaded together), or None."""
    rows = _KEY_BY_PREFIX.rows(prefix)
    if not rows:
        return None  # the prefix is unique: at most one row
    row = rows[0]
    key = ApiKey.from_db("default", _KEY_FIELDS, row[: len(_KEY_FIELDS)])
    client = ApiClient.from_db("default", _CLIENT_FIELDS, row[len(_KEY_FIELDS) :])
    ApiKey.client.field.set_cached_value(key, client)
    return key


@dataclass(frozen=True)
class ApiClientPrincipal:
    """What ``request.user`` is for a call made with an API key: the client, never a person."""

    client: ApiClient
    key: ApiKey

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    @property
    def pk(self) -> str:
        return str(self.client.pk)

    @property
    def id(self) -> str:
        return self.pk

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def __str__(self) -> str:
        return f"api-client:{self.client.name}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticate API clients by key; records last use (at most once a minute per key)."""

    def authenticate(self, request: Request) -> tuple[ApiClientPrincipal, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != SCHEME.lower():
            return None  # another scheme: let the next authenticator (or none) handle it
        presented = presented.strip()
        try:
            prefix = keys.split_key(presented)
        except keys.MalformedKey:
            raise exceptions.AuthenticationFailed("API key is malformed.", code="api_key_malformed") from None

        from accounts.services import api_key_touch

        key = key_by_prefix(prefix)
        if key is None or not keys.hashes_match(presented, key.key_hash):
            raise exceptions.AuthenticationFailed("API key is not valid.", code="api_key_invalid")
        if not key.is_active:
            raise exceptions.AuthenticationFailed("API key has been revoked or has expired.", code="api_key_revoked")
        if not key.client.is_active:
            raise exceptions.AuthenticationFailed("API client is disabled.", code="api_client_disabled")
        api_key_touch(key=key)
        return ApiClientPrincipal(client=key.client, key=key), key

    def authenticate_header(self, request: Request) -> str:
        return SCHEME
