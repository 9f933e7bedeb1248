from rest_framework import serializers


class WhoAmISerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["officer", "api_client"])
    id = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    key_prefix = serializers.CharField(allow_null=True)
