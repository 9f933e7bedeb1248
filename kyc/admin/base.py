"""Shared by the kyc admin pages: officers read through policy; changes go through services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kyc import integrations


def can(request: HttpRequest, action: str) -> bool:
    return integrations.role_allows(request.user, action)


class ReadOnlyPolicy:
    """Officers read kyc objects here; every change goes through a service-backed form or action."""

    view_action = "case.view"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request, self.view_action)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request, self.view_action)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
