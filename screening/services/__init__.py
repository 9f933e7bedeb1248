"""Screening services (writes). Watchlist imports, diffs and syncs live in ``watchlists``."""
