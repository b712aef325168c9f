import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api(user):
    """api("cwc_head") → an APIClient authenticated as that persona."""
    clients = {}

    def client_for(username):
        if username not in clients:
            client = APIClient()
            client.force_authenticate(user(username))
            clients[username] = client
        return clients[username]

    return client_for


@pytest.fixture
def workflow_commit():
    """Like django_capture_on_commit_callbacks(execute=True), but runs only the workflow's own
    after-commit work (publication job, mails), not other apps' (the signed record has its own tests)."""
    from contextlib import contextmanager

    from django.test import TestCase

    def ours(callback):
        return getattr(callback, "__module__", "").startswith("workflow")

    @contextmanager
    def capture():
        with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
            yield callbacks
        done = 0
        while done < len(callbacks):
            callback = callbacks[done]
            done += 1
            if ours(callback):
                with TestCase.captureOnCommitCallbacks(execute=False) as more:
                    callback()
                callbacks.extend(more)

    return capture
