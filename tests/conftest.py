"""Shared test fixtures: ../shared paths, API clients for each kind of caller, and a real Celery worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.mfa import mark_mfa_verified
from tests.shared import REPO, shared_path


@pytest.fixture
def shared() -> Callable[..., Path]:
    """The shared_path helper as a fixture: shared("watchlists", "un", "consolidated.xml")."""
    return shared_path


@pytest.fixture
def api() -> APIClient:
    """An anonymous API client (real HTTP through Django's test client)."""
    return APIClient()


@pytest.fixture
def officer(db: None) -> object:
    from accounts.models import Role, User

    return User.objects.create_user("officer@example.test", "correct horse battery", role=Role.OFFICER, is_staff=True)


@pytest.fixture
def officer_api(officer: object) -> APIClient:
    """An API client logged in as an officer with a session that passed its second factor (CSRF enforced)."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(officer)
    mark_mfa_verified(client, officer)
    return client


@pytest.fixture
def make_user(db: None) -> Callable[..., object]:
    """make_user(role="administrator", email=None, is_staff=True): a person with a given role."""
    from accounts.models import User

    def make(role: str = "officer", *, email: str | None = None, is_staff: bool = True) -> object:
        return User.objects.create_user(
            email or f"{role}-{uuid.uuid4().hex[:6]}@example.test",
            "correct horse battery",
            role=role,
            is_staff=is_staff,
        )

    return make


@pytest.fixture
def login_api() -> Callable[..., APIClient]:
    """login_api(user, mfa=True): a CSRF-free session client for ``user``, second factor passed unless mfa=False."""

    def make(user: object, *, mfa: bool = True) -> APIClient:
        client = APIClient()
        client.force_login(user)
        if mfa:
            mark_mfa_verified(client, user)
        return client

    return make


class Totp:
    """Enrol people in TOTP and produce the codes their app would show (tests only)."""

    def enrol(self, user: object) -> bytes:
        """Activate a device for ``user``; returns the seed (the test plays the authenticator app).

        Enrol before logging the person in: activating a factor ends their other sessions.
        """
        import base64

        from accounts import services

        enrolment, _ = services.totp_provision_confirmed(user=user, actor=None)  # type: ignore[arg-type]
        padded = enrolment.secret_base32 + "=" * (-len(enrolment.secret_base32) % 8)
        return base64.b32decode(padded)

    def code(self, seed: bytes, *, offset: int = 0) -> str:
        """The code for the current step (plus ``offset`` steps) by the clock in force."""
        from django.utils import timezone

        from accounts import otp

        return otp.code_for_step(seed, otp.step_at(timezone.now().timestamp()) + offset)

    def fresh(self, user: object, seed: bytes) -> str:
        """A code not yet used: the first step after the last used one, within the ±1 window; else fail."""
        from django.utils import timezone

        from accounts import otp
        from accounts.models import TotpDevice

        current = otp.step_at(timezone.now().timestamp())
        last = TotpDevice.objects.get(user=user).last_used_step
        step = current - 1 if last is None else max(last + 1, current - 1)
        if step > current + 1:
            pytest.fail("no unused code in the drift window: travel the clock forward 30 s first")
        return otp.code_for_step(seed, step)

    def step_up(self, client: APIClient, user: object, seed: bytes, action: str) -> None:
        """Grant ``action`` to ``client``'s session through POST /api/v1/auth/step-up."""
        response = client.post("/api/v1/auth/step-up", {"action": action, "code": self.fresh(user, seed)})
        assert response.status_code == 200, response.json()


@pytest.fixture
def totp(db: None) -> Totp:
    return Totp()


@pytest.fixture
def make_api_client(db: None) -> Callable[..., tuple[object, str]]:
    """Create an API client (tenant) and return it with a fresh key."""
    from accounts import services

    def make(name: str | None = None) -> tuple[object, str]:
        client = services.api_client_create(name=name or f"client-{uuid.uuid4().hex[:8]}", actor=None)
        _, secret = services.api_key_issue(client=client, actor=None)
        return client, secret

    return make


@pytest.fixture
def client_api(make_api_client: Callable[..., tuple[object, str]]) -> APIClient:
    """An API client authenticated with an API key; ``.tenant`` is the ApiClient row."""
    tenant, secret = make_api_client()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    client.tenant = tenant  # type: ignore[attr-defined]
    return client


# --- A real Celery worker ---------------------------------------------------------------------------
def _worker_database_url() -> str:
    from django.db import connection

    conf = connection.settings_dict
    if conf["ENGINE"] == "django.db.backends.postgresql":
        return (
            f"postgres://{conf['USER']}:{conf['PASSWORD']}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}"
            f"/{conf['NAME']}"
        )
    if conf["ENGINE"] == "django.db.backends.sqlite3" and not str(conf["NAME"]).startswith(("file:", ":memory:")):
        return f"sqlite:///{conf['NAME']}"
    pytest.skip("the worker integration tests need PostgreSQL or a file-based SQLite test database")
    raise AssertionError  # unreachable


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup: None, django_db_blocker: object) -> Iterator[str]:
    """Start a real `celery worker` against the test database and a private queue; yield the queue."""
    broker = getattr(settings, "TILLIT_TEST_BROKER_URL", None)
    if not broker:
        reason = "CELERY_BROKER_URL is not set: the real-worker integration tests need Redis"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        database_url = _worker_database_url()
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",  # the tests read the worker's log
        "CELERY_TASK_DEFAULT_QUEUE": queue,  # tasks the worker enqueues stay on the private queue
    }
    log_path = Path(settings.TILLIT_DATA_DIR) / f"{queue}.log"
    log_file = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "-c",
            "2",
            "-n",
            f"{queue}@%h",
        ],
        cwd=REPO,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"celery worker exited early:\n{log_path.read_text()[-4000:]}", pytrace=False)
        if app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
            break
    else:
        process.terminate()
        pytest.fail(f"celery worker did not start in 60 s:\n{log_path.read_text()[-4000:]}", pytrace=False)
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log_file.close()


@pytest.fixture
def celery_worker(celery_worker_process: str, transactional_db: None) -> Iterator[Path]:
    """Send tasks to the real worker for this test (not eager); yields the worker's log file."""
    from config.celery import app

    app.conf.task_always_eager = False
    try:
        yield Path(settings.TILLIT_DATA_DIR) / f"{celery_worker_process}.log"
    finally:
        app.conf.task_always_eager = True
        _drain_worker(app, f"{celery_worker_process}@{os.uname().nodename}")


def _drain_worker(app: object, node: str, timeout: float = 60) -> None:
    """Leave the worker idle before the database is flushed: no queued, scheduled or running task.

    Tasks a test enqueued (retries with a countdown, follow-up chunks) must not run against the next
    test's data, nor hold locks while pytest-django truncates the tables.
    """
    app.control.purge()  # type: ignore[attr-defined]
    inspect = app.control.inspect(destination=[node], timeout=1)  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = [
            *(item["request"]["id"] for items in (inspect.scheduled() or {}).values() for item in items),
            *(item["id"] for items in (inspect.reserved() or {}).values() for item in items),
        ]
        if waiting:
            app.control.revoke(waiting, destination=[node])  # type: ignore[attr-defined]
        if not waiting and not any((inspect.active() or {}).values()):
            break
        time.sleep(0.2)
    app.control.purge()  # type: ignore[attr-defined]
