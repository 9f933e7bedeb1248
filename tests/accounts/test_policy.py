"""Roles are least privilege; the policy table names every risky action the issue lists."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from accounts import policy
from accounts.models import Role

pytestmark = pytest.mark.django_db

ISSUE_RISKY_ACTIONS = {
    "alert.clear",  # clearing a sanctions or PEP alert
    "alert.override",  # overriding one
    "case.approve_high_risk",  # approving a high-risk customer
    "identifier.reveal",  # revealing a tokenised identifier
    "data.export",  # exporting data
    "screening.thresholds.change",
    "screening.suppression.change",
    "screening.list_source.change",
    "user.manage",
    "user.role.change",
    "api_client.manage",
    "mfa.reset_other",  # another person's MFA
    "mfa.remove_own",  # removing one's own MFA
}


def test_every_risky_action_of_the_issue_needs_a_step_up():
    assert ISSUE_RISKY_ACTIONS <= {rule.action for rule in policy.step_up_actions()}


@pytest.mark.parametrize(
    ("role", "allowed", "denied"),
    [
        (Role.ANALYST, {"alert.review", "case.view"}, {"case.decide", "alert.clear", "identifier.reveal"}),
        (Role.OFFICER, {"case.decide", "alert.clear", "identifier.reveal"}, {"alert.clear.approve", "user.manage"}),
        (Role.SENIOR_OFFICER, {"alert.clear.approve", "case.approve_high_risk"}, {"api_client.manage"}),
        (Role.ADMINISTRATOR, {"user.manage", "api_client.manage", "mfa.reset_other"}, {"case.decide", "alert.clear"}),
        (Role.AUDITOR, {"audit.view", "audit.export", "case.view"}, {"case.decide", "alert.review", "user.manage"}),
    ],
)
def test_each_role_may_do_its_work_and_nothing_more(make_user, role, allowed, denied):
    user = make_user(role)
    assert {action for action in allowed if policy.can(user, action)} == allowed
    assert {action for action in denied if policy.can(user, action)} == set()


def test_the_auditor_can_change_nothing(make_user):
    auditor = make_user(Role.AUDITOR)
    writes = [a for a in policy.ACTIONS if not a.endswith((".view", ".export")) and a not in {"sessions.revoke_own"}]
    assert [
        a for a in writes if policy.can(auditor, a) and a not in {"mfa.remove_own", "mfa.recovery_codes.renew"}
    ] == []


def test_a_superuser_flag_grants_no_role(make_user):
    analyst = make_user(Role.ANALYST)
    analyst.is_superuser = True
    assert not policy.can(analyst, "case.decide")
    with pytest.raises(PermissionDenied):
        policy.require(analyst, "user.manage")


def test_an_inactive_user_may_do_nothing(make_user):
    officer = make_user(Role.OFFICER)
    officer.is_active = False
    assert not policy.can(officer, "case.view")


def test_api_clients_act_only_through_their_scopes(make_api_client):
    from accounts.authentication import ApiClientPrincipal

    tenant, _ = make_api_client()
    principal = ApiClientPrincipal(client=tenant, key=tenant.keys.get())
    assert not policy.can(principal, "customer.create")
    tenant.scopes = ["customers:write"]
    assert policy.can(principal, "customer.create")
    assert not policy.can(principal, "case.decide")
    assert not policy.can(principal, "identifier.reveal")


def test_an_unknown_action_is_a_programming_error(make_user):
    with pytest.raises(policy.UnknownAction):
        policy.can(make_user(), "case.decidee")


def test_an_action_cannot_be_defined_twice_or_for_an_unknown_role():
    with pytest.raises(ValueError, match="already defined"):
        policy.define("case.decide", roles={"officer"}, description="again")
    with pytest.raises(ValueError, match="unknown roles"):
        policy.define("case.something_new", roles={"wizard"}, description="no")
