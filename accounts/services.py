"""Writes for accounts: API clients and their keys."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import keys
from accounts.models import ApiClient, ApiKey, User


class ApiKeyLimitReached(ValueError):
    """A client already has the maximum number of active keys; revoke one first."""


@transaction.atomic
def api_client_create(
    *, name: str, actor: User | None, description: str = "", scopes: list[str] | None = None
) -> ApiClient:
    """Register a new API client (a tenant); it has no key until one is issued."""
    client = ApiClient(name=name, description=description, scopes=scopes or [], created_by=actor)
    client.full_clean()
    client.save()
    return client


@transaction.atomic
def api_key_issue(
    *, client: ApiClient, actor: User | None, label: str = "", expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never available again."""
    ApiClient.objects.select_for_update().filter(pk=client.pk).first()  # serialise issuers per client
    limit = settings.TILLIT_API_KEY_MAX_ACTIVE
    if client.keys.active().count() >= limit:
        raise ApiKeyLimitReached(f"client {client.name!r} already has {limit} active keys; revoke one first")
    new = keys.generate_key()
    key = ApiKey(
        client=client,
        prefix=new.prefix,
        key_hash=new.key_hash,
        label=label,
        created_by=actor,
        expires_at=expires_at,
    )
    key.full_clean()
    key.save()
    return key, new.secret


@transaction.atomic
def api_key_rotate(
    *, client: ApiClient, actor: User | None, grace: timedelta = timedelta(days=7), label: str = ""
) -> tuple[ApiKey, str]:
    """Issue a new key; the current key keeps working for ``grace`` so callers can switch over."""
    ApiClient.objects.select_for_update().filter(pk=client.pk).first()
    current = list(client.keys.active())
    if len(current) >= settings.TILLIT_API_KEY_MAX_ACTIVE:
        raise ApiKeyLimitReached(
            f"client {client.name!r} is already rotating ({len(current)} active keys); revoke one first"
        )
    deadline = timezone.now() + grace
    for old in current:
        if old.expires_at is None or old.expires_at > deadline:
            old.expires_at = deadline
            old.save(update_fields=["expires_at", "updated_at"])
    return api_key_issue(client=client, actor=actor, label=label)


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: User | None) -> ApiKey:
    """Stop a key working at once. Revoking twice keeps the first revocation time."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])
    return key


def api_key_touch(*, key: ApiKey) -> None:
    """Record that a key was used, writing at most once per TILLIT_API_KEY_LAST_USED_RESOLUTION."""
    now = timezone.now()
    resolution: timedelta = settings.TILLIT_API_KEY_LAST_USED_RESOLUTION
    if key.last_used_at is not None and now - key.last_used_at < resolution:
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now
