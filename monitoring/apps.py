from django.apps import AppConfig

ACTION_VIEW = "monitoring.view"
ACTION_OPERATE = "monitoring.operate"
ACTION_DASHBOARD = "monitoring.dashboard.view"


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Ongoing monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import policy
        from monitoring import receivers
        from screening.signals import watchlist_version_activated

        if ACTION_VIEW not in policy.ACTIONS:
            policy.define(
                ACTION_VIEW,
                roles=policy.READERS | {policy.ADMIN},
                description="Read monitoring jobs and their progress",
            )
        if ACTION_OPERATE not in policy.ACTIONS:
            policy.define(
                ACTION_OPERATE,
                roles={policy.SENIOR, policy.ADMIN},
                description="Pause, resume or re-run a monitoring job",
            )
        if ACTION_DASHBOARD not in policy.ACTIONS:
            policy.define(
                ACTION_DASHBOARD,
                roles={policy.OFFICER, policy.SENIOR, policy.ADMIN, policy.AUDITOR},
                description="Read the compliance dashboard (alert volumes, false positives, SLA, lists, drift)",
            )
        watchlist_version_activated.connect(
            receivers.on_version_activated, dispatch_uid="monitoring.on_version_activated"
        )
