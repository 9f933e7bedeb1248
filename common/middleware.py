"""Request middleware: correlation id in, correlation id out."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from common.correlation import HEADER, bind_correlation_id, clean_correlation_id


class CorrelationIdMiddleware:
    """Take X-Request-ID from the caller when well-formed, else make one; echo it in the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        correlation_id = clean_correlation_id(request.headers.get(HEADER))
        request.correlation_id = correlation_id  # type: ignore[attr-defined]
        bind_correlation_id(correlation_id)
        try:
            response = self.get_response(request)
        finally:
            bind_correlation_id(None)
        response[HEADER] = correlation_id
        return response
