"""The compliance dashboard in the admin: real figures for the roles allowed, refused for everyone else."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.mfa import mark_mfa_verified
from tests.monitoring.conftest import BASELINE, SOURCE

pytestmark = pytest.mark.django_db

URL = "/admin/monitoring/compliancedashboard/"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    mark_mfa_verified(client, user)  # the admin needs a second factor in the session
    return client


def text_of(response: Any) -> str:
    """The page as text: charts dropped, tags removed, whitespace squeezed."""
    page = re.sub(r"<svg.*?</svg>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.fixture
def activity(lists: Any, onboard: Any, make_user: Any) -> dict[str, Any]:
    """A list, two onboarded customers with hits (one confirmed), an API screening with a false positive, a check."""
    from kyc.services import review
    from monitoring.services.drift import drift_check_run
    from screening.services import screenings

    lists.activate(BASELINE, run_callbacks=False)
    officer = make_user("officer")
    listed = onboard("Bohuslav", "Ostravsky", nationalities=("CZ",))
    onboard("Perpetua", "Quillon-Ravel", nationalities=("FR",))
    review.hit_confirm(hit=listed.cases.get().hits.get(), rationale="Same person, same dates.", actor=officer)
    subject = screenings.parse_subject({"name": "Innokenty Tarkhovich", "countries": ["ru"], "reference": "t-1"})
    screened = screenings.screening_run(actor=officer, subject=subject)
    screenings.screening_run(actor=officer, subject=screenings.parse_subject({"name": "Amelia Hartwell"}))
    screenings.false_positive_mark(
        actor=officer, match=screened.matches.get(), reason_code=screenings.ReasonCode.DIFFERENT_PERSON
    )
    check = drift_check_run(actor=None, trigger="command")
    return {"officer": officer, "check": check}


def test_an_auditor_sees_real_figures_charts_and_tables(activity, make_user):
    response = login(make_user("auditor")).get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') >= 10
    assert "<script" not in page.split('<div id="content-main">')[1]  # the dashboard itself needs no script
    text = text_of(response)
    # Per list: two case hits (one confirmed, one open) and one API match (cleared as a false positive).
    assert re.search(rf"{SOURCE} 2 1 1 1 1 50 %", text), text
    assert "3 alerts raised (30 days)" in text
    assert "50 % false positives (1 of 2 reviewed)" in text
    assert "2 open cases, 0 past their SLA" in text
    assert "screening p95 (2 screenings)" in text
    assert f"{SOURCE} 1 0.0 0.0 6.0" in text  # list freshness: version 1, just imported, 6 h interval
    assert "Latest check" in text and "2 alerts raised" not in text
    assert "CZ" in text and "Latin" in text  # groups of the drift check


def test_the_period_can_be_chosen_and_a_bad_value_falls_back_to_30_days(make_user):
    client = login(make_user("officer"))
    assert 'class="tl-current" aria-current="page">last 7 days' in client.get(URL, {"days": "7"}).content.decode()
    assert 'aria-current="page">last 30 days' in client.get(URL, {"days": "x'"}).content.decode()
    assert 'aria-current="page">last 30 days' in client.get(URL, {"days": "365"}).content.decode()


def test_an_empty_database_renders_with_no_data_messages(make_user):
    response = login(make_user("auditor")).get(URL)
    assert response.status_code == 200
    text = text_of(response)
    assert "No drift check has run yet" in text and "No alerts in this period." in text


@pytest.mark.parametrize("role", ["officer", "senior_officer", "administrator", "auditor"])
def test_the_roles_of_the_policy_may_read_the_dashboard_and_find_it_in_the_admin_index(role, make_user):
    client = login(make_user(role))
    assert client.get(URL).status_code == 200
    assert URL in client.get("/admin/").content.decode()


def test_an_analyst_is_refused_and_does_not_see_it_in_the_index(make_user):
    client = login(make_user("analyst"))
    assert client.get(URL).status_code == 403
    assert URL not in client.get("/admin/").content.decode()
    assert client.get("/admin/monitoring/driftcheck/").status_code == 403


def test_anonymous_visitors_and_people_without_staff_status_are_sent_to_the_login_page(make_user):
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/")
    not_staff = login(make_user("auditor", is_staff=False)).get(URL)
    assert not_staff.status_code == 302 and not_staff["Location"].startswith("/admin/login/")


def test_a_session_without_its_second_factor_does_not_reach_the_dashboard(make_user):
    client = Client()
    client.force_login(make_user("auditor"))
    response = client.get(URL)  # the admin's gate answers with its verify page instead
    assert b"tillit-chart" not in response.content and b"alerts raised" not in response.content
    assert response.status_code == 200 and b'name="_mfa_code"' in response.content  # the second-factor form


def test_drift_checks_are_listed_and_readable_but_not_editable(activity, make_user):
    client = login(make_user("administrator"))
    check = activity["check"]
    assert client.get("/admin/monitoring/driftcheck/").status_code == 200
    page = client.get(f"/admin/monitoring/driftcheck/{check.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get("/admin/monitoring/driftcheck/add/").status_code == 403
    assert client.post(f"/admin/monitoring/driftcheck/{check.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{URL}add/").status_code == 403


def test_the_drift_check_list_and_page_show_how_many_comparisons_were_flagged(make_user):
    from monitoring.services.drift import drift_check_run
    from tests.monitoring.drift_support import make_versions, screen

    v1, v2 = make_versions("custom_shift", 2)
    screen(100, versions={"custom_shift": v1}, scores=[0.86] * 50)
    screen(60, versions={"custom_shift": v2}, scores=[0.97] * 60)
    check = drift_check_run(actor=None, trigger="command")
    count = len(check.flags)
    assert count >= 2 and check.flag_count == count

    client = login(make_user("administrator"))
    listing = text_of(client.get("/admin/monitoring/driftcheck/"))
    assert re.search(rf"Flag count .* command .* 160 \d+ {count}\b", listing)
    page = text_of(client.get(f"/admin/monitoring/driftcheck/{check.pk}/change/"))
    assert re.search(rf"Flag count: {count}\b", page)


def test_flags_of_the_latest_drift_check_are_shown_with_their_figures(make_user):
    from monitoring.services.drift import drift_check_run
    from tests.monitoring.drift_support import make_versions, screen

    v1, v2 = make_versions("custom_shift", 2)
    screen(100, versions={"custom_shift": v1}, scores=[0.86] * 50)  # half alerted
    screen(60, versions={"custom_shift": v2}, scores=[0.97] * 60, countries=("ir",), name="Олег Примеров")
    check = drift_check_run(actor=None, trigger="command")
    assert check.flag_count

    text = text_of(login(make_user("auditor")).get(URL))

    assert f"{check.flag_count} comparison(s) beyond their bounds" in text
    assert "Scores: latest list version against the previous one (PSI) custom_shift psi" in text
    assert "custom_shift v1 → v2 50 / 60" in text and "50.0 % → 100.0 %" in text
    assert "IR flagged 60 100.0 %" in text and "Cyrillic flagged 60 100.0 %" in text
