from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Screening and watchlists"

    def ready(self) -> None:
        from screening import (
            history,
            metrics,  # noqa: F401  # screening and list-age metrics at /metrics
            screenings_setup,  # noqa: F401  # index swap on activation, readiness, audit codes
        )

        history.register()  # field-level history of sources, releases and false positives
