"""The audit admin shows events to auditors and officers and lets nobody add, change or delete."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role, User
from tests.mfa import mark_mfa_verified

pytestmark = pytest.mark.django_db


def _login(role: str, *, superuser: bool = False) -> Client:
    make = User.objects.create_superuser if superuser else User.objects.create_user
    user = make(f"{role}@example.test", "correct horse battery", role=role, is_staff=True)
    client = Client()
    client.force_login(user)
    mark_mfa_verified(client, user)  # the admin needs a second factor in the session
    return client


def test_an_auditor_can_browse_and_open_events(record_events):
    events = record_events(3)
    client = _login(Role.AUDITOR)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    page = client.get(f"/admin/audit/auditevent/{events[0].pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_nobody_can_add_change_or_delete_events_not_even_a_superuser(record_events):
    events = record_events(1)
    client = _login(Role.ADMINISTRATOR, superuser=True)
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{events[0].pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(f"/admin/audit/auditevent/{events[0].pk}/change/", {"action": "x"})
    assert response.status_code == 403
    assert client.get("/admin/audit/auditcheckpoint/add/").status_code == 403


def test_an_analyst_does_not_see_the_audit_admin(record_events):
    record_events(1)
    client = _login(Role.ANALYST)
    assert client.get("/admin/audit/auditevent/").status_code == 403
