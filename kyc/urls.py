"""kyc API routes (included under /api/v1/ by config.urls)."""

from django.urls import path

from kyc.api import views

urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="kyc-customers"),
    path("customers/<uuid:customer_id>/", views.CustomerDetailView.as_view(), name="kyc-customer"),
    path("customers/<uuid:customer_id>/submit/", views.CustomerSubmitView.as_view(), name="kyc-customer-submit"),
    path("customers/<uuid:customer_id>/cases/", views.CustomerCaseListView.as_view(), name="kyc-customer-cases"),
    path("customers/<uuid:customer_id>/parties/", views.PartyListView.as_view(), name="kyc-parties"),
    path("customers/<uuid:customer_id>/parties/<uuid:party_id>/", views.PartyDetailView.as_view(), name="kyc-party"),
    path(
        "customers/<uuid:customer_id>/parties/<uuid:party_id>/identifiers/",
        views.PartyIdentifiersView.as_view(),
        name="kyc-party-identifiers",
    ),
    path("customers/<uuid:customer_id>/relationships/", views.RelationshipListView.as_view(), name="kyc-relationships"),
    path(
        "customers/<uuid:customer_id>/relationships/<uuid:relationship_id>/",
        views.RelationshipDetailView.as_view(),
        name="kyc-relationship",
    ),
    path("customers/<uuid:customer_id>/documents/", views.DocumentListView.as_view(), name="kyc-documents"),
    path(
        "customers/<uuid:customer_id>/documents/<uuid:document_id>/",
        views.DocumentDetailView.as_view(),
        name="kyc-document",
    ),
    path("cases/<uuid:case_id>/", views.CaseDetailView.as_view(), name="kyc-case"),
    path("webhooks/endpoints/", views.WebhookEndpointListView.as_view(), name="kyc-webhook-endpoints"),
    path("webhooks/deliveries/", views.WebhookDeliveryListView.as_view(), name="kyc-webhook-deliveries"),
]
