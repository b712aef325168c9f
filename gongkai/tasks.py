from celery import shared_task
from django.contrib.auth import get_user_model


@shared_task
def ping(message):
    """Round trip through the broker and a worker; the user count proves which database it reads."""
    return {"echo": message, "users": get_user_model().objects.count()}
