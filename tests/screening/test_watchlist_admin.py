"""The watchlist admin: read-only, searchable entries showing every name, date, identifier and programme."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from screening.lists import SAMPLES_DIR
from screening.models import ListEntry, ListVersion
from screening.services import watchlists as services
from tests.mfa import mark_mfa_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    user = User.objects.create_superuser("admin@example.test", "correct horse battery staple")
    client = Client()
    client.force_login(user)
    mark_mfa_verified(client, user)  # the admin needs a second factor in the session
    return client


@pytest.fixture
def version() -> ListVersion:
    source = services.source_ensure(code="un_sc", actor=None)
    return services.list_version_import(source=source, path=SAMPLES_DIR / "un" / "consolidated.xml", actor=None).version


def test_entries_are_searchable_by_name(admin_client, version) -> None:
    response = admin_client.get("/admin/screening/listentry/?q=QADIR")
    assert response.status_code == 200
    assert b"SAMPLE QADIR AL-FICTIONI" in response.content
    assert b"IVAN PETROVICH" not in response.content


def test_an_entry_page_shows_names_dates_identifiers_and_programmes(admin_client, version) -> None:
    entry = ListEntry.objects.get(version=version, ref="QDi.901")
    response = admin_client.get(f"/admin/screening/listentry/{entry.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("عينة قادر الخيالي", "original_script", "1970-1973", "X0000001", "Al-Qaida", "Aden, Yemen"):
        assert text in page
    assert 'name="_save"' not in page  # view only


def test_versions_show_status_counts_and_diff(admin_client, version) -> None:
    response = admin_client.get("/admin/screening/listversion/")
    assert response.status_code == 200
    assert b"first version" in response.content
    assert admin_client.get(f"/admin/screening/listversion/{version.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/screening/listversion/{version.pk}/delete/").status_code == 403


def test_the_source_list_shows_the_active_version(admin_client, version) -> None:
    response = admin_client.get("/admin/screening/source/")
    assert b"v1: 5 entries, published 2026-01-15" in response.content
