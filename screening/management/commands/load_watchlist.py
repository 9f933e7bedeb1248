"""python manage.py load_watchlist <format> <path> [--source CODE] [--allow-shrink] | --samples"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.lists import FORMATS, SAMPLES, SAMPLES_DIR
from screening.services import watchlists as services
from screening.watchlist_sources import FORMAT_DEFAULT_SOURCE, SAMPLE_SOURCES


class Command(BaseCommand):
    help = (
        "Import a list file (for ofac-csv: the folder with sdn.csv, add.csv, alt.csv, sdn_comments.csv) "
        "as a new version of a watchlist source. Identical content creates no version; a bad file is "
        "refused and the active version keeps serving. --samples loads the hand-made demo lists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("format", nargs="?", choices=sorted(FORMATS))
        parser.add_argument("path", nargs="?")
        parser.add_argument("--source", help="source code (default: the official source for the format)")
        parser.add_argument("--name", help="display name when the source is new (custom_/os_ codes)")
        parser.add_argument(
            "--allow-shrink", action="store_true", help="accept a version much smaller than the active one"
        )
        parser.add_argument("--samples", action="store_true", help="load every hand-made sample into demo_* sources")

    def handle(self, *args: object, **options: object) -> None:
        if options["samples"]:
            for fmt, paths in SAMPLES.items():
                for path in paths:
                    self._load(str(fmt), str(SAMPLES_DIR / path), SAMPLE_SOURCES[fmt], None, True)
            return
        fmt, path = options["format"], options["path"]
        if not fmt or not path:
            raise CommandError("give a format and a path, or --samples")
        code = options["source"] or FORMAT_DEFAULT_SOURCE[str(fmt)]
        self._load(str(fmt), str(path), str(code), options["name"], bool(options["allow_shrink"]))

    def _load(self, fmt: str, path: str, code: str, name: object, allow_shrink: bool) -> None:
        try:
            source = services.source_ensure(code=code, fmt=fmt, name=str(name) if name else None, actor=None)
            result = services.list_version_import(source=source, path=path, actor=None, allow_shrink=allow_shrink)
        except services.WatchlistImportError as exc:
            raise CommandError(f"{code}: import refused: {exc}") from None
        version = result.version
        if not result.created:
            self.stdout.write(
                f"{code}: {result.reason}; v{version.number} stays active ({version.entry_count} entries)"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{code}: v{version.number} active, {version.entry_count} entries, {version.name_count} names, "
                f"published {version.published_on or 'n/a'}, diff {version.diff_summary}"
            )
        )
