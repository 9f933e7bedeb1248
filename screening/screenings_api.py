"""Screening API: screen one subject synchronously, submit and poll batches, mark false positives.

Every result carries its matches with their explanations, the algorithm version, the thresholds
and the list versions it ran on. API clients see only their own screenings (404 otherwise).
"""

from __future__ import annotations

import threading
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasAction
from accounts.stepup import require_step_up
from common.errors import ApiError
from common.pagination import Pagination
from screening import screenings_selectors as selectors
from screening.models import BatchScreening, FalsePositive, Screening, ScreeningMatch
from screening.models.screenings import Outcome
from screening.runtime import NoActiveLists
from screening.screenings_setup import FALSE_POSITIVE_ACTION, RUN_ACTION, VIEW_ACTION
from screening.services import screenings as services

# The subject types of the CLI/API contract (issue 4); the engine validates them again.
QUERY_SCHEMAS = ("Person", "Organization", "Vessel", "Aircraft", "Any")

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Repeat a POST safely: the same key and body return the first result instead of a new one.",
)


# --- input ------------------------------------------------------------------------------------------
class SubjectIdentifierInput(serializers.Serializer):
    type = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    number = serializers.CharField(max_length=100)
    country = serializers.CharField(min_length=2, max_length=2, required=False, allow_null=True)


class SubjectInput(serializers.Serializer):
    """One subject: the CLI line contract, with the caller's own id as ``reference``."""

    reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    name = serializers.CharField(trim_whitespace=False, allow_blank=True, help_text="Name as written (≤ 300).")
    schema = serializers.ChoiceField(choices=QUERY_SCHEMAS, default="Any")
    birth_date = serializers.CharField(required=False, allow_null=True, help_text="YYYY, YYYY-MM or YYYY-MM-DD")
    countries = serializers.ListField(
        child=serializers.CharField(max_length=2, min_length=2), required=False, max_length=20, default=list
    )
    identifiers = serializers.ListField(child=SubjectIdentifierInput(), required=False, max_length=20, default=list)
    gender = serializers.ChoiceField(choices=["male", "female"], required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["subject"] = services.parse_subject(attrs)
        except services.ScreeningInputError as exc:
            raise serializers.ValidationError({exc.field: [str(exc)]}) from None
        return attrs


class ScreeningInput(SubjectInput):
    threshold = serializers.FloatField(
        min_value=0.0, max_value=1.0, required=False, allow_null=True, help_text="Override every threshold."
    )
    sources = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        allow_null=True,
        allow_empty=False,
        max_length=50,
        help_text="Screen only these source codes (default: every active list).",
    )

    def validate_sources(self, value: list[str] | None) -> list[str] | None:
        try:
            return services.check_sources(value)
        except services.ScreeningInputError as exc:
            raise serializers.ValidationError(str(exc)) from None


_validators = threading.local()


def validated_screening_input(data: Any) -> dict[str, Any]:
    """``ScreeningInput(data=data)`` validated, raising the same 400 as ``is_valid(raise_exception=True)``.

    A serializer deep-copies its declared fields when it is created, which costs more than the
    validation of a single subject; validation keeps no state on the serializer, so each thread
    reuses one instance.
    """
    serializer = getattr(_validators, "screening", None)
    if serializer is None:
        serializer = _validators.screening = ScreeningInput()
    try:
        return serializer.run_validation(data)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError(exc.detail) from None


@extend_schema_field(SubjectInput(many=True))
class SubjectListField(serializers.ListField):
    """Subjects are checked one by one by the service: a bad one is a per-line error, not a 400."""

    child = serializers.JSONField()


class BatchInput(serializers.Serializer):
    subjects = SubjectListField(min_length=1, max_length=services.MAX_BATCH)
    threshold = serializers.FloatField(min_value=0.0, max_value=1.0, required=False, allow_null=True)
    sources = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, allow_null=True, allow_empty=False, max_length=50
    )


class ScreeningFilter(serializers.Serializer):
    reference = serializers.CharField(max_length=200, required=False, help_text="The caller's id for the subject.")
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)


class FalsePositiveInput(serializers.Serializer):
    reason_code = serializers.ChoiceField(choices=services.ReasonCode.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- output -----------------------------------------------------------------------------------------
class MatchFeatureOutput(serializers.Serializer):
    feature = serializers.CharField()
    contribution = serializers.FloatField()
    detail = serializers.CharField()


class MatchExplanationOutput(serializers.Serializer):
    algorithm = serializers.CharField()
    algorithm_version = serializers.CharField()
    threshold = serializers.FloatField()
    summary = serializers.CharField()
    features = MatchFeatureOutput(many=True)


class MatchOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="listed_name")
    explanation = MatchExplanationOutput()

    class Meta:
        model = ScreeningMatch
        fields = [
            "id",
            "rank",
            "entity",
            "name",
            "source",
            "schema",
            "topics",
            "score",
            "threshold",
            "content_hash",
            "list_entry",
            "explanation",
        ]


class SubjectIdentifierOutput(serializers.Serializer):
    type = serializers.CharField()
    masked = serializers.CharField()


class SubjectOutput(serializers.Serializer):
    reference = serializers.CharField()
    name = serializers.CharField()
    schema = serializers.CharField()
    birth_date = serializers.CharField()
    countries = serializers.ListField(child=serializers.CharField())
    gender = serializers.CharField()
    identifiers = SubjectIdentifierOutput(many=True)


class ScreeningAlgorithmOutput(serializers.Serializer):
    name = serializers.CharField(source="algorithm")
    version = serializers.CharField(source="algorithm_version")
    release = serializers.UUIDField(
        source="release_id", allow_null=True, help_text="The matching release (algorithm + thresholds) that ran."
    )


class ScreeningListVersion(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()


class SuppressedMatchOutput(serializers.Serializer):
    entity = serializers.CharField()
    content_hash = serializers.CharField()


class ScreeningOutput(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()
    algorithm = serializers.SerializerMethodField()
    list_versions = serializers.DictField(child=ScreeningListVersion())
    thresholds = serializers.DictField(child=serializers.JSONField())
    suppressed = SuppressedMatchOutput(many=True)
    matches = serializers.SerializerMethodField()

    class Meta:
        model = Screening
        fields = [
            "id",
            "outcome",
            "subject",
            "matches",
            "match_count",
            "suppressed",
            "algorithm",
            "list_versions",
            "sources",
            "threshold",
            "thresholds",
            "channel",
            "batch",
            "batch_line",
            "duration_ms",
            "created_at",
        ]

    @extend_schema_field(SubjectOutput)
    def get_subject(self, screening: Screening) -> dict[str, Any]:
        return SubjectOutput(
            {
                "reference": screening.reference,
                "name": screening.name,
                "schema": screening.schema,
                "birth_date": screening.birth_date,
                "countries": screening.countries,
                "gender": screening.gender,
                "identifiers": [{"type": i["type"], "masked": i["masked"]} for i in screening.identifiers],
            }
        ).data

    @extend_schema_field(ScreeningAlgorithmOutput)
    def get_algorithm(self, screening: Screening) -> dict[str, Any]:
        return ScreeningAlgorithmOutput(screening).data

    @extend_schema_field(MatchOutput(many=True))
    def get_matches(self, screening: Screening) -> list[dict[str, Any]]:
        rows = getattr(screening, "prefetched_matches", None)
        if rows is None:
            rows = list(screening.matches.all())
        return MatchOutput(sorted(rows, key=lambda m: m.rank), many=True).data


_DATETIME = serializers.DateTimeField()


def render_match(row: ScreeningMatch) -> dict[str, Any]:
    """``MatchOutput(row).data`` built directly (the response is on the hot path; a test keeps them equal)."""
    explanation = row.explanation
    return {
        "id": str(row.pk),
        "rank": row.rank,
        "entity": row.entity,
        "name": row.listed_name,
        "source": row.source,
        "schema": row.schema,
        "topics": list(row.topics),
        "score": float(row.score),
        "threshold": float(row.threshold),
        "content_hash": row.content_hash,
        "list_entry": str(row.list_entry_id) if row.list_entry_id else None,
        "explanation": {
            "algorithm": explanation["algorithm"],
            "algorithm_version": explanation["algorithm_version"],
            "threshold": float(explanation["threshold"]),
            "summary": explanation["summary"],
            "features": [
                {"feature": f["feature"], "contribution": float(f["contribution"]), "detail": f["detail"]}
                for f in explanation["features"]
            ],
        },
    }


def render_screening(screening: Screening) -> dict[str, Any]:
    """``ScreeningOutput(screening).data`` built directly, for the same reason."""
    rows = getattr(screening, "prefetched_matches", None)
    if rows is None:
        rows = list(screening.matches.all())
    return {
        "id": str(screening.pk),
        "outcome": screening.outcome,
        "subject": {
            "reference": screening.reference,
            "name": screening.name,
            "schema": screening.schema,
            "birth_date": screening.birth_date,
            "countries": list(screening.countries),
            "gender": screening.gender,
            "identifiers": [{"type": i["type"], "masked": i["masked"]} for i in screening.identifiers],
        },
        "matches": [render_match(row) for row in sorted(rows, key=lambda m: m.rank)],
        "match_count": screening.match_count,
        "suppressed": [{"entity": s["entity"], "content_hash": s["content_hash"]} for s in screening.suppressed],
        "algorithm": {
            "name": screening.algorithm,
            "version": screening.algorithm_version,
            "release": str(screening.release_id) if screening.release_id else None,
        },
        "list_versions": {
            code: {"id": str(item["id"]), "number": int(item["number"])}
            for code, item in screening.list_versions.items()
        },
        "sources": screening.sources,
        "threshold": screening.threshold,
        "thresholds": screening.thresholds,
        "channel": screening.channel,
        "batch": str(screening.batch_id) if screening.batch_id else None,
        "batch_line": screening.batch_line,
        "duration_ms": float(screening.duration_ms),
        "created_at": _DATETIME.to_representation(screening.created_at),
    }


class BatchLineError(serializers.Serializer):
    line = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class BatchProgress(serializers.Serializer):
    total = serializers.IntegerField()
    screened = serializers.IntegerField()
    failed = serializers.IntegerField(help_text="Refused at submission or while screening (see errors).")
    pending = serializers.IntegerField()


class BatchOutput(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()

    class Meta:
        model = BatchScreening
        fields = ["id", "status", "total", "progress", "errors", "sources", "threshold", "created_at", "finished_at"]

    @extend_schema_field(BatchProgress)
    def get_progress(self, batch: BatchScreening) -> dict[str, int]:
        return services.batch_progress(batch)

    @extend_schema_field(BatchLineError(many=True))
    def get_errors(self, batch: BatchScreening) -> list[dict[str, Any]]:
        return selectors.batch_errors(batch=batch)


class FalsePositiveOutput(serializers.ModelSerializer):
    class Meta:
        model = FalsePositive
        fields = ["id", "entity", "content_hash", "screening", "match", "reason", "marked_by", "created_at"]


# --- views ------------------------------------------------------------------------------------------
def _idempotency_key(request: Request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 200 or any(ord(ch) < 32 for ch in key):
        raise ApiError(
            "invalid",
            "The request is invalid.",
            fields={"idempotency_key": ["at most 200 printable characters"]},
        )
    return key


def _unavailable() -> ApiError:
    return ApiError(
        "watchlists_unavailable",
        "No watchlist is loaded yet, so nothing can be screened. Import a list first.",
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


def _input_error(exc: services.ScreeningInputError) -> ApiError:
    return ApiError("invalid", "The request is invalid.", fields={exc.field: [str(exc)]})


class ScreeningListView(APIView):
    def get_permissions(self) -> list[Any]:
        return [HasAction(RUN_ACTION if self.request.method == "POST" else VIEW_ACTION)()]

    @extend_schema(
        operation_id="screenings_list",
        parameters=[ScreeningFilter],
        responses={200: ScreeningOutput(many=True)},
        summary="Screenings the caller may read, newest first",
    )
    def get(self, request: Request) -> Response:
        filters = ScreeningFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = selectors.screening_list(
            actor=request.user,
            reference=filters.validated_data.get("reference"),
            outcome=filters.validated_data.get("outcome"),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response([render_screening(s) for s in page])

    @extend_schema(
        operation_id="screenings_create",
        request=ScreeningInput,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: ScreeningOutput, 200: ScreeningOutput},
        summary="Screen one subject now and store the result",
    )
    def post(self, request: Request) -> Response:
        key = _idempotency_key(request)
        fingerprint = services.request_fingerprint(request.data)
        try:
            existing = services.screening_find_idempotent(
                actor=request.user, idempotency_key=key, request_hash=fingerprint
            )
        except services.ScreeningInputError as exc:
            raise _input_error(exc) from None
        if existing is not None:
            return Response(render_screening(existing), status=status.HTTP_200_OK)
        data = validated_screening_input(request.data)
        try:
            screening = services.screening_run(
                actor=request.user,
                subject=data["subject"],
                threshold=data.get("threshold"),
                sources=data.get("sources"),
                idempotency_key=key,
                request_hash=fingerprint,
            )
        except NoActiveLists:
            raise _unavailable() from None
        return Response(render_screening(screening), status=status.HTTP_201_CREATED)


class ScreeningDetailView(APIView):
    permission_classes = [HasAction(VIEW_ACTION)]

    @extend_schema(operation_id="screenings_retrieve", responses={200: ScreeningOutput})
    def get(self, request: Request, screening_id: Any) -> Response:
        screening = selectors.screening_get(actor=request.user, screening_id=screening_id)
        return Response(render_screening(screening))


class BatchCreateView(APIView):
    permission_classes = [HasAction(RUN_ACTION)]

    @extend_schema(
        operation_id="screenings_batch_create",
        request=BatchInput,
        parameters=[IDEMPOTENCY_HEADER],
        responses={202: BatchOutput, 200: BatchOutput},
        summary="Submit up to 10,000 subjects; screened in the background, poll the batch for progress",
    )
    def post(self, request: Request) -> Response:
        key = _idempotency_key(request)
        serializer = BatchInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            batch, created = services.screening_batch_submit(
                actor=request.user,
                subjects=data["subjects"],
                threshold=data.get("threshold"),
                sources=data.get("sources"),
                idempotency_key=key,
                request_hash=services.request_fingerprint(request.data),
            )
        except services.ScreeningInputError as exc:
            raise _input_error(exc) from None
        batch.refresh_from_db()
        return Response(BatchOutput(batch).data, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)


class BatchDetailView(APIView):
    permission_classes = [HasAction(VIEW_ACTION)]

    @extend_schema(operation_id="screenings_batch_retrieve", responses={200: BatchOutput})
    def get(self, request: Request, batch_id: Any) -> Response:
        return Response(BatchOutput(selectors.batch_get(actor=request.user, batch_id=batch_id)).data)


class BatchResultsView(APIView):
    permission_classes = [HasAction(VIEW_ACTION)]

    @extend_schema(
        operation_id="screenings_batch_results",
        responses={200: ScreeningOutput(many=True)},
        summary="The screenings of a batch so far, in line order",
    )
    def get(self, request: Request, batch_id: Any) -> Response:
        batch = selectors.batch_get(actor=request.user, batch_id=batch_id)
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.screening_list(actor=request.user, batch=batch), request, view=self
        )
        return paginator.get_paginated_response([render_screening(s) for s in page])


class FalsePositiveView(APIView):
    permission_classes = [HasAction(FALSE_POSITIVE_ACTION)]

    @extend_schema(
        operation_id="screenings_match_false_positive",
        request=FalsePositiveInput,
        responses={201: FalsePositiveOutput},
        summary="Mark a match as a false positive: suppressed for this subject until the entry changes",
    )
    def post(self, request: Request, screening_id: Any, match_id: Any) -> Response:
        require_step_up(request, action=FALSE_POSITIVE_ACTION)
        match = selectors.match_get(actor=request.user, screening_id=screening_id, match_id=match_id)
        serializer = FalsePositiveInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            decision = services.false_positive_mark(
                actor=request.user,
                match=match,
                reason_code=serializer.validated_data["reason_code"],
                note=serializer.validated_data["note"],
            )
        except services.FalsePositiveError as exc:
            raise ApiError("invalid", "The request is invalid.", fields={"note": [str(exc)]}) from None
        return Response(FalsePositiveOutput(decision).data, status=status.HTTP_201_CREATED)
