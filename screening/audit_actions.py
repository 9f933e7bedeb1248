"""The screening app's audit action codes (autodiscovered by the audit app)."""

from audit.actions import register

SOURCE_CREATED = register("watchlist.source.created", "A watchlist source was registered")
SOURCE_CHANGED = register(
    "watchlist.source.changed", "A watchlist source was reconfigured (URL, schedule, shrink guard...)"
)
VERSION_ACTIVATED = register("watchlist.version.activated", "A new watchlist version was imported and became active")
VERSION_FAILED = register("watchlist.version.failed", "A watchlist import was refused; the active version kept serving")
SYNC_COMPLETED = register("watchlist.sync.completed", "A watchlist source was synced (any outcome)")
# Matching releases (algorithm version + thresholds): shadow runs, promotion and rollback.
RELEASE_CREATED = register(
    "screening.release.created", "A matching release (algorithm version + thresholds) was recorded"
)
RELEASE_SHADOW_STARTED = register(
    "screening.release.shadow_started", "A matching release started running in shadow beside the live one"
)
RELEASE_SHADOW_STOPPED = register("screening.release.shadow_stopped", "A matching release stopped running in shadow")
RELEASE_REPLAYED = register(
    "screening.release.replayed", "Recent stored screenings were re-run under a matching release in shadow"
)
RELEASE_RETIRED = register("screening.release.retired", "A matching release that never went live was retired")
RELEASE_PROMOTED = register(
    "screening.release.promoted", "A matching release was promoted to live; the one it replaced was retired"
)
RELEASE_ROLLED_BACK = register(
    "screening.release.rolled_back", "The live matching release was rolled back to the one it had replaced"
)
