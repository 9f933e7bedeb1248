"""Admin for matching releases: record one, run it in shadow, replay, read its comparison report, promote, roll back.

Administrators manage releases (``screening.release.manage``); promotion and rollback also need
a fresh second factor (``screening.release.promote``, step-up). Senior officers and auditors
read them. Every change goes through ``screening.services.releases``, so it is audited.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from accounts import policy
from accounts.stepup import admin_step_up
from screening.engine.releases import is_runnable, runnable_versions
from screening.models import MatchingRelease, ReleaseStatus
from screening.releases_selectors import release_report, releases
from screening.releases_setup import MANAGE_ACTION, PROMOTE_ACTION, VIEW_ACTION
from screening.services import releases as services


class ReleaseActionForm(ActionForm):
    """The action bar: a reason (forced promotion, rollback) and the replay window."""

    reason = forms.CharField(required=False, max_length=500, label="Reason")
    days = forms.IntegerField(required=False, min_value=1, initial=7, label="Replay days")
    limit = forms.IntegerField(required=False, min_value=1, max_value=services.REPLAY_MAX, initial=1000, label="max")


class ReleaseAddForm(forms.ModelForm):
    algorithm_key = forms.ChoiceField(label="Algorithm version", choices=())

    class Meta:
        model = MatchingRelease
        fields = ["label", "thresholds", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["algorithm_key"].choices = [
            (f"{a.name}|{a.version}", f"{a.name} {a.version}" + (f" ({a.description})" if a.description else ""))
            for a in runnable_versions()
        ]

    def clean_thresholds(self) -> Any:
        from screening.services.screenings import thresholds_from_record

        value = self.cleaned_data.get("thresholds") or {}
        if not isinstance(value, dict):
            raise forms.ValidationError("give an object: {default, by_source, by_schema, by_source_schema}")
        try:
            thresholds_from_record(value)
        except (TypeError, ValueError, AttributeError) as exc:
            raise forms.ValidationError(str(exc)) from None
        return value


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows)
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


def _screening_link(screening_id: str) -> str:
    url = reverse("admin:screening_screening_change", args=[screening_id])
    return format_html('<a href="{}">{}</a>', url, screening_id[:8])


def report_html(report: dict[str, Any]) -> str:
    """The comparison report as tables an administrator reads before promoting."""
    totals = report["totals"]
    if not totals["screenings"]:
        return "No shadow results yet: start the shadow run and wait for traffic, or replay recent screenings."
    parts = [
        format_html(
            "<p><b>{}</b> screenings compared ({} live traffic, {} replayed); {} identical. "
            "Alerts live {} → shadow {}: <b>+{}</b> gained, <b>−{}</b> lost, {} re-scored (mean delta {}). "
            "Subjects clear → alerting: {}; alerting → clear: {}.</p>",
            totals["screenings"],
            totals.get("traffic", 0),
            totals.get("replay", 0),
            totals["identical"],
            totals["live_alerts"],
            totals["shadow_alerts"],
            totals["gained"],
            totals["lost"],
            totals["rescored"],
            f"{totals['mean_score_delta']:+.4f}",
            totals["to_alert"],
            totals["to_clear"],
        ),
        format_html(
            "<h4>By list</h4>{}",
            _table(
                ["list", "live alerts", "shadow alerts", "gained", "lost"],
                [
                    [code, g["live_alerts"], g["shadow_alerts"], g["gained"], g["lost"]]
                    for code, g in report["by_source"].items()
                ],
            ),
        ),
    ]
    for key, title in (
        ("by_schema", "By subject type"),
        ("by_script", "By script of the name"),
        ("by_shape", "One word or several"),
    ):
        parts.append(
            format_html(
                "<h4>{}</h4>{}",
                title,
                _table(
                    ["kind", "screenings", "gained", "lost", "clear → alert", "alert → clear"],
                    [
                        [k, g["screenings"], g["gained"], g["lost"], g["to_alert"], g["to_clear"]]
                        for k, g in report[key].items()
                    ],
                ),
            )
        )
    examples = report["examples"]
    for key, title in (("gained", "Examples of alerts gained"), ("lost", "Examples of alerts lost")):
        if examples[key]:
            parts.append(
                format_html(
                    "<h4>{}</h4>{}",
                    title,
                    _table(
                        ["screening", "entity", "list", "score", "subject", "script"],
                        [
                            [
                                _screening_link(e["screening_id"]),
                                e["entity"],
                                e["source"],
                                e["score"],
                                e["subject_schema"],
                                e["name_script"],
                            ]
                            for e in examples[key]
                        ],
                    ),
                )
            )
    if examples["rescored"]:
        parts.append(
            format_html(
                "<h4>Largest score changes</h4>{}",
                _table(
                    ["screening", "entity", "list", "live", "shadow", "delta"],
                    [
                        [
                            _screening_link(e["screening_id"]),
                            e["entity"],
                            e["source"],
                            e["live"],
                            e["shadow"],
                            f"{e['delta']:+.4f}",
                        ]
                        for e in examples["rescored"]
                    ],
                ),
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts))


@admin.register(MatchingRelease)
class MatchingReleaseAdmin(admin.ModelAdmin):
    action_form = ReleaseActionForm
    list_display = [
        "label",
        "status",
        "algorithm_version",
        "runnable_here",
        "thresholds_summary",
        "shadow_count",
        "promoted_at",
        "created_at",
    ]
    list_filter = ["status", "algorithm_version"]
    search_fields = ["label", "notes"]
    actions = ["start_shadow", "stop_shadow", "replay_recent", "promote", "promote_forced", "rollback", "retire"]
    detail_fields = [
        "label",
        "status",
        "algorithm",
        "algorithm_version",
        "thresholds_pretty",
        "notes",
        "previous",
        "created_by",
        "created_at",
        "shadow_started_at",
        "promoted_at",
        "retired_at",
        "report",
    ]

    # --- permissions: policy, not Django model permissions
    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, VIEW_ACTION) or policy.can(request.user, MANAGE_ACTION)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, MANAGE_ACTION)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a release is immutable; its status moves through the actions

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)
        allowed = set()
        if policy.can(request.user, MANAGE_ACTION):
            allowed |= {"start_shadow", "stop_shadow", "replay_recent", "retire"}
        if policy.can(request.user, PROMOTE_ACTION):
            allowed |= {"promote", "promote_forced", "rollback"}
        return {name: action for name, action in found.items() if name in allowed}

    def get_queryset(self, request: HttpRequest) -> QuerySet[MatchingRelease]:
        return releases().select_related("previous", "created_by")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ReleaseAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["label", "algorithm_key", "thresholds", "notes"] if obj is None else self.detail_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else self.detail_fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        from screening.services.screenings import thresholds_record

        return {"thresholds": thresholds_record(services.release_plan().live.thresholds)}

    def save_model(self, request: HttpRequest, obj: MatchingRelease, form: Any, change: bool) -> None:
        name, _, version = form.cleaned_data["algorithm_key"].partition("|")
        try:
            created = services.release_create(
                actor=request.user,
                label=form.cleaned_data["label"],
                thresholds=form.cleaned_data["thresholds"] or {},
                algorithm=name,
                algorithm_version=version,
                notes=form.cleaned_data.get("notes") or "",
            )
        except services.ReleaseError as exc:
            raise PermissionDenied(str(exc)) from None
        obj.pk = created.pk
        obj.refresh_from_db()

    # --- display
    @admin.display(description="Runnable here", boolean=True)
    def runnable_here(self, release: MatchingRelease) -> bool:
        return is_runnable(release.algorithm, release.algorithm_version)

    @admin.display(description="Shadow results", ordering="shadow_count")
    def shadow_count(self, release: MatchingRelease) -> int:
        return getattr(release, "shadow_count", 0)

    @admin.display(description="Thresholds")
    def thresholds_summary(self, release: MatchingRelease) -> str:
        t = release.thresholds
        extra = len(t.get("by_source") or {}) + len(t.get("by_schema") or {}) + len(t.get("by_source_schema") or {})
        return f"default {t.get('default')}" + (f" + {extra} override(s)" if extra else "")

    @admin.display(description="Thresholds")
    def thresholds_pretty(self, release: MatchingRelease) -> str:
        return format_html("<pre>{}</pre>", json.dumps(release.thresholds, indent=2, sort_keys=True))

    @admin.display(description="Comparison with live")
    def report(self, release: MatchingRelease) -> str:
        url = reverse("admin:screening_matchingrelease_report", args=[release.pk])
        return format_html('{}<p><a href="{}">JSON</a></p>', report_html(release_report(release)), url)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(self.report_json)
        return [
            path("<uuid:release_id>/report.json", view, name="screening_matchingrelease_report"),
            *super().get_urls(),
        ]

    def report_json(self, request: HttpRequest, release_id: Any) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        release = get_object_or_404(MatchingRelease, pk=release_id)
        return JsonResponse(release_report(release, examples=25), json_dumps_params={"indent": 2})

    # --- actions
    def _each(self, request: HttpRequest, queryset: QuerySet[MatchingRelease], service: Any, done: str) -> None:
        policy.require(request.user, MANAGE_ACTION)
        for release in queryset:
            try:
                service(release=release, actor=request.user)
            except services.ReleaseError as exc:
                self.message_user(request, f"{release.label}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{release.label}: {done}", messages.SUCCESS)

    @admin.action(description="Start running in shadow beside live")
    def start_shadow(self, request: HttpRequest, queryset: QuerySet[MatchingRelease]) -> None:
        self._each(request, queryset, services.release_shadow_start, "now evaluated on every live screening")

    @admin.action(description="Stop the shadow run (back to draft)")
    def stop_shadow(self, request: HttpRequest, queryset: QuerySet[MatchingRelease]) -> None:
        self._each(request, queryset, services.release_shadow_stop, "shadow run stopped")

    @admin.action(description="Retire (never went live)")
    def retire(self, request: HttpRequest, queryset: QuerySet[MatchingRelease]) -> None:
        self._each(request, queryset, services.release_retire, "retired")

    @admin.action(description="Replay recent screenings under it (days / max in the bar)")
    def replay_recent(self, request: HttpRequest, queryset: QuerySet[MatchingRelease]) -> None:
        from screening.tasks_releases import shadow_replay_task

        policy.require(request.user, MANAGE_ACTION)
        days = int(request.POST.get("days") or 7)
        limit = int(request.POST.get("limit") or 1000)
        for release in queryset:
            if release.status != ReleaseStatus.SHADOW:
                self.message_user(request, f"{release.label}: start its shadow run first", messages.ERROR)
                continue
            args = (str(release.pk), days, limit, str(request.user.pk))
            transaction.on_commit(lambda args=args: shadow_replay_task.delay(*args))
            self.message_user(
                request, f"{release.label}: replay of up to {limit} screenings of the last {days} day(s) queued"
            )

    def _promote(self, request: HttpRequest, queryset: QuerySet[MatchingRelease], force: bool) -> HttpResponse | None:
        blocked = admin_step_up(request, action=PROMOTE_ACTION)  # administrator role, then a fresh code
        if blocked is not None:
            return blocked
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one release to promote.", messages.ERROR)
            return None
        release = queryset.get()
        reason = request.POST.get("reason", "")
        if force and not reason.strip():
            self.message_user(request, "A forced promotion needs a reason (in the Reason box).", messages.ERROR)
            return None
        try:
            services.release_promote(release=release, actor=request.user, reason=reason, force=force)
        except services.ReleaseError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        self.message_user(request, f"{release.label} is live; screenings use it from now on.", messages.SUCCESS)
        return None

    @admin.action(description="Promote to live (step-up)")
    def promote(self, request: HttpRequest, queryset: QuerySet[MatchingRelease]) -> HttpResponse | None:
        return self._promote(request, queryset, force=False)

    @admin.action(description="Promote to live before enough shadow results, with a reason (step-up)")
    def promote_forced(self, request: HttpRequest, queryset: QuerySet[MatchingRelease]) -> HttpResponse | None:
        return self._promote(request, queryset, force=True)

    @admin.action(description="Roll back the live release to the one it replaced, with a reason (step-up)")
    def rollback(self, request: HttpRequest, queryset: QuerySet[MatchingRelease]) -> HttpResponse | None:
        blocked = admin_step_up(request, action=PROMOTE_ACTION)
        if blocked is not None:
            return blocked
        if [r.status for r in queryset] != [ReleaseStatus.LIVE]:
            self.message_user(request, "Select the live release to roll it back.", messages.ERROR)
            return None
        try:
            restored = services.release_rollback(actor=request.user, reason=request.POST.get("reason", ""))
        except services.ReleaseError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        self.message_user(request, f"Rolled back: {restored.label} is live again.", messages.SUCCESS)
        return None
