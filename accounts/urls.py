from django.urls import path

from accounts.api import WhoAmIView

urlpatterns = [
    path("auth/whoami/", WhoAmIView.as_view(), name="auth-whoami"),
]
