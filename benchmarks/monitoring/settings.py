"""Settings of the monitoring benchmark (its process and its workers): base settings on a private queue."""

from config.settings.base import *  # noqa: F403

TILLIT_MONITORING_QUEUE = "bench-monitoring"
LOG_LEVEL = "WARNING"
