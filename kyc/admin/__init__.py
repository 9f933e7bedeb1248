"""The officers' workspace in the Django admin (see ``kyc.admin.cases`` for the case page)."""

from kyc.admin.cases import CaseAdmin
from kyc.admin.customers import CustomerAdmin, WebhookDeliveryAdmin, WebhookEndpointAdmin

__all__ = ["CaseAdmin", "CustomerAdmin", "WebhookDeliveryAdmin", "WebhookEndpointAdmin"]
