# One image for web, worker and beat (the production stack in docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production TILLIT_DATA_DIR=/var/lib/tillit
RUN useradd --system --uid 10001 --home-dir /app tillit && mkdir -p /var/lib/tillit && chown tillit /var/lib/tillit
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY --chown=tillit . .
RUN SECRET_KEY=build-only-not-secret-000000000000000000000000000000000 ALLOWED_HOSTS=build \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 CELERY_BROKER_URL=redis://build:6379/0 \
    python manage.py collectstatic --noinput --verbosity 0
USER tillit
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
