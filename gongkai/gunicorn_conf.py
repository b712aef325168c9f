"""gunicorn settings for ./bin/serve and the container. One worker process with threads: with no
broker configured, background jobs and the periodic schedule run inside it (gongkai.inprocess)."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 60
accesslog = "-"


def post_worker_init(worker):
    from gongkai import inprocess

    inprocess.start_beat_if_no_broker()
