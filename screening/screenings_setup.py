"""Start-up wiring of screenings (imported from ``ScreeningConfig.ready``).

Connects the index swap to ``watchlist_version_activated``, registers the "watchlists" readiness
check, the audit action codes, the batch task (workers only autodiscover ``screening.tasks``) and
the policy action for reading screenings.
"""

from __future__ import annotations

from accounts import policy
from common.health import register_readiness_check
from screening import releases_setup as _releases  # noqa: F401  # release policy actions and shadow tasks
from screening import runtime
from screening import screenings_audit as _audit_codes  # noqa: F401  # registers the action codes
from screening import tasks_screenings as _tasks  # noqa: F401  # registers the batch task in workers
from screening.signals import watchlist_version_activated

VIEW_ACTION = "screening.view"
RUN_ACTION = "screening.run"
FALSE_POSITIVE_ACTION = "alert.clear"

watchlist_version_activated.connect(runtime.on_version_activated, dispatch_uid="screening.runtime.swap")
register_readiness_check("watchlists", runtime.readiness_check)
if VIEW_ACTION not in policy.ACTIONS:
    policy.define(
        VIEW_ACTION,
        roles=policy.READERS,
        description="Read screenings, their matches and explanations (API clients: their own)",
        scopes=("screening:run", "screening:read"),
    )
