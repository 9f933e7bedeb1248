from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import (
            checks,  # noqa: F401  (registers the admin-MFA system check)
            schema,  # noqa: F401  (registers the OpenAPI auth extension)
            signals,  # noqa: F401  (audits logins and logouts)
        )
