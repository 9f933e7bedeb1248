"""The accounts tests run with the second-factor middleware installed, as production must."""

from __future__ import annotations

import pytest

GATE = "accounts.middleware.SecondFactorMiddleware"


@pytest.fixture(autouse=True)
def _second_factor_gate(settings):
    if GATE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, GATE]
