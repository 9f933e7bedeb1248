"""After ``demo_setup`` the dashboard shows real figures: screenings, case hits, dispositions, a drift check."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.monitoring.test_dashboard import URL, login, text_of

pytestmark = pytest.mark.django_db


def test_the_demo_leaves_the_dashboard_with_real_figures_and_a_second_run_adds_nothing(make_user):
    from kyc.models import HitStatus, ScreeningHit
    from monitoring.models import DriftCheck
    from screening.models import FalsePositive, Screening

    out = io.StringIO()
    call_command("demo_setup", lists="samples", stdout=out)
    assert "Activity:" in out.getvalue() and "screenings" in out.getvalue()

    screenings = Screening.objects.count()
    assert screenings >= 10 and Screening.objects.filter(outcome="potential_match").exists()
    assert FalsePositive.objects.exists()
    assert ScreeningHit.objects.filter(status=HitStatus.CONFIRMED).exists()
    assert ScreeningHit.objects.filter(status=HitStatus.CLEARED).exists()
    assert DriftCheck.objects.count() == 1

    text = text_of(login(make_user("auditor")).get(URL))
    assert "0 alerts raised" not in text and "No alerts in this period." not in text
    assert f"screening p95 ({screenings} screenings)" in text
    assert "demo_un_sc" in text and "Latest check" in text
    assert "Cyrillic" in text and "Arabic" in text  # the demo screens names in several scripts

    call_command("demo_setup", lists="samples", stdout=io.StringIO())
    assert Screening.objects.count() == screenings
    assert DriftCheck.objects.count() == 1
