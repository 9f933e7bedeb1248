from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from common import correlation, metrics

        correlation.connect_celery_signals()
        metrics.connect_celery_signals()
