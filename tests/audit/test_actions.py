"""The action registry refuses duplicates and malformed codes."""

from __future__ import annotations

import pytest

from audit import actions


def test_registering_a_code_twice_is_refused():
    code = actions.register("tests.registry.once", "Registered once")
    with pytest.raises(actions.ActionRegistryError, match="already registered"):
        actions.register(code, "Registered again")
    assert actions.get(code).description == "Registered once"


@pytest.mark.parametrize("code", ["nodots", "Upper.case", "a..b", "a.b.", "a.b c", ""])
def test_malformed_codes_are_refused(code):
    with pytest.raises(actions.ActionRegistryError, match="dotted lower-case"):
        actions.register(code, "x")


def test_a_code_needs_a_description():
    with pytest.raises(actions.ActionRegistryError, match="description"):
        actions.register("tests.registry.nodescription", "  ")


def test_the_audit_apps_own_codes_are_discovered_at_startup():
    codes = {action.code for action in actions.all_actions()}
    assert {"audit.export.created", "audit.proof.issued"} <= codes
