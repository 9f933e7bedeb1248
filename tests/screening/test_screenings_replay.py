"""``screening_replay``: a stored screening re-runs on its recorded list and algorithm versions, identically."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from screening.models import Screening, ScreeningMatch, VersionStatus
from screening.runtime import runtime
from screening.services import screenings as services
from tests.screening import screenings_support as support

fresh_runtime = support.fresh_runtime
sample_lists = support.sample_lists

pytestmark = pytest.mark.django_db


def screen(name: str, **extra: object) -> Screening:
    subject = services.parse_subject({"name": name, **extra})
    return services.screening_run(actor=None, subject=subject, channel="cli")


def replay(screening: Screening) -> str:
    out = StringIO()
    call_command("screening_replay", str(screening.pk), stdout=out)
    return out.getvalue()


def edited_un(tmp_path, old: str, new: str):
    path = tmp_path / "un.xml"
    path.write_text(support.UN_SAMPLE.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


def test_a_replay_reproduces_the_stored_result_exactly(sample_lists):
    screening = screen(
        "Ivan Petrovich Obraztsov",
        birth_date="1965-04-12",
        identifiers=[{"type": "passport", "number": "7000000001"}],
    )
    assert screening.match_count >= 1
    output = replay(screening)
    assert "IDENTICAL" in output
    event = AuditEvent.objects.get(action="screening.screening.replayed")
    assert event.payload["identical"] is True


def test_a_replay_uses_the_recorded_versions_after_the_list_changed(sample_lists, tmp_path):
    screening = screen("Sample Qadir al-Fictioni", schema="Person")
    before = list(screening.matches.values_list("entity", "score", "content_hash"))
    assert before
    # The entry changes and the old version is superseded; today's screening differs ...
    support.import_list("demo_un", "un-xml", edited_un(tmp_path, "<TO_YEAR>1973</TO_YEAR>", "<TO_YEAR>1974</TO_YEAR>"))
    sample_lists["demo_un"].refresh_from_db()
    assert sample_lists["demo_un"].status == VersionStatus.SUPERSEDED
    today = screen("Sample Qadir al-Fictioni", schema="Person")
    assert today.list_versions["demo_un"]["number"] == 2
    assert list(today.matches.values_list("content_hash", flat=True)) != [h for _, _, h in before]
    # ... but the replay of the old screening runs on version 1 and reproduces it.
    runtime.reset()
    assert "IDENTICAL" in replay(screening)


def test_a_replay_reports_a_stored_result_that_does_not_match(sample_lists):
    screening = screen("Ivan Petrovich Obraztsov")
    ScreeningMatch.objects.filter(screening=screening, rank=1).update(score=0.5)
    out = StringIO()
    with pytest.raises(CommandError, match="DIFFERENT") as excinfo:
        call_command("screening_replay", str(screening.pk), stdout=out)
    assert excinfo.value.returncode == 1
    assert "score differs" in out.getvalue()
    assert AuditEvent.objects.get(action="screening.screening.replayed").payload["identical"] is False


def test_a_replay_with_suppressions_applies_the_ones_recorded(sample_lists):
    screening = screen("Ivan Petrovich Obraztsov")
    entity = screening.matches.get(rank=1)
    Screening.objects.filter(pk=screening.pk).update(
        suppressed=[{"entity": entity.entity, "content_hash": entity.content_hash}]
    )
    ScreeningMatch.objects.filter(pk=entity.pk).delete()
    screening.refresh_from_db()
    result = services.screening_replay(screening=screening)
    assert entity.entity not in [m["entity"] for m in result.replayed]
    assert result.replayed_suppressed == screening.suppressed


def test_a_replay_refuses_when_the_algorithm_version_differs(sample_lists):
    screening = screen("Ivan Petrovich Obraztsov")
    Screening.objects.filter(pk=screening.pk).update(algorithm_version="0.9.0")
    with pytest.raises(CommandError, match=r"refused: .* 0\.9\.0.*this installation runs") as excinfo:
        replay(screening)
    assert excinfo.value.returncode == 2
    assert not AuditEvent.objects.filter(action="screening.screening.replayed").exists()


def test_a_replay_of_an_unknown_screening_is_refused(db):
    with pytest.raises(CommandError, match="no screening"):
        call_command("screening_replay", "00000000-0000-0000-0000-000000000000")
    with pytest.raises(CommandError, match="not a screening id"):
        call_command("screening_replay", "not-a-uuid")


def test_a_replay_in_another_process_with_a_cold_index_and_another_hash_seed_is_identical(
    transactional_db, fresh_runtime
):
    import os
    import subprocess
    import sys

    from django.conf import settings

    from tests.conftest import _worker_database_url
    from tests.shared import REPO

    support.import_list("demo_un", "un-xml", support.UN_SAMPLE)
    support.import_list("demo_ofac", "ofac-csv", support.OFAC_SAMPLE)
    screening = screen(
        "Petr Ivanovich Examplov",
        birth_date="1971-03-12",
        countries=["RU"],
        identifiers=[{"type": "passport", "number": "7000000001"}],
    )
    assert screening.match_count >= 1
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _worker_database_url(),
        "TILLIT_DATA_DIR": str(settings.TILLIT_DATA_DIR),  # same vault keys; its own index cache (cold here)
        "PYTHONHASHSEED": "4242",
        "LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "screening_replay", str(screening.pk)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "IDENTICAL" in result.stdout
