"""Read-only watchlist API: sources with their active version and freshness, versions, diffs, entries.

Watchlists are reference data: any authenticated user or API client may read them (the
project default permission); nothing here is tenant-scoped.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import Pagination
from screening import selectors
from screening.models import EntryChange, ListEntry, ListVersion, Source, VersionStatus
from screening.models.watchlists import ChangeKind


# --- serializers ------------------------------------------------------------------------------------
class VersionOutput(serializers.ModelSerializer):
    source = serializers.CharField(source="source.code")

    class Meta:
        model = ListVersion
        fields = [
            "id",
            "source",
            "number",
            "status",
            "error",
            "published_on",
            "imported_at",
            "created_at",
            "checksum",
            "content_hash",
            "entry_count",
            "name_count",
            "counts",
            "added_count",
            "removed_count",
            "changed_count",
        ]


class SourceOutput(serializers.ModelSerializer):
    active_version = serializers.SerializerMethodField()
    freshness = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = [
            "code",
            "name",
            "format",
            "url",
            "enabled",
            "sync_interval",
            "last_sync_at",
            "active_version",
            "freshness",
        ]

    def get_active_version(self, source: Source) -> dict[str, Any] | None:
        version = selectors.active_version(source=source)
        return VersionOutput(version).data if version else None

    def get_freshness(self, source: Source) -> dict[str, Any]:
        return selectors.freshness(source=source, version=selectors.active_version(source=source))


class ChangeOutput(serializers.ModelSerializer):
    class Meta:
        model = EntryChange
        fields = ["ref", "kind", "primary_name", "fields"]


class EntryOutput(serializers.ModelSerializer):
    source = serializers.CharField(source="version.source.code")
    version = serializers.IntegerField(source="version.number")
    version_status = serializers.CharField(source="version.status")

    class Meta:
        model = ListEntry
        fields = ["id", "source", "version", "version_status", "ref", "schema", "primary_name", "data", "content_hash"]


class VersionFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=VersionStatus.choices, required=False)


class ChangeFilterInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ChangeKind.choices, required=False)


# --- views ----------------------------------------------------------------------------------------------
class SourceListView(APIView):
    @extend_schema(responses=SourceOutput(many=True), summary="Watchlist sources with active version and freshness")
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.source_list(), request, view=self)
        return paginator.get_paginated_response(SourceOutput(page, many=True).data)


class SourceDetailView(APIView):
    @extend_schema(responses=SourceOutput, summary="One watchlist source")
    def get(self, request: Request, code: str) -> Response:
        return Response(SourceOutput(selectors.source_get(code=code)).data)


class VersionListView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=[c for c, _ in VersionStatus.choices])],
        responses=VersionOutput(many=True),
        summary="Versions of a source, newest first (failed imports included, with their error)",
    )
    def get(self, request: Request, code: str) -> Response:
        filters = VersionFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        versions = selectors.version_list(source=selectors.source_get(code=code)).select_related("source")
        if "status" in filters.validated_data:
            versions = versions.filter(status=filters.validated_data["status"])
        paginator = Pagination()
        page = paginator.paginate_queryset(versions, request, view=self)
        return paginator.get_paginated_response(VersionOutput(page, many=True).data)


class VersionDetailView(APIView):
    @extend_schema(responses=VersionOutput, summary="One version of a source")
    def get(self, request: Request, code: str, number: int) -> Response:
        version = selectors.version_get(source=selectors.source_get(code=code), number=number)
        return Response(VersionOutput(version).data)


class VersionChangesView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=[c for c, _ in ChangeKind.choices])],
        responses=ChangeOutput(many=True),
        summary="Entries added, removed and changed by a version against the one it superseded",
    )
    def get(self, request: Request, code: str, number: int) -> Response:
        filters = ChangeFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        version = selectors.version_get(source=selectors.source_get(code=code), number=number)
        changes = selectors.version_changes(version=version)
        if "kind" in filters.validated_data:
            changes = changes.filter(kind=filters.validated_data["kind"])
        paginator = Pagination()
        page = paginator.paginate_queryset(changes, request, view=self)
        return paginator.get_paginated_response(ChangeOutput(page, many=True).data)


class EntryDetailView(APIView):
    @extend_schema(
        responses=EntryOutput, summary="One watchlist entry by id, with all its names, dates and identifiers"
    )
    def get(self, request: Request, entry_id: str) -> Response:
        return Response(EntryOutput(selectors.entry_get(entry_id=entry_id)).data)
