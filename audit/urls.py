from django.urls import path

from audit import api

urlpatterns = [
    path("audit/events/", api.EventListView.as_view(), name="audit-events"),
    path("audit/events/<uuid:event_id>/", api.EventDetailView.as_view(), name="audit-event"),
    path("audit/events/<uuid:event_id>/proof/", api.EventProofView.as_view(), name="audit-event-proof"),
    path("audit/checkpoints/", api.CheckpointListView.as_view(), name="audit-checkpoints"),
    path("audit/checkpoints/consistency/", api.ConsistencyProofView.as_view(), name="audit-consistency"),
    path("audit/export/", api.ExportView.as_view(), name="audit-export"),
    path("audit/actions/", api.ActionListView.as_view(), name="audit-actions"),
]
