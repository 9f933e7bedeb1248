"""The beat schedule only names tasks that exist and take no arguments it does not give."""

from __future__ import annotations

import inspect

from django.conf import settings

from config.celery import app


def test_every_scheduled_task_is_registered_and_callable_with_the_scheduled_arguments():
    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"{name}: no task {entry['task']!r}"
        signature = inspect.signature(app.tasks[entry["task"]].run)
        signature.bind(*entry.get("args", ()), **entry.get("kwargs", {}))  # raises TypeError on a mismatch
