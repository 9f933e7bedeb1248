from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = "Vault (tokenised identifiers and keys)"
    default_auto_field = "django.db.models.BigAutoField"
