"""Test settings: the base settings with fast hashing, tasks eager unless a test asks for the worker.

With DATABASE_URL and CELERY_BROKER_URL set (as .ci/run does) the same suite runs against
PostgreSQL and Redis, and the integration tests start a real Celery worker.
"""

import os
import uuid

from config.settings.base import *  # noqa: F403
from config.settings.base import CELERY_BROKER_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never used outside tests
# Tests run tasks in-process unless an integration test switches its worker on.
CELERY_TASK_ALWAYS_EAGER = True
TILLIT_TEST_BROKER_URL = CELERY_BROKER_URL
# A private queue per test run, so a worker started by the tests never sees another run's messages.
CELERY_TASK_DEFAULT_QUEUE = f"tillit-test-{uuid.uuid4().hex[:10]}"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
REST_FRAMEWORK = {**REST_FRAMEWORK}  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": "1000/min", "user": "100000/min"}
LOG_LEVEL = "WARNING"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TILLIT_AUDIT_ALLOW_FLUSH = True  # transactional tests flush every table; production refuses to flush the audit log
TILLIT_RECOVERY_CODE_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}  # speed; params stored per hash
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so that a real worker process can share the test database.
    # One file per test process, so that concurrent runs (and xdist workers) never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
else:
    # Likewise on PostgreSQL: concurrent test runs on one server each get their own database.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}  # noqa: F405
