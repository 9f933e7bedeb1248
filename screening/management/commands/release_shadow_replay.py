"""python manage.py release_shadow_replay <release> [--days N] [--limit N]: re-run recent screenings in shadow."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.releases_commands import release_named
from screening.releases_selectors import release_report
from screening.services import releases as services


class Command(BaseCommand):
    help = (
        "Re-run the most recent stored screenings (newest first) under a matching release in shadow, each on the "
        "list versions it was screened on, and store how its alerts differ from live. Screenings already compared "
        "for this release are skipped, so the command can be repeated. Prints the comparison totals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("release", help="the release's id or label (release_status lists them)")
        parser.add_argument("--days", type=int, default=7, help="screenings of the last N days (default 7)")
        parser.add_argument("--limit", type=int, default=1000, help="at most N screenings (default 1000)")

    def handle(self, *args: object, **options: Any) -> None:
        release = release_named(options["release"])
        try:
            summary = services.release_shadow_replay(
                release=release, actor=None, days=options["days"], limit=options["limit"]
            )
        except services.ReleaseError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{release.label}: {summary.evaluated} screening(s) replayed, {summary.skipped} skipped"
            + (f" ({', '.join(f'{k}: {v}' for k, v in summary.reasons.items())})" if summary.reasons else "")
        )
        totals = release_report(release, examples=0)["totals"]
        self.stdout.write(
            f"compared so far: {totals['screenings']} screening(s), alerts live {totals['live_alerts']} -> shadow "
            f"{totals['shadow_alerts']}: +{totals['gained']} gained, -{totals['lost']} lost, "
            f"{totals['rescored']} re-scored"
        )
