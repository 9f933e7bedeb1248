from django.urls import path

from screening import api

urlpatterns = [
    path("watchlists/", api.SourceListView.as_view(), name="watchlist-sources"),
    path("watchlists/entries/<uuid:entry_id>/", api.EntryDetailView.as_view(), name="watchlist-entry"),
    path("watchlists/<slug:code>/", api.SourceDetailView.as_view(), name="watchlist-source"),
    path("watchlists/<slug:code>/versions/", api.VersionListView.as_view(), name="watchlist-versions"),
    path("watchlists/<slug:code>/versions/<int:number>/", api.VersionDetailView.as_view(), name="watchlist-version"),
    path(
        "watchlists/<slug:code>/versions/<int:number>/changes/",
        api.VersionChangesView.as_view(),
        name="watchlist-version-changes",
    ),
]
