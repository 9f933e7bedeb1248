"""The demo command gives a newcomer working logins (with a second factor), an API key and lists."""

from __future__ import annotations

import io
import re
import time

import pyotp
import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _run() -> str:
    out = io.StringIO()
    call_command("demo_setup", lists="samples", stdout=out)
    return out.getvalue()


def test_the_demo_prints_logins_with_totp_keys_an_api_key_and_loads_the_sample_lists():
    from accounts.models import TotpDevice, User
    from screening.models import ListVersion, VersionStatus

    output = _run()
    assert ListVersion.objects.filter(status=VersionStatus.ACTIVE).exists()
    for email in ("officer@demo.tillit.local", "mlro@demo.tillit.local"):
        user = User.objects.get(email=email)
        assert TotpDevice.objects.filter(user=user).exists()
        assert email in output
    key = re.search(r"API key:\s+(tlk_\S+)", output).group(1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/auth/whoami/").json()["name"] == "demo-onboarding-frontend"


def test_running_the_demo_again_replaces_every_credential():
    first, second = _run(), _run()
    pattern = r"officer@demo.tillit.local  password (\S+)"
    assert re.search(pattern, first).group(1) != re.search(pattern, second).group(1)
    old_key = re.search(r"API key:\s+(tlk_\S+)", first).group(1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {old_key}")
    assert client.get("/api/v1/auth/whoami/").status_code == 401


def test_a_printed_totp_key_produces_codes_the_admin_accepts():
    from accounts.models import User
    from accounts.services import totp_verify

    output = _run()
    seed = re.search(r"TOTP key (\S+)", output).group(1)
    user = User.objects.get(email="officer@demo.tillit.local")
    # Activation used the current step, so the app's next code is the first one to work.
    next_code = pyotp.TOTP(seed).at(time.time() + 30)
    assert totp_verify(user=user, code=next_code).ok
