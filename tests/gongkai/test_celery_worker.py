import pytest
from django.contrib.auth import get_user_model

from gongkai.tasks import ping


@pytest.mark.redis
def test_a_task_round_trips_through_redis_and_a_real_worker(celery_worker):
    get_user_model().objects.create(username="visible-to-the-worker")
    users = get_user_model().objects.count()
    result = ping.delay("你好")
    try:
        value = result.get(timeout=90)
    except Exception:
        print(celery_worker.log_path.read_text())
        raise
    assert value == {"echo": "你好", "users": users}
    assert celery_worker.poll() is None  # the worker is still up: it did not just crash after
    assert f"Task gongkai.tasks.ping[{result.id}] received" in celery_worker.log_path.read_text()


def test_without_a_broker_tasks_run_in_process(db):
    users = get_user_model().objects.count()
    assert ping.delay("x").get(timeout=1) == {"echo": "x", "users": users}
