"""The screenings admin: officers read screenings with their matches and explanations; nobody edits them."""

from __future__ import annotations

import pytest
from django.test import Client

from screening.engine import ALGORITHM_NAME, ALGORITHM_VERSION
from screening.models import Screening
from screening.services import screenings as services
from tests.screening import screenings_support as support

fresh_runtime = support.fresh_runtime
sample_lists = support.sample_lists

pytestmark = pytest.mark.django_db


@pytest.fixture
def screening(sample_lists) -> Screening:
    subject = services.parse_subject(
        {
            "name": "Ivan Petrovich Obraztsov",
            "birth_date": "1965",
            "identifiers": [{"type": "passport", "number": "X0000001"}],
        }
    )
    return services.screening_run(actor=None, subject=subject, channel="cli")


@pytest.fixture
def officer_browser(officer, login_api) -> Client:
    """An officer's browser session that passed its second factor (the admin requires it)."""
    return login_api(officer)


def test_an_officer_reads_a_screening_with_its_matches_explanations_and_versions(officer_browser, screening):
    response = officer_browser.get(f"/admin/screening/screening/{screening.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "IVAN PETROVICH OBRAZTSOV" in page
    assert "demo_un:KPi.901" in page
    assert "birth year 1965 matches" in page  # the explanation, in words
    assert ALGORITHM_NAME in page and ALGORITHM_VERSION in page
    assert "****0001" in page
    assert "X0000001" not in page


def test_the_screening_list_is_searchable_and_filterable(officer_browser, screening):
    response = officer_browser.get("/admin/screening/screening/?q=Obraztsov&outcome__exact=potential_match")
    assert response.status_code == 200
    assert "Ivan Petrovich Obraztsov" in response.content.decode()


def test_screenings_cannot_be_added_changed_or_deleted_in_the_admin(officer_browser, screening):
    assert officer_browser.get("/admin/screening/screening/add/").status_code == 403
    assert officer_browser.post(f"/admin/screening/screening/{screening.pk}/delete/").status_code == 403
    response = officer_browser.post(f"/admin/screening/screening/{screening.pk}/change/", {"name": "Someone Else"})
    assert response.status_code == 403
    screening.refresh_from_db()
    assert screening.name == "Ivan Petrovich Obraztsov"


def test_a_person_without_a_reading_role_cannot_open_screenings(make_user, login_api, screening):
    client = login_api(make_user("administrator"))
    assert client.get(f"/admin/screening/screening/{screening.pk}/change/").status_code == 403
