"""Shared pieces of the audit benchmarks: a throwaway PostgreSQL database, Django set-up, the machine."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from benchmarks.machine import machine

DEFAULT_URL = "postgres://tillit:tillit@127.0.0.1:5432/tillit_bench_audit"


def screening_payload(i: int) -> dict[str, object]:
    """What a screening event carries (about 1 KB): tokens, list versions, algorithm, thresholds, matches."""
    return {
        "screening_id": f"0a5e{i:028x}",
        "customer_id": f"c0{i % 5000:030x}",
        "subject_token": f"tok_{i:040x}",
        "name_masked": "J*** D**",
        "list_versions": {"un": "2026-11-28T10:00:00Z", "ofac_sdn": "2026-11-27", "uk_hmt": "2026-11-26"},
        "algorithm": "tillit-match",
        "algorithm_version": "1.4.0",
        "thresholds": {"alert_bp": 8500, "auto_clear_bp": 6000},
        "matches": [
            {
                "entry_id": f"un:{1000 + j}",
                "score_bp": 9100 - 250 * j,
                "explanation": ["token overlap 3/3", "birth year within 1", "nationality equal"],
            }
            for j in range(4)
        ],
        "outcome": "alert" if i % 7 == 0 else "clear",
    }


def setup_django(url: str) -> None:
    """Point Django at the benchmark database, with a throwaway signing key."""
    os.environ["DATABASE_URL"] = url
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django
    from django.conf import settings

    django.setup()
    key_dir = Path(tempfile.gettempdir()) / "tillit-bench-audit"
    key_dir.mkdir(exist_ok=True)
    settings.TILLIT_AUDIT_SIGNING_KEY_FILE = str(key_dir / "audit_ed25519.pem")


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def register_bench_action() -> str:
    from audit import actions

    code = "bench.screening.completed"
    if not actions.is_registered(code):
        actions.register(code, "Benchmark: a screening finished")
    return code


def print_machine() -> None:
    """The shared machine description (benchmarks.machine) plus the PostgreSQL server version."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    print("machine:")
    for key, value in {**machine(), "postgresql": postgres}.items():
        print(f"  {key:<11} {value}")
