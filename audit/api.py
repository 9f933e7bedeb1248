"""Read-only audit API for auditors and officers: events, checkpoints, proofs, exports."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.stepup import require_step_up
from audit import actions, selectors
from audit.audit_actions import EXPORT_CREATED, PROOF_ISSUED
from audit.models import ActorType, AuditCheckpoint, AuditEvent
from audit.services import audit_record
from common.pagination import Pagination

# Who may read the audit trail. Analysts and API clients may not; administrators manage
# users and configuration, and read the trail through an auditor account if they must.
READER_ROLES = frozenset({"auditor", "officer", "senior_officer"})


class IsAuditReader(permissions.BasePermission):
    message = "Reading the audit trail needs the auditor, officer or senior officer role."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(getattr(user, "is_authenticated", False) and getattr(user, "role", None) in READER_ROLES)


# --- serializers ------------------------------------------------------------------------------------
class EventFilterInput(serializers.Serializer):
    action = serializers.CharField(required=False, max_length=100, help_text="code, or prefix ending in . or *")
    actor_type = serializers.ChoiceField(choices=ActorType.choices, required=False)
    actor_id = serializers.CharField(required=False, max_length=64)
    target_type = serializers.CharField(required=False, max_length=100)
    target_id = serializers.CharField(required=False, max_length=64)
    correlation_id = serializers.CharField(required=False, max_length=64)
    customer_id = serializers.CharField(required=False, max_length=64, help_text="a customer's full history")
    occurred_after = serializers.DateTimeField(required=False, help_text="inclusive")
    occurred_before = serializers.DateTimeField(required=False, help_text="exclusive")
    sequence_from = serializers.IntegerField(required=False, min_value=1)
    sequence_to = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        after, before = attrs.get("occurred_after"), attrs.get("occurred_before")
        if after and before and after >= before:
            raise ValidationError({"occurred_before": ["must be later than occurred_after"]})
        return attrs


class EventOutput(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "sequence",
            "occurred_at",
            "actor_type",
            "actor_id",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "correlation_id",
            "payload",
            "prev_hash",
            "hash",
        ]


class CheckpointOutput(serializers.ModelSerializer):
    class Meta:
        model = AuditCheckpoint
        fields = ["id", "tree_size", "root_hash", "issued_at", "origin", "body", "key_id", "public_key", "signature"]


class ActionOutput(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField()


class ConsistencyInput(serializers.Serializer):
    first = serializers.IntegerField(min_value=1, help_text="tree size of the earlier checkpoint")
    second = serializers.IntegerField(min_value=1, help_text="tree size of the later checkpoint")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["first"] > attrs["second"]:
            raise ValidationError({"second": ["must not be smaller than first"]})
        return attrs


FILTER_PARAMETERS = [
    OpenApiParameter(name, type=kind, required=False)
    for name, kind in [
        ("action", str),
        ("actor_type", str),
        ("actor_id", str),
        ("target_type", str),
        ("target_id", str),
        ("correlation_id", str),
        ("customer_id", str),
        ("occurred_after", OpenApiTypes.DATETIME),
        ("occurred_before", OpenApiTypes.DATETIME),
        ("sequence_from", int),
        ("sequence_to", int),
    ]
]


def _filters(request: Request) -> dict[str, Any]:
    form = EventFilterInput(data=request.query_params)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


def _event_or_404(event_id: Any) -> AuditEvent:
    try:
        return selectors.event_get(ref=str(event_id))
    except selectors.NotFound:
        raise NotFound("No such audit event.") from None


# --- views ------------------------------------------------------------------------------------------
class EventListView(APIView):
    """Audit events, oldest first, filtered."""

    permission_classes = [IsAuditReader]

    @extend_schema(operation_id="audit_events_list", parameters=FILTER_PARAMETERS, responses=EventOutput(many=True))
    def get(self, request: Request) -> Response:
        events = selectors.event_list(**_filters(request))
        paginator = Pagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(EventOutput(page, many=True).data)


class EventDetailView(APIView):
    permission_classes = [IsAuditReader]

    @extend_schema(operation_id="audit_events_retrieve", responses=EventOutput)
    def get(self, request: Request, event_id: Any) -> Response:
        return Response(EventOutput(_event_or_404(event_id)).data)


class EventProofView(APIView):
    """An inclusion proof of the event in the latest signed checkpoint (verify with audit/verify_proof.py)."""

    permission_classes = [IsAuditReader]

    @extend_schema(
        operation_id="audit_events_proof",
        responses={200: OpenApiTypes.OBJECT, 404: OpenApiResponse(description="unknown or not yet signed")},
    )
    def get(self, request: Request, event_id: Any) -> Response:
        event = _event_or_404(event_id)
        try:
            bundle = selectors.inclusion_bundle(event=event)
        except selectors.NotYetSigned as exc:
            raise NotFound(str(exc), code="not_yet_signed") from None
        audit_record(
            action=PROOF_ISSUED,
            actor=request.user,
            target=event,
            payload={"kind": "inclusion", "sequence": event.sequence, "tree_size": bundle["tree_size"]},
        )
        return Response(bundle)


class CheckpointListView(APIView):
    """Signed tree heads, smallest first."""

    permission_classes = [IsAuditReader]

    @extend_schema(operation_id="audit_checkpoints_list", responses=CheckpointOutput(many=True))
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.checkpoint_list(), request, view=self)
        return paginator.get_paginated_response(CheckpointOutput(page, many=True).data)


class ConsistencyProofView(APIView):
    """A proof that the later checkpoint extends the earlier one (nothing was rewritten in between)."""

    permission_classes = [IsAuditReader]

    @extend_schema(
        operation_id="audit_checkpoints_consistency",
        parameters=[OpenApiParameter("first", int, required=True), OpenApiParameter("second", int, required=True)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        form = ConsistencyInput(data=request.query_params)
        form.is_valid(raise_exception=True)
        first, second = form.validated_data["first"], form.validated_data["second"]
        try:
            bundle = selectors.consistency_bundle(size1=first, size2=second)
        except selectors.NotFound as exc:
            raise NotFound(str(exc)) from None
        audit_record(
            action=PROOF_ISSUED,
            actor=request.user,
            payload={"kind": "consistency", "size1": first, "size2": second},
        )
        return Response(bundle)


class ExportView(APIView):
    """Events matching the filters as JSON lines, with the inclusion proofs and checkpoint that verify them."""

    permission_classes = [IsAuditReader]

    @extend_schema(
        operation_id="audit_export",
        parameters=FILTER_PARAMETERS,
        responses={(200, "application/x-ndjson"): OpenApiTypes.STR},
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        # Exporting the trail is a risky action: auditors and senior officers, with a fresh step-up.
        require_step_up(request, action="audit.export")
        filters = _filters(request)
        description = {key: str(value) for key, value in filters.items()}
        events = selectors.event_list(**filters)
        audit_record(action=EXPORT_CREATED, actor=request.user, payload={**description, "channel": "api"})
        lines = (line + "\n" for line in selectors.export_lines(events, description=description))
        response = StreamingHttpResponse(lines, content_type="application/x-ndjson")
        response["Content-Disposition"] = 'attachment; filename="audit-export.jsonl"'
        return response


class ActionListView(APIView):
    """Every registered action code and what it means."""

    permission_classes = [IsAuditReader]

    @extend_schema(operation_id="audit_actions_list", responses=ActionOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(ActionOutput(actions.all_actions(), many=True).data)
