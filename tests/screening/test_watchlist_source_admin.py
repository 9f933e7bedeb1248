"""Reconfiguring a watchlist source in the admin is an administrator's action, behind a step-up, and audited."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.stepup import CODE_FIELD
from audit.models import AuditEvent
from screening.models import Source
from screening.services import watchlists as services
from tests.mfa import mark_mfa_verified

pytestmark = pytest.mark.django_db


def _form(source: Source, **overrides: object) -> dict[str, object]:
    data = {
        "name": source.name,
        "url": source.url,
        "local_path": source.local_path,
        "enabled": "on" if source.enabled else "",
        "sync_interval": "06:00:00",
        "max_shrink_ratio": source.max_shrink_ratio,
        "_save": "Save",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def _login(user: object) -> Client:
    client = Client()
    client.force_login(user)
    mark_mfa_verified(client, user)
    return client


def test_an_administrator_changes_a_source_only_after_a_step_up_and_the_change_is_audited(make_user, totp):
    source = services.source_ensure(code="un_sc", actor=None)
    admin_user = make_user("administrator")
    admin_user.is_superuser = True
    admin_user.save()
    seed = totp.enrol(admin_user)
    client = _login(admin_user)
    url = f"/admin/screening/source/{source.pk}/change/"

    prompt = client.post(url, _form(source, max_shrink_ratio=0.9))
    assert prompt.status_code == 200
    assert CODE_FIELD.encode() in prompt.content  # the step-up prompt, nothing saved yet
    source.refresh_from_db()
    assert source.max_shrink_ratio != 0.9

    saved = client.post(url, {**_form(source, max_shrink_ratio=0.9), CODE_FIELD: totp.fresh(admin_user, seed)})
    assert saved.status_code == 302
    source.refresh_from_db()
    assert source.max_shrink_ratio == 0.9
    event = AuditEvent.objects.filter(action="watchlist.source.changed").get()
    assert event.payload["changes"]["max_shrink_ratio"]["to"] == "0.9"


def test_an_officer_cannot_reconfigure_a_source(make_user):
    source = services.source_ensure(code="un_sc", actor=None)
    officer = make_user("officer")
    officer.is_superuser = True  # model permissions do not open a business action
    officer.save()
    response = _login(officer).post(f"/admin/screening/source/{source.pk}/change/", _form(source, url=""))
    assert response.status_code == 403
    source.refresh_from_db()
    assert source.url
    assert not AuditEvent.objects.filter(action="watchlist.source.changed").exists()


def test_an_unchanged_save_records_nothing():
    source = services.source_ensure(code="un_sc", actor=None)
    services.source_update(source=source, changes={"enabled": source.enabled}, actor=None)
    assert not AuditEvent.objects.filter(action="watchlist.source.changed").exists()
