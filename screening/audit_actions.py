"""The screening app's audit action codes (autodiscovered by the audit app)."""

from audit.actions import register

SOURCE_CREATED = register("watchlist.source.created", "A watchlist source was registered")
SOURCE_CHANGED = register(
    "watchlist.source.changed", "A watchlist source was reconfigured (URL, schedule, shrink guard...)"
)
VERSION_ACTIVATED = register("watchlist.version.activated", "A new watchlist version was imported and became active")
VERSION_FAILED = register("watchlist.version.failed", "A watchlist import was refused; the active version kept serving")
SYNC_COMPLETED = register("watchlist.sync.completed", "A watchlist source was synced (any outcome)")
