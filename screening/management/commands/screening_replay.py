"""python manage.py screening_replay <screening id>: re-run a stored screening and say whether it is identical."""

from __future__ import annotations

import uuid

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.models import Screening
from screening.services import screenings as services


class Command(BaseCommand):
    help = (
        "Re-run a stored screening with its recorded list versions (superseded ones included), algorithm "
        "version, thresholds and suppressions, and report whether the result is identical. Exit status: "
        "0 identical, 1 different, 2 refused (another algorithm version, or a recorded list version is gone)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("screening_id", help="the screening's id (UUID)")

    def handle(self, *args: object, **options: object) -> None:
        try:
            screening_id = uuid.UUID(str(options["screening_id"]))
        except ValueError:
            raise CommandError(f"{options['screening_id']!r} is not a screening id (a UUID)", returncode=2) from None
        screening = Screening.objects.filter(pk=screening_id).first()
        if screening is None:
            raise CommandError(f"no screening {screening_id}", returncode=2)
        try:
            result = services.screening_replay(screening=screening, actor=None)
        except services.ReplayRefused as exc:
            raise CommandError(f"refused: {exc}", returncode=2) from None
        versions = ", ".join(f"{code} v{item['number']}" for code, item in sorted(screening.list_versions.items()))
        self.stdout.write(
            f"screening {screening.pk} ({screening.created_at:%Y-%m-%d %H:%M:%S} UTC), "
            f"{screening.algorithm} {screening.algorithm_version}, lists: {versions}"
        )
        self.stdout.write(f"stored:   {len(result.stored)} match(es) {[m['entity'] for m in result.stored]}")
        self.stdout.write(f"replayed: {len(result.replayed)} match(es) {[m['entity'] for m in result.replayed]}")
        if result.identical:
            self.stdout.write(self.style.SUCCESS("IDENTICAL: the replay reproduces the stored result exactly"))
            return
        for line in result.differences():
            self.stdout.write(f"  - {line}")
        raise CommandError("DIFFERENT: the replay does not reproduce the stored result", returncode=1)
