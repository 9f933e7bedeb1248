"""One correlation id per request or task, carried into logs, Celery tasks and audit events."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from typing import Any

import structlog

HEADER = "X-Request-ID"
CELERY_HEADER = "tillit_correlation_id"  # not "correlation_id": Celery uses that for the task id
_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_current: ContextVar[str | None] = ContextVar("tillit_correlation_id", default=None)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def clean_correlation_id(value: str | None) -> str:
    """Accept a caller's id only when it is short and plain; otherwise issue a fresh one."""
    if value and _VALID.match(value):
        return value
    return new_correlation_id()


def get_correlation_id() -> str | None:
    """The id of the request or task being handled, if any."""
    return _current.get()


def bind_correlation_id(value: str | None) -> None:
    """Make ``value`` the current id for this context and its log lines."""
    _current.set(value)
    structlog.contextvars.clear_contextvars()
    if value:
        structlog.contextvars.bind_contextvars(correlation_id=value)


def _before_publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    current = get_correlation_id()
    if headers is not None and current and not headers.get(CELERY_HEADER):
        headers[CELERY_HEADER] = current


def _task_prerun(task: Any = None, **_: Any) -> None:
    request = getattr(task, "request", None)
    if getattr(request, "is_eager", False):
        return  # runs inline in the caller's context, which already carries the id
    incoming = getattr(request, CELERY_HEADER, None) if request is not None else None
    if incoming is None and request is not None:
        incoming = (getattr(request, "headers", None) or {}).get(CELERY_HEADER)
    bind_correlation_id(clean_correlation_id(incoming) if incoming else new_correlation_id())
    structlog.contextvars.bind_contextvars(task=getattr(task, "name", None))


def _task_postrun(task: Any = None, **_: Any) -> None:
    if not getattr(getattr(task, "request", None), "is_eager", False):
        bind_correlation_id(None)


def connect_celery_signals() -> None:
    """Publishing copies the current id into the task's headers; a worker binds it while the task runs."""
    from celery import signals

    signals.before_task_publish.connect(_before_publish, weak=False, dispatch_uid="tillit-cid-publish")
    signals.task_prerun.connect(_task_prerun, weak=False, dispatch_uid="tillit-cid-prerun")
    signals.task_postrun.connect(_task_postrun, weak=False, dispatch_uid="tillit-cid-postrun")
