"""Settings of the real Celery workers that the integration tests start: the base settings, plus
``tests.worker_hooks``, which makes a long-lived worker forget cached content type ids before each
task.

The test database is flushed between transactional tests and its content types are created again
with new ids; a worker that outlives a test would otherwise write django-auditlog entries that
point at content types which no longer exist. In production content types never change, so the
base settings have no such hook.
"""

from config.settings.base import *  # noqa: F403

CELERY_IMPORTS = ["tests.worker_hooks"]
