"""Read-only admin views: stored identifiers (masked), key versions and rotation progress."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.module_loading import import_string

from vault.models import KeyVersion, RotationJob, StoredIdentifier
from vault.services import IdentifierNotFound, RevealDenied, RevealPurpose, identifier_reveal
from vault.services.identifiers import REVEAL_ACTION


class RevealForm(forms.Form):
    purpose = forms.ChoiceField(choices=RevealPurpose.choices)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StoredIdentifier)
class StoredIdentifierAdmin(ReadOnlyAdmin):
    list_display = ["masked", "identifier_type", "scheme", "token", "kek_version", "token_key_version", "created_at"]
    list_filter = ["identifier_type", "kek_version", "token_key_version"]
    search_fields = ["token"]
    # The ciphertext is never shown: it is useless to an officer and only invites copying.
    exclude = ["ciphertext"]
    readonly_fields = ["reveal_link"]

    @admin.display(description="Plaintext")
    def reveal_link(self, obj: StoredIdentifier) -> str:
        url = reverse("admin:vault_storedidentifier_reveal", args=[obj.pk])
        return format_html('<a class="button" href="{}">Reveal (purpose, step-up, audited)</a>', url)

    def get_urls(self) -> list[URLPattern]:
        reveal = path(
            "<uuid:pk>/reveal/",
            self.admin_site.admin_view(self.reveal_view),
            name="vault_storedidentifier_reveal",
        )
        return [reveal, *super().get_urls()]

    def reveal_view(self, request: HttpRequest, pk: Any) -> HttpResponse:
        """Ask for a purpose, require a fresh step-up, then show the plaintext once (never cached)."""
        identifier = get_object_or_404(StoredIdentifier, pk=pk)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": "Reveal identifier",
            "identifier": identifier,
            "back_url": reverse("admin:vault_storedidentifier_change", args=[pk]),
        }
        form = RevealForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            hook = import_string(getattr(settings, "TILLIT_VAULT_ADMIN_STEP_UP", "accounts.stepup.admin_step_up"))
            # None: a fresh step-up for this action is held; otherwise the TOTP prompt page, which
            # re-posts this form (purpose included) with the code.
            prompt = hook(request, action=REVEAL_ACTION)
            if prompt is not None:
                return prompt
            try:
                context["revealed"] = identifier_reveal(
                    token=identifier.token,
                    purpose=form.cleaned_data["purpose"],
                    actor=request.user,
                    step_up_verified=True,
                )
                context["purpose_label"] = dict(RevealPurpose.choices)[form.cleaned_data["purpose"]]
            except (RevealDenied, IdentifierNotFound) as exc:
                context["error"] = exc.message
        context["form"] = form
        response = TemplateResponse(request, "admin/vault/storedidentifier/reveal.html", context)
        response["Cache-Control"] = "no-store"
        return response


@admin.register(KeyVersion)
class KeyVersionAdmin(ReadOnlyAdmin):
    list_display = ["key_id", "version", "state", "provider", "promoted_at", "retired_at"]
    list_filter = ["key_id", "state"]


@admin.register(RotationJob)
class RotationJobAdmin(ReadOnlyAdmin):
    list_display = ["key_id", "target_version", "status", "done", "total", "percent", "created_at", "finished_at"]
    list_filter = ["key_id", "status"]
    readonly_fields = ["percent"]
