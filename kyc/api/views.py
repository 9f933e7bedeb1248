"""The kyc API for onboarding frontends (API clients): customers, parties, documents, submission, cases.

Views parse input, call one service or selector and render the output; tenancy comes from the
selectors (another client's customer answers 404). Creating POSTs honour ``Idempotency-Key``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import ApiError
from common.pagination import Pagination
from kyc import selectors
from kyc.api import serializers as io
from kyc.idempotency import PARAMETER as IDEMPOTENCY_KEY
from kyc.idempotency import idempotent
from kyc.services import cases, customers, webhooks
from kyc.services.customers import IdentifierInput, RelationshipInput

ERRORS = {
    400: OpenApiResponse(description="Invalid input: the error envelope with field errors."),
    401: OpenApiResponse(description="No or invalid API key."),
    403: OpenApiResponse(description="The caller is not an API client."),
    404: OpenApiResponse(description="No such object for this client."),
}


class IsApiClient(permissions.BasePermission):
    """The kyc API serves API clients (tenants); officers work in the admin."""

    message = "This endpoint is for API clients (Authorization: Api-Key ...)."

    def has_permission(self, request: Request, view: Any) -> bool:
        return getattr(request.user, "client", None) is not None and hasattr(request.user, "key")


def _fields(error: DjangoValidationError) -> dict[str, Any]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"non_field_errors": error.messages}


@contextmanager
def service_errors() -> Iterator[None]:
    """Translate service exceptions into the API's error envelope."""
    try:
        yield
    except DjangoValidationError as exc:
        raise serializers.ValidationError(_fields(exc)) from None
    except customers.CustomerLocked as exc:
        raise ApiError("customer_locked", str(exc), status_code=status.HTTP_409_CONFLICT) from None
    except cases.CaseInProgress as exc:
        raise ApiError(
            "case_in_progress", str(exc), status_code=status.HTTP_409_CONFLICT, fields={"case_id": str(exc.case.pk)}
        ) from None


def _identifiers(items: list[dict[str, Any]]) -> list[IdentifierInput]:
    return [
        IdentifierInput(
            identifier_type=item["type"], value=item["value"], country=item.get("country"), scheme=item.get("scheme")
        )
        for item in items
    ]


def _details(data: dict[str, Any]) -> dict[str, Any]:
    details = dict(data)
    if "address" in details:
        details["address"] = dict(details["address"])
    return details


def _parse(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class KycView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsApiClient]

    def client(self, request: Request) -> Any:
        return request.user.client

    def customer(self, request: Request, customer_id: Any) -> Any:
        return selectors.customer_get(client=self.client(request), customer_id=customer_id)

    def paginate(self, request: Request, queryset: Any, serializer_class: Any) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)


class CustomerListView(KycView):
    @extend_schema(operation_id="customers_list", tags=["customers"], responses={200: io.CustomerOutput(many=True)})
    def get(self, request: Request) -> Response:
        """The client's customers, newest first."""
        return self.paginate(request, selectors.customer_list(client=self.client(request)), io.CustomerOutput)

    @extend_schema(
        operation_id="customers_create",
        tags=["customers"],
        parameters=[IDEMPOTENCY_KEY],
        request=io.CustomerCreateInput,
        responses={201: io.CustomerOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Create an individual or business customer; identifiers are tokenised by the vault at once."""
        data = _parse(io.CustomerCreateInput, request)
        with service_errors():
            customer = customers.customer_create(
                client=self.client(request),
                kind=data["kind"],
                details=_details(data["details"]),
                identifiers=_identifiers(data["identifiers"]),
                external_ref=data["external_ref"],
                actor=request.user,
            )
        return Response(io.CustomerOutput(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailView(KycView):
    @extend_schema(operation_id="customers_retrieve", tags=["customers"], responses={200: io.CustomerOutput, **ERRORS})
    def get(self, request: Request, customer_id: str) -> Response:
        return Response(io.CustomerOutput(self.customer(request, customer_id)).data)

    @extend_schema(
        operation_id="customers_update",
        tags=["customers"],
        request=io.CustomerUpdateInput,
        responses={200: io.CustomerOutput, 409: OpenApiResponse(description="A case is in progress."), **ERRORS},
    )
    def patch(self, request: Request, customer_id: str) -> Response:
        """Change a customer's details (refused with 409 while a case is in progress)."""
        customer = self.customer(request, customer_id)
        data = _parse(io.CustomerUpdateInput, request)
        with service_errors():
            customer = customers.customer_update(
                customer=customer,
                details=_details(data.get("details", {})),
                identifiers=_identifiers(data["identifiers"]),
                external_ref=data.get("external_ref"),
                actor=request.user,
            )
        return Response(io.CustomerOutput(customer).data)


class CustomerSubmitView(KycView):
    @extend_schema(
        operation_id="customers_submit",
        tags=["customers"],
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses={202: io.CaseOutput, 409: OpenApiResponse(description="A case is already in progress."), **ERRORS},
    )
    @idempotent
    def post(self, request: Request, customer_id: str) -> Response:
        """Submit the customer for onboarding: opens a case and starts screening (202, poll the case)."""
        customer = self.customer(request, customer_id)
        with service_errors():
            case = cases.case_submit(customer=customer, actor=request.user)
        case.refresh_from_db()
        return Response(io.CaseOutput(case).data, status=status.HTTP_202_ACCEPTED)


class PartyListView(KycView):
    @extend_schema(operation_id="parties_list", tags=["parties"], responses={200: io.PartyOutput(many=True), **ERRORS})
    def get(self, request: Request, customer_id: str) -> Response:
        """Every party of the customer: the customer itself first, then related parties."""
        customer = self.customer(request, customer_id)
        return self.paginate(request, customer.parties.prefetch_related("identifiers"), io.PartyOutput)

    @extend_schema(
        operation_id="parties_create",
        tags=["parties"],
        parameters=[IDEMPOTENCY_KEY],
        request=io.PartyCreateInput,
        responses={201: io.PartyOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: Request, customer_id: str) -> Response:
        """Add a beneficial owner, shareholder (person or company), director or signatory."""
        customer = self.customer(request, customer_id)
        data = _parse(io.PartyCreateInput, request)
        specs = []
        for position, item in enumerate(data["relationships"]):
            of_party = None
            if item.get("of_party"):
                of_party = customer.parties.filter(pk=item["of_party"]).first()
                if of_party is None:
                    raise serializers.ValidationError({f"relationships[{position}].of_party": ["No such party."]})
            specs.append(
                RelationshipInput(
                    of_party=of_party,
                    role=item["role"],
                    ownership_percentage=item.get("ownership_percentage"),
                    is_nominee=item["is_nominee"],
                )
            )
        with service_errors():
            party = customers.party_add(
                customer=customer,
                kind=data["kind"],
                details=_details(data["details"]),
                identifiers=_identifiers(data["identifiers"]),
                relationships=specs,
                actor=request.user,
            )
        return Response(io.PartyOutput(party).data, status=status.HTTP_201_CREATED)


class PartyDetailView(KycView):
    @extend_schema(operation_id="parties_retrieve", tags=["parties"], responses={200: io.PartyOutput, **ERRORS})
    def get(self, request: Request, customer_id: str, party_id: str) -> Response:
        customer = self.customer(request, customer_id)
        return Response(io.PartyOutput(selectors.party_get(customer=customer, party_id=party_id)).data)

    @extend_schema(
        operation_id="parties_update",
        tags=["parties"],
        request=io.PartyUpdateInput,
        responses={200: io.PartyOutput, **ERRORS},
    )
    def patch(self, request: Request, customer_id: str, party_id: str) -> Response:
        customer = self.customer(request, customer_id)
        party = selectors.party_get(customer=customer, party_id=party_id)
        data = _parse(io.PartyUpdateInput, request)
        with service_errors():
            party = customers.party_update(
                party=party,
                details=_details(data.get("details", {})),
                identifiers=_identifiers(data["identifiers"]),
                actor=request.user,
            )
        return Response(io.PartyOutput(party).data)


class PartyIdentifiersView(KycView):
    @extend_schema(
        operation_id="parties_identifiers_add",
        tags=["parties"],
        parameters=[IDEMPOTENCY_KEY],
        request=io.IdentifiersAddInput,
        responses={201: io.IdentifierOutput(many=True), **ERRORS},
    )
    @idempotent
    def post(self, request: Request, customer_id: str, party_id: str) -> Response:
        """Attach identifiers to a party: validated and tokenised by the vault; only masks come back."""
        customer = self.customer(request, customer_id)
        party = selectors.party_get(customer=customer, party_id=party_id)
        data = _parse(io.IdentifiersAddInput, request)
        with service_errors():
            rows = customers.identifiers_add(
                party=party, identifiers=_identifiers(data["identifiers"]), actor=request.user
            )
        return Response(io.IdentifierOutput(rows, many=True).data, status=status.HTTP_201_CREATED)


class RelationshipListView(KycView):
    @extend_schema(
        operation_id="relationships_list",
        tags=["parties"],
        responses={200: io.RelationshipOutput(many=True), **ERRORS},
    )
    def get(self, request: Request, customer_id: str) -> Response:
        """The ownership and control graph: who holds what share of which company, who directs or signs."""
        customer = self.customer(request, customer_id)
        return self.paginate(request, customer.relationships.all(), io.RelationshipOutput)

    @extend_schema(
        operation_id="relationships_create",
        tags=["parties"],
        parameters=[IDEMPOTENCY_KEY],
        request=io.RelationshipCreateInput,
        responses={201: io.RelationshipOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: Request, customer_id: str) -> Response:
        """Declare one more relationship (a second stake makes multi-path ownership)."""
        customer = self.customer(request, customer_id)
        data = _parse(io.RelationshipCreateInput, request)
        party = customer.parties.filter(pk=data["party"]).first()
        of_party = customer.parties.filter(pk=data["of_party"]).first() if data.get("of_party") else None
        if party is None or (data.get("of_party") and of_party is None):
            raise serializers.ValidationError({"party": ["No such party."]})
        spec = RelationshipInput(
            of_party=of_party,
            role=data["role"],
            ownership_percentage=data.get("ownership_percentage"),
            is_nominee=data["is_nominee"],
        )
        with service_errors():
            relationship = customers.relationship_add(customer=customer, party=party, spec=spec, actor=request.user)
        return Response(io.RelationshipOutput(relationship).data, status=status.HTTP_201_CREATED)


class RelationshipDetailView(KycView):
    @extend_schema(operation_id="relationships_destroy", tags=["parties"], responses={204: None, **ERRORS})
    def delete(self, request: Request, customer_id: str, relationship_id: str) -> Response:
        customer = self.customer(request, customer_id)
        relationship = selectors.relationship_get(customer=customer, relationship_id=relationship_id)
        with service_errors():
            customers.relationship_remove(relationship=relationship, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentListView(KycView):
    @extend_schema(
        operation_id="documents_list", tags=["documents"], responses={200: io.DocumentOutput(many=True), **ERRORS}
    )
    def get(self, request: Request, customer_id: str) -> Response:
        customer = self.customer(request, customer_id)
        return self.paginate(request, customer.documents.all(), io.DocumentOutput)

    @extend_schema(
        operation_id="documents_create",
        tags=["documents"],
        parameters=[IDEMPOTENCY_KEY],
        request=io.DocumentCreateInput,
        responses={201: io.DocumentOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: Request, customer_id: str) -> Response:
        """Record a document's metadata (the file stays with the client); the MRZ is checked, not kept."""
        customer = self.customer(request, customer_id)
        data = _parse(io.DocumentCreateInput, request)
        party = customer.subject
        if data.get("party"):
            party = customer.parties.filter(pk=data["party"]).first()
            if party is None:
                raise serializers.ValidationError({"party": ["No such party."]})
        number = _identifiers([data["number"]])[0] if data.get("number") else None
        with service_errors():
            document = customers.document_add(
                customer=customer,
                party=party,
                document_type=data["document_type"],
                number=number,
                mrz=data.get("mrz"),
                issuing_country=data["issuing_country"],
                issued_on=data.get("issued_on"),
                expires_on=data.get("expires_on"),
                file_sha256=data["file_sha256"],
                file_reference=data["file_reference"],
                content_type=data["content_type"],
                size_bytes=data.get("size_bytes"),
                actor=request.user,
            )
        return Response(io.DocumentOutput(document).data, status=status.HTTP_201_CREATED)


class DocumentDetailView(KycView):
    @extend_schema(operation_id="documents_retrieve", tags=["documents"], responses={200: io.DocumentOutput, **ERRORS})
    def get(self, request: Request, customer_id: str, document_id: str) -> Response:
        customer = self.customer(request, customer_id)
        return Response(io.DocumentOutput(selectors.document_get(customer=customer, document_id=document_id)).data)


class CustomerCaseListView(KycView):
    @extend_schema(operation_id="customers_cases_list", tags=["cases"], responses={200: io.CaseOutput(many=True)})
    def get(self, request: Request, customer_id: str) -> Response:
        """The customer's cases, newest first."""
        customer = self.customer(request, customer_id)
        return self.paginate(request, selectors.case_list(customer=customer), io.CaseOutput)


class CaseDetailView(KycView):
    @extend_schema(operation_id="cases_retrieve", tags=["cases"], responses={200: io.CaseOutput, **ERRORS})
    def get(self, request: Request, case_id: str) -> Response:
        """A case's status, risk rating with reasons, hit counts and final decision with reason codes."""
        return Response(io.CaseOutput(selectors.case_get(client=self.client(request), case_id=case_id)).data)


class WebhookEndpointListView(KycView):
    @extend_schema(
        operation_id="webhook_endpoints_list", tags=["webhooks"], responses={200: io.WebhookEndpointOutput(many=True)}
    )
    def get(self, request: Request) -> Response:
        return self.paginate(
            request, selectors.webhook_endpoint_list(client=self.client(request)), io.WebhookEndpointOutput
        )

    @extend_schema(
        operation_id="webhook_endpoints_create",
        tags=["webhooks"],
        request=io.WebhookEndpointInput,
        responses={201: io.WebhookEndpointCreatedOutput, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Register an endpoint; the response carries its signing secret, which is never shown again.

        Not idempotent on purpose: a stored response would keep the secret.
        """
        data = _parse(io.WebhookEndpointInput, request)
        with service_errors():
            created = webhooks.webhook_endpoint_create(
                client=self.client(request), url=data["url"], events=data.get("events", []), actor=request.user
            )
        body = {**io.WebhookEndpointOutput(created.endpoint).data, "secret": created.secret}
        response = Response(body, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class WebhookDeliveryListView(KycView):
    @extend_schema(
        operation_id="webhook_deliveries_list", tags=["webhooks"], responses={200: io.WebhookDeliveryOutput(many=True)}
    )
    def get(self, request: Request) -> Response:
        """The delivery log of the client's webhooks, newest first."""
        return self.paginate(
            request, selectors.webhook_delivery_list(client=self.client(request)), io.WebhookDeliveryOutput
        )
