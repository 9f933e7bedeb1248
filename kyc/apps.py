from django.apps import AppConfig


class KycConfig(AppConfig):
    name = "kyc"
    verbose_name = "KYC/KYB onboarding and cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kyc import history, integrations, schema

        integrations.define_actions()
        schema.register_enum_names()
        history.register()
