"""Admin for officers and API clients. Key secrets are rendered once, never stored or messaged."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from accounts import services
from accounts.models import ApiClient, ApiKey, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "is_staff", "is_active", "last_login"]
    list_filter = ["role", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "role")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),)


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = ["prefix", "label", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
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


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [ApiKeyInline]
    actions = ["issue_key", "rotate_key", "revoke_all_keys"]

    @admin.action(description="Issue a new key (shown once)")
    def issue_key(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one client.", messages.ERROR)
            return None
        client = queryset.get()
        try:
            key, secret = services.api_key_issue(client=client, actor=request.user)
        except services.ApiKeyLimitReached as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        return _show_secret(request, client, key, secret)

    @admin.action(description="Rotate: issue a new key, old key expires in 7 days")
    def rotate_key(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one client.", messages.ERROR)
            return None
        client = queryset.get()
        try:
            key, secret = services.api_key_rotate(client=client, actor=request.user)
        except services.ApiKeyLimitReached as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        return _show_secret(request, client, key, secret)

    @admin.action(description="Revoke every active key")
    def revoke_all_keys(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        revoked = 0
        for client in queryset:
            for key in client.keys.active():
                services.api_key_revoke(key=key, actor=request.user)
                revoked += 1
        self.message_user(request, f"Revoked {revoked} key(s).", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: ApiClient, form: object, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "client", "label", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["client"]
    search_fields = ["prefix", "client__name"]
    readonly_fields = [
        "client",
        "prefix",
        "created_by",
        "created_at",
        "updated_at",
        "last_used_at",
        "revoked_at",
    ]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued from the client page so the secret can be shown once

    @admin.action(description="Revoke selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            services.api_key_revoke(key=key, actor=request.user)
        self.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)
