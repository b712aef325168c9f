"""Periodic checkpoints: on the beat schedule, signed only when events arrived since the last one."""

from django.conf import settings

from audit import services
from audit.models import AuditCheckpoint
from audit.tasks import periodic_checkpoint


def test_the_beat_schedule_signs_a_checkpoint_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]
    assert entry == {"task": "audit.periodic_checkpoint", "schedule": 60.0}


def test_the_task_signs_only_when_new_events_exist(db):
    services.record("test.event", actor=None)
    size = periodic_checkpoint.delay().get()
    assert size == services.tree_size() == services.latest_checkpoint().tree_size
    count = AuditCheckpoint.objects.count()
    assert periodic_checkpoint.delay().get() is None and AuditCheckpoint.objects.count() == count
    services.record("test.event", actor=None)
    assert periodic_checkpoint.delay().get() == size + 1


def test_a_publication_checkpoint_covers_the_events_of_its_transaction(db):
    from django.db import transaction

    with transaction.atomic():
        event = services.record("test.publish", actor=None)
        checkpoint = services.checkpoint(reason="publication")
    assert checkpoint.tree_size >= event.seq and services.checkpoint_covering(event.seq) == checkpoint
