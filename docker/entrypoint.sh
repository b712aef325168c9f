#!/usr/bin/env bash
# migrate: apply the database migrations (once per deployment or upgrade, before the others start);
# web: gunicorn; worker: celery worker; beat: celery beat (periodic checkpoints, reminders,
# scheduled publication, the reconciler; run exactly one); anything else runs as a command, e.g.
# `docker run IMAGE .venv/bin/python manage.py doctor` (this script is the image's entry point).
set -euo pipefail
cd /app
case "${1:-web}" in
  migrate) exec .venv/bin/python manage.py migrate --noinput ;;
  web)
    exec .venv/bin/gunicorn gongkai.wsgi -c gongkai/gunicorn_conf.py --bind "${HOST:-0.0.0.0}:${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-2}"
    ;;
  worker) exec .venv/bin/celery -A gongkai worker --loglevel INFO --concurrency "${WORKER_CONCURRENCY:-2}" ;;
  beat) exec .venv/bin/celery -A gongkai beat --loglevel INFO --schedule /var/lib/gongkai/celerybeat-schedule ;;
  *) exec "$@" ;;
esac
