"""Alarms: what an operator must see. One open alarm per key; raising it again counts. Raising
tells the people responsible once per alarm (in-app notice and e-mail): the office and
administrators for background work, auditors and the office for the audit log."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from operations.models import Alarm
from workflow import notify, outbox
from workflow.models import Notification

log = logging.getLogger(__name__)

AUDIENCES = {
    "office": ("publish_items",),  # the disclosure office (and superusers)
    "audit": ("view_audit",),  # auditors and the office (and superusers)
}


def responsible_users(audience):
    codenames = AUDIENCES[audience]
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename__in=codenames, groups__permissions__content_type__app_label="policies")
            | Q(user_permissions__codename__in=codenames, user_permissions__content_type__app_label="policies")
        )
        .distinct()
    )


def raise_alarm(key, title, detail="", *, audience="office", item=None):
    """Open (or count again) the alarm `key`; the first time, notify the audience. Returns the
    Alarm. Runs in its own transaction when called outside one."""
    now = timezone.now()
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().filter(key=key, resolved_at__isnull=True).first()
        if alarm is not None:
            Alarm.objects.filter(pk=alarm.pk).update(times=F("times") + 1, last_seen_at=now, detail=detail[:5000])
            return alarm
        Alarm.objects.filter(key=key).exclude(resolved_at__isnull=True).delete()  # a resolved one comes back
        alarm = Alarm.objects.create(key=key[:100], title=title[:300], detail=detail[:5000], raised_at=now, last_seen_at=now)
        notify.notify(responsible_users(audience), item, Notification.Kind.INFO, f"⚠ {title}",
                      key=f"alarm:{alarm.pk}")
        # Owed with the alarm, sent after commit or by the reconciler (the mail server may be
        # what is failing: the in-app notice is seen meanwhile).
        outbox.owe([(address, f"{settings.EMAIL_SUBJECT_PREFIX}{title[:120]}", detail or title)
                    for _name, address in settings.ADMINS])
    log.error("alarm %s: %s — %s", key, title, detail)
    return alarm


def resolve(key):
    return Alarm.objects.filter(key=key, resolved_at__isnull=True).update(resolved_at=timezone.now())


def open_alarms():
    return Alarm.objects.filter(resolved_at__isnull=True)
