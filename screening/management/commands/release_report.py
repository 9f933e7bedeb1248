"""python manage.py release_report <release> [--json]: alerts gained and lost against live, by list and kind of name."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from screening.releases_commands import release_named
from screening.releases_selectors import release_report


class Command(BaseCommand):
    help = "Print a release's shadow comparison report: totals, by list, by subject type, script and word count."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("release", help="the release's id or label")
        parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
        parser.add_argument("--examples", type=int, default=10, help="examples per kind (default 10)")

    def handle(self, *args: object, **options: Any) -> None:
        report = release_report(release_named(options["release"]), examples=options["examples"])
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
            return
        t = report["totals"]
        self.stdout.write(
            f"{report['release']['label']} ({report['release']['status']}): {t['screenings']} screening(s) compared, "
            f"{t['identical']} identical; alerts live {t['live_alerts']} -> shadow {t['shadow_alerts']}: "
            f"+{t['gained']} gained, -{t['lost']} lost, {t['rescored']} re-scored; "
            f"clear->alert {t['to_alert']}, alert->clear {t['to_clear']}"
        )
        for key in ("by_source", "by_schema", "by_script", "by_shape"):
            self.stdout.write(f"{key}:")
            for name, group in report[key].items():
                self.stdout.write(f"  {name:24} " + " ".join(f"{k} {v}" for k, v in group.items()))
        for kind in ("gained", "lost"):
            for e in report["examples"][kind]:
                self.stdout.write(f"{kind}: screening {e['screening_id']} {e['entity']} score {e['score']}")
