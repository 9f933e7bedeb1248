"""Admin for officers and API clients. Roles decide (``accounts.policy``); risky POSTs need a step-up.

Key secrets are rendered once, never stored or messaged. Every change goes through the services,
so it is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from accounts import policy, services
from accounts.models import ApiClient, ApiKey, User
from accounts.services.users import PRIVILEGE_FIELDS
from accounts.stepup import admin_step_up


class StepUpAdminMixin:
    """Every saving POST (add, change, delete, bulk action) of this model admin needs a step-up.

    ``step_up_action`` names the policy action; ``action_step_ups`` maps an admin action to another.
    """

    step_up_action: str = ""
    action_step_ups: dict[str, str] = {}

    def _guard(self, request: HttpRequest, action: str) -> HttpResponse | None:
        if request.method != "POST":
            return None
        return admin_step_up(request, action=action)

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, *args: Any, **kwargs: Any) -> Any:
        return self._guard(request, self.step_up_action) or super().changeform_view(  # type: ignore[misc]
            request, object_id, *args, **kwargs
        )

    def delete_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        return self._guard(request, self.step_up_action) or super().delete_view(  # type: ignore[misc]
            request, object_id, *args, **kwargs
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        if request.method == "POST" and request.POST.get("action"):
            action = self.action_step_ups.get(request.POST["action"], self.step_up_action)
            blocked = self._guard(request, action)
            if blocked is not None:
                return blocked
        return super().changelist_view(request, extra_context)  # type: ignore[misc]


@admin.register(User)
class UserAdmin(StepUpAdminMixin, DjangoUserAdmin):
    step_up_action = "user.manage"
    action_step_ups = {"reset_mfa": "mfa.reset_other"}
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "is_staff", "is_active", "mfa_enrolled", "last_login"]
    list_filter = ["role", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["reset_mfa"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "role")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).select_related("totp_device")

    def get_urls(self) -> list:
        from accounts.admin_views import own_second_factor

        own = path(
            "my-second-factor/",
            self.admin_site.admin_view(own_second_factor),
            name="accounts_user_second_factor",
        )
        return [own, *super().get_urls()]

    @admin.display(boolean=True, description="2FA")
    def mfa_enrolled(self, obj: User) -> bool:
        device = getattr(obj, "totp_device", None)
        return bool(device and device.is_confirmed)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = policy.can(request.user, "user.view") or policy.can(request.user, "user.manage")
        return allowed and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "user.manage") and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "user.manage") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "user.manage") and super().has_delete_permission(request, obj)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        return self._guard(request, "user.manage") or super().user_change_password(request, id, form_url)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        before = User.objects.filter(pk=obj.pk).values(*PRIVILEGE_FIELDS).first() if change else None
        super().save_model(request, obj, form, change)
        if before is None:
            changes = {"created": {"from": None, "to": obj.role}}
        else:
            changes = {
                name: {"from": before[name], "to": getattr(obj, name)}
                for name in PRIVILEGE_FIELDS
                if before[name] != getattr(obj, name)
            }
        services.user_privileges_changed(user=obj, actor=request.user, changes=changes)  # type: ignore[arg-type]

    @admin.action(description="Reset second factor (they enrol again at next login)")
    def reset_mfa(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        policy.require(request.user, "mfa.reset_other")
        reset = 0
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(request, "Your own factor is changed from your account page.", messages.ERROR)
                continue
            reset += services.totp_remove(user=user, actor=request.user)  # type: ignore[arg-type]
        self.message_user(request, f"Reset the second factor of {reset} user(s).", messages.SUCCESS)


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = ["prefix", "label", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def _show_secret(request: HttpRequest, client: ApiClient, key: ApiKey, secret: str) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "client": client,
        "key": key,
        "secret": secret,
        "title": "New API key",
    }
    response = TemplateResponse(request, "admin/accounts/api_key_created.html", context)
    response["Cache-Control"] = "no-store"
    return response


class _ApiClientPolicy:
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "api_client.view") or policy.can(request.user, "api_client.manage")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


@admin.register(ApiClient)
class ApiClientAdmin(StepUpAdminMixin, _ApiClientPolicy, admin.ModelAdmin):
    step_up_action = "api_client.manage"
    list_display = ["name", "is_active", "scopes", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [ApiKeyInline]
    actions = ["issue_key", "rotate_key", "revoke_all_keys"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*self.readonly_fields, "name"] if obj is not None else list(self.readonly_fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "api_client.manage")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "api_client.manage")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a tenant owns customers: disable it and revoke its keys instead

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if change:
            services.api_client_update(
                client=obj,
                actor=request.user,  # type: ignore[arg-type]
                description=obj.description,
                scopes=list(obj.scopes or []),
                is_active=obj.is_active,
            )
            return
        created = services.api_client_create(
            name=obj.name,
            actor=request.user,  # type: ignore[arg-type]
            description=obj.description,
            scopes=list(obj.scopes or []),
        )
        obj.pk, obj.created_by, obj.created_at = created.pk, created.created_by, created.created_at
        obj._state.adding = False

    def _one(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> ApiClient | None:
        policy.require(request.user, "api_client.manage")
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one client.", messages.ERROR)
            return None
        return queryset.get()

    @admin.action(description="Issue a new key (shown once)")
    def issue_key(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> HttpResponse | None:
        client = self._one(request, queryset)
        if client is None:
            return None
        try:
            key, secret = services.api_key_issue(client=client, actor=request.user)  # type: ignore[arg-type]
        except services.ApiKeyLimitReached as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        return _show_secret(request, client, key, secret)

    @admin.action(description="Rotate: issue a new key, old key expires in 7 days")
    def rotate_key(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> HttpResponse | None:
        client = self._one(request, queryset)
        if client is None:
            return None
        try:
            key, secret = services.api_key_rotate(client=client, actor=request.user)  # type: ignore[arg-type]
        except services.ApiKeyLimitReached as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        return _show_secret(request, client, key, secret)

    @admin.action(description="Revoke every active key")
    def revoke_all_keys(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        policy.require(request.user, "api_client.manage")
        revoked = 0
        for client in queryset:
            for key in client.keys.active():
                services.api_key_revoke(key=key, actor=request.user)  # type: ignore[arg-type]
                revoked += 1
        self.message_user(request, f"Revoked {revoked} key(s).", messages.SUCCESS)


@admin.register(ApiKey)
class ApiKeyAdmin(StepUpAdminMixin, _ApiClientPolicy, admin.ModelAdmin):
    step_up_action = "api_client.manage"
    list_display = ["prefix", "client", "label", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["client"]
    search_fields = ["prefix", "client__name"]
    readonly_fields = [
        "client",
        "prefix",
        "label",
        "created_by",
        "created_at",
        "updated_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued from the client page so the secret can be shown once

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        return super().get_actions(request) if policy.can(request.user, "api_client.manage") else {}

    @admin.action(description="Revoke selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        policy.require(request.user, "api_client.manage")
        for key in queryset:
            services.api_key_revoke(key=key, actor=request.user)  # type: ignore[arg-type]
        self.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)
