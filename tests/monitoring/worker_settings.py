"""Settings of the workers the kill test starts: the test workers' settings, with abandoned messages swept every second.

Kombu scans Redis for unacknowledged messages older than the visibility timeout only every
``unacked_restore_interval * unacked_restore_throttle`` seconds (10 x 10 by default); the test
lowers both so that a killed worker's chunk comes back within seconds instead of minutes.
"""

from config.settings.base import CELERY_BROKER_TRANSPORT_OPTIONS
from tests.worker_settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
