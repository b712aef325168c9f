"""Authentication events. Each is recorded in the transaction of the request that caused it."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal, receiver

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


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record("auth.login_failed", actor=None, object_type="auth.user", object_id=username, data={"username": username})
