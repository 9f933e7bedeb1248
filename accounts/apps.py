from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import (
            checks,  # noqa: F401  (registers the admin-MFA system check)
            history,
            schema,  # noqa: F401  (registers the OpenAPI auth extension)
            signals,  # noqa: F401  (audits logins and logouts)
        )

        history.register()  # field-level history of people, API clients, keys and TOTP devices
