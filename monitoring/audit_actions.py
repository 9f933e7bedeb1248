"""Monitoring's audit action codes (autodiscovered by the audit app)."""

from audit.actions import register

JOB_CREATED = register("monitoring.job.created", "A monitoring job (delta or full rescreen) was created")
JOB_PAUSED = register("monitoring.job.paused", "An operator paused a monitoring job")
JOB_RESUMED = register("monitoring.job.resumed", "An operator resumed a monitoring job (or retried its failed chunks)")
JOB_RERUN = register("monitoring.job.rerun", "An operator started a monitoring job again")
JOB_FINISHED = register("monitoring.job.finished", "A monitoring job completed or failed")
ALERT_ENTRY_REMOVED = register(
    "monitoring.alert.entry_removed", "An open alert was annotated: its list entry was removed"
)
DRIFT_FLAGGED = register(
    "monitoring.drift.flagged",
    "A drift or bias check found scores, alert rates or false-positive rates beyond their bounds",
)
