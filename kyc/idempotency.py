"""``Idempotency-Key`` on creating POSTs: the first response is stored and replayed for repeats.

A repeat with the same key and the same request gets the stored response (header
``Idempotent-Replayed: true``); the same key with a different request is refused (422
``idempotency_key_reused``); a repeat while the first is still running gets 409
``idempotency_in_progress``. Server errors are not stored, so the client can retry them.
Keys are scoped per API client and kept for ``TILLIT_KYC_IDEMPOTENCY_TTL`` (24 hours by default;
the ``kyc.idempotency_prune`` task forgets older ones).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from common.errors import ApiError
from kyc.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
STALE_AFTER = timedelta(minutes=2)  # an in-progress record this old belongs to a request that died

PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="A unique key per intended operation (e.g. a UUID). Repeating the request with the same key "
    "returns the first response instead of doing the work twice.",
)


def _fingerprint(request: Request) -> str:
    """The request's method, path and raw body (read before the view parses it; any content type)."""
    body = request._request.body  # cached by Django, so the view can still parse it
    return hashlib.sha256(f"{request.method} {request.path}\n".encode() + body).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate a POST handler of an APIView used by API clients."""

    @wraps(view)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER, "").strip()
        client = getattr(request.user, "client", None)
        if not key or client is None:
            return view(self, request, *args, **kwargs)
        if len(key) > MAX_LENGTH or not key.isprintable():
            raise ApiError("invalid", f"{HEADER} must be printable and at most {MAX_LENGTH} characters.")
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    client=client, key=key, method=request.method, path=request.path[:500], request_hash=fingerprint
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.get(client=client, key=key)
            if record.request_hash != fingerprint:
                raise ApiError(
                    "idempotency_key_reused",
                    f"This {HEADER} was used for a different request.",
                    status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
                ) from None
            if record.status_code is not None:
                return _replay(record)
            if timezone.now() - record.created_at < STALE_AFTER:
                raise ApiError(
                    "idempotency_in_progress",
                    f"A request with this {HEADER} is still being processed; retry shortly.",
                    status_code=status.HTTP_409_CONFLICT,
                ) from None
        try:
            response = view(self, request, *args, **kwargs)
        except Exception:
            IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).delete()
            raise
        if response.status_code >= 500:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        else:
            stored = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))  # UUIDs, dates -> JSON
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=response.status_code, response=stored, updated_at=timezone.now()
            )
        return response

    return wrapper


def idempotency_ttl() -> timedelta:
    return getattr(settings, "TILLIT_KYC_IDEMPOTENCY_TTL", timedelta(hours=24))


def idempotency_records_prune(*, now: datetime | None = None) -> int:
    """Forget stored responses older than the idempotency window (a later repeat is then a new request)."""
    cutoff = (now or timezone.now()) - idempotency_ttl()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
