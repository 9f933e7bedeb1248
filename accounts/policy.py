"""Who may do what: one table mapping each action to the roles (and API-client scopes) allowed, and
whether it is risky enough to need a fresh second factor (step-up).

Other apps ask here instead of checking roles themselves::

    from accounts import policy
    policy.require(request.user, "case.decide")          # raises PermissionDenied
    if policy.can(user, "alert.clear"): ...
    policy.needs_step_up("identifier.reveal")            # True

or, in DRF, ``permission_classes = [HasAction("alert.clear")]`` (``accounts.permissions``).
Roles are least privilege: ``is_superuser`` grants nothing here (it only unlocks Django model
permissions in the admin), and an auditor is read-only everywhere. A new action is added to
``ACTIONS`` below (or with ``define`` from an app's ``ready()``), never by a role check elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from accounts.models import Role

ANALYST, OFFICER, SENIOR, ADMIN, AUDITOR = "analyst", "officer", "senior_officer", "administrator", "auditor"
if {ANALYST, OFFICER, SENIOR, ADMIN, AUDITOR} != set(Role.values):  # the table must name every role
    raise ImportError("accounts.policy is out of step with accounts.models.Role")

CASEWORK = frozenset({ANALYST, OFFICER, SENIOR})
DECIDERS = frozenset({OFFICER, SENIOR})
READERS = frozenset({ANALYST, OFFICER, SENIOR, AUDITOR})
EVERYONE = frozenset(Role.values)


class UnknownAction(KeyError):
    """An action that is not in the policy table: a programming error, refused loudly."""


@dataclass(frozen=True)
class Rule:
    """Roles allowed to perform an action, API-client scopes allowed to, and whether it needs step-up."""

    action: str
    roles: frozenset[str]
    description: str
    step_up: bool = False
    scopes: frozenset[str] = frozenset()


def _rule(
    action: str, roles: frozenset[str] | set[str], description: str, *, step_up: bool = False, scopes: tuple = ()
) -> Rule:
    return Rule(action, frozenset(roles), description, step_up, frozenset(scopes))


_RULES = [
    # Customers and cases. API clients (tenants) reach their own customers through scopes.
    _rule("customer.view", READERS, "Read customers and their screening results", scopes=("customers:read",)),
    _rule("customer.create", DECIDERS, "Create or update a customer", scopes=("customers:write",)),
    _rule("case.view", READERS, "Read cases, alerts and decisions"),
    _rule("case.decide", DECIDERS, "Decide a case (approve, reject, escalate)"),
    _rule("case.approve_high_risk", {SENIOR}, "Approve a high-risk customer (second approver)", step_up=True),
    # Screening alerts.
    _rule("alert.review", CASEWORK, "Review an alert and add notes"),
    _rule("alert.clear", DECIDERS, "Clear a sanctions or PEP alert as a false positive", step_up=True),
    _rule("alert.clear.approve", {SENIOR}, "Second-approve a cleared sanctions hit", step_up=True),
    _rule("alert.override", {SENIOR}, "Override a sanctions or PEP alert decision", step_up=True),
    _rule("screening.run", DECIDERS, "Start a screening run", scopes=("screening:run",)),
    _rule("screening.thresholds.change", {SENIOR, ADMIN}, "Change matching thresholds", step_up=True),
    _rule("screening.suppression.change", {SENIOR}, "Add or remove a suppression (whitelist)", step_up=True),
    _rule("screening.list_source.change", {ADMIN}, "Add, remove or reconfigure a watchlist source", step_up=True),
    # Data protection.
    _rule("identifier.reveal", DECIDERS, "Reveal the plaintext of a tokenised identifier", step_up=True),
    _rule("data.export", {OFFICER, SENIOR, AUDITOR}, "Export customer, case or screening data", step_up=True),
    _rule("audit.view", {SENIOR, ADMIN, AUDITOR}, "Read the audit trail"),
    _rule("audit.export", {AUDITOR, SENIOR}, "Export the audit trail or a customer's history", step_up=True),
    # Administration.
    _rule("user.view", {ADMIN, AUDITOR}, "List users and their roles"),
    _rule("user.manage", {ADMIN}, "Create, change or deactivate users", step_up=True),
    _rule("user.role.change", {ADMIN}, "Change a user's role or staff status", step_up=True),
    _rule("api_client.view", {ADMIN, AUDITOR}, "List API clients, their scopes and key use"),
    _rule("api_client.manage", {ADMIN}, "Create, rotate, revoke or re-scope API clients and keys", step_up=True),
    _rule("mfa.reset_other", {ADMIN}, "Remove another person's second factor", step_up=True),
    _rule("mfa.remove_own", EVERYONE, "Remove or replace one's own second factor", step_up=True),
    _rule("mfa.recovery_codes.renew", EVERYONE, "Replace one's own recovery codes", step_up=True),
    _rule("sessions.revoke_own", EVERYONE, "Log out of every session"),
]

ACTIONS: dict[str, Rule] = {rule.action: rule for rule in _RULES}
# Scopes an API client can be given (and nothing else): the union of the table's scopes.
SCOPES: frozenset[str] = frozenset(scope for rule in _RULES for scope in rule.scopes)


def define(
    action: str,
    *,
    roles: set[str] | frozenset[str],
    description: str,
    step_up: bool = False,
    scopes: tuple[str, ...] = (),
) -> Rule:
    """Add an action at start-up (an app's ``ready()``); redefining an action is an error."""
    global SCOPES
    if action in ACTIONS:
        raise ValueError(f"action {action!r} is already defined")
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)} for action {action!r}")
    rule = _rule(action, roles, description, step_up=step_up, scopes=scopes)
    ACTIONS[action] = rule
    SCOPES = SCOPES | rule.scopes
    return rule


def rule_for(action: str) -> Rule:
    try:
        return ACTIONS[action]
    except KeyError:
        raise UnknownAction(action) from None


def needs_step_up(action: str) -> bool:
    """True when ``action`` demands a fresh TOTP (see ``accounts.stepup``)."""
    return rule_for(action).step_up


def step_up_actions() -> list[Rule]:
    """Every risky action, sorted: the list the step-up prompt and the docs show."""
    return sorted((rule for rule in ACTIONS.values() if rule.step_up), key=lambda rule: rule.action)


def _client_of(principal: Any) -> Any:
    """The ApiClient behind an API-key principal, or None for a person."""
    return getattr(principal, "client", None) if hasattr(principal, "key") else None


def can(principal: Any, action: str) -> bool:
    """Whether a user (by role) or an API client (by scope) may perform ``action``. Step-up is separate."""
    rule = rule_for(action)
    if principal is None or not getattr(principal, "is_authenticated", False):
        return False
    if not getattr(principal, "is_active", False):
        return False
    client = _client_of(principal)
    if client is not None:
        return bool(rule.scopes & set(client.scopes or []))
    return getattr(principal, "role", None) in rule.roles


def require(principal: Any, action: str) -> None:
    """Raise ``PermissionDenied`` unless ``principal`` may perform ``action``."""
    if not can(principal, action):
        raise PermissionDenied(f"Your role does not allow {action!r}.")
