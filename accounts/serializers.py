"""Input and output serializers of the accounts API (inputs end in ``In``, outputs in ``Out``)."""

from __future__ import annotations

from rest_framework import serializers

from accounts import policy
from accounts.models import Role


class WhoAmISerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["officer", "api_client"])
    id = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    key_prefix = serializers.CharField(allow_null=True)


# --- Second factor ----------------------------------------------------------------------------------------
class MfaStatusOut(serializers.Serializer):
    enrolled = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    enrolment_pending = serializers.BooleanField()
    recovery_codes_left = serializers.IntegerField()
    locked_until = serializers.DateTimeField(allow_null=True)
    session_verified = serializers.BooleanField()


class MfaVerifyIn(serializers.Serializer):
    code = serializers.CharField(required=False, max_length=16, help_text="The 6-digit code of the app.")
    recovery_code = serializers.CharField(required=False, max_length=32, help_text="A recovery code (single use).")

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("code")) == bool(attrs.get("recovery_code")):
            raise serializers.ValidationError("Give exactly one of code or recovery_code.")
        return attrs


class MfaVerifyOut(serializers.Serializer):
    verified = serializers.BooleanField()
    recovery_codes_left = serializers.IntegerField(allow_null=True)


class CodeIn(serializers.Serializer):
    code = serializers.CharField(max_length=16, help_text="The 6-digit code of the app.")


class EnrolmentOut(serializers.Serializer):
    secret = serializers.CharField(help_text="Base32 seed, shown once: type it into the app if you cannot scan.")
    provisioning_uri = serializers.CharField(help_text="otpauth:// URI, shown once.")
    qr_svg = serializers.CharField(help_text="Inline SVG QR code of the provisioning URI, shown once.")
    expires_at = serializers.DateTimeField(help_text="Confirm with a code before this time.")


class RecoveryCodesOut(serializers.Serializer):
    recovery_codes = serializers.ListField(child=serializers.CharField(), help_text="Shown once; each works once.")


class StepUpIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=[])
    code = serializers.CharField(max_length=16)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [rule.action for rule in policy.step_up_actions()]


class StepUpOut(serializers.Serializer):
    action = serializers.CharField()
    expires_at = serializers.DateTimeField()


# --- API clients ---------------------------------------------------------------------------------------------
class ApiKeyOut(serializers.Serializer):
    id = serializers.UUIDField()
    prefix = serializers.CharField()
    label = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class NewApiKeyOut(ApiKeyOut):
    secret = serializers.CharField(help_text="The full key, shown once: `Authorization: Api-Key <secret>`.")


class ApiClientOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.SerializerMethodField()
    keys = ApiKeyOut(many=True, source="keys.all")

    def get_last_used_at(self, client: object) -> str | None:
        used = [key.last_used_at for key in client.keys.all() if key.last_used_at]  # type: ignore[attr-defined]
        return serializers.DateTimeField().to_representation(max(used)) if used else None


class ApiClientCreatedOut(ApiClientOut):
    key = NewApiKeyOut()


def _scope_field() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=32)


class ApiClientCreateIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    scopes = _scope_field()


class ApiClientUpdateIn(serializers.Serializer):
    description = serializers.CharField(required=False, allow_blank=True)
    scopes = _scope_field()
    is_active = serializers.BooleanField(required=False)


class ApiKeyRotateIn(serializers.Serializer):
    grace_days = serializers.IntegerField(min_value=0, max_value=90, default=7)
    label = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


# --- Users ----------------------------------------------------------------------------------------------------
class UserOut(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    is_staff = serializers.BooleanField()
    is_active = serializers.BooleanField()
    last_login = serializers.DateTimeField(allow_null=True)
    mfa_enrolled = serializers.SerializerMethodField()

    def get_mfa_enrolled(self, user: object) -> bool:
        device = getattr(user, "totp_device", None)
        return bool(device and device.is_confirmed)


class UserUpdateIn(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_staff = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError("Give at least one of role, is_staff or is_active.")
        return attrs
