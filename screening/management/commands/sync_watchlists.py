"""python manage.py sync_watchlists [--source CODE] [--offline] [--allow-shrink]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.models import Source
from screening.services import sync as sync_services
from screening.services import watchlists as services
from screening.watchlist_sources import DEFAULT_SOURCES


class Command(BaseCommand):
    help = (
        "Download each enabled source from its official URL (conditional request, checksum, retries, "
        "timeouts) and import it; when the download fails or --offline is given, import the local copy "
        "under TILLIT_WATCHLIST_DIR instead. Every run is recorded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", action="append", help="source code (repeatable; default: all enabled)")
        parser.add_argument("--offline", action="store_true", help="do not download; import the local copies")
        parser.add_argument("--allow-shrink", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        codes = options["source"] or []
        for code in codes or DEFAULT_SOURCES:
            if code in DEFAULT_SOURCES or Source.objects.filter(code=code).exists():
                services.source_ensure(code=str(code), actor=None)
            else:
                raise CommandError(f"unknown source {code!r}")
        sources = Source.objects.filter(code__in=codes) if codes else Source.objects.filter(enabled=True)
        failed = 0
        for source in sources:
            run = sync_services.source_sync(
                source=source,
                actor=None,
                allow_shrink=bool(options["allow_shrink"]),
                offline=True if options["offline"] else None,
            )
            line = f"{source.code}: {run.outcome} {run.origin} {run.message}".strip()
            if run.outcome == "failed":
                failed += 1
                self.stderr.write(line)
            else:
                self.stdout.write(line)
        if failed:
            raise CommandError(f"{failed} source(s) failed to sync")
