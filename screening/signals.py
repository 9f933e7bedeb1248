"""Hooks other apps subscribe to.

``watchlist_version_activated`` is sent after the transaction that activated a new version
commits, with ``version`` (the new active ListVersion) and ``diff`` (a
``screening.services.watchlists.VersionDiff``: refs added, removed and changed against the
version it superseded). Ongoing monitoring uses it to rescreen only what changed.
For the first version of a source (``version.previous is None``) the diff is empty: every
entry of the version is new.
"""

from django.dispatch import Signal

watchlist_version_activated = Signal()
