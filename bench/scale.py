"""Shared set-up for the scale benchmarks: a PostgreSQL database of their own (created, migrated
and seeded when missing), Django configured against it, jobs in-process as under ./bin/serve."""

import io
import os
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]


def setup(default_name):
    """Point Django at BENCH_DATABASE_URL (default: a database named `default_name` on the local
    PostgreSQL), creating, migrating and seeding it when needed; returns the URL."""
    url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{default_name}")
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
    return url


def anonymous_get(path):
    """The WSGI environ of an anonymous visitor's GET of `path` (with its query), in Chinese, at
    http://localhost, for calling gongkai.wsgi.application in-process."""
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": "localhost", "SERVER_PORT": "80", "HTTP_HOST": "localhost", "HTTP_ACCEPT_LANGUAGE": "zh-hans",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
    }
