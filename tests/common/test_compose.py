"""docker-compose.yml describes the production stack (checked structurally: CI has no Docker engine)."""

from __future__ import annotations

import yaml

from tests.shared import REPO


def _compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_the_stack_has_web_worker_beat_postgres_and_redis_each_with_a_health_check():
    services = _compose()["services"]
    for name in ["web", "worker", "beat", "postgres", "redis"]:
        assert name in services, name
        assert "healthcheck" in services[name], name


def test_web_runs_gunicorn_and_workers_run_celery_on_redis():
    services = _compose()["services"]
    assert services["web"]["command"][:3] == ["gunicorn", "-c", "config/gunicorn.py"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["worker"]["environment"]["CELERY_BROKER_URL"].startswith("redis://")
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgres://")


def test_data_lives_in_named_volumes_and_no_secret_is_written_in_the_file():
    compose = _compose()
    assert {"postgres-data", "redis-data", "tillit-keys"} <= set(compose["volumes"])
    text = (REPO / "docker-compose.yml").read_text()
    assert "SECRET_KEY:" not in text
    assert "${POSTGRES_PASSWORD:?" in text
