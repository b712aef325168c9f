"""Authentication events. Each is recorded in the transaction of the request that caused it."""

import datetime

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Sum
from django.dispatch import Signal, receiver
from django.utils import timezone

from audit.services import record

# Sent when the signer refuses to sign a root that does not extend its earlier checkpoints
# (kwargs: reason, message). The operations app turns it into an alarm for auditors and the office.
checkpoint_refused = Signal()
# Sent by `audit_verify` after a whole verification (kwargs: result, an audit.verify.Result).
log_verified = Signal()


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record("auth.login", actor=user, obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record("auth.logout", actor=user, obj=user)


def failure_worth_auditing(request):
    """Failed logins are audited, but not so that anyone can flood the log: once a (username,
    address) pair is locked out by the login throttle (django-axes, which counts before this runs),
    one event marks the lockout and further failures are counted by the throttle only; and past
    LOGIN_AUDIT_FAILURES_PER_ADDRESS failures from one address within the window, likewise."""
    if request is None or not hasattr(request, "axes_ip_address"):
        return True
    if getattr(request, "axes_failures_since_start", 0) > settings.LOGIN_FAILURE_LIMIT:
        return False
    from axes.models import AccessAttempt

    since = timezone.now() - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    total = AccessAttempt.objects.filter(ip_address=request.axes_ip_address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"] or 0
    return total <= settings.LOGIN_AUDIT_FAILURES_PER_ADDRESS


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    if not failure_worth_auditing(request):
        return
    username = str(credentials.get("username", ""))[:150]
    data = {"username": username}
    if getattr(request, "axes_locked_out", False):
        data["locked_out"] = 1
    record("auth.login_failed", actor=None, object_type="auth.user", object_id=username, data=data)
