"""URLs: admin, health, and the versioned API (each app's urls.py under /api/v1/)."""

from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from common import health
from common.metrics import metrics_view

# Each module, when it exists, contributes its routes under /api/v1/.
API_URLCONFS = [
    "accounts.urls",
    "screening.urls",
    "screening.screenings_urls",
    "screening.releases_urls",
    "kyc.urls",
    "vault.urls",
    "audit.urls",
    "monitoring.urls",
]

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]
api_v1 += [path("", include(module)) for module in API_URLCONFS if find_spec(module)]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]

handler400 = "common.errors.bad_request"
handler403 = "common.errors.permission_denied"
handler404 = "common.errors.not_found"
handler500 = "common.errors.server_error"

admin.site.site_header = "Tillit compliance"
admin.site.site_title = "Tillit"
admin.site.index_title = "Screening, cases and audit"
