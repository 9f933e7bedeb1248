"""The project's URLs plus the matching release API (until config/urls.py lists ``screening.releases_urls``)."""

from django.urls import include, path

from config.urls import urlpatterns as project_urls

urlpatterns = [path("api/v1/", include("screening.releases_urls")), *project_urls]
