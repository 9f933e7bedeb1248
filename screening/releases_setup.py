"""Start-up wiring of matching releases (imported from ``screening.screenings_setup``).

Defines the policy actions and registers the release tasks in workers.
"""

from __future__ import annotations

from accounts import policy
from screening import tasks_releases as _tasks  # noqa: F401  # registers the shadow tasks in workers

VIEW_ACTION = "screening.release.view"
MANAGE_ACTION = "screening.release.manage"
PROMOTE_ACTION = "screening.release.promote"

if VIEW_ACTION not in policy.ACTIONS:
    policy.define(
        VIEW_ACTION,
        roles={policy.ADMIN, policy.SENIOR, policy.AUDITOR},
        description="Read matching releases and their shadow comparison reports",
    )
    policy.define(
        MANAGE_ACTION,
        roles={policy.ADMIN},
        description="Record a matching release, run it in shadow, replay screenings under it, retire it",
    )
    policy.define(
        PROMOTE_ACTION,
        roles={policy.ADMIN},
        description="Promote a matching release to live or roll back the live one",
        step_up=True,
    )
