"""A URLconf for the error-envelope tests: views that fail in each way an API view can."""

from django.urls import include, path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

import config.urls


class _Input(serializers.Serializer):
    name = serializers.CharField(max_length=20)
    age = serializers.IntegerField(min_value=0)


class ValidatingView(APIView):
    permission_classes = []

    def post(self, request):
        data = _Input(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(data.validated_data, status=201)


class CrashingView(APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("boom: this text must not reach the client")


class OncePerMinute(AnonRateThrottle):
    rate = "1/min"


class ThrottledView(APIView):
    permission_classes = []
    throttle_classes = [OncePerMinute]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("api/v1/test/validate/", ValidatingView.as_view()),
    path("api/v1/test/crash/", CrashingView.as_view()),
    path("api/v1/test/throttled/", ThrottledView.as_view()),
    path("", include(config.urls.urlpatterns)),
]
handler404 = config.urls.handler404
handler500 = config.urls.handler500
