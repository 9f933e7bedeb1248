"""Writes for API clients (tenants) and their keys; every change is audited in its own transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit_actions, keys, policy
from accounts.models import ApiClient, ApiKey, User
from audit.services import audit_record


class ApiKeyLimitReached(ValueError):
    """A client already has the maximum number of active keys; revoke one first."""


def _clean_scopes(scopes: list[str] | None) -> list[str]:
    cleaned = sorted(set(scopes or []))
    unknown = [scope for scope in cleaned if scope not in policy.SCOPES]
    if unknown:
        raise ValidationError({"scopes": [f"Unknown scope(s): {', '.join(unknown)}. Known: {sorted(policy.SCOPES)}."]})
    return cleaned


@transaction.atomic
def api_client_create(
    *, name: str, actor: User | None, description: str = "", scopes: list[str] | None = None
) -> ApiClient:
    """Register a new API client (a tenant); it has no key until one is issued."""
    client = ApiClient(name=name, description=description, scopes=_clean_scopes(scopes), created_by=actor)
    client.full_clean()
    client.save()
    audit_record(
        action=audit_actions.API_CLIENT_CREATED,
        actor=actor,
        target=client,
        payload={"client_label": client.name, "scopes": client.scopes},
    )
    return client


@transaction.atomic
def api_client_update(
    *,
    client: ApiClient,
    actor: User | None,
    description: str | None = None,
    scopes: list[str] | None = None,
    is_active: bool | None = None,
) -> ApiClient:
    """Change a client's description, scopes or active flag; records what changed."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    changes: dict[str, Any] = {}
    if description is not None and description != client.description:
        client.description = description
        changes["description_changed"] = True
    if scopes is not None:
        cleaned = _clean_scopes(scopes)
        if cleaned != sorted(client.scopes or []):
            changes["scopes"] = {"from": sorted(client.scopes or []), "to": cleaned}
            client.scopes = cleaned
    if is_active is not None and is_active != client.is_active:
        changes["is_active"] = {"from": client.is_active, "to": is_active}
        client.is_active = is_active
    if changes:
        client.full_clean()
        client.save()
        audit_record(action=audit_actions.API_CLIENT_UPDATED, actor=actor, target=client, payload=changes)
    return client


def _issue(*, client: ApiClient, actor: User | None, label: str, expires_at: datetime | None) -> tuple[ApiKey, str]:
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
def api_key_issue(
    *, client: ApiClient, actor: User | None, label: str = "", expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never available again."""
    ApiClient.objects.select_for_update().filter(pk=client.pk).first()  # serialise issuers per client
    key, secret = _issue(client=client, actor=actor, label=label, expires_at=expires_at)
    audit_record(
        action=audit_actions.API_KEY_ISSUED,
        actor=actor,
        target=client,
        payload={"key_prefix": key.prefix, "expires_at": key.expires_at},
    )
    return key, secret


@transaction.atomic
def api_key_rotate(
    *, client: ApiClient, actor: User | None, grace: timedelta = timedelta(days=7), label: str = ""
) -> tuple[ApiKey, str]:
    """Issue a new key; the current keys keep working for ``grace`` so callers can switch over."""
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
    key, secret = _issue(client=client, actor=actor, label=label, expires_at=None)
    audit_record(
        action=audit_actions.API_KEY_ROTATED,
        actor=actor,
        target=client,
        payload={
            "key_prefix": key.prefix,
            "expiring_prefixes": [old.prefix for old in current],
            "old_keys_expire_at": deadline,
        },
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: User | None) -> ApiKey:
    """Stop a key working at once. Revoking twice keeps the first revocation time (and audits once)."""
    key = ApiKey.objects.select_for_update().select_related("client").get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            action=audit_actions.API_KEY_REVOKED,
            actor=actor,
            target=key.client,
            payload={"key_prefix": key.prefix},
        )
    return key


def api_key_touch(*, key: ApiKey) -> None:
    """Record that a key was used, writing at most once per TILLIT_API_KEY_LAST_USED_RESOLUTION."""
    now = timezone.now()
    resolution: timedelta = settings.TILLIT_API_KEY_LAST_USED_RESOLUTION
    if key.last_used_at is not None and now - key.last_used_at < resolution:
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now
