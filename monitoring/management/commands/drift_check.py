"""python manage.py drift_check [--recent-days N] [--baseline-days N] [--bias-days N] [--fail-on-flag]

Runs the drift and bias checks now (the daily beat task runs the same service), stores the run
(shown on the compliance dashboard) and prints what was flagged. With ``--fail-on-flag`` the command
exits with status 3 when anything was flagged, for cron jobs and CI.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.services.drift import drift_check_run

FLAGGED_EXIT = 3


class Command(BaseCommand):
    help = "Compare score and alert-rate distributions across list versions, time windows and groups; flag drift."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--recent-days", type=int, help="recent window (default 7, or TILLIT_DRIFT)")
        parser.add_argument("--baseline-days", type=int, help="baseline window before it (default 28)")
        parser.add_argument("--bias-days", type=int, help="window of the nationality and script rates (default 35)")
        parser.add_argument("--fail-on-flag", action="store_true", help=f"exit {FLAGGED_EXIT} when drift is flagged")

    def handle(self, *args: Any, **options: Any) -> None:
        overrides = {
            key: options[option]
            for key, option in (
                ("recent_days", "recent_days"),
                ("baseline_days", "baseline_days"),
                ("bias_days", "bias_days"),
            )
            if options.get(option) is not None
        }
        try:
            check = drift_check_run(actor=None, trigger="command", overrides=overrides)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Drift check {check.pk}: {check.subjects} screened subjects and {check.alerts} alerts read "
            f"({check.window_start:%Y-%m-%d} to {check.window_end:%Y-%m-%d %H:%M} UTC)."
        )
        if not check.flags:
            self.stdout.write(self.style.SUCCESS("Nothing beyond the bounds."))
            return
        for flag in check.flags:
            detail = f"{flag['metric']} {flag['value']}"
            if flag.get("reference") is not None:
                detail += f" against {flag['reference']} (n={flag['n']})"
            self.stdout.write(self.style.WARNING(f"FLAG {flag['check']} · {flag['about']}: {detail}"))
        self.stdout.write(f"{check.flag_count} flag(s); an audit event was written.")
        if options["fail_on_flag"]:
            raise SystemExit(FLAGGED_EXIT)
