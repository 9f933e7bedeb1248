"""Shared bits of the release management commands."""

from __future__ import annotations

import uuid

from django.core.management.base import CommandError

from screening.models import MatchingRelease


def release_named(value: str) -> MatchingRelease:
    """A release by id (UUID) or label; CommandError when there is none."""
    try:
        release = MatchingRelease.objects.filter(pk=uuid.UUID(value)).first()
    except ValueError:
        release = MatchingRelease.objects.filter(label=value).first()
    if release is None:
        raise CommandError(f"no matching release {value!r} (give its id or label; see release_status)")
    return release
