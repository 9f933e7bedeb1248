"""Officers (email login, UUID primary key, a role), their second factor, and API clients with hashed keys."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from common.models import BaseModel
from vault.fields import SealedBinaryField


class Role(models.TextChoices):
    ANALYST = "analyst", "Analyst (reviews alerts)"
    OFFICER = "officer", "Compliance officer (decides cases)"
    SENIOR_OFFICER = "senior_officer", "Senior officer / MLRO (second approver)"
    ADMINISTRATOR = "administrator", "Administrator (users, keys, configuration)"
    AUDITOR = "auditor", "Auditor (read-only)"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.ADMINISTRATOR)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: compliance staff. Identified by email; UUID primary key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.ANALYST)
    is_staff = models.BooleanField(default=False, help_text="Can log into the admin site.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Bumped to end every session at once (logout everywhere, a changed second factor): it is part of
    # the session auth hash, so Django flushes any session made before the bump on its next request.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}|{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()


class TotpDevice(BaseModel):
    """A person's authenticator app: the sealed TOTP seed, the last step used, and failure throttling.

    One row per user, locked (SELECT ... FOR UPDATE) by every verification, so that the replay check
    and the failure counters are serialised. The seed is sealed by the vault, bound to this row and
    column; ``pending_secret`` holds a seed being enrolled until a correct code activates it.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = SealedBinaryField(null=True, blank=True)
    pending_secret = SealedBinaryField(null=True, blank=True)
    pending_started_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    failure_count = models.PositiveIntegerField(default=0)
    failure_window_started_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"TOTP device of {self.user}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None and self.secret is not None


class RecoveryCode(BaseModel):
    """One single-use recovery code, stored as an Argon2id hash (the code is shown once)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    # The code's first characters, which are not part of its secret: they pick the row to verify.
    lookup = models.CharField(max_length=8, default="", blank=True)
    code_hash = models.CharField(max_length=200)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"recovery code of {self.user} ({'used' if self.used_at else 'unused'})"


class ApiClient(BaseModel):
    """A service that calls the API (the onboarding frontend, another system): a tenant.

    A client sees only the customers it created.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    scopes = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiKey(BaseModel):
    """One key of an API client. The secret is shown once; only its SHA-256 is stored.

    Keys look like ``tlk_<prefix>_<secret>``: the prefix is visible in lists and logs so a key can be
    recognised and revoked without ever showing the secret again.
    """

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    label = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"tlk_{self.prefix}_…"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
