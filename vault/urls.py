from django.urls import path

from vault.api import IdentifierRevealView

urlpatterns = [
    path("identifiers/<str:token>/reveal/", IdentifierRevealView.as_view(), name="identifier-reveal"),
]
