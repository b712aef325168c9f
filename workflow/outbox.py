"""Outgoing e-mail that is not lost: each mail is a row (models.OutgoingMail) written in the
transaction of the change that owes it. After the commit the mails are sent at once (the fast
path); a mail the fast path could not send (mail server down, process killed) is sent by the
reconciler (operations.reconcile, kind `mail`) once it is older than RECONCILE_GRACE_SECONDS, with
backoff and an alarm after repeated failures.

A mail is marked sent only after the SMTP server accepted it, under a row lock that the other path
skips: never sent twice by the two paths, and twice at all only if the process dies between the
server's acceptance and the mark (SMTP has no way to ask whether a message arrived).

Secrets: an applicant's 查询码 is stored elsewhere only as a digest, so a mail that carries it must
hold it until it is sent. It is kept apart from the body (`secret`, put in where the body says
SECRET only while sending) and erased as soon as the server accepts the mail; it never reaches a
log, an audit event or `last_error`."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from workflow.models import OutgoingMail

log = logging.getLogger(__name__)

SECRET = "{secret}"  # where the body takes the mail's secret


def owe(mails):
    """Owe `mails` [(to, subject, body) or (to, subject, body, secret)] in the current transaction
    and send them after it commits. Returns the rows."""
    rows = [
        OutgoingMail(to=m[0], subject=m[1][:300], body=m[2], secret=m[3] if len(m) > 3 else "")
        for m in mails
        if m[0]
    ]
    if not rows:
        return []
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    else:
        OutgoingMail.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: send(ids), robust=True)
    return rows


def send(ids):
    """The fast path: send the owed mails `ids` over one connection. At the first failure it stops
    (the server is most likely down) and leaves the rest to the reconciler."""
    try:
        with get_connection() as connection:
            for pk in ids:
                send_one(pk, connection)
    except Exception as error:  # owed still: the reconciler retries
        log.warning("mail not sent now, left to the reconciler: %s", _error_text(error))
        OutgoingMail.objects.filter(pk__in=ids, sent_at__isnull=True).update(last_error=_error_text(error)[:2000])


def send_one(pk, connection=None):
    """Send owed mail `pk`: True if sent now, False if it was sent already (or is being sent by
    the other path). Raises what the mail server raised, after noting it on the row."""
    try:
        with transaction.atomic():
            mail = OutgoingMail.objects.select_for_update(skip_locked=True).filter(pk=pk, sent_at__isnull=True).first()
            if mail is None:
                return False
            body = mail.body.replace(SECRET, mail.secret) if mail.secret else mail.body
            message = EmailMessage(mail.subject, body, settings.DEFAULT_FROM_EMAIL, [mail.to], connection=connection)
            if not message.send():
                raise OSError("the mail backend sent nothing")
            mail.sent_at, mail.secret, mail.last_error = timezone.now(), "", ""
            mail.save(update_fields=["sent_at", "secret", "last_error"])
            return True
    except Exception as error:
        OutgoingMail.objects.filter(pk=pk, sent_at__isnull=True).update(last_error=_error_text(error)[:2000])
        raise


def _error_text(error):
    return f"{type(error).__name__}: {error}"


def owed(before):
    """Ids of mails owed since before `before`, oldest first."""
    return list(
        OutgoingMail.objects.filter(sent_at__isnull=True, created_at__lte=before)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
