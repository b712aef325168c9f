#!/usr/bin/env bash
# web: migrate then gunicorn; worker: celery worker; beat: celery beat (periodic checkpoints,
# reminders, scheduled publication).
set -euo pipefail
cd /app
case "${1:-web}" in
  web)
    .venv/bin/python manage.py migrate --noinput
    exec .venv/bin/gunicorn gongkai.wsgi -c gongkai/gunicorn_conf.py --bind 0.0.0.0:8000 \
      --workers "${WEB_CONCURRENCY:-3}"
    ;;
  worker) exec .venv/bin/celery -A gongkai worker --loglevel INFO ;;
  beat) exec .venv/bin/celery -A gongkai beat --loglevel INFO --schedule /var/lib/gongkai/celerybeat-schedule ;;
  *) exec "$@" ;;
esac
