"""python manage.py watchlist_diff <source> [<from> <to>]  (version numbers; default: the active version's diff)"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from screening import selectors
from screening.services.watchlists import diff_versions


class Command(BaseCommand):
    help = "Show the entries added, removed and changed (with fields) between two versions of a source."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source")
        parser.add_argument("versions", nargs="*", type=int, help="<from> <to> version numbers")
        parser.add_argument("--limit", type=int, default=200, help="lines per kind (0: all)")

    def handle(self, *args: object, **options: object) -> None:
        try:
            source = selectors.source_get(code=str(options["source"]))
            numbers = list(options["versions"])  # type: ignore[arg-type]
            if len(numbers) not in (0, 2):
                raise CommandError("give no version numbers or exactly two: <from> <to>")
            if numbers:
                old = selectors.version_get(source=source, number=numbers[0])
                new = selectors.version_get(source=source, number=numbers[1])
            else:
                new = selectors.active_version(source=source)
                if new is None or new.previous is None:
                    raise CommandError(f"{source.code} has no active version with a previous one to compare")
                old = new.previous
        except Http404 as exc:
            raise CommandError(str(exc)) from None
        for version in (old, new):
            if version.status == "failed":
                raise CommandError(f"{source.code} v{version.number} failed to import and has no entries")
        diff = diff_versions(old, new)
        names = dict(
            new.entries.filter(ref__in=[*diff.added, *diff.changed]).values_list("ref", "primary_name")
        ) | dict(old.entries.filter(ref__in=diff.removed).values_list("ref", "primary_name"))
        limit = int(options["limit"]) or None  # type: ignore[arg-type]
        self.stdout.write(
            f"{source.code} v{old.number} ({old.published_on or old.created_at:%Y-%m-%d}) -> "
            f"v{new.number} ({new.published_on or new.created_at:%Y-%m-%d}): "
            f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed"
        )
        for label, refs in (("+", diff.added), ("-", diff.removed)):
            for ref in refs[:limit]:
                self.stdout.write(f"{label} {ref}  {names.get(ref, '')}")
        for ref in list(diff.changed)[:limit]:
            self.stdout.write(f"~ {ref}  {names.get(ref, '')}  [{', '.join(diff.changed[ref])}]")
