"""Run the production stack on this machine for a benchmark: gunicorn + Celery workers on PostgreSQL and Redis.

Everything listens on loopback only and is stopped when the ``with`` block ends::

    with Stack(database="tillit_bench", web_workers=4, celery_workers=2) as stack:
        stack.manage("load_watchlist", "un-xml", path)
        key = stack.api_key()
        ... send requests to stack.url ...

PostgreSQL and Redis must be running (``.ci/run`` starts them; locally: ``pg_ctlcluster 15 main start`` and
``redis-server --daemonize yes``). ``BENCH_PG_URL`` (default ``postgres://tillit:tillit@127.0.0.1:5432``) names
a role that may create databases; ``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/7``) the broker.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python")
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://tillit:tillit@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
SCOPES = ["customers:read", "customers:write", "screening:run", "screening:read"]


class Stack:
    """gunicorn (production settings) and Celery workers against a fresh benchmark database."""

    def __init__(
        self,
        *,
        database: str = "tillit_bench",
        port: int = 8099,
        web_workers: int = 4,
        web_threads: int = 1,
        celery_workers: int = 1,
        celery_concurrency: int = 2,
        fresh: bool = True,
    ) -> None:
        self.database = database
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.web_workers = web_workers
        self.web_threads = web_threads
        self.celery_workers = celery_workers
        self.celery_concurrency = celery_concurrency
        self.fresh = fresh
        self.data_dir = REPO / "benchmarks" / "results" / f"stack-{database}"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"{PG_URL}/{database}",
            "CELERY_BROKER_URL": REDIS_URL,
            "CACHE_URL": "locmemcache://bench",
            "SECURE_SSL_REDIRECT": "False",
            "TILLIT_DATA_DIR": str(self.data_dir),
            "LOG_LEVEL": "WARNING",
        }

    # --- lifecycle --------------------------------------------------------------------------------
    def __enter__(self) -> Stack:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.fresh:
            self._recreate_database()
            subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], check=False, capture_output=True)
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        # As the compose stack's one-shot migrate service: provision the keys web and workers only read.
        keys = {"TILLIT_VAULT_GENERATE_KEYS": "true", "TILLIT_AUDIT_GENERATE_SIGNING_KEY": "true"}
        self.manage("vault_verify", extra_env=keys)
        self.manage("audit_public_key", extra_env=keys)
        return self

    def start(self) -> Stack:
        logs = self.data_dir
        self._spawn(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "-c",
                "config/gunicorn.py",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.web_workers),
                "--threads",
                str(self.web_threads),
                "--worker-class",
                "gthread" if self.web_threads > 1 else "sync",
                "--access-logfile",
                "/dev/null",
            ],
            logs / "gunicorn.log",
        )
        for n in range(self.celery_workers):
            self._spawn(
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-c",
                    str(self.celery_concurrency),
                    "-n",
                    f"bench{n}@%h",
                    "--loglevel",
                    "WARNING",
                ],
                logs / f"worker{n}.log",
            )
        self._wait_ready()
        return self

    def wait_until_workers_idle(self, timeout: float = 900) -> float:
        """Wait until the Celery queue is empty and nothing is unacknowledged; return the seconds waited.

        Importing lists queues their monitoring jobs; a load test measured while the workers still
        rescreen would measure that backlog, not the traffic it offers.
        """
        started = time.monotonic()
        quiet = 0
        while time.monotonic() - started < timeout:
            pending = 0
            for command in (["llen", "celery"], ["hlen", "unacked"]):
                out = subprocess.run(
                    ["redis-cli", "-u", REDIS_URL, *command], check=False, capture_output=True, text=True
                ).stdout.strip()
                pending += int(out) if out.isdigit() else 0
            quiet = quiet + 1 if pending == 0 else 0
            if quiet >= 3:
                return time.monotonic() - started
            time.sleep(1)
        raise TimeoutError(f"the Celery workers were still busy after {timeout:.0f} s")

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    # --- helpers ----------------------------------------------------------------------------------
    def manage(self, *args: str, extra_env: dict[str, str] | None = None) -> str:
        """Run a management command with the stack's settings; return its stdout."""
        env = {**self.env, **(extra_env or {})}
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def api_key(self, name: str = "bench-client") -> str:
        """Create an API client with a fresh key and return the key."""
        code = (
            "from accounts import services; from accounts.models import ApiClient\n"
            f"c = ApiClient.objects.filter(name={name!r}).first() or "
            f"services.api_client_create(name={name!r}, actor=None, scopes={SCOPES!r})\n"
            "[services.api_key_revoke(key=k, actor=None) for k in c.keys.active()]\n"
            "print(services.api_key_issue(client=c, actor=None)[1])"
        )
        return self.manage("shell", "-c", code).strip().splitlines()[-1]

    def _spawn(self, command: list[str], log: Path) -> None:
        handle = log.open("wb")
        self.processes.append(
            subprocess.Popen(command, cwd=REPO, env=self.env, stdout=handle, stderr=subprocess.STDOUT)
        )

    def _wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"a stack process exited early: {process.args}; logs in {self.data_dir}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310 (loopback)
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"the stack did not become healthy in {timeout:.0f} s; logs in {self.data_dir}")

    def _recreate_database(self) -> None:
        recreate_database(f"{PG_URL}/{self.database}")


def recreate_database(url: str) -> None:
    """An empty PostgreSQL database where ``url`` points (dropped first, its connections closed)."""
    drop_database(url)
    admin, name = _admin_url(url)
    with _connect(admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database ``url`` points at, if it exists, closing its connections."""
    admin, name = _admin_url(url)
    with _connect(admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_url(url: str) -> tuple[str, str]:
    """The same server's ``postgres`` database (to create or drop another from), and the database name."""
    parsed = urlparse(url)
    return parsed._replace(path="/postgres").geturl(), parsed.path.lstrip("/")


def _connect(url: str) -> Any:
    import psycopg  # benchmarks only: the test suite never needs it

    return psycopg.connect(url, autocommit=True)


def require_tools() -> None:
    """Fail early and clearly when a benchmark's outside services are missing."""
    missing = [tool for tool in ("redis-cli",) if shutil.which(tool) is None]
    if missing:
        sys.exit(f"missing tools: {', '.join(missing)} (apt-get install redis-server)")
