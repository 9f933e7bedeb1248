"""gunicorn settings for the production stack: `gunicorn -c config/gunicorn.py config.wsgi`."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"


def post_worker_init(worker: object) -> None:
    """Load the matching index before the worker takes traffic, so no request waits for it."""
    try:
        from screening.runtime import runtime

        runtime.current()
    except Exception as exc:  # no list loaded yet: the first screening loads it; /readyz reports it
        worker.log.warning("screening index not preloaded: %s", type(exc).__name__)  # type: ignore[attr-defined]
