"""One error envelope for every API error: {"error": {"code", "message", "fields"}}.

DRF exceptions pass through ``api_exception_handler``; Django-level errors under /api/ (unknown
URL, CSRF failure, server error, oversize body) go through the handlers below, so a client never
has to parse an HTML error page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.logging import get_logger

log = get_logger(__name__)

API_PREFIX = "/api/"


class ApiError(exceptions.APIException):
    """An API error with a stable machine-readable code, e.g. ApiError("step_up_required", ...)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status_code: int = status.HTTP_400_BAD_REQUEST,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.fields = fields or {}


def envelope(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _validation_fields(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return detail
    if isinstance(detail, list):
        return {"non_field_errors": detail}
    return {"non_field_errors": [detail]}


def _code_of(exc: exceptions.APIException) -> str:
    if isinstance(exc, ApiError):
        return exc.error_code
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        return "csrf_failed"
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: every error, expected or not, leaves in the envelope."""
    if isinstance(exc, RequestDataTooBig):
        return Response(
            envelope("payload_too_large", "The request body is larger than the server accepts."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError("The request was malformed.")

    response = drf_exception_handler(exc, context)
    if response is None:
        # Unexpected: log with the traceback (no request data), answer a generic 500 envelope.
        log.exception("api.unhandled_error", view=type(context.get("view")).__name__)
        return Response(
            envelope("server_error", "An unexpected error occurred. Quote the X-Request-ID when reporting it."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        response.data = envelope("invalid", "The request is invalid.", _validation_fields(exc.detail))
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait) if exc.wait is not None else None
        message = "Too many requests." + (f" Retry in {wait} seconds." if wait is not None else "")
        response.data = envelope("throttled", message, {"retry_after": wait} if wait is not None else {})
    else:
        fields = exc.fields if isinstance(exc, ApiError) else {}
        response.data = envelope(_code_of(exc), str(exc.detail), fields)
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(envelope("not_found", "Not found."), status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(
                envelope("payload_too_large", "The request body is larger than the server accepts."),
                status=413,
            )
        return JsonResponse(envelope("bad_request", "The request was malformed."), status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(envelope("permission_denied", "You do not have permission."), status=403)
    return defaults.permission_denied(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            envelope("server_error", "An unexpected error occurred. Quote the X-Request-ID when reporting it."),
            status=500,
        )
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: API callers get the envelope; the admin gets Django's page."""
    if _is_api(request):
        return JsonResponse(envelope("csrf_failed", f"CSRF check failed: {reason}"), status=403)
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason)
