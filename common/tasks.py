"""Small system tasks: a round-trip probe for workers, and session housekeeping."""

from __future__ import annotations

from celery import shared_task
from django.db import connection

from common.correlation import get_correlation_id
from common.logging import get_logger

log = get_logger(__name__)


@shared_task(name="common.ping")
def ping() -> dict[str, object]:
    """Prove a worker is consuming, sees the database, and received the caller's correlation id."""
    log.info("common.ping")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"pong": True, "correlation_id": get_correlation_id(), "database": connection.vendor}


@shared_task(name="common.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Delete expired sessions (Django's clearsessions), on the beat schedule."""
    from importlib import import_module

    from django.conf import settings

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
