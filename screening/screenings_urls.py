"""Screening routes under /api/v1/ (included by config/urls.py)."""

from django.urls import path

from screening import screenings_api as api

urlpatterns = [
    path("screenings/", api.ScreeningListView.as_view(), name="screenings"),
    path("screenings/batch/", api.BatchCreateView.as_view(), name="screening-batches"),
    path("screenings/batch/<uuid:batch_id>/", api.BatchDetailView.as_view(), name="screening-batch"),
    path("screenings/batch/<uuid:batch_id>/results/", api.BatchResultsView.as_view(), name="screening-batch-results"),
    path("screenings/<uuid:screening_id>/", api.ScreeningDetailView.as_view(), name="screening"),
    path(
        "screenings/<uuid:screening_id>/matches/<uuid:match_id>/false-positive/",
        api.FalsePositiveView.as_view(),
        name="screening-match-false-positive",
    ),
]
