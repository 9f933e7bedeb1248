"""python manage.py release_status: the matching releases, which one is live, and the runnable algorithm versions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from screening.engine.releases import is_runnable, runnable_versions
from screening.releases_selectors import releases


class Command(BaseCommand):
    help = "List matching releases (status, algorithm version, thresholds, shadow results) and runnable versions."

    def handle(self, *args: object, **options: Any) -> None:
        self.stdout.write(
            "runnable algorithm versions: " + ", ".join(f"{a.name} {a.version}" for a in runnable_versions())
        )
        rows = list(releases()[:50])
        if not rows:
            self.stdout.write("no release recorded yet: screenings use the installed version and configured thresholds")
            return
        for release in rows:
            runnable = "" if is_runnable(release.algorithm, release.algorithm_version) else "  NOT RUNNABLE HERE"
            self.stdout.write(
                f"{release.status:8} {release.label:40} {release.algorithm} {release.algorithm_version} "
                f"default {release.thresholds.get('default')} shadow results {release.shadow_count} "
                f"id {release.pk}{runnable}"
            )
