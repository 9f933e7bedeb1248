"""The compliance dashboard and the drift check on a large history, on PostgreSQL.

    .venv/bin/python -m benchmarks.monitoring.dashboard --screenings 200000
    .venv/bin/python -m benchmarks.monitoring.dashboard --screenings 200000 --reuse   # keep the rows

Own database (``tillit_bench_dashboard``, created and migrated on first run). Bulk-inserts
``--screenings`` stored screenings spread over the last 35 days (names in six scripts, 20
nationalities, one list with two versions, 5 % with a match, 40 % of matches marked false
positive, durations drawn from a log-normal), then times, each ``--repeat`` times:

1. the dashboard's figures and charts (``monitoring.dashboard.views.dashboard_context``, 30 days);
2. the dashboard page through the admin (Django test client, an auditor);
3. the drift and bias check (``monitoring.services.drift.drift_check_run``), with its peak memory.

Bulk inserts, not the screening service: the benchmark measures the reads, not screening.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time
import uuid
from datetime import timedelta

DB_NAME = "tillit_bench_dashboard"
SOURCE = "custom_bench_dashboard"
NAMES = {
    "Latin": ["Anna Kowalska", "John Smith", "Maria Garcia", "Luca Rossi", "Emma Dubois"],
    "Cyrillic": ["Иван Петров", "Ольга Смирнова", "Сергей Волков"],
    "Arabic": ["محمد علي", "فاطمة حسن", "أحمد يوسف"],
    "CJK": ["王伟", "李娜", "张敏"],
    "Greek": ["Νίκος Παπαδάκης", "Ελένη Γεωργίου"],
    "Hangul": ["김민준", "이서연"],
}
SCRIPT_WEIGHTS = {"Latin": 70, "Cyrillic": 10, "Arabic": 8, "CJK": 6, "Greek": 3, "Hangul": 3}
COUNTRIES = ["gb", "us", "de", "fr", "it", "es", "pl", "ru", "ua", "cn", "kr", "gr", "eg", "sa", "ae", "ir", "in", "br"]


def configure() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.monitoring.settings"
    os.environ["DATABASE_URL"] = f"postgres://tillit:tillit@127.0.0.1:5432/{DB_NAME}"
    os.environ.pop("CELERY_BROKER_URL", None)  # nothing is enqueued


def ensure_database() -> None:
    import psycopg

    with psycopg.connect("postgres://tillit:tillit@127.0.0.1:5432/tillit", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DB_NAME}" OWNER tillit')


def populate(count: int, seed: int) -> None:
    """Bulk-insert ``count`` screenings over 35 days, their matches and false-positive marks."""
    from django.utils import timezone

    from accounts.models import User
    from screening.models import FalsePositive, ListVersion, Screening, ScreeningMatch, Source

    rng = random.Random(seed)
    now = timezone.now()
    officer = User.objects.create_user(f"bench-{uuid.uuid4().hex[:6]}@example.test", None, role="officer")
    source = Source.objects.create(code=SOURCE, name="bench", format="ftm-json", last_sync_at=now)
    old = ListVersion.objects.create(source=source, number=1, status="superseded", imported_at=now - timedelta(days=20))
    new = ListVersion.objects.create(source=source, number=2, status="active", imported_at=now - timedelta(days=10))
    scripts, weights = list(SCRIPT_WEIGHTS), list(SCRIPT_WEIGHTS.values())
    batch = 5000
    for start in range(0, count, batch):
        screenings, matches, marks = [], [], []
        for _ in range(min(batch, count - start)):
            at = now - timedelta(seconds=rng.uniform(0, 35 * 86400))
            version = new if at > new.imported_at else old
            alerted = rng.random() < 0.05
            screening = Screening(
                id=uuid.uuid4(),
                owner_key="staff",
                channel="api",
                subject_key=uuid.uuid4().hex,
                name=rng.choice(NAMES[rng.choices(scripts, weights)[0]]),
                schema="Person",
                countries=[rng.choice(COUNTRIES)],
                thresholds={},
                list_versions={SOURCE: {"id": str(version.pk), "number": version.number}},
                algorithm="tillit-match",
                algorithm_version="bench",
                outcome="potential_match" if alerted else "clear",
                match_count=1 if alerted else 0,
                duration_ms=rng.lognormvariate(1.5, 0.6),
            )
            screening.created_at = at
            screenings.append(screening)
            if alerted:
                match = ScreeningMatch(
                    id=uuid.uuid4(),
                    screening=screening,
                    rank=1,
                    entity=f"{SOURCE}:e{rng.randrange(5000)}",
                    source=SOURCE,
                    listed_name="Listed Example",
                    schema="Person",
                    score=min(1.0, rng.gauss(0.9 if version is new else 0.88, 0.04)),
                    threshold=0.825,
                    explanation={},
                    content_hash="c" * 64,
                )
                matches.append(match)
                if rng.random() < 0.4:
                    marks.append(
                        FalsePositive(
                            owner_key="staff",
                            subject_key=screening.subject_key,
                            entity=match.entity,
                            content_hash=match.content_hash,
                            screening=screening,
                            match=match,
                            marked_by=officer,
                            reason="different_person",
                        )
                    )
        Screening.objects.bulk_create(screenings)
        ScreeningMatch.objects.bulk_create(matches)
        FalsePositive.objects.bulk_create(marks)
        _backdate(screenings)
        print(f"  inserted {start + len(screenings):,} screenings", flush=True)


def _backdate(screenings: list) -> None:
    """auto_now_add stamps bulk inserts with the current time: move each row (and its match) to its own time."""
    from django.db import connection

    rows = [(s.created_at, s.pk) for s in screenings]
    with connection.cursor() as cursor:
        cursor.executemany("UPDATE screening_screening SET created_at = %s WHERE id = %s", rows)
        cursor.executemany("UPDATE screening_screeningmatch SET created_at = %s WHERE screening_id = %s", rows)
        cursor.executemany("UPDATE screening_falsepositive SET created_at = %s WHERE screening_id = %s", rows)


def timed(label: str, repeat: int, action: object) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    print(f"  {label:<44} median {statistics.median(times):7.2f} s   (min {min(times):.2f}, max {max(times):.2f})")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--screenings", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the screenings of an earlier run")
    args = parser.parse_args()

    configure()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User
    from benchmarks.machine import print_machine
    from monitoring.dashboard.views import dashboard_context
    from monitoring.services.drift import drift_check_run
    from screening.models import ListVersion, Screening, ScreeningMatch, Source
    from tests.mfa import mark_mfa_verified

    call_command("migrate", verbosity=0)
    if not args.reuse or not Screening.objects.exists():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE screening_falsepositive, screening_screeningmatch, screening_screening, "
                "monitoring_driftcheck CASCADE"
            )
        ListVersion.objects.filter(source__code=SOURCE).delete()
        Source.objects.filter(code=SOURCE).delete()
        print(f"Inserting {args.screenings:,} screenings over 35 days ...")
        started = time.perf_counter()
        populate(args.screenings, args.seed)
        print(f"  done in {time.perf_counter() - started:.0f} s")
    screenings, matches = Screening.objects.count(), ScreeningMatch.objects.count()
    print(f"\nDashboard and drift check over {screenings:,} screenings and {matches:,} matches (PostgreSQL)")
    print_machine()
    print(f"  load average  {' '.join(f'{v:.1f}' for v in os.getloadavg())} (other work on the machine)")

    timed("dashboard figures and charts (30 days)", args.repeat, lambda: dashboard_context(days=30))
    auditor = User.objects.filter(email="bench-auditor@example.test").first() or User.objects.create_user(
        "bench-auditor@example.test", None, role="auditor", is_staff=True
    )
    client = Client()
    client.force_login(auditor)
    mark_mfa_verified(client, auditor)
    url = "/admin/monitoring/compliancedashboard/"
    assert client.get(url).status_code == 200
    timed("dashboard page through the admin (30 days)", args.repeat, lambda: client.get(url))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    checks = []
    timed("drift and bias check", args.repeat, lambda: checks.append(drift_check_run(actor=None, trigger="command")))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    check = checks[-1]
    print(
        f"  peak memory of the process: {after / 1024:.0f} MiB "
        f"(grew {max(0, after - before) / 1024:.0f} MiB in the checks)"
    )
    print(f"  the check read {check.subjects:,} subjects and {check.alerts:,} alerts; {check.flag_count} flag(s):")
    for flag in check.flags:
        print(f"    {flag['check']} · {flag['about']}: {flag['metric']} {flag['value']}")


if __name__ == "__main__":
    main()
