"""Signal handlers loaded only by the integration tests' workers (``tests.worker_settings``)."""

from __future__ import annotations

from typing import Any

from celery.signals import task_prerun


@task_prerun.connect(dispatch_uid="tests.worker_hooks.forget_content_types")
def forget_content_types(**kwargs: Any) -> None:
    """Drop cached content type ids: the test database may have re-created them since the last task."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
