"""Read-only API of matching releases: the list, and a release's shadow comparison report.

For administrators, senior officers and auditors (``screening.release.view``); API clients have
no scope for it. Changes go through the admin (promotion and rollback need a step-up there).
"""

from __future__ import annotations

import uuid

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasAction
from common.pagination import Pagination
from screening.models import MatchingRelease
from screening.releases_selectors import release_report, releases
from screening.releases_setup import VIEW_ACTION


class ReleaseOutput(serializers.ModelSerializer):
    shadow_count = serializers.IntegerField(read_only=True, help_text="Screenings compared in shadow so far.")

    class Meta:
        model = MatchingRelease
        fields = [
            "id",
            "label",
            "algorithm",
            "algorithm_version",
            "thresholds",
            "status",
            "notes",
            "previous",
            "created_at",
            "shadow_started_at",
            "promoted_at",
            "retired_at",
            "shadow_count",
        ]


class GroupCounts(serializers.DictField):
    child = serializers.DictField(child=serializers.IntegerField())


class ReportOutput(serializers.Serializer):
    release = serializers.DictField(help_text="The release compared with live.")
    totals = serializers.DictField(
        child=serializers.FloatField(),
        help_text="screenings, traffic, replay, identical, live_alerts, shadow_alerts, gained, lost, rescored, "
        "to_alert, to_clear, mean_score_delta",
    )
    by_source = GroupCounts(help_text="Per list: live_alerts, shadow_alerts, gained, lost.")
    by_schema = GroupCounts(help_text="Per subject type: screenings, gained, lost, to_alert, to_clear.")
    by_script = GroupCounts(help_text="Per script of the screened name (Latin, Cyrillic, Arabic, CJK, ...).")
    by_shape = GroupCounts(help_text="single (one-word name) or multi.")
    examples = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField()),
        help_text="gained, lost and rescored examples: screening id, entity, list, scores; never the subject's name.",
    )
    truncated = serializers.BooleanField()


class ReleaseListView(APIView):
    permission_classes = [HasAction(VIEW_ACTION)]

    @extend_schema(responses=ReleaseOutput(many=True), summary="Matching releases, newest first")
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(releases(), request, view=self)
        return paginator.get_paginated_response(ReleaseOutput(page, many=True).data)


class ReleaseReportView(APIView):
    permission_classes = [HasAction(VIEW_ACTION)]

    @extend_schema(responses=ReportOutput, summary="Alerts a release gains and loses against live, by list and name")
    def get(self, request: Request, release_id: uuid.UUID) -> Response:
        release = get_object_or_404(MatchingRelease, pk=release_id)
        return Response(ReportOutput(release_report(release, examples=25)).data)
