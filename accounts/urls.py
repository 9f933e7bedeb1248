from django.urls import path

from accounts.api import auth, clients, users

urlpatterns = [
    path("auth/whoami/", auth.WhoAmIView.as_view(), name="auth-whoami"),
    path("auth/mfa", auth.MfaStatusView.as_view(), name="auth-mfa"),
    path("auth/mfa/verify", auth.MfaVerifyView.as_view(), name="auth-mfa-verify"),
    path("auth/mfa/totp", auth.TotpView.as_view(), name="auth-mfa-totp"),
    path("auth/mfa/totp/confirm", auth.TotpConfirmView.as_view(), name="auth-mfa-totp-confirm"),
    path("auth/mfa/recovery-codes", auth.RecoveryCodesView.as_view(), name="auth-mfa-recovery-codes"),
    path("auth/step-up", auth.StepUpView.as_view(), name="auth-step-up"),
    path("auth/sessions/revoke", auth.SessionsRevokeView.as_view(), name="auth-sessions-revoke"),
    path("auth/logout", auth.LogoutView.as_view(), name="auth-logout"),
    path("api-clients/", clients.ApiClientListView.as_view(), name="api-clients"),
    path("api-clients/<str:client_id>/", clients.ApiClientDetailView.as_view(), name="api-client"),
    path("api-clients/<str:client_id>/keys/rotate", clients.ApiKeyRotateView.as_view(), name="api-client-rotate"),
    path(
        "api-clients/<str:client_id>/keys/<str:key_id>/revoke",
        clients.ApiKeyRevokeView.as_view(),
        name="api-client-key-revoke",
    ),
    path("users/", users.UserListView.as_view(), name="users"),
    path("users/<str:user_id>/", users.UserDetailView.as_view(), name="user"),
    path("users/<str:user_id>/mfa/reset", users.UserMfaResetView.as_view(), name="user-mfa-reset"),
]
