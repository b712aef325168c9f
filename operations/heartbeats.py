from django.utils import timezone

from operations.models import Heartbeat


def beat(name, detail=None):
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now(), "detail": detail or {}})


def last(name):
    return Heartbeat.objects.filter(name=name).first()
