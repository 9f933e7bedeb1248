"""Settings come from the environment; production refuses to start without what it needs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.shared import REPO

PRODUCTION_ENV = {
    "SECRET_KEY": "p" * 20 + "roduction-secret-key-for-tests-only-0123456789abcdef",
    "ALLOWED_HOSTS": "tillit.example.com",
    "DATABASE_URL": "postgres://tillit:tillit@127.0.0.1:5432/tillit",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def _run(code: str, env: dict[str, str], settings: str = "config.settings.production") -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {*PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**clean, "DJANGO_SETTINGS_MODULE": settings, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"])
def test_production_settings_refuse_to_start_without_a_required_variable(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _run("import django; django.setup()", env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_settings_refuse_a_weak_secret_key():
    result = _run("import django; django.setup()", {**PRODUCTION_ENV, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    code = "import sys; from django.core.management import execute_from_command_line as m; " + (
        "m(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    result = _run(code, PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_embedded_mode_generates_a_private_dev_secret_key_and_keeps_it(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY); print(settings.CELERY_TASK_ALWAYS_EAGER)"
    env = {"TILLIT_DATA_DIR": str(tmp_path), "CELERY_BROKER_URL": "", "SECRET_KEY": ""}
    first = _run(code, env, settings="config.settings.base")
    second = _run(code, env, settings="config.settings.base")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "keys" / "django_secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert first.stdout.split()[0] == second.stdout.split()[0] == key_file.read_text()
    assert first.stdout.split()[1] == "True"  # no broker: tasks run eagerly


def test_embedded_mode_defaults_to_an_sqlite_file_in_the_data_folder(tmp_path):
    code = "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"
    result = _run(code, {"TILLIT_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}, settings="config.settings.base")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "tillit.sqlite3")


def test_a_configured_broker_turns_eager_mode_off(tmp_path):
    code = "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL)"
    env = {"TILLIT_DATA_DIR": str(tmp_path), "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3"}
    result = _run(code, env, settings="config.settings.base")
    assert result.stdout.split() == ["False", "redis://127.0.0.1:6379/3"]
