"""Signal receivers: a newly active list version starts its delta job (the receiver only calls the service)."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def on_version_activated(sender: Any, version: Any = None, diff: Any = None, **kwargs: Any) -> None:
    """``watchlist_version_activated`` (sent after the commit): create and dispatch the version's delta job."""
    from django.conf import settings

    from monitoring.services.jobs import delta_job_create

    if not getattr(settings, "TILLIT_MONITORING_ENABLED", True) or version is None:
        return
    try:
        job = delta_job_create(version=version, diff=diff, actor=None)
    except Exception:
        # The import succeeded and stays; ``monitoring.resume_stalled`` creates the missed job later.
        log.exception("monitoring delta job could not be created", extra={"version": str(version.pk)})
        return
    log.info("monitoring delta job created", extra={"job": str(job.pk), "chunks": job.chunk_count})
