"""Matching release routes under /api/v1/ (to be listed in config/urls.py API_URLCONFS)."""

from django.urls import path

from screening import releases_api as api

urlpatterns = [
    path("matching-releases/", api.ReleaseListView.as_view(), name="matching-releases"),
    path(
        "matching-releases/<uuid:release_id>/report/", api.ReleaseReportView.as_view(), name="matching-release-report"
    ),
]
