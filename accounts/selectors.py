"""Reads for accounts. Administrators see every client and user; a missing id answers 404."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from accounts import policy
from accounts.models import ApiClient, ApiKey, RecoveryCode, TotpDevice, User


def _uuid_or_404(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def api_client_list(*, actor: Any) -> QuerySet[ApiClient]:
    """Every API client with its keys (newest first), for those allowed ``api_client.view``."""
    policy.require(actor, "api_client.view")
    return ApiClient.objects.order_by("name").prefetch_related(
        Prefetch("keys", queryset=ApiKey.objects.order_by("-created_at"))
    )


def api_client_get(*, actor: Any, client_id: Any) -> ApiClient:
    try:
        return api_client_list(actor=actor).get(pk=_uuid_or_404(client_id))
    except ApiClient.DoesNotExist:
        raise Http404 from None


def api_key_get(*, client: ApiClient, key_id: Any) -> ApiKey:
    """A key of ``client``; another client's key answers 404."""
    try:
        return client.keys.get(pk=_uuid_or_404(key_id))
    except ApiKey.DoesNotExist:
        raise Http404 from None


def user_list(*, actor: Any) -> QuerySet[User]:
    policy.require(actor, "user.view")
    return (
        User.objects.select_related("totp_device")
        .order_by("email")
        .annotate(recovery_codes_left=Count("recovery_codes", filter=Q(recovery_codes__used_at__isnull=True)))
    )


def user_get(*, actor: Any, user_id: Any) -> User:
    try:
        return user_list(actor=actor).get(pk=_uuid_or_404(user_id))
    except User.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class MfaStatus:
    enrolled: bool
    confirmed_at: datetime | None
    enrolment_pending: bool
    recovery_codes_left: int
    locked_until: datetime | None


def mfa_status(*, user: User) -> MfaStatus:
    """The person's own second-factor state (never the seed)."""
    device = TotpDevice.objects.filter(user=user).first()
    left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
    return MfaStatus(
        enrolled=bool(device and device.is_confirmed),
        confirmed_at=device.confirmed_at if device else None,
        enrolment_pending=bool(device and device.pending_secret is not None),
        recovery_codes_left=left,
        locked_until=device.locked_until if device else None,
    )


def user_has_confirmed_device(user: Any) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False, secret__isnull=False).exists()
