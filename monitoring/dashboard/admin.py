"""The compliance dashboard in the admin (Ongoing monitoring › Compliance dashboard), and drift check runs.

The dashboard is the changelist page of a proxy model, so it sits in the admin index and the
breadcrumbs like any other page and inherits the admin's login, staff and second-factor checks;
on top of those, ``monitoring.dashboard.view`` (officers, senior officers, administrators,
auditors) decides who may read it. Nothing here writes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from accounts import policy
from monitoring.apps import ACTION_DASHBOARD
from monitoring.dashboard.views import dashboard_context, period_from
from monitoring.models import ComplianceDashboard, DriftCheck


class DashboardReader:
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, ACTION_DASHBOARD)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, ACTION_DASHBOARD)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ComplianceDashboard)
class ComplianceDashboardAdmin(DashboardReader, admin.ModelAdmin):
    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Compliance dashboard",
            **dashboard_context(days=period_from(request.GET.get("days"))),
        }
        return TemplateResponse(request, "admin/monitoring/dashboard.html", context)


@admin.register(DriftCheck)
class DriftCheckAdmin(DashboardReader, admin.ModelAdmin):
    list_display = ["created_at", "trigger", "requested_by", "subjects", "alerts", "flag_count"]
    list_filter = ["trigger"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "trigger",
        "requested_by",
        "window_start",
        "window_end",
        "subjects",
        "alerts",
        "flag_count",
        "flags",
        "parameters",
        "metrics",
    ]
    readonly_fields = fields
